from __future__ import annotations

import strawberry

from resolvers import service, service_request
from schema.core.mutation_field import mutation_field


@strawberry.type
class ServiceMutation:
    create_service = mutation_field(
        service.create_service, description="Add a service to the catalog, as a DRAFT (MANAGER, ADMIN).")

    update_service = mutation_field(
        service.update_service, description="Edit, publish or retire a service (MANAGER, ADMIN; with expectedVersion).")

    submit_service_request = mutation_field(
        service_request.submit, description="Request a published service; open to anyone, rate-limited per client.")

    handle_service_request = mutation_field(
        service_request.handle, description="Move a service request through review (staff; with expectedVersion).")

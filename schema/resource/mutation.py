from __future__ import annotations

import strawberry

from resolvers import resource as resolve
from resolvers import resource_admin
from schema.core.mutation_field import mutation_field


@strawberry.type
class ResourceMutation:
    create_resource = mutation_field(resolve.create_resource, description="Managers and admins only.")

    update_resource = mutation_field(
        resource_admin.update_resource,
        description="Edit a resource or (de)activate it (MANAGER, ADMIN; with expectedVersion).",
    )

    deactivate_resource = mutation_field(
        resource_admin.deactivate_resource,
        description="Take a resource out of service: no new bookings; existing ones stay.",
    )

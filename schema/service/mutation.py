from __future__ import annotations

import strawberry

from resolvers import service, service_request
from schema.service.inputs import (
    CreateServiceInput,
    HandleServiceRequestInput,
    SubmitServiceRequestInput,
    UpdateServiceInput,
)
from schema.service.payloads import (
    HandleServiceRequestPayload,
    ServicePayload,
    SubmitServiceRequestPayload,
)


@strawberry.type
class ServiceMutation:
    @strawberry.mutation(description="Add a service to the catalog, as a DRAFT (MANAGER, ADMIN).")
    async def create_service(self, info: strawberry.Info, input: CreateServiceInput) -> ServicePayload:
        return await service.create_service(info.context, input)

    @strawberry.mutation(description="Edit, publish or retire a service (MANAGER, ADMIN; with expectedVersion).")
    async def update_service(self, info: strawberry.Info, input: UpdateServiceInput) -> ServicePayload:
        return await service.update_service(info.context, input)

    @strawberry.mutation(description="Request a published service; open to anyone, rate-limited per client.")
    async def submit_service_request(
        self, info: strawberry.Info, input: SubmitServiceRequestInput
    ) -> SubmitServiceRequestPayload:
        return await service_request.submit(info.context, input)

    @strawberry.mutation(description="Move a service request through review (staff; with expectedVersion).")
    async def handle_service_request(
        self, info: strawberry.Info, input: HandleServiceRequestInput
    ) -> HandleServiceRequestPayload:
        return await service_request.handle(info.context, input)

from __future__ import annotations

import strawberry

from resolvers import attachment as resolve
from schema.attachment.inputs import DeleteAttachmentInput, UploadAttachmentInput
from schema.attachment.payloads import DeleteAttachmentPayload, UploadAttachmentPayload


@strawberry.type
class AttachmentMutation:
    @strawberry.mutation(description="Attach a file (GraphQL multipart request) to an event, task, PPA, assessment or service request.")
    async def upload_attachment(self, info: strawberry.Info, input: UploadAttachmentInput) -> UploadAttachmentPayload:
        return await resolve.upload_attachment(info.context, input)

    @strawberry.mutation
    async def delete_attachment(self, info: strawberry.Info, input: DeleteAttachmentInput) -> DeleteAttachmentPayload:
        return await resolve.delete_attachment(info.context, input)

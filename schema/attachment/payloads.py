from __future__ import annotations

import strawberry

from schema.attachment.types import AttachmentType
from schema.core.errors import UserError


@strawberry.type
class UploadAttachmentPayload:
    attachment: AttachmentType | None
    errors: list[UserError]


@strawberry.type
class DeleteAttachmentPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]

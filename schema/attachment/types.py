from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from db.models import Attachment
from schema.core.node import ModelNode, load_node
from schema.user.types import UserType
from server.signed_urls import signed_path


@strawberry.type(name="Attachment", description="A file attached to an event, task, PPA, assessment or service request.")
class AttachmentType(ModelNode):
    model = Attachment

    id: strawberry.relay.NodeID[int]
    filename: str
    content_type: str = strawberry.field(description="Sniffed from the file's bytes.")
    size_bytes: int
    sha256: str
    is_photo: bool
    occurrence: datetime | None = strawberry.field(
        description="For one occurrence of a recurring event: its original start; null for the whole series."
    )
    created_at: datetime
    _uploaded_by_id: strawberry.Private[int | None]
    _has_thumbnail: strawberry.Private[bool]

    @classmethod
    def from_model(cls, row: Attachment) -> Self:
        return cls(
            id=row.id, filename=row.filename, content_type=row.content_type, size_bytes=row.size_bytes,
            sha256=row.sha256, is_photo=row.is_photo, occurrence=row.occurrence, created_at=row.created_at,
            _uploaded_by_id=row.uploaded_by_id, _has_thumbnail=row.has_thumbnail,
        )

    @strawberry.field
    async def uploaded_by(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._uploaded_by_id)

    @strawberry.field(description="A short-lived signed download URL (see ALMANAC_DOWNLOAD_URL_SECONDS).")
    def url(self, info: strawberry.Info) -> str:
        return _signed_url(info, self.id, "original")

    @strawberry.field(description="A signed URL of a 320px JPEG thumbnail; null when the file is not a photo.")
    def thumbnail_url(self, info: strawberry.Info) -> str | None:
        return _signed_url(info, self.id, "thumbnail") if self._has_thumbnail else None


def _signed_url(info: strawberry.Info, attachment_id: int, variant: str) -> str:
    settings = info.context.settings
    path = signed_path(settings.secret_key, attachment_id, variant, settings.download_url_seconds)
    return f"{settings.public_url.rstrip('/')}{path}"

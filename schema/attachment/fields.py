"""``attachments`` on Event, Task, Ppa, Assessment and ServiceRequest, and the counts on calendar entries."""
from __future__ import annotations

from datetime import datetime

import strawberry

from dataloaders.attachment import (
    AttachmentCounts,
    ParentKey,
    attachment_counts_by_parent,
    attachments_by_parent,
)
from schema.attachment.types import AttachmentType
from schema.core.connection import Connection, paginate_list


async def attachments_of(
    info: strawberry.Info, parent_type: str, parent_id: int, *, occurrence: datetime | None = None,
    first: int | None = None, after: str | None = None,
) -> Connection[AttachmentType]:
    rows = await info.context.loaders.of(attachments_by_parent).load(ParentKey(parent_type, parent_id, occurrence))
    return paginate_list(rows, first=first, after=after, to_node=AttachmentType.from_model)


async def counts_of(info: strawberry.Info, parent_type: str, parent_id: int,
                    occurrence: datetime | None = None) -> AttachmentCounts:
    counts: AttachmentCounts = await info.context.loaders.of(attachment_counts_by_parent).load(
        ParentKey(parent_type, parent_id, occurrence)
    )
    return counts

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.file_uploads import Upload


@strawberry.input
class UploadAttachmentInput:
    parent_id: strawberry.ID = strawberry.field(description="An Event, Task, Ppa, Assessment or ServiceRequest.")
    file: Upload
    occurrence: datetime | None = strawberry.field(
        default=None, description="Attach to one occurrence of a recurring event (its recurrenceId)."
    )


@strawberry.input
class DeleteAttachmentInput:
    id: strawberry.ID

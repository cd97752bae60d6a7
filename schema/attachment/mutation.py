from __future__ import annotations

import strawberry

from resolvers import attachment as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class AttachmentMutation:
    upload_attachment = mutation_field(
        resolve.upload_attachment,
        description="Attach a file (GraphQL multipart request) to an event, task, PPA, assessment or service request.",
    )

    delete_attachment = mutation_field(resolve.delete_attachment)

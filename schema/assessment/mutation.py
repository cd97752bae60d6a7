from __future__ import annotations

import strawberry

from resolvers import assessment as resolve
from resolvers import assessment_lifecycle
from schema.core.mutation_field import mutation_field


@strawberry.type
class AssessmentMutation:
    create_assessment = mutation_field(
        resolve.create_assessment, description="Also generates the default ASSESSMENT task set.")

    update_assessment = mutation_field(
        assessment_lifecycle.update_assessment,
        description="Edit an assessment or move it to its next phase (with expectedVersion).",
    )

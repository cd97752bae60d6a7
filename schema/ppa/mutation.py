from __future__ import annotations

import strawberry

from resolvers import ppa as resolve
from resolvers import ppa_archive
from resolvers import ppa_links as links
from resolvers import ppa_workflow as workflow
from schema.core.mutation_field import mutation_field


@strawberry.type
class PpaMutation:
    create_ppa = mutation_field(resolve.create_ppa)

    update_ppa = mutation_field(resolve.update_ppa, description="Optimistic: a stale expectedVersion answers CONFLICT.")

    advance_ppa_stage = mutation_field(
        workflow.advance_ppa_stage, description="Move to a stage the workflow allows (see Ppa.allowedStages).")

    decide_budget = mutation_field(
        workflow.decide_ppa_budget,
        description="MANAGER/ADMIN only: approve, return for revision or reject the budget.",
    )

    add_ppa_milestone = mutation_field(links.add_ppa_milestone)

    complete_ppa_milestone = mutation_field(links.complete_ppa_milestone)

    schedule_ppa_stage = mutation_field(
        links.schedule_ppa_stage,
        description="Set the planned dates of a workflow or budget stage (shown on the calendar).",
    )

    link_needs_to_ppa = mutation_field(
        links.link_needs_to_ppa, description="Idempotent: needs already linked are skipped.")

    link_policies_to_ppa = mutation_field(
        links.link_policies_to_ppa, description="Idempotent: policies already linked are skipped.")

    archive_ppa = mutation_field(
        ppa_archive.archive_ppa,
        description="Archive a PPA (with expectedVersion): it leaves default lists and the calendar.",
    )

    unlink_needs_from_ppa = mutation_field(
        ppa_archive.unlink_needs, description="Remove links between a PPA and needs.")

    unlink_policies_from_ppa = mutation_field(
        ppa_archive.unlink_policies, description="Remove links between a PPA and policies.")

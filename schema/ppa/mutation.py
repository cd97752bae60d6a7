from __future__ import annotations

import strawberry

from resolvers import ppa as resolve
from resolvers import ppa_archive
from resolvers import ppa_links as links
from resolvers import ppa_workflow as workflow
from schema.ppa.inputs import (
    AddPpaMilestoneInput,
    AdvancePpaStageInput,
    ArchivePpaInput,
    CompletePpaMilestoneInput,
    CreatePpaInput,
    DecideBudgetInput,
    LinkNeedsToPpaInput,
    LinkPoliciesToPpaInput,
    SchedulePpaStageInput,
    UnlinkNeedsFromPpaInput,
    UnlinkPoliciesFromPpaInput,
    UpdatePpaInput,
)
from schema.ppa.payloads import (
    AddPpaMilestonePayload,
    AdvancePpaStagePayload,
    ArchivePpaPayload,
    CompletePpaMilestonePayload,
    CreatePpaPayload,
    DecideBudgetPayload,
    LinkNeedsToPpaPayload,
    LinkPoliciesToPpaPayload,
    SchedulePpaStagePayload,
    UnlinkFromPpaPayload,
    UpdatePpaPayload,
)


@strawberry.type
class PpaMutation:
    @strawberry.mutation
    async def create_ppa(self, info: strawberry.Info, input: CreatePpaInput) -> CreatePpaPayload:
        return await resolve.create_ppa(info.context, input)

    @strawberry.mutation(description="Optimistic: a stale expectedVersion answers CONFLICT.")
    async def update_ppa(self, info: strawberry.Info, input: UpdatePpaInput) -> UpdatePpaPayload:
        return await resolve.update_ppa(info.context, input)

    @strawberry.mutation(description="Move to a stage the workflow allows (see Ppa.allowedStages).")
    async def advance_ppa_stage(self, info: strawberry.Info, input: AdvancePpaStageInput) -> AdvancePpaStagePayload:
        return await workflow.advance_ppa_stage(info.context, input)

    @strawberry.mutation(description="MANAGER/ADMIN only: approve, return for revision or reject the budget.")
    async def decide_budget(self, info: strawberry.Info, input: DecideBudgetInput) -> DecideBudgetPayload:
        return await workflow.decide_ppa_budget(info.context, input)

    @strawberry.mutation
    async def add_ppa_milestone(self, info: strawberry.Info, input: AddPpaMilestoneInput) -> AddPpaMilestonePayload:
        return await links.add_ppa_milestone(info.context, input)

    @strawberry.mutation
    async def complete_ppa_milestone(
        self, info: strawberry.Info, input: CompletePpaMilestoneInput
    ) -> CompletePpaMilestonePayload:
        return await links.complete_ppa_milestone(info.context, input)

    @strawberry.mutation(description="Set the planned dates of a workflow or budget stage (shown on the calendar).")
    async def schedule_ppa_stage(self, info: strawberry.Info, input: SchedulePpaStageInput) -> SchedulePpaStagePayload:
        return await links.schedule_ppa_stage(info.context, input)

    @strawberry.mutation(description="Idempotent: needs already linked are skipped.")
    async def link_needs_to_ppa(self, info: strawberry.Info, input: LinkNeedsToPpaInput) -> LinkNeedsToPpaPayload:
        return await links.link_needs_to_ppa(info.context, input)

    @strawberry.mutation(description="Idempotent: policies already linked are skipped.")
    async def link_policies_to_ppa(
        self, info: strawberry.Info, input: LinkPoliciesToPpaInput
    ) -> LinkPoliciesToPpaPayload:
        return await links.link_policies_to_ppa(info.context, input)

    @strawberry.mutation(description="Archive a PPA (with expectedVersion): it leaves default lists and the calendar.")
    async def archive_ppa(self, info: strawberry.Info, input: ArchivePpaInput) -> ArchivePpaPayload:
        return await ppa_archive.archive_ppa(info.context, input)

    @strawberry.mutation(description="Remove links between a PPA and needs.")
    async def unlink_needs_from_ppa(self, info: strawberry.Info, input: UnlinkNeedsFromPpaInput) -> UnlinkFromPpaPayload:
        return await ppa_archive.unlink_needs(info.context, input)

    @strawberry.mutation(description="Remove links between a PPA and policies.")
    async def unlink_policies_from_ppa(
        self, info: strawberry.Info, input: UnlinkPoliciesFromPpaInput
    ) -> UnlinkFromPpaPayload:
        return await ppa_archive.unlink_policies(info.context, input)

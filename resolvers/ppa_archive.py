"""archivePpa (with expectedVersion) and unlinking needs and policies from a PPA."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete

from db.enums import ChangeOp
from db.models import Ppa, PpaNeed, PpaPolicy
from db.queries.logs import record_audit, record_change
from db.queries.ppa import update_ppa_versioned
from resolvers import ppa_fields as f
from resolvers.lifecycle import check_version, stale
from resolvers.mutation import run_mutation, validation
from schema.core.errors import DomainError, ErrorCode
from schema.ppa.inputs import ArchivePpaInput, UnlinkNeedsFromPpaInput, UnlinkPoliciesFromPpaInput
from schema.ppa.payloads import ArchivePpaPayload, UnlinkFromPpaPayload
from schema.ppa.types import PpaType
from server.context import Context


async def archive_ppa(ctx: Context, input: ArchivePpaInput) -> ArchivePpaPayload:
    async def work() -> ArchivePpaPayload:
        user = ctx.require_writer()
        current = await f.editable_ppa(ctx, f.ppa_id(input.id, "input.id"), "input.id")
        check_version(current.version, input.expected_version, "PPA")
        if current.archived_at is not None:
            raise DomainError.one(ErrorCode.INVALID_TRANSITION, "The PPA is already archived.", "input.id")
        ppa = await update_ppa_versioned(ctx.session, current.id, input.expected_version,
                                         {"archived_at": datetime.now(UTC)})
        if ppa is None:
            raise stale("PPA")
        await record_change(ctx.session, "Ppa", ppa.id, ChangeOp.UPDATED, f.ppa_change(ppa, archived=True),
                            actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="archive", entity_type="Ppa", entity_id=ppa.id,
                     before={"archived_at": None}, after={"archived_at": ppa.archived_at.isoformat()
                                                          if ppa.archived_at else None})
        await ctx.commit()
        return ArchivePpaPayload(ppa=PpaType.from_model(ppa), errors=[])

    return await run_mutation(ctx, work, lambda errors: ArchivePpaPayload(ppa=None, errors=errors))


async def unlink(ctx: Context, ppa_value: str, values: Sequence[str], link: Any, column: str,
                 type_name: str, field: str) -> UnlinkFromPpaPayload:
    async def work() -> UnlinkFromPpaPayload:
        user = ctx.require_writer()
        if not values:
            raise validation(f"Give at least one {type_name.lower()}.", field)
        ids = await f.references(ctx, values, type_name, field)
        ppa: Ppa = await f.editable_ppa(ctx, f.ppa_id(ppa_value))
        result = await ctx.session.execute(delete(link).where(link.ppa_id == ppa.id, getattr(link, column).in_(ids)))
        removed = int(result.rowcount)  # type: ignore[attr-defined]
        if removed:
            key = f"unlinked_{column}s"
            await record_change(ctx.session, "Ppa", ppa.id, ChangeOp.UPDATED, {**f.ppa_change(ppa), key: ids},
                                actor_id=user.id)
            record_audit(ctx.session, actor_id=user.id, action=f"unlink_{type_name.lower()}s", entity_type="Ppa",
                         entity_id=ppa.id, before={key: ids})
        await ctx.commit()
        return UnlinkFromPpaPayload(ppa=PpaType.from_model(ppa), unlinked_count=removed, errors=[])

    return await run_mutation(ctx, work, lambda errors: UnlinkFromPpaPayload(ppa=None, unlinked_count=0, errors=errors))


async def unlink_needs(ctx: Context, input: UnlinkNeedsFromPpaInput) -> UnlinkFromPpaPayload:
    return await unlink(ctx, input.ppa_id, input.need_ids, PpaNeed, "need_id", "Need", "input.needIds")


async def unlink_policies(ctx: Context, input: UnlinkPoliciesFromPpaInput) -> UnlinkFromPpaPayload:
    return await unlink(ctx, input.ppa_id, input.policy_ids, PpaPolicy, "policy_id", "Policy", "input.policyIds")

"""``deleteEvent`` with ``scope``: THIS cancels one occurrence, THIS_AND_FOLLOWING ends
the series before the occurrence, ALL deletes the event."""
from __future__ import annotations

import strawberry

from db.enums import ChangeOp
from db.queries.event import overrides_of, participant_ids_of
from db.queries.logs import event_readership, record_audit, record_change, record_event_change
from resolvers import event_fields as f
from resolvers import event_series as series
from resolvers.event import readable_event
from resolvers.mutation import run_mutation
from schema.core.ids import to_global_id
from schema.event.inputs import DeleteEventInput, EventScope
from schema.event.payloads import DeleteEventPayload
from schema.event.types import EventType
from server.context import Context


async def delete_event(ctx: Context, input: DeleteEventInput) -> DeleteEventPayload:
    async def work() -> DeleteEventPayload:
        user = ctx.require_writer()
        session = ctx.session
        event = await readable_event(ctx, input.id, "input.id")
        await f.may_edit(ctx.session, ctx.viewer, event)
        old = f.span(event)
        participants = await participant_ids_of(session, event.id)
        readership = await event_readership(session, event.id)
        scope = input.scope if series.is_recurring(event) else EventScope.ALL
        recurrence_id = None
        if scope is not EventScope.ALL:
            occurrence, overrides = await series.load_occurrence(session, event, input.occurrence)
            if scope is EventScope.THIS_AND_FOLLOWING and series.is_first(event, occurrence):
                scope = EventScope.ALL
            elif scope is EventScope.THIS:
                override = await series.upsert_override(session, event, overrides, occurrence)
                override.cancelled, override.starts_at, override.ends_at = True, None, None
                recurrence_id = occurrence
            else:
                head, _ = series.split_rules(event, occurrence)
                await series.truncate_before(session, event, occurrence, head)
        if scope is EventScope.ALL:
            payload = f.change_payload(event, participants, old=old)
            await record_event_change(session, event.id, ChangeOp.DELETED, payload, actor_id=user.id,
                                      before=readership)
            record_audit(session, actor_id=user.id, action="delete", entity_type="Event", entity_id=event.id,
                         before={"title": event.title, "start": f.iso(old[0]), "rrule": event.rrule})
            await session.delete(event)
            await ctx.commit()
            return DeleteEventPayload(deleted_event_id=strawberry.ID(to_global_id("Event", event.id)), event=None, errors=[])
        await session.flush()
        f.refresh_series_end(event, await overrides_of(session, event.id))
        f.bump_version(event)
        payload = f.change_payload(event, participants, old=old)
        if recurrence_id is not None:
            payload["recurrence_id"] = f.iso(recurrence_id)
        await record_change(session, "Event", event.id, ChangeOp.UPDATED, payload, actor_id=user.id)
        record_audit(session, actor_id=user.id, action=f"delete:{scope.value}", entity_type="Event",
                     entity_id=event.id, before={"start": f.iso(old[0]), "end": f.iso(old[1])},
                     after={"occurrence": f.iso(input.occurrence), "rrule": event.rrule})
        await ctx.commit()
        return DeleteEventPayload(deleted_event_id=None, event=EventType.from_model(event), errors=[])

    return await run_mutation(
        ctx, work, lambda errors: DeleteEventPayload(deleted_event_id=None, event=None, errors=errors)
    )

"""Notifications of the signed-in user, and their calendar preferences."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Select

from dataloaders.notification import calendar_preference_by_user_id
from db.enums import CalendarModule
from db.queries.logs import record_audit
from db.queries.notification import (
    ensure_preference,
    mark_read,
    notifications_query,
    own_notifications,
    unread_count,
)
from db.rules.reminders import MAX_OFFSET_MINUTES
from resolvers import validation as v
from resolvers.mutation import not_found, run_mutation, validation
from resolvers.user_timezone import user_zone
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_id
from schema.notification.inputs import MarkNotificationsReadInput, UpdateCalendarPreferencesInput
from schema.notification.payloads import (
    MarkNotificationsReadPayload,
    UpdateCalendarPreferencesPayload,
)
from schema.notification.types import CalendarPreferenceType, NotificationType
from server.context import Context

MAX_IDS = 500
MAX_OFFSETS = 10


async def notifications(
    ctx: Context, *, unread_only: bool, first: int | None, after: str | None,
    order: Callable[[Select[Any]], Select[Any]] | None = None,
) -> Connection[NotificationType]:
    user = ctx.require_user()
    stmt = notifications_query(user.id, datetime.now(UTC), unread_only=unread_only)
    if order is not None:
        stmt = order(stmt)
    return await paginate(ctx.session, stmt, first=first, after=after, to_node=NotificationType.from_model)


async def calendar_preferences(ctx: Context) -> CalendarPreferenceType:
    user = ctx.require_user()
    row = await ctx.loaders.of(calendar_preference_by_user_id).load(user.id)
    return CalendarPreferenceType.from_model(row) if row is not None else CalendarPreferenceType.defaults(user_zone(ctx, user))


async def mark_notifications_read(ctx: Context, input: MarkNotificationsReadInput) -> MarkNotificationsReadPayload:
    async def work() -> MarkNotificationsReadPayload:
        user = ctx.require_user()  # viewers may mark their own notifications read
        if input.all == (input.ids is not None):
            raise validation("Give either ids or all: true.", "input.ids")
        ids: list[int] | None = None
        if input.ids is not None:
            if len(input.ids) > MAX_IDS:
                raise validation(f"At most {MAX_IDS} ids.", "input.ids")
            ids = sorted({decode_id(value, "Notification", field="input.ids") for value in input.ids})
            own = {row.id for row in await own_notifications(ctx.session, user.id, ids)}
            if own != set(ids):
                raise not_found("Notification", "input.ids")
        now = datetime.now(UTC)
        marked = await mark_read(ctx.session, user.id, ids, now)
        rows = await own_notifications(ctx.session, user.id, marked)
        count = await unread_count(ctx.session, user.id, now)
        await ctx.commit()
        return MarkNotificationsReadPayload(
            notifications=[NotificationType.from_model(r) for r in rows], unread_count=count, errors=[]
        )

    return await run_mutation(
        ctx, work, lambda errors: MarkNotificationsReadPayload(notifications=[], unread_count=0, errors=errors)
    )


def wall_time(value: str | None, field: str) -> time | None:
    """``HH:MM`` (or ``HH:MM:SS``) without a zone: quiet hours are wall times in the user's zone."""
    if value is None:
        return None
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        raise validation("Expected a time of day like 22:00.", field) from None
    if parsed.tzinfo is not None:
        raise validation("Give a wall time without offset; the zone is your timezone.", field)
    return parsed.replace(microsecond=0)


def checked_offsets(values: list[int]) -> list[int]:
    if len(values) > MAX_OFFSETS:
        raise validation(f"At most {MAX_OFFSETS} reminders.", "input.reminderOffsets")
    for value in values:
        v.number_range(value, "input.reminderOffsets", low=0, high=MAX_OFFSET_MINUTES)
    return sorted(set(values), reverse=True)


async def update_calendar_preferences(
    ctx: Context, input: UpdateCalendarPreferencesInput
) -> UpdateCalendarPreferencesPayload:
    async def work() -> UpdateCalendarPreferencesPayload:
        user = ctx.require_user()
        timezone = v.timezone_name(input.timezone, "input.timezone") if input.timezone is not None else None
        offsets = checked_offsets(input.reminder_offsets) if input.reminder_offsets is not None else None
        v.number_range(input.week_starts_on, "input.weekStartsOn", low=0, high=6)
        quiet_start = wall_time(input.quiet_hours_start, "input.quietHoursStart")
        quiet_end = wall_time(input.quiet_hours_end, "input.quietHoursEnd")
        if (quiet_start is None) != (quiet_end is None):
            raise validation("Give both quietHoursStart and quietHoursEnd.", "input.quietHoursEnd")
        if input.clear_quiet_hours and quiet_start is not None:
            raise validation("Either set quiet hours or clear them.", "input.clearQuietHours")
        if quiet_start is not None and quiet_start == quiet_end:
            raise validation("Quiet hours must end at another time than they start.", "input.quietHoursEnd")
        pref = await ensure_preference(ctx.session, user.id, user_zone(ctx, user))
        before = CalendarPreferenceType.from_model(pref)
        if timezone is not None:
            pref.timezone = timezone
        if offsets is not None:
            pref.reminder_offsets = offsets
        if input.email_enabled is not None:
            pref.email_enabled = input.email_enabled
        if input.in_app_enabled is not None:
            pref.in_app_enabled = input.in_app_enabled
        if input.clear_quiet_hours:
            pref.quiet_hours_start = pref.quiet_hours_end = None
        elif quiet_start is not None:
            pref.quiet_hours_start, pref.quiet_hours_end = quiet_start, quiet_end
        if input.week_starts_on is not None:
            pref.week_starts_on = input.week_starts_on
        if input.modules is not None:
            pref.modules = sorted({CalendarModule(m).value for m in input.modules})
        await ctx.session.flush()
        after = CalendarPreferenceType.from_model(pref)
        record_audit(ctx.session, actor_id=user.id, action="update", entity_type="CalendarPreference",
                     entity_id=user.id, before=audit_view(before), after=audit_view(after))
        await ctx.commit()
        return UpdateCalendarPreferencesPayload(calendar_preferences=after, errors=[])

    return await run_mutation(
        ctx, work, lambda errors: UpdateCalendarPreferencesPayload(calendar_preferences=None, errors=errors)
    )


def audit_view(pref: CalendarPreferenceType) -> dict[str, object]:
    return {
        "timezone": pref.timezone, "reminder_offsets": pref.reminder_offsets,
        "email_enabled": pref.email_enabled, "in_app_enabled": pref.in_app_enabled,
        "quiet_hours": [str(pref.quiet_hours_start), str(pref.quiet_hours_end)]
        if pref.quiet_hours_start is not None else None,
    }

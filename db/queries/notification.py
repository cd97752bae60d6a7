"""Notifications and calendar preferences: inserts keyed by dedupe key, claims, reads.

The email side of a notification is scheduled in its payload, not by moving
``deliver_at`` (which stays the moment the notification is due and shows in
the app): ``email_not_before`` holds a claim lease, a quiet-hours deferral or a
retry backoff; ``claim`` the token of the worker holding the lease;
``published_at`` when the in-app push was written to the change log.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, cast, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import DateTime

from db.enums import DeliveryStatus
from db.models import CalendarPreference, Notification, User
from db.policies import Viewer, policy_for

DEFAULT_OFFSETS = (30,)
INSERT_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class DeliveryPrefs:
    """What delivery to one user needs: their address and preferences (defaults filled in)."""

    user_id: int
    email: str | None
    timezone: str = "UTC"
    reminder_offsets: tuple[int, ...] = DEFAULT_OFFSETS
    email_enabled: bool = True
    in_app_enabled: bool = True
    quiet_hours_start: time | None = None
    quiet_hours_end: time | None = None


@dataclass(slots=True)
class NewNotification:
    user_id: int
    kind: str
    title: str
    dedupe_key: str
    deliver_at: datetime
    body: str = ""
    subject_type: str | None = None
    subject_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


async def insert_notifications(session: AsyncSession, rows: Sequence[NewNotification]) -> list[int]:
    """Insert what is not there yet (by dedupe key); returns the ids of rows really inserted.

    At most ``INSERT_CHUNK`` rows per statement, so no list of notices can reach
    the driver's 32,767-parameter limit (9 parameters a row)."""
    inserted: list[int] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        values = [
            {
                "user_id": r.user_id, "kind": r.kind, "title": r.title[:300], "body": r.body,
                "subject_type": r.subject_type, "subject_id": r.subject_id, "payload": r.payload,
                "dedupe_key": r.dedupe_key, "deliver_at": r.deliver_at,
            }
            for r in rows[start:start + INSERT_CHUNK]
        ]
        stmt = insert(Notification).values(values).on_conflict_do_nothing(index_elements=["dedupe_key"])
        inserted += await session.scalars(stmt.returning(Notification.id))
    return inserted


async def delivery_prefs(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, DeliveryPrefs]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(User.id, User.email, User.timezone, User.is_active, CalendarPreference)
        .outerjoin(CalendarPreference, CalendarPreference.user_id == User.id)
        .where(User.id.in_(ids))
    )
    found: dict[int, DeliveryPrefs] = {}
    for user_id, email, user_tz, active, pref in rows:
        address = email if active else None
        if pref is None:
            found[user_id] = DeliveryPrefs(user_id=user_id, email=address, timezone=user_tz or "UTC")
            continue
        found[user_id] = DeliveryPrefs(
            user_id=user_id, email=address, timezone=pref.timezone or user_tz or "UTC",
            reminder_offsets=tuple(pref.reminder_offsets or ()), email_enabled=pref.email_enabled,
            in_app_enabled=pref.in_app_enabled, quiet_hours_start=pref.quiet_hours_start,
            quiet_hours_end=pref.quiet_hours_end,
        )
    return found


def email_not_before() -> ColumnElement[Any]:
    return cast(Notification.payload["email_not_before"].astext, DateTime(timezone=True))


async def lock_due(session: AsyncSession, now: datetime, limit: int) -> list[Notification]:
    """Due PENDING rows no other worker holds, locked until the caller's commit."""
    stmt = (
        select(Notification)
        .where(
            Notification.email_status == DeliveryStatus.PENDING,
            Notification.deliver_at <= now,
            or_(~Notification.payload.has_key("email_not_before"), email_not_before() <= now),
        )
        .order_by(Notification.deliver_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(await session.scalars(stmt))


async def finish_claim(
    session: AsyncSession, notification_id: int, claim: str, values: dict[str, Any], drop_keys: Sequence[str]
) -> bool:
    """Record the outcome of a claimed send, only if the claim is still ours."""
    payload: Any = Notification.payload
    for key in drop_keys:
        payload = payload - key
    stmt = (
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.email_status == DeliveryStatus.PENDING,
            Notification.payload["claim"].astext == claim,
        )
        .values(payload=payload, **values)
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def visible_to(user_id: int, now: datetime) -> list[ColumnElement[bool]]:
    """The user's notifications that are due, through the notification policy (``db/policies/personal.py``)."""
    viewer = Viewer(user_id=user_id)
    return [policy_for(Notification).readable(viewer), Notification.user_id == user_id, Notification.deliver_at <= now]


def notifications_query(user_id: int, now: datetime, *, unread_only: bool) -> Select[Notification]:
    clauses = visible_to(user_id, now)
    if unread_only:
        clauses.append(Notification.read_at.is_(None))
    return select(Notification).where(and_(*clauses)).order_by(
        Notification.deliver_at.desc(), Notification.id.desc()
    )


async def unread_count(session: AsyncSession, user_id: int, now: datetime) -> int:
    stmt = select(func.count()).select_from(Notification).where(
        *visible_to(user_id, now), Notification.read_at.is_(None)
    )
    return int(await session.scalar(stmt) or 0)


async def mark_read(session: AsyncSession, user_id: int, ids: Sequence[int] | None, now: datetime) -> list[int]:
    """Mark the user's own unread notifications read (all of them when ``ids`` is None)."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    result = await session.scalars(stmt.values(read_at=now).returning(Notification.id))
    return list(result)


async def own_notifications(session: AsyncSession, user_id: int, ids: Sequence[int]) -> list[Notification]:
    rows = await session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.id.in_(ids)).order_by(Notification.id)
    )
    return list(rows)


async def get_preference(session: AsyncSession, user_id: int, *, for_update: bool = False) -> CalendarPreference | None:
    stmt = select(CalendarPreference).where(CalendarPreference.user_id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def ensure_preference(session: AsyncSession, user_id: int, timezone: str) -> CalendarPreference:
    """The user's preference row, created with defaults if missing (race-safe), locked."""
    await session.execute(
        insert(CalendarPreference).values(user_id=user_id, timezone=timezone).on_conflict_do_nothing()
    )
    pref = await get_preference(session, user_id, for_update=True)
    assert pref is not None
    return pref

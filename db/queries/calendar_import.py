"""Storing parsed iCalendar series as events, by UID (``importCalendar``, the CLI and the import job).

Idempotent: a UID already imported is updated in place (same or higher SEQUENCE) or
skipped (lower SEQUENCE: stale; or nothing changed), never duplicated. UIDs match only
events the importer may change, as ``updateEvent`` decides
(``db/policies/event.may_change_event``); any other UID is imported as the importer's own
event, so the answer is the same whether someone else holds that UID or nobody does
(UIDs are unique per owner). Each series is written in its own SAVEPOINT, so one bad
component is reported with its UID and reason while the rest is imported.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, Role, Visibility
from db.models import Event, EventOverride, User
from db.policies import Viewer, policy_for
from db.policies.event import may_change_event
from db.queries.logs import event_readership, record_change, record_event_change
from db.rules.event_changes import change_payload
from db.rules.icalendar_import import ImportedSeries, ImportProblem
from db.rules.recurrence import InvalidRecurrence, series_end, series_start


def zone_of(owner: User, office_zone: str) -> str:
    """Where floating times and dates of ``owner``'s imports are read: their zone, else the office's."""
    return owner.timezone or office_zone


MAX_TITLE = 300
MAX_LOCATION = 300
MAX_UID = 255


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Nothing could be imported although the input had problems (e.g. not an iCalendar file)."""
        return bool(self.problems) and self.created + self.updated + self.skipped == 0

    def __str__(self) -> str:
        summary = (f"imported: {self.created} created, {self.updated} updated, {self.skipped} skipped, "
                   f"{len(self.problems)} problem(s)")
        lines = [summary]
        lines += [f"  {p.ref}: {p.reason}" for p in self.problems]
        return "\n".join(lines)


class Rejected(Exception):
    """A series that cannot be stored; the message is the reason."""


def with_storable_base(series: ImportedSeries) -> ImportedSeries:
    """A series made of overridden occurrences only (RECURRENCE-IDs without their master) gets a
    zero-length base from the parser, a placeholder rather than a DTEND == DTSTART of the data;
    every occurrence shows its override's times, so the base takes the first override's duration
    (zero-length only if that occurrence is). Series zero-length in the data are stored as they are."""
    if series.end > series.start or series.rrule:
        return series
    first = series.overrides.get(series.start.astimezone(UTC))
    originals = {series.start.astimezone(UTC), *(r.astimezone(UTC) for r in series.rdates)}
    if first is None or first.start is None or first.end is None or not originals <= set(series.overrides):
        return series
    return replace(series, end=series.start + (first.end - first.start))


def storable(series: ImportedSeries) -> None:
    if len(series.uid) > MAX_UID:
        raise Rejected(f"UID longer than {MAX_UID} characters")
    if series.end < series.start:
        raise Rejected("event ends before it starts")
    for recurrence_id, override in series.overrides.items():
        if not override.cancelled and override.start is not None and override.end is not None \
                and override.end < override.start:
            raise Rejected(f"occurrence at RECURRENCE-ID {recurrence_id.isoformat()} ends before it starts")


def series_values(series: ImportedSeries) -> dict[str, Any]:
    try:
        ends = series_end(series.spec())
        first = series_start(series.spec())
    except InvalidRecurrence as error:
        raise Rejected(str(error)) from error
    return {
        "title": series.title.strip()[:MAX_TITLE] or "(untitled)",
        "description": series.description,
        "location": series.location[:MAX_LOCATION],
        "starts_at": series.start.astimezone(UTC), "ends_at": series.end.astimezone(UTC), "all_day": series.all_day,
        "timezone": series.timezone, "rrule": series.rrule,
        "rdates": sorted(r.astimezone(UTC) for r in series.rdates),
        "exdates": sorted(x.astimezone(UTC) for x in series.exdates),
        "series_ends_at": ends.astimezone(UTC) if ends is not None else None,
        "series_starts_at": first if first < series.start else None,
        "nominal_duration": series.nominal,
        "visibility": Visibility(series.visibility),
    }


def override_rows(event_id: int, series: ImportedSeries) -> list[EventOverride]:
    return [
        EventOverride(event_id=event_id, recurrence_id=recurrence_id, cancelled=o.cancelled,
                      starts_at=utc(o.start) if not o.cancelled else None,
                      ends_at=utc(o.end) if not o.cancelled else None,
                      title=o.title[:MAX_TITLE] if o.title is not None else None, description=o.description,
                      location=o.location[:MAX_LOCATION] if o.location is not None else None)
        for recurrence_id, o in sorted(series.overrides.items())
    ]


def utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def override_key(o: EventOverride) -> tuple[Any, ...]:
    return (o.recurrence_id.astimezone(UTC), o.cancelled, o.starts_at, o.ends_at, o.title, o.description, o.location)


def unchanged(event: Event, values: dict[str, Any], current: Sequence[EventOverride], incoming: Sequence[EventOverride]) -> bool:
    same_fields = all(
        (sorted(getattr(event, k) or []) if k in ("rdates", "exdates") else getattr(event, k)) == v
        for k, v in values.items()
    )
    return same_fields and sorted(map(override_key, current)) == sorted(map(override_key, incoming))


async def import_series(session: AsyncSession, series: ImportedSeries, existing: Event | None, owner: User,
                        report: ImportReport) -> Event | None:
    series = with_storable_base(series)
    storable(series)
    values = series_values(series)
    if existing is None:
        event = Event(uid=series.uid, owner_id=owner.id, sequence=series.sequence, version=1, **values)
        session.add(event)
        await session.flush()
        session.add_all(override_rows(event.id, series))
        await session.flush()
        await record_change(session, "Event", event.id, ChangeOp.CREATED, change_payload(event, []), actor_id=owner.id)
        report.created += 1
        report.event_ids.append(event.id)
        return event
    if series.sequence < existing.sequence:
        report.skipped += 1  # an older version of what is stored
        return existing
    current = list(await session.scalars(select(EventOverride).where(EventOverride.event_id == existing.id)))
    incoming = override_rows(existing.id, series)
    if unchanged(existing, values, current, incoming):
        report.skipped += 1
        return existing
    old = (existing.starts_at, existing.series_ends_at)
    readership = await event_readership(session, existing.id)  # CLASS may narrow who reads it
    for key, value in values.items():
        setattr(existing, key, value)
    existing.sequence = series.sequence
    existing.version += 1
    existing.updated_at = datetime.now(UTC)
    await session.execute(delete(EventOverride).where(EventOverride.event_id == existing.id))
    session.add_all(incoming)
    await session.flush()
    await record_event_change(session, existing.id, ChangeOp.UPDATED, change_payload(existing, [], old=old),
                              actor_id=owner.id, before=readership)
    report.updated += 1
    report.event_ids.append(existing.id)
    return existing


async def writable_by_uid(session: AsyncSession, uids: Sequence[str], owner: User) -> dict[str, Event]:
    """Per UID, the event the importer may change (their own first), locked; others' UIDs are absent."""
    if not uids:
        return {}
    viewer = Viewer.of(owner)
    rows = await session.scalars(
        policy_for(Event).select(viewer).where(Event.uid.in_(list(uids)))
        .order_by(Event.uid, Event.owner_id.is_distinct_from(owner.id), Event.id).with_for_update(of=Event)
    )
    found: dict[str, Event] = {}
    for event in rows:
        if event.uid not in found and await may_change_event(session, viewer, event.owner_id, event.visibility, event.team_id):
            found[event.uid] = event
    return found


async def store_series(session: AsyncSession, parsed: Sequence[ImportedSeries], owner: User, report: ImportReport,
                       reason: Callable[[DBAPIError], str]) -> None:
    """Write ``parsed`` (one SAVEPOINT per series); ``reason`` words a database refusal."""
    existing = await writable_by_uid(session, [s.uid for s in parsed], owner)
    for series in parsed:
        try:
            async with session.begin_nested():
                event = await import_series(session, series, existing.get(series.uid), owner, report)
            if event is not None:
                existing[series.uid] = event
        except Rejected as error:
            report.problems.append(ImportProblem(series.uid, str(error)))
        except DBAPIError as error:
            report.problems.append(ImportProblem(series.uid, f"rejected by the database: {reason(error)}"))


async def import_owner(session: AsyncSession, owner_email: str | None) -> User:
    if owner_email:
        user = (await session.scalars(select(User).where(func.lower(User.email) == owner_email.strip().lower()))).first()
        if user is None:
            raise LookupError(f"no user with email {owner_email}")
        return user
    user = (await session.scalars(
        select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id)
    )).first()
    if user is None:
        raise LookupError("no admin user to own the imported events; pass --owner EMAIL")
    return user

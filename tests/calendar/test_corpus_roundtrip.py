"""End to end: every corpus file imported into PostgreSQL, then the calendar compared with an oracle.

Each file of ../shared/corpus/ics goes through ``import_ics_file`` (the CLI path:
parse, store series/overrides, commit); the calendar's event entries over
several windows (a wide one of 400 days from the first start, narrow ones
around single starts) are compared as (UID, start, end) sets with
``recurring_ical_events.of(calendar).between(...)``. UIDs the import reported a
problem for are left out of both sides (their reasons are asserted to be
present and readable); occurrences with STATUS:CANCELLED are not on a calendar.
Zero-length occurrences (DTEND = DTSTART, or no DTEND) are imported and compared
like any other.

Run: .venv/bin/pytest tests/calendar/test_corpus_roundtrip.py -q -rA
(the last test prints how many files matched).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select

from db.enums import Role
from db.models import Event
from db.policies.viewer import Viewer
from db.queries.calendar import collect_entries
from db.queries.calendar_scope import CalendarScope
from db.rules.calendar_entries import EntryKind
from db.rules.recurrence import zone
from resolvers.calendar_import import import_ics_file
from tests.calendar.corpus import (
    CORPUS,
    KNOWN_DIFFERENCES,
    as_utc,
    before_difference,
    localized,
    public_uid,
)
from tests.conftest import UserFactory

FILES = sorted(p.name for p in CORPUS.glob("*.ics"))
WINDOW_DAYS = 400
Key = tuple[str, datetime, datetime]
OUTCOMES: dict[str, str] = {}


def windows(calendar: icalendar.Calendar) -> Iterator[tuple[datetime, datetime]]:
    moments = sorted({as_utc(c[name].dt) for c in calendar.walk("VEVENT")
                      for name in ("DTSTART", "RECURRENCE-ID") if name in c})
    if not moments:
        yield datetime(2000, 1, 1, tzinfo=UTC), datetime(2001, 1, 1, tzinfo=UTC)
        return
    yield moments[0] - timedelta(days=1), moments[0] + timedelta(days=WINDOW_DAYS - 1)
    if moments[-1] - moments[0] > timedelta(days=WINDOW_DAYS - 2):
        yield moments[-1] - timedelta(days=WINDOW_DAYS // 2), moments[-1] + timedelta(days=WINDOW_DAYS // 2)
    for moment in moments[:: max(1, len(moments) // 4)][:5]:
        yield moment - timedelta(minutes=30), moment + timedelta(minutes=30)
        yield moment, moment + timedelta(minutes=30)  # an occurrence (zero-length or not) at the window start
        yield moment - timedelta(minutes=30), moment  # ... and at its end
        yield moment + timedelta(minutes=30), moment + timedelta(days=1)


def oracle(calendar: icalendar.Calendar, zones: dict[str, str], start: datetime, end: datetime) -> set[Key]:
    """The oracle treats DATEs and floating times as local to the window's zone, Almanac anchors
    them in the series' zone (the importer's default: the owner's, UTC here), so the oracle is
    asked once per zone, in that zone's wall time (as the pure-level corpus test does)."""
    keys: set[Key] = set()
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    for zone_name in set(zones.values()) | {"UTC"}:
        tz = zone(zone_name)
        for component in query.between(start.astimezone(tz), end.astimezone(tz)):
            uid = str(component.get("UID", ""))
            if zones.get(uid) != zone_name or str(component.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start_at, end_at = localized(component["DTSTART"].dt, tz), localized(component["DTEND"].dt, tz)
            keys.add((uid, start_at, end_at))
    return keys


async def ours(session: Any, owner_id: int, uids: dict[int, str], start: datetime, end: datetime) -> set[Key]:
    entries = await collect_entries(session, CalendarScope(start=start, end=end, viewer=Viewer(owner_id, Role.STAFF)))
    return {
        (public_uid(uids[e.source_id]), e.start.astimezone(UTC), (e.end or e.start).astimezone(UTC))
        for e in entries if e.kind == EntryKind.EVENT and e.source_id in uids
    }


@pytest.mark.parametrize("name", FILES)
async def test_imported_file_matches_oracle(name: str, session: Any, make_user: UserFactory) -> None:
    owner = await make_user(Role.STAFF)
    calendar = icalendar.Calendar.from_ical((CORPUS / name).read_bytes())

    report = await import_ics_file(session, CORPUS / name, owner_email=owner.email)

    assert all(p.ref and p.reason for p in report.problems)
    rejected = {p.ref for p in report.problems}
    rows = (await session.execute(select(Event.id, Event.uid, Event.timezone).where(Event.owner_id == owner.id))).all()
    uids = {pk: uid for pk, uid, _ in rows if uid not in rejected}
    zones = {public_uid(uid): tz for _, uid, tz in rows if uid not in rejected}
    assert report.created == len(rows)
    for start, end in windows(calendar):
        assert before_difference(name, await ours(session, owner.id, uids, start, end)) == \
            before_difference(name, oracle(calendar, zones, start, end)), (start, end)
    problems = [p for p in report.problems if "VTODO" not in p.reason and "VJOURNAL" not in p.reason]
    OUTCOMES[name] = "matched" if not problems else f"matched except {len(problems)} rejected component(s)"
    if name in KNOWN_DIFFERENCES:
        OUTCOMES[name] = f"matched up to a listed difference: {KNOWN_DIFFERENCES[name][1]}"


def test_zz_report_matched_count() -> None:
    """Prints the tally (run with -rA or -s); fails only if no file ran."""
    matched = sum(1 for outcome in OUTCOMES.values() if outcome == "matched")
    partial = {name: outcome for name, outcome in OUTCOMES.items() if outcome != "matched"}
    print(f"\ncorpus round trip: {len(OUTCOMES)}/{len(FILES)} files compared, {matched} fully matched, "
          f"{len(partial)} matched on the accepted components: {partial}")
    assert OUTCOMES or not FILES

"""calendarChanged for many subscribers: a changed source is computed once, each window takes its part.

Per change, the changed source's entries (one event with its occurrences, one task, one
booking ...) are read once per *computing viewer* over the hull of every subscribed
window (``db.queries.calendar_source``), and each window keeps the entries it shows
(``db.rules.calendar_window``). Who computes is the change's audience, as before grouping:

* an office-wide audience: ``OFFICE`` (what every signed-in user reads; the object may have
  been narrowed since the change, so never as any one subscriber);
* an audience that lists the member's role: a stand-in of that role who is nobody (id 0);
* an audience that lists the member: the member.

Each subscribed window (start, end, modules) keeps the entries *known* to its subscribers per
computing key (office, role, user), so that ``removedEntryIds`` are the ids that left: what
was known for the source before the change minus what it shows now. A key that never saw the
source falls back to the wider ones (user -> role -> office), which is what its members were
shown last. The office-wide part of a window is read once per window (shared by all its
subscribers, also in a reconnect storm); a member adds only what it reads beyond the office
(``personal_entries``: PRIVATE events and what derives from them), never a whole calendar. When
many members join at one broker position (a reconnect storm), who may read anything beyond the
office at all (``personal_readers``: the audiences of those rows) is looked up once per broker position,
and the others' own parts are known to be empty without a read. That lookup scans those rows once;
at later positions it is brought up to date from the changes since (one statement, whatever the
tables hold; ``server/calendar_readers.py``).

A change at or below what a key already applied for the source (a replay from ``after``
of a change this window never processed live) reports the source's current entries and no
removals, as a resumed subscription did before grouping; results are kept per (position,
key), so groups of the same window with other documents share them.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import CalendarModule, Role
from db.policies.audience import Scope
from db.policies.feed import OFFICE
from db.policies.viewer import Viewer
from db.queries.calendar import collect_entries
from db.queries.calendar_scope import CalendarScope
from db.queries.calendar_source import Source, personal_entries, source_entries
from db.rules.calendar_entries import CalendarEntry
from db.rules.calendar_window import entries_in_window, hull
from db.rules.recurrence import ExpansionLimit
from server.calendar_readers import BeyondOfficeReaders
from server.changes import Change
from server.fanout import REMOVED, audience_class
from server.shared_loads import SharedLoads

log = structlog.get_logger(__name__)

OFFICE_KEY: Hashable = ("office",)
RESULTS_KEPT = 512
# Members joining at one broker position before who may read anything beyond the office is looked
# up once instead of each member's own part read (a lookup costs a few personal reads).
READERS_AFTER = 8


@dataclass(frozen=True, slots=True)
class WindowKey:
    start: datetime
    end: datetime
    modules: frozenset[CalendarModule] | None


@dataclass(frozen=True, slots=True)
class WindowUpdate:
    """What one window shows of one change to one computing key."""

    entries: list[CalendarEntry]
    removed: list[str]


@dataclass(slots=True)
class HubStats:
    computations: int = 0  # source reads (one per change per computing viewer): what the tests count
    baselines: int = 0  # office-wide window reads (one per subscribed window)
    personal: int = 0  # per-key reads of what a viewer reads beyond the office
    reader_lookups: int = 0  # lookups of who may read anything beyond the office (a storm's)


def source_of(change: Change) -> Source:
    """The calendar source a change is about (an override belongs to its event)."""
    if change.entity_type == "EventOverride" and change.payload.get("event_id") is not None:
        return "Event", int(change.payload["event_id"])
    if change.entity_type == "PpaStageSchedule":
        return "PpaStage", change.entity_id
    return change.entity_type, change.entity_id


def ids_by_source(entries: list[CalendarEntry]) -> dict[Source, frozenset[str]]:
    grouped: dict[Source, set[str]] = {}
    for entry in entries:
        grouped.setdefault((entry.source_type, entry.source_id), set()).add(entry.id)
    return {source: frozenset(ids) for source, ids in grouped.items()}


def calendar_class(change: Change, viewer: Viewer) -> Hashable:
    """``audience_class``, except that members losing an object they read as listed people are
    classed per person: each is told the ids it knew, never another reader's."""
    if change.removes_for(viewer) and change.former is not None and change.former.scope is Scope.LISTED:
        return "removed", viewer.user_id, viewer.role
    return audience_class(change, viewer)


def user_key(viewer: Viewer) -> Hashable:
    return "user", viewer.user_id


def role_key(role: Role | None) -> Hashable:
    return "role", role


@dataclass(eq=False, slots=True)
class WindowState:
    key: WindowKey
    position: int  # the broker's position when the office-wide part was read
    members: int = 0
    known: dict[Hashable, dict[Source, frozenset[str]]] = field(default_factory=dict)
    applied: dict[Hashable, dict[Source, int]] = field(default_factory=dict)
    read_at: dict[Hashable, int] = field(default_factory=dict)  # key -> position its baseline was read at
    results: OrderedDict[tuple[int, Hashable], WindowUpdate | None] = field(default_factory=OrderedDict)

    def chain(self, viewer: Viewer, key: Hashable) -> tuple[Hashable, ...]:
        if key == OFFICE_KEY:
            return (OFFICE_KEY,)
        if key[0] == "role":  # type: ignore[index]
            return key, OFFICE_KEY
        return key, role_key(viewer.role), OFFICE_KEY

    def knew(self, chain: tuple[Hashable, ...], source: Source) -> frozenset[str]:
        for key in chain:
            found = self.known.get(key, {}).get(source)
            if found is not None:
                return found
        return frozenset()

    def is_new(self, key: Hashable, source: Source, position: int) -> bool:
        last = self.applied.get(key, {}).get(source, self.read_at.get(key, self.position))
        return position > last

    def apply(self, key: Hashable, source: Source, position: int, ids: frozenset[str]) -> None:
        self.known.setdefault(key, {})[source] = ids
        self.applied.setdefault(key, {})[source] = position

    def remember(self, slot: tuple[int, Hashable], update: WindowUpdate | None) -> None:
        self.results[slot] = update
        while len(self.results) > RESULTS_KEPT:
            self.results.popitem(last=False)


class CalendarHub:
    """The subscribed windows of this process and the change computations they share."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self.windows: dict[WindowKey, WindowState] = {}
        self._opening: dict[WindowKey, asyncio.Future[WindowState]] = {}
        self._personal: dict[tuple[WindowKey, Hashable], asyncio.Future[None]] = {}
        self._sources = SharedLoads(size=1024)
        self._readers_at = SharedLoads(size=8)
        self.readers = BeyondOfficeReaders()
        self._joins: tuple[int, int] = (-1, 0)  # (broker position, members joined at it)
        self.readers_after = READERS_AFTER
        self.stats = HubStats()

    # -- windows and their members -------------------------------------------------------
    async def join(self, key: WindowKey, viewer: Viewer, position: int) -> WindowState:
        """Count a member of the window in; its office-wide part and the member's own are read
        (each once per window) before it returns. ExpansionLimit when the window holds too much."""
        state = self.windows.get(key)
        if state is None:
            opening = self._opening.get(key)
            if opening is None:
                opening = self._opening[key] = asyncio.ensure_future(self._open(key, position))
                opening.add_done_callback(lambda _: self._opening.pop(key, None))
            state = await asyncio.shield(opening)
        state.members += 1
        try:
            if viewer.role is not None:
                await self._read_personal(state, role_key(viewer.role), Viewer(user_id=0, role=viewer.role), position)
            own = user_key(viewer)
            nothing = False
            if (key, own) not in self._personal:  # the member's own part is not read or being read yet
                readers = await self._readers(position)
                nothing = readers is not None and viewer.user_id not in readers
            await self._read_personal(state, own, viewer, position, nothing=nothing)
        except BaseException:
            self.leave(state)
            raise
        return state

    def leave(self, state: WindowState) -> None:
        state.members -= 1
        if state.members <= 0 and self.windows.get(state.key) is state:
            del self.windows[state.key]
            for slot in [slot for slot in self._personal if slot[0] == state.key]:
                del self._personal[slot]

    async def _open(self, key: WindowKey, position: int) -> WindowState:
        async with self.sessionmaker() as session:
            entries = await collect_entries(session, CalendarScope(key.start, key.end, OFFICE, key.modules))
        self.stats.baselines += 1
        state = WindowState(key=key, position=position)
        state.known[OFFICE_KEY] = ids_by_source(entries)
        self.windows[key] = state
        return state

    async def _readers(self, position: int) -> frozenset[int] | None:
        """Who may read anything beyond the office (``personal_readers``), looked up once per broker
        position once more than ``readers_after`` members joined at that position (a reconnect
        storm), else None: each member's own part is read (one lookup costs several reads)."""
        if self._joins[0] != position:
            self._joins = (position, 0)
        self._joins = (position, self._joins[1] + 1)
        if self._joins[1] <= self.readers_after:
            return None

        async def read() -> frozenset[int] | None:
            self.stats.reader_lookups += 1
            try:
                async with self.sessionmaker() as session:
                    return await self.readers.at(session, position)
            except Exception:  # an optimisation only: every member reads its own part instead
                log.warning("calendar_hub.readers_lookup_failed", exc_info=True)
                return None

        found: frozenset[int] | None = await self._readers_at.get(position, read)
        return found

    async def _read_personal(self, state: WindowState, key: Hashable, viewer: Viewer, position: int,
                             *, nothing: bool = False) -> None:
        """What ``viewer`` reads of the window beyond the office, once per (window, key); ``nothing``:
        known to be nothing (not among ``personal_readers`` at ``position``), so not read."""
        slot = (state.key, key)
        reading = self._personal.get(slot)
        if reading is None:
            async def read() -> None:
                entries: list[CalendarEntry] = []
                if not nothing:
                    scope = CalendarScope(state.key.start, state.key.end, viewer, state.key.modules)
                    async with self.sessionmaker() as session:
                        entries = await personal_entries(session, scope)
                    self.stats.personal += 1
                state.read_at[key] = position
                state.known[key] = dict(ids_by_source(entries))

            reading = self._personal[slot] = asyncio.ensure_future(read())
        try:
            await asyncio.shield(reading)
        except Exception:
            self._personal.pop(slot, None)
            raise

    # -- one change ----------------------------------------------------------------------------
    async def update(self, state: WindowState, change: Change, klass: Hashable, viewer: Viewer) -> WindowUpdate | None:
        """What the window shows of ``change`` to the members of ``klass`` (``viewer`` is one of them);
        None when it shows nothing (no entries in the window, none left it)."""
        source = source_of(change)
        if klass == REMOVED or (isinstance(klass, tuple) and klass[0] == "removed"):
            return self._removed(state, change, source, klass, viewer)
        if change.audience.scope is not Scope.LISTED:
            key, computing = OFFICE_KEY, OFFICE
        elif isinstance(klass, tuple) and klass[0] == "role":
            key, computing = role_key(viewer.role), Viewer(user_id=0, role=viewer.role)
        else:
            key, computing = user_key(viewer), viewer
        slot = (change.position, key)
        if slot in state.results:
            return state.results[slot]
        everywhere = await self._source(source, change.position, computing, state.key)
        if slot in state.results:  # computed meanwhile (a replaying member and the live group at once)
            return state.results[slot]
        shown = entries_in_window(everywhere, state.key.start, state.key.end, state.key.modules)
        now = frozenset(e.id for e in shown)
        removed: list[str] = []
        if state.is_new(key, source, change.position):
            removed = sorted(state.knew(state.chain(viewer, key), source) - now)
            state.apply(key, source, change.position, now)
        update = WindowUpdate(shown, removed) if shown or removed else None
        state.remember(slot, update)
        return update

    def _removed(self, state: WindowState, change: Change, source: Source, klass: Hashable,
                 viewer: Viewer) -> WindowUpdate | None:
        """Members who read the object before and may not now: the ids they knew, no entries."""
        personal = klass != REMOVED
        chain = state.chain(viewer, user_key(viewer)) if personal else (OFFICE_KEY,)
        slot = (change.position, chain[0] if personal else klass)
        if slot in state.results:
            return state.results[slot]
        knew: set[str] = set()
        for key in chain:  # whichever way they read it last
            knew |= state.known.get(key, {}).get(source, frozenset())
        if personal and state.is_new(chain[0], source, change.position):
            state.apply(chain[0], source, change.position, frozenset())
        update = WindowUpdate([], sorted(knew)) if knew else None
        state.remember(slot, update)
        return update

    async def _source(self, source: Source, position: int, viewer: Viewer, window: WindowKey) -> list[CalendarEntry]:
        """The source's entries over the hull of the subscribed windows, read once per (change, viewer)."""
        span = hull((w.start, w.end) for w in self.windows) or (window.start, window.end)
        if not (span[0] <= window.start and window.end <= span[1]):
            span = (min(span[0], window.start), max(span[1], window.end))

        async def read(start: datetime = span[0], end: datetime = span[1]) -> list[CalendarEntry]:
            self.stats.computations += 1
            async with self.sessionmaker() as session:
                return await source_entries(session, CalendarScope(start, end, viewer), source)

        try:
            return await self._sources.get((source, position, viewer, span), read)
        except ExpansionLimit:  # too many occurrences over the hull: this window's own
            return await self._sources.get((source, position, viewer, (window.start, window.end)),
                                           lambda: read(window.start, window.end))

"""Subscription groups: a change is executed once per audience class, not once per subscriber.

Subscriptions with the same document, operation and variables form a group. For
each change the group (one task) sorts its members by *audience class*:

* ``removed``: the member could read the object before and may not now: it gets
  the removal (the value built with ``removed=True``, no content);
* ``user``: the change's audience is a list of people (a PRIVATE event and what
  derives from it) and the member is on it by name: executed as that user;
* ``role``: everyone of the member's role may read it (an office-wide or public
  audience, or one that lists the role): executed ONCE as a stand-in user of that
  role who is nobody in particular (id 0), so nothing a person sees only through
  their own relations (their own e-mail, an event they were invited to) is shared.

A group whose document selects a field whose value differs between people reading the same
object (``PERSONAL_FIELDS``: ``CalendarEntry.sharedBy`` names whose calendar, shared with the
reader, an entry is on) resolves its fields per member (``Personal``): the value (entries) is
still computed once per class, only the execution is the member's own.

Each class is executed with one session and one set of loaders, serialized once,
and each member's frame is the shared payload with its operation id spliced in.
Results are cached per (position, class), so members replaying from ``after`` and
live members share executions too. Groups are indexed by the entity types they
care about: a change only wakes the groups that may accept it.
"""
from __future__ import annotations

import asyncio
import contextvars
import json
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

import structlog
from graphql import DocumentNode, ExecutionResult, FieldNode, GraphQLError, Visitor, parse, visit
from graphql.execution import Executor, execute_subscription_event

from db import statements
from db.enums import Role
from db.models import User
from db.policies.audience import Scope
from db.policies.viewer import Viewer
from server.changes import Change
from server.context import Context
from server.document_sharing import variables_only_in_root_arguments
from server.fanout_metrics import LagHistogram
from server.lean_asyncio import Flag
from server.shared_loads import SharedLoads
from server.socket_context import SocketContext, event_scope
from server.socket_writer import SocketWriter, text_frame
from server.subscriber import SLOW_CONSUMER
from server.transport_ws import OperationRef

log = structlog.get_logger(__name__)

T = TypeVar("T")
REMOVED: tuple[str] = ("removed",)
NOBODY_ID = 0  # no user has id 0: the stand-in of a role class reads only what the whole role may
_closing: set[asyncio.Task[None]] = set()


@dataclass(frozen=True, slots=True)
class StreamSpec(Generic[T]):
    """What a subscription field streams, independent of who listens."""

    topics: frozenset[str]  # entity types of the changes it may accept
    accepts: Callable[[Change], bool]  # the field's arguments' filter (never the viewer's access)
    value: Callable[[Change, bool], Awaitable[T | None]]  # (change, removed) -> the value, None to skip
    # For a value that depends on the class (calendarChanged: entries known per audience): the class
    # of a member instead of ``audience_class``, and (change, class, first member's viewer) -> the value.
    classify: Callable[[Change, Viewer], Hashable] | None = None
    classed_value: Callable[[Change, Hashable, Viewer], Awaitable[T | None]] | None = None
    # (change, class, value) -> a key under which groups of the same document with other variables
    # share the payload (calendarChanged: most windows show a change identically), None: do not share.
    share: Callable[[Change, Hashable, Any], Hashable | None] | None = None


# Fields whose value depends on who reads beyond what their class may read.
PERSONAL_FIELDS = frozenset({"sharedBy"})


def selects_personal_fields(document: DocumentNode) -> bool:
    found = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            nonlocal found
            found = found or node.name.value in PERSONAL_FIELDS

    visit(document, Finder())
    return found


@dataclass(frozen=True, slots=True)
class Personal:
    """A class's value, executed as one member (a document selecting ``PERSONAL_FIELDS``)."""

    klass: Hashable
    user_id: int | None


def audience_class(change: Change, viewer: Viewer) -> Hashable:
    """Who may share one execution of ``change`` with ``viewer`` (see the module docstring)."""
    if change.removes_for(viewer):
        return REMOVED
    audience = change.audience
    if audience.scope is not Scope.LISTED or (viewer.role is not None and viewer.role in audience.roles):
        return ("role", viewer.role)
    return ("user", viewer.user_id, viewer.role)


def stand_in(role: Role) -> User:
    """A transient user of ``role`` who is nobody in particular (never added to a session)."""
    return User(id=NOBODY_ID, role=role, name="", email="", password_hash="", is_active=True)


@dataclass(eq=False, slots=True)
class Member:
    op: OperationRef
    ctx: Context
    viewer: Viewer
    writer: SocketWriter
    prefix: str  # '{"id":"<op id>","type":"next","payload":'
    last: int = -1  # position of the last change handled for this member
    replaying: bool = False
    fell_behind: bool = False
    pending: list[Change] = field(default_factory=list)  # live changes seen while replaying
    closed: Flag = field(default_factory=Flag)  # an asyncio.Event holds a 760-byte deque per member

    def close(self, code: int, reason: str) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        self.writer.stop()
        socket = self.op.socket

        async def close_socket() -> None:
            try:
                await socket.close(code=code, reason=reason)
            except Exception:  # already closed by the client
                return

        task = asyncio.get_running_loop().create_task(close_socket())
        _closing.add(task)  # referenced until done: the loop keeps only weak references to tasks
        task.add_done_callback(_closing.discard)


@dataclass(slots=True)
class FanoutStats:
    executions: int = 0  # one per (change, audience class, group): what the tests count
    statements: int = 0  # SQL statements those executions ran (a fresh connection's type look-ups aside)
    # SQL statements members ran to join and catch up (cursor check, log pages, the executions of
    # replayed changes): shared, so N members resuming from one cursor cost what one does
    catch_up_statements: int = 0
    frames: int = 0  # frames handed to sockets
    # The server's share of commit-to-client latency (served at /metrics, see server.fanout_metrics):
    commit_to_offer: LagHistogram = field(default_factory=LagHistogram)  # change-log row written -> broker
    offer_to_write: LagHistogram = field(default_factory=LagHistogram)  # broker -> last member's frame written


@dataclass(frozen=True, slots=True)
class LogPage:
    """One read of the change log for catch-up, shared by every member replaying from its position."""

    key: Hashable  # what the read is shared under: equal keys, equal changes
    changes: list[Change]
    full: bool  # a whole page: more may follow after its last change


Offered = tuple[Change, float]  # a change and when the broker offered it (perf_counter)
HandOver = tuple[Member, "asyncio.Future[bool]"]
Frame = tuple[str, bytes]  # the text (for the ASGI path) and the same frame as wire bytes
MAX_BATCH = 8  # changes queued behind a slow one are written together: one socket write per member
REPLAYS_KEPT = 256  # catch-up results kept per group: a storm's members share them within seconds


class Group:
    def __init__(self, fanout: Fanout, key: Hashable, op: OperationRef, spec: StreamSpec[Any]) -> None:
        self.fanout = fanout
        self.key = key
        self.spec = spec
        self.schema = op.schema._schema  # graphql-core schema behind Strawberry's
        self.document: DocumentNode = parse(op.query)
        self.personal = selects_personal_fields(self.document)
        self.variables = op.variables
        self.operation_name = op.operation_name
        self.document_key: Hashable | None = None  # set: payloads shared with groups of other variables
        if spec.share is not None and variables_only_in_root_arguments(self.document):
            self.document_key = (op.query, op.operation_name)
        self.members: set[Member] = set()
        self.by_viewer: dict[Viewer, set[Member]] = {}  # a change's reach and class are decided per viewer
        self.results = SharedLoads(size=256)
        # Catch-up: per (page, viewer) the class of each change it may read, and per (page, those
        # classes, operation id) the frames: members replaying from one position share both.
        self._replay_classes: OrderedDict[tuple[Hashable, Viewer], tuple[Hashable, ...]] = OrderedDict()
        self._replay_frames = SharedLoads(size=REPLAYS_KEPT)
        self._queue: deque[Offered | HandOver] = deque()
        self._wake = asyncio.Event()
        # A context of its own: the group outlives the member that created it, whose operation's
        # context (statement counters, the current operation) must not see the group's later work.
        self._task = asyncio.get_running_loop().create_task(self._run(), name="subscription-group",
                                                            context=contextvars.Context())

    def add(self, member: Member) -> None:
        self.members.add(member)
        self.by_viewer.setdefault(member.viewer, set()).add(member)

    def discard(self, member: Member) -> None:
        self.members.discard(member)
        same = self.by_viewer.get(member.viewer)
        if same is not None:
            same.discard(member)
            if not same:
                del self.by_viewer[member.viewer]

    # -- from the broker (synchronous, in order) ---------------------------------------
    def offer(self, change: Change, at: float) -> None:
        if self.spec.accepts(change):
            self._queue.append((change, at))
            self._wake.set()

    # -- from a member's own task -----------------------------------------------------
    async def go_live(self, member: Member) -> bool:
        """Hand a replayed member over to live delivery; False: it fell behind, replay again."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((member, done))
        self._wake.set()
        return await done

    async def send(self, member: Member, change: Change) -> None:
        """Deliver one change to one member (its class's shared result)."""
        payload = await self.payload(change, self.classify(change, member.viewer), member)
        member.last = change.position
        if payload is not None and not member.closed.is_set():
            self._write(member, [frame_of(member.prefix, payload)])

    async def catch_up(self, member: Member, read_page: Callable[[int], Awaitable[LogPage]]) -> None:
        """Replay the log after ``member.last`` to the member: per page one shared read
        (``read_page``), frames built once per audience sequence and operation id, one write."""
        while not member.closed.is_set():
            page = await read_page(member.last)
            if page.changes:
                frames = await self._replay_frames.get(
                    (page.key, self._classes_of(page, member.viewer), member.prefix),
                    partial(self._build_replay, page, member))
                member.last = page.changes[-1].position
                if frames and not member.closed.is_set():
                    self._write(member, frames)
            if not page.full:
                return

    def _classes_of(self, page: LogPage, viewer: Viewer) -> tuple[Hashable, ...]:
        """The class of each change of ``page`` for ``viewer``, None where it does not reach it."""
        slot = (page.key, viewer)
        found = self._replay_classes.get(slot)
        if found is None:
            accepts = self.spec.accepts
            found = self._replay_classes[slot] = tuple(
                self.classify(c, viewer) if accepts(c) and c.reaches(viewer) else None for c in page.changes)
            while len(self._replay_classes) > REPLAYS_KEPT:
                self._replay_classes.popitem(last=False)
        return found

    async def _build_replay(self, page: LogPage, member: Member) -> list[Frame]:
        frames: list[Frame] = []
        for change, klass in zip(page.changes, self._classes_of(page, member.viewer), strict=True):
            if klass is None:
                continue
            payload = await self.payload(change, klass, member)
            if payload is not None:
                frames.append(frame_of(member.prefix, payload))
        return frames

    def _write(self, member: Member, frames: list[Frame]) -> None:
        self.fanout.stats.frames += len(frames)
        encoded = frames[0][1] if len(frames) == 1 else b"".join(frame[1] for frame in frames)
        if not member.writer.write([frame[0] for frame in frames], encoded):
            member.close(SLOW_CONSUMER, "Too slow: change queue overflowed; resubscribe with `after`")

    # -- the group's task ---------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            item = self._queue.popleft()
            try:
                if isinstance(item[0], Change):
                    await self._deliver(self._batch(item))
                else:
                    await self._hand_over(*item)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.exception("fanout.delivery_failed", position=getattr(item[0], "position", None))
                if isinstance(item[0], Member) and not item[1].done():
                    item[1].set_exception(error)  # the member's subscription ends instead of waiting forever

    def _batch(self, first: Offered) -> list[Offered]:
        """``first`` and the changes queued right behind it (not past a hand-over: it needs them in order)."""
        batch = [first]
        while self._queue and len(batch) < MAX_BATCH and isinstance(self._queue[0][0], Change):
            batch.append(self._queue.popleft())  # type: ignore[arg-type]
        return batch

    async def _deliver(self, batch: list[Offered]) -> None:
        """Execute each change once per class; one write per member for the whole batch."""
        outgoing: dict[Member, list[Frame]] | None = {} if len(batch) > 1 else None
        for change, _ in batch:
            await self._collect(change, outgoing)
        if outgoing is not None:
            for member, frames in outgoing.items():
                if not member.closed.is_set():
                    self._write(member, frames)
        now = time.perf_counter()
        for _, offered_at in batch:
            self.fanout.stats.offer_to_write.observe(now - offered_at)

    async def _collect(self, change: Change, outgoing: dict[Member, list[Frame]] | None) -> None:
        """Frames of ``change`` for the live members it reaches: written now, or added to ``outgoing``."""
        position = change.position
        by_class: dict[Hashable, list[Member]] = {}
        limit = self.fanout.max_pending
        for viewer, same in self.by_viewer.items():
            if not change.reaches(viewer):
                continue
            members: list[Member] | None = None
            for member in same:
                if position <= member.last or member.closed.is_set():
                    continue
                if member.replaying:
                    member_pend(member, change, limit)
                    continue
                if members is None:
                    members = by_class.setdefault(self.classify(change, viewer), [])
                members.append(member)
        for klass, members in by_class.items():
            payload = await self.payload(change, klass, members[0])
            built: dict[str, Frame] = {}  # by operation id: most clients call their first operation "1"
            for member in members:
                member.last = position
                if payload is None or member.closed.is_set():
                    continue
                frame = built.get(member.prefix)
                if frame is None:
                    frame = built[member.prefix] = frame_of(member.prefix, payload)
                if outgoing is None:
                    self._write(member, [frame])
                else:
                    outgoing.setdefault(member, []).append(frame)

    async def _hand_over(self, member: Member, done: asyncio.Future[bool]) -> None:
        if member.fell_behind:
            member.pending.clear()
            done.set_result(False)
            return
        for change in member.pending:
            if change.position > member.last:
                await self.send(member, change)
        member.pending.clear()
        member.replaying = False
        done.set_result(True)

    # -- one execution per (change, class) ------------------------------------------------
    async def payload(self, change: Change, klass: Hashable, member: Member) -> str | None:
        async def execute() -> str | None:
            return await self._execute(change, klass, member)

        result: str | None = await self.results.get((change.position, klass), execute)
        return result

    async def _execute(self, change: Change, klass: Hashable, member: Member) -> str | None:
        with statements.counting() as counter:
            try:
                return await self._execute_counted(change, klass, member)
            finally:
                self.fanout.stats.statements += counter.own

    def classify(self, change: Change, viewer: Viewer) -> Hashable:
        klass = (self.spec.classify or audience_class)(change, viewer)
        if self.personal and klass != REMOVED:
            return Personal(klass, viewer.user_id)
        return klass

    async def _execute_counted(self, change: Change, klass: Hashable, member: Member) -> str | None:
        personal = isinstance(klass, Personal)
        value_class = klass.klass if isinstance(klass, Personal) else klass
        if self.spec.classed_value is not None:
            value = await self.spec.classed_value(change, value_class, member.viewer)
        else:
            value = await self.spec.value(change, value_class == REMOVED)
        if value is None:
            return None
        share = None
        if self.spec.share is not None and self.document_key is not None:
            share = self.spec.share(change, klass, value)  # a Personal class shares only the member's own
        if share is None:
            return await self._execute_value(value_class, member, value, personal)

        async def execute() -> str:
            return await self._execute_value(value_class, member, value, personal)

        payload: str = await self.fanout.shared_results.get((self.document_key, share), execute)
        return payload

    async def _execute_value(self, klass: Hashable, member: Member, value: Any, personal: bool) -> str:
        user: User | None
        if personal:
            user = member.ctx.user  # the value is the class's; the fields are resolved as the member
        elif klass == REMOVED:
            user = stand_in(Role.VIEWER)
        elif isinstance(klass, tuple) and klass[0] == "role" and member.viewer.role is not None:
            user = stand_in(member.viewer.role)
        else:
            user = member.ctx.user
        base = member.ctx
        ctx = SocketContext(settings=base.settings, sessionmaker=base.sessionmaker, notifier=base.notifier,
                            user=user, state=base.state)
        self.fanout.stats.executions += 1
        with event_scope(base.sessionmaker, ctx.viewer) as scope:
            try:
                result = await self._run_document(ctx, value)
            finally:
                await scope.close()
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            for error in result.errors:
                log.error("fanout.execution_error", error=error.message, path=error.path)
            payload["errors"] = [error.formatted for error in result.errors]
        return json.dumps(payload, separators=(",", ":"))

    async def _run_document(self, ctx: Context, value: Any) -> ExecutionResult:
        executor = Executor.build(self.schema, self.document, context_value=ctx,
                                  raw_variable_values=self.variables, operation_name=self.operation_name)
        if isinstance(executor, list):  # variables the operation's validation already accepted
            return ExecutionResult(data=None, errors=[GraphQLError(e.message) for e in executor])
        result = execute_subscription_event(executor.build_per_event_executor(value))
        if isinstance(result, Awaitable):
            result = await result
        assert isinstance(result, ExecutionResult)
        return result

    def stop(self) -> None:
        self._task.cancel()


def frame_of(prefix: str, payload: str) -> Frame:
    """The ``next`` message for one operation id: ``prefix`` + the shared payload, as text and as a frame."""
    text = prefix + payload + "}"
    return text, text_frame(text.encode())


def member_pend(member: Member, change: Change, limit: int) -> None:
    """Remember a live change for a replaying member; past ``limit`` it replays again from the log."""
    if member.fell_behind:
        return
    if len(member.pending) >= limit:
        member.fell_behind = True
        member.pending.clear()
    else:
        member.pending.append(change)


class Fanout:
    """Every subscription group of this process, indexed by the entity types they care about."""

    def __init__(self, max_pending: Callable[[], int]) -> None:
        self._max_pending = max_pending  # the broker's queue bound: also each member's socket backlog
        self.groups: dict[Hashable, Group] = {}
        self.by_topic: dict[str, set[Group]] = {}
        self.stats = FanoutStats()
        self.shared_results = SharedLoads(size=1024)  # payloads shared across groups (StreamSpec.share)

    @property
    def max_pending(self) -> int:
        return self._max_pending()

    def listen(self, changes: list[Change]) -> None:
        """The broker's listener: offer each change to the groups of its entity type."""
        now, wall = time.perf_counter(), time.time()
        for change in changes:
            self.stats.commit_to_offer.observe(wall - change.created_at.timestamp())
            for group in tuple(self.by_topic.get(change.entity_type, ())):
                group.offer(change, now)

    def join(
        self, op: OperationRef, ctx: Context, spec: StreamSpec[Any], field_name: str, *, live_from: int
    ) -> tuple[Group, Member]:
        """Add a member; it is sent changes after position ``live_from`` (unless it replays first)."""
        variables = json.dumps(op.variables or {}, sort_keys=True, separators=(",", ":"), default=str)
        key = (field_name, op.query, op.operation_name, variables)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(self, key, op, spec)
            for topic in spec.topics:
                self.by_topic.setdefault(topic, set()).add(group)
        member = Member(op=op, ctx=ctx, viewer=ctx.viewer,
                        writer=SocketWriter(op.socket, max_backlog=self.max_pending),
                        prefix='{"id":' + json.dumps(op.id) + ',"type":"next","payload":', last=live_from)
        group.add(member)
        return group, member

    def leave(self, group: Group, member: Member) -> None:
        member.writer.stop()
        group.discard(member)
        if not group.members and self.groups.get(group.key) is group:
            del self.groups[group.key]
            for topic in group.spec.topics:
                topic_groups = self.by_topic.get(topic)
                if topic_groups is not None:
                    topic_groups.discard(group)
                    if not topic_groups:
                        del self.by_topic[topic]
            group.stop()

    def close_all(self, code: int, reason: str) -> None:
        for group in tuple(self.groups.values()):
            for member in tuple(group.members):
                member.close(code, reason)
            group.stop()

    def member_count(self) -> int:
        return sum(len(g.members) for g in self.groups.values())

    def members(self) -> list[Member]:
        return [m for g in self.groups.values() for m in g.members]

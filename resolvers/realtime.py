"""Subscription resolvers: a filtered, resumable stream of changes, then fresh objects.

``change_stream`` is the seam between the log and the live feed:

1. register with the process broker first (live changes queue up from now on);
2. with ``after``, replay every change with a larger position from the log, page
   by page (replay again if the live queue overflowed meanwhile);
3. then hand out the queued and later live changes, skipping positions at or
   below the last replayed one.

Positions are committed before they are published, so a change published
before step 1 is already in the log at step 2, and one published after step 1
is in the queue: no gap; the position check removes the overlap: no duplicate.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket

from db import statements
from db.enums import ChangeOp
from db.models import Booking, Notification, Ppa, Task
from db.policies import policy_for
from db.policies.told import covers
from db.queries.change_log import changes_after, position_exists
from db.queries.task import CLOSED_STATUSES
from db.rules.change_filters import id_matches, task_payload_matches, task_row_matches
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_optional_id, to_global_id
from schema.realtime.types import BookingChangeType, PpaChangeType, TaskChangeType
from server.changes import Change, decode_cursor
from server.context import Context
from server.fanout import LogPage, StreamSpec
from server.realtime import Realtime
from server.socket_context import event_scope
from server.subscriber import CloseSocket, SubscriptionClosed
from server.transport_ws import OperationRef, current_operation

REPLAY_PAGE = 500
PPA_PARTS = frozenset({"Ppa", "PpaMilestone", "PpaStage", "PpaStageSchedule", "PpaTransition", "PpaNeed", "PpaPolicy"})

T = TypeVar("T")


def realtime_of(ctx: Context) -> Realtime:
    realtime: Realtime | None = getattr(ctx.state, "extras", {}).get("realtime")
    if realtime is None:
        raise DomainError.one(ErrorCode.VALIDATION, "Subscriptions are not available on this server.")
    return realtime


def start_position(after: str | None) -> int | None:
    if after is None:
        return None
    position = decode_cursor(after)
    if position is None:
        raise DomainError.one(ErrorCode.VALIDATION, "Not a change cursor.", "after")
    return position


def socket_closer(ctx: Context) -> CloseSocket | None:
    socket = ctx.request if isinstance(ctx.request, WebSocket) else None
    if socket is None:
        return None

    async def close(code: int, reason: str) -> None:
        await socket.close(code=code, reason=reason)

    return close


def cursor_too_old() -> DomainError:
    return DomainError.one(
        ErrorCode.VALIDATION, "This cursor is older than the change log keeps; refetch, then subscribe.", "after",
    )


async def checked_start(ctx: Context, after: str | None) -> int | None:
    """The position ``after`` names, once it is known to be still in the log."""
    last = start_position(after)
    if last:
        async with ctx.sessionmaker() as session:
            if not await position_exists(session, last):
                raise cursor_too_old()
    return last


async def change_stream(ctx: Context, accepts: Callable[[Change], bool], after: str | None) -> AsyncIterator[Change]:
    """Changes this subscriber accepts: replayed from ``after`` (if given), then live."""
    realtime = realtime_of(ctx)
    last = await checked_start(ctx, after)
    subscriber = realtime.broker.subscribe(accepts, close_socket=socket_closer(ctx))
    try:
        if last is not None:
            subscriber.replaying = True
            while True:
                subscriber.fell_behind = False
                async for change in replay(ctx.sessionmaker, last, accepts):
                    yield change
                    last = change.position
                if not subscriber.fell_behind:
                    break
            subscriber.replaying = False
        while True:
            change = await subscriber.next()
            if last is not None and change.position <= last:
                continue
            last = change.position
            yield change
    except SubscriptionClosed:
        # The socket is being closed with the subscriber's code; the connection's
        # shutdown cancels this task. Returning would try to send "complete" on it.
        with suppress(TimeoutError):
            await asyncio.wait_for(asyncio.Event().wait(), timeout=30)
    finally:
        realtime.broker.unsubscribe(subscriber)


async def replay(
    sessionmaker: async_sessionmaker[AsyncSession], after: int, accepts: Callable[[Change], bool],
) -> AsyncIterator[Change]:
    """Logged changes after ``after`` that ``accepts`` takes, page by page (one subscriber's replay)."""
    position = after
    while True:
        async with sessionmaker() as session:
            rows = [Change.from_row(row) for row in await changes_after(session, position, limit=REPLAY_PAGE)]
        for change in rows:
            position = change.position
            if accepts(change):
                yield change
        if len(rows) < REPLAY_PAGE:
            return


async def shared_log_page(sessionmaker: async_sessionmaker[AsyncSession], after: int, realtime: Realtime,
                          *, check: bool) -> LogPage | None:
    """The log page after ``after``, read once for every member catching up from there while the
    broker's live position stays the same (a reconnect storm): what was published after a shared
    read moves that position, so a later reader reads anew. ``check``: None when the row at
    ``after`` is gone (a cursor older than the log keeps), found by the same read."""
    key = ("log-page", after, realtime.broker.last_position, check)

    async def read() -> LogPage | None:
        async with sessionmaker() as session:
            rows = await changes_after(session, after, limit=REPLAY_PAGE + check, including=check)
        changes = [Change.from_row(row) for row in rows]
        if check:
            if not changes or changes[0].position != after:
                return None
            changes = changes[1:]
        return LogPage(key=key, changes=changes, full=len(changes) == REPLAY_PAGE)

    page: LogPage | None = await realtime.shared.get(key, read)
    return page


async def fresh_row(ctx: Context, model: type[T], pk: int, change: Change) -> T | None:
    """The row as it is now, loaded once per change per process; None unless everyone ``change``
    was told to may still read it (``db/policies/told.py``): a change replayed on catch-up, or
    delivered late, shows today's row, never to those its audience held then but not now."""

    async def load() -> T | None:
        async with ctx.sessionmaker() as session:
            now = (await policy_for(model).audiences(session, [pk])).get(pk)
            if now is None or not covers(now, change.audience):
                return None
            found: T | None = await session.get(model, pk)
            return found

    return await realtime_of(ctx).shared.get((model.__name__, pk, change.position), load)


async def emit(ctx: Context, value: T) -> AsyncIterator[T]:
    """Yield one value with a fresh session and loaders for resolving its fields."""
    with event_scope(ctx.sessionmaker, ctx.viewer) as scope:
        try:
            yield value
        finally:
            await scope.close()


async def stream(ctx: Context, spec: StreamSpec[T], field_name: str, after: str | None) -> AsyncIterator[T]:
    """The values of ``spec`` this subscriber may read: replayed from ``after`` (if given), then live.

    Over graphql-transport-ws the subscriber joins a group (server/fanout.py) that executes
    each change once per audience class and writes the frames itself: nothing is yielded
    here. Elsewhere (the legacy protocol) each value is yielded and executed for this subscriber.
    """
    viewer = ctx.viewer
    op = current_operation.get()
    if op is not None:
        await serve_in_group(ctx, op, spec, field_name, after)
        return

    def accepts(change: Change) -> bool:
        return spec.accepts(change) and change.reaches(viewer)

    async for change in change_stream(ctx, accepts, after):
        value = await spec.value(change, change.removes_for(viewer))
        if value is None:
            continue
        async for item in emit(ctx, value):
            yield item


async def serve_in_group(ctx: Context, op: OperationRef, spec: StreamSpec[T], field_name: str,
                         after: str | None) -> None:
    """Join the group for this document and variables; replay for this member first; then hand the
    subscription over and return: the operation stays served by the group until released (see
    server/transport_ws.py)."""
    with statements.counting() as counter:
        try:
            await _serve_in_group(ctx, op, spec, field_name, after)
        finally:
            realtime_of(ctx).fanout.stats.catch_up_statements += counter.own


async def _serve_in_group(ctx: Context, op: OperationRef, spec: StreamSpec[T], field_name: str,
                          after: str | None) -> None:
    realtime = realtime_of(ctx)
    last = start_position(after)
    broker = realtime.broker
    group, member = realtime.fanout.join(op, ctx, spec, field_name, live_from=broker.last_position or 0)
    check = bool(last)  # whether the cursor is still in the log: asked by the first page's shared read

    async def read_page(position: int) -> LogPage:
        nonlocal check
        page = await shared_log_page(ctx.sessionmaker, position, realtime, check=check)
        if page is None:
            raise cursor_too_old()
        check = False
        return page

    def leave() -> None:
        realtime.fanout.leave(group, member)

    try:
        if last is not None:
            member.replaying = True
            member.last = last
            while True:
                member.fell_behind = False
                await group.catch_up(member, read_page)
                if await group.go_live(member):
                    break
    except BaseException:
        leave()
        raise
    op.hand_over(leave)


# -- taskChanged ---------------------------------------------------------------------
def task_spec(ctx: Context, criteria: Any) -> StreamSpec[TaskChangeType]:
    from schema.task.types import TaskType

    def accepts(change: Change) -> bool:
        return change.entity_type == "Task" and task_payload_matches(change.payload, criteria)

    async def value(change: Change, removed: bool) -> TaskChangeType | None:
        row = None
        if change.op is not ChangeOp.DELETED and not removed:
            row = await fresh_row(ctx, Task, change.entity_id, change)
            if row is not None and not task_row_matches(row, criteria, now=datetime.now(UTC), closed=CLOSED_STATUSES):
                return None
        return TaskChangeType(
            cursor=change.cursor, op=ChangeOp.DELETED if removed else change.op,
            task_id=to_global_id("Task", change.entity_id),
            task=TaskType.from_model(row) if row is not None else None,
        )

    return StreamSpec(frozenset({"Task"}), accepts, value)


async def task_changes(ctx: Context, criteria: Any, after: str | None) -> AsyncIterator[TaskChangeType]:
    ctx.require_user()
    async for item in stream(ctx, task_spec(ctx, criteria), "taskChanged", after):
        yield item


# -- ppaChanged ------------------------------------------------------------------------
def ppa_id_of(change: Change) -> int | None:
    if change.entity_type == "Ppa":
        return change.entity_id
    value = change.payload.get("ppa_id")
    return int(value) if value is not None else None


def ppa_spec(ctx: Context, wanted: int | None) -> StreamSpec[PpaChangeType]:
    from schema.ppa.types import PpaType

    def accepts(change: Change) -> bool:
        if change.entity_type not in PPA_PARTS:
            return False
        found = ppa_id_of(change)
        return found is not None and (wanted is None or found == wanted)

    async def value(change: Change, removed: bool) -> PpaChangeType | None:
        pk = ppa_id_of(change)
        assert pk is not None
        op = change.op if change.entity_type == "Ppa" else ChangeOp.UPDATED
        if removed:
            op = ChangeOp.DELETED
        row = None if op is ChangeOp.DELETED else await fresh_row(ctx, Ppa, pk, change)
        return PpaChangeType(
            cursor=change.cursor, op=op, ppa_id=to_global_id("Ppa", pk),
            ppa=PpaType.from_model(row) if row is not None else None,
        )

    return StreamSpec(PPA_PARTS, accepts, value)


async def ppa_changes(ctx: Context, ppa_id: str | None, after: str | None) -> AsyncIterator[PpaChangeType]:
    ctx.require_user()
    wanted = decode_optional_id(ppa_id, "Ppa", field="id")
    async for item in stream(ctx, ppa_spec(ctx, wanted), "ppaChanged", after):
        yield item


# -- bookingChanged ------------------------------------------------------------------------
def booking_spec(ctx: Context, wanted: int | None) -> StreamSpec[BookingChangeType]:
    from schema.booking.types import BookingType

    def accepts(change: Change) -> bool:
        return change.entity_type == "Booking" and id_matches(change.payload, "resource_id", wanted)

    async def value(change: Change, removed: bool) -> BookingChangeType | None:
        op = ChangeOp.DELETED if removed else change.op
        row = None if op is ChangeOp.DELETED else await fresh_row(ctx, Booking, change.entity_id, change)
        return BookingChangeType(
            cursor=change.cursor, op=op, booking_id=to_global_id("Booking", change.entity_id),
            booking=BookingType.from_model(row) if row is not None else None,
        )

    return StreamSpec(frozenset({"Booking"}), accepts, value)


async def booking_changes(ctx: Context, resource_id: str | None, after: str | None) -> AsyncIterator[BookingChangeType]:
    ctx.require_user()
    wanted = decode_optional_id(resource_id, "Resource", field="resourceId")
    async for item in stream(ctx, booking_spec(ctx, wanted), "bookingChanged", after):
        yield item


# -- notificationReceived --------------------------------------------------------------------
async def notifications_received(ctx: Context, to_type: Callable[[Notification], T]) -> AsyncIterator[T]:
    user = ctx.require_user()
    viewer = ctx.viewer

    def accepts(change: Change) -> bool:
        return change.entity_type == "Notification" and change.op is ChangeOp.CREATED and change.audience.includes(viewer)

    async for change in change_stream(ctx, accepts, None):
        row = await fresh_row(ctx, Notification, change.entity_id, change)
        if row is None or row.user_id != user.id:
            continue
        async for item in emit(ctx, to_type(row)):
            yield item

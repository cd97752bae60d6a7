"""What an idle subscriber holds on the server (issue 13: 10,000 idle subscribers at <= 30 KiB each).

Structure, not timing or bytes: a ``/graphql`` websocket's call chain never passes the HTTP
middleware, and an acknowledged, handed-over subscriber holds one task (uvicorn's), no
``collections.deque`` (nor the asyncio.Queue/Event built on one) and no handshake headers.
The clients of the census test run in another process (bench/light_client.py), so every
object counted here is the server's.
"""
from __future__ import annotations

import asyncio
import gc
import json
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from server.lean_asyncio import Flag, Inbox
from server.transport_ws import TransportWSHandler
from server.ws_protocol import LeanWebSocketProtocol
from tests.conftest import token_for
from tests.realtime.conftest import Committed, LiveServer, registered, subscribe, wait_subscribed
from tests.realtime.test_groups import TASK_TITLES
from tests.realtime.test_hand_over import wait_for

ROOT = Path(__file__).resolve().parents[2]
HTTP_ONLY_MODULES = ("starlette.applications", "starlette.middleware", "starlette.routing", "server.request_limits")


def awaited_frames(coro: Any) -> Iterator[FrameType]:
    """The frames of a coroutine and of what it awaits, outermost first (to an async generator's step)."""
    while coro is not None:
        frame = getattr(coro, "cr_frame", None)
        if frame is None:
            return
        yield frame
        coro = coro.cr_await


def connection_chains() -> list[list[FrameType]]:
    """The call chain of every websocket connection this process serves (uvicorn's task per connection)."""
    chains = []
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        if frame is not None and isinstance(frame.f_locals.get("self"), LeanWebSocketProtocol):
            chains.append(list(awaited_frames(coro)))
    return chains


def handler_of(chain: list[FrameType]) -> TransportWSHandler:
    found = [frame.f_locals["self"] for frame in chain if isinstance(frame.f_locals.get("self"), TransportWSHandler)]
    assert found, [frame.f_code.co_qualname for frame in chain]
    return found[0]  # type: ignore[no-any-return]


async def test_a_graphql_websocket_is_served_past_the_http_middleware(
    live_server: LiveServer, committed: Committed
) -> None:
    # given a subscriber on the live server
    before = registered(live_server)
    subscription = await subscribe(live_server.ws_url, await committed.user(), TASK_TITLES)
    await wait_subscribed(live_server, before)
    # then its connection's call chain reaches the graphql-transport-ws handler through the error
    # boundary, and through none of the HTTP middleware, router or Starlette's own entry point
    chains = connection_chains()
    assert chains
    for chain in chains:
        modules = [frame.f_globals["__name__"] for frame in chain]
        assert "server.error_boundary" in modules and "server.transport_ws" in modules, modules
        assert not [m for m in modules if m.startswith(HTTP_ONLY_MODULES)], modules
        # nor through the views' ``__call__`` (AlmanacGraphQL.serve_websocket starts the view's run directly)
        assert "strawberry.asgi" not in modules and "server.graphql_view" not in modules, modules
    await subscription.close()


async def test_an_idle_subscriber_keeps_no_handshake_queue_event_or_finished_task(
    live_server: LiveServer, committed: Committed
) -> None:
    # given a subscriber whose subscription has been handed over to its group
    before = registered(live_server)
    subscription = await subscribe(live_server.ws_url, await committed.user(), TASK_TITLES)
    await wait_subscribed(live_server, before)
    member = next(iter(registered(live_server) - before))
    protocol = member.writer._protocol
    chain = next(c for c in connection_chains() if c[0].f_locals["self"] is protocol)
    handler = handler_of(chain)
    await wait_for(lambda: handler.connection_init_timeout_task is None
                   and all(op.task is None for op in handler.operations.values()), "the handler's tasks were let go")
    # then uvicorn's protocol holds neither the handshake nor deque-backed asyncio primitives
    assert isinstance(protocol, LeanWebSocketProtocol)
    assert not hasattr(protocol, "request") and not hasattr(protocol, "response")
    assert isinstance(protocol.queue, Inbox) and isinstance(protocol.writable, Flag)
    # and the group member and its writer none either; the token is not kept
    assert isinstance(member.closed, Flag) and member.writer._backlog is None
    assert handler.context.connection_params == {}
    # and the receive loop, waiting for the next message, no longer holds the subscribe message's content
    waiting = [frame.f_locals.get("message") for frame in chain if frame.f_code.co_name == "handle"]
    assert waiting and all(message in (None, {}) for message in waiting), waiting
    # and the subscription is still served
    assert list(handler.operations) == ["1"]
    await subscription.close()


async def hold(port: int, tokens: list[str]) -> asyncio.subprocess.Process:
    """A client process holding one idle ``taskChanged`` subscriber per token (bench/light_client.py)."""
    worker = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bench" / "light_client.py"),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write((json.dumps({"port": port, "tokens": tokens, "query": TASK_TITLES,
                                    "variables": [{}] * len(tokens)}) + "\n").encode())
    await worker.stdin.drain()
    assert (await asyncio.wait_for(worker.stdout.readline(), timeout=60)).strip() == b"ready"
    return worker


async def release(worker: asyncio.subprocess.Process) -> None:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(b'{"committed": {}, "wait": 0}\n')
    await worker.stdin.drain()
    await asyncio.wait_for(worker.stdout.readline(), timeout=60)
    await asyncio.wait_for(worker.wait(), timeout=60)


def census() -> dict[str, int]:
    gc.collect()
    objects = gc.get_objects()
    return {
        "tasks": sum(1 for o in objects if isinstance(o, asyncio.Task)),  # finished ones still referenced too
        "deques": sum(1 for o in objects if type(o) is deque),
        "asyncio queues and events": sum(1 for o in objects if isinstance(o, (asyncio.Queue, asyncio.Event))),
        "gc objects": len(objects),
    }


# 131 gc-tracked objects per idle subscriber when this was written (13 of them coroutines: the
# connection's call chain). Room for library upgrades; a new per-connection object graph exceeds it.
MAX_OBJECTS_PER_CONNECTION = 150


async def test_idle_subscribers_cost_one_task_and_a_bounded_object_graph_each(
    live_server: LiveServer, committed: Committed
) -> None:
    # given a few subscribers already on the server (the document parsed, the group and users cached)
    users = [await committed.user() for _ in range(4)]
    count = 40  # 10 per user, under the per-user subscription limit
    members = len(live_server.realtime.fanout.members())
    warm = await hold(live_server.port, [token_for(user) for user in users])
    await wait_for(lambda: len(live_server.realtime.fanout.members()) >= members + 4, "the warm-up subscribed")
    await asyncio.sleep(0.3)
    before = census()
    # when 40 more subscribe and go idle
    idle = await hold(live_server.port, [token_for(users[i % 4]) for i in range(count)])
    try:
        await wait_for(lambda: len(live_server.realtime.fanout.members()) >= members + 4 + count, "all subscribed")
        await wait_for(lambda: all(handler_of(chain).connection_init_timeout_task is None
                                   and all(op.task is None for op in handler_of(chain).operations.values())
                                   for chain in connection_chains()), "every handler let its tasks go")
        after = census()
    finally:
        await release(idle)
        await release(warm)
        # (gone before the next test: a leftover member would share its executions' loads)
        await wait_for(lambda: len(live_server.realtime.fanout.members()) <= members, "the members left")
    grown = {name: after[name] - before[name] for name in before}
    # then each holds one task (uvicorn's, serving it), no deque-backed primitive, and a bounded graph
    # (the few other tasks and deques that appear meanwhile are the client process's pipes, the
    # database driver's, the relay's: not one per connection)
    assert count - 2 <= grown["tasks"] <= count + count // 4, grown
    assert grown["deques"] < count // 2 and grown["asyncio queues and events"] <= 2, grown
    assert grown["gc objects"] / count <= MAX_OBJECTS_PER_CONNECTION, grown

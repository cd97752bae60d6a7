"""server.lean_asyncio's Inbox and Flag keep asyncio.Queue's and asyncio.Event's behaviour where
uvicorn and the fan-out rely on it: FIFO order, every getter served, a cancelled getter's wake-up
passed on, waiters released by ``set``; and a socket writer paused by its transport delivers its
backlog in order once resumed, then lets the backlog go."""
from __future__ import annotations

import asyncio
from typing import Any

from server.lean_asyncio import Flag, Inbox
from server.socket_writer import SocketWriter


async def test_an_inbox_serves_items_in_order_to_every_waiting_getter() -> None:
    # given three getters waiting on an empty inbox
    inbox: Inbox[int] = Inbox()
    getters = [asyncio.create_task(inbox.get()) for _ in range(3)]
    await asyncio.sleep(0)
    # when three items arrive at once
    for item in (1, 2, 3):
        inbox.put_nowait(item)
    # then each getter gets one, in arrival order, and nothing is left or waiting
    assert await asyncio.gather(*getters) == [1, 2, 3]
    assert inbox.empty() and not inbox._waiters
    # and items put before anyone waits come out first-in, first-out
    for item in (4, 5):
        inbox.put_nowait(item)
    assert [await inbox.get(), await inbox.get()] == [4, 5]


async def test_a_cancelled_getter_passes_its_wake_up_on() -> None:
    # given two getters, the first woken by an item and cancelled before it could take it
    inbox: Inbox[str] = Inbox()
    first = asyncio.create_task(inbox.get())
    second = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("only")
    first.cancel()
    # then the second gets the item, and the first ends cancelled
    assert await asyncio.wait_for(second, timeout=1) == "only"
    assert first.cancelled() and not inbox._waiters


async def test_a_flag_releases_its_waiters_when_set_and_holds_them_while_clear() -> None:
    # given a cleared flag with two waiters
    flag = Flag()
    waiters = [asyncio.create_task(flag.wait()) for _ in range(2)]
    await asyncio.sleep(0.01)
    assert not any(w.done() for w in waiters) and not flag.is_set()
    # when it is set, both are released; a set flag does not block; clearing it blocks again
    flag.set()
    assert await asyncio.gather(*waiters) == [True, True]
    assert await asyncio.wait_for(flag.wait(), timeout=1) is True
    flag.clear()
    late = asyncio.create_task(flag.wait())
    await asyncio.sleep(0.01)
    assert not late.done()
    late.cancel()
    assert Flag(True).is_set()


class PausableProtocol:
    """What SocketWriter reads of uvicorn's protocol: ``writable``, and the state behind raw writes."""

    def __init__(self) -> None:
        self.writable = Flag(True)
        self.conn = None  # no raw fast path: every frame goes through the ASGI send
        self.sent: list[str] = []

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        self.sent.append(message["text"])


class FakeSocket:
    def __init__(self, protocol: PausableProtocol) -> None:
        self._send = protocol.send

    async def send_text(self, text: str) -> None:
        await self._send({"type": "websocket.send", "text": text})


async def test_a_paused_writer_delivers_its_backlog_in_order_once_resumed() -> None:
    # given a writer whose transport has paused writing
    protocol = PausableProtocol()
    writer = SocketWriter(FakeSocket(protocol), max_backlog=8)  # type: ignore[arg-type]
    assert writer._protocol is protocol and writer._backlog is None
    protocol.writable.clear()
    # when frames are written meanwhile
    assert writer.write(["a", "b"], b"") and writer.write(["c"], b"")
    await asyncio.sleep(0.01)
    assert protocol.sent == []
    # then nothing is sent until the transport resumes, then all of it in order, and the backlog goes
    protocol.writable.set()
    for _ in range(100):
        if writer._flusher is None:
            break
        await asyncio.sleep(0.01)
    assert protocol.sent == ["a", "b", "c"] and writer._backlog is None
    # and a backlog past its bound is refused (the caller closes the socket with 4008)
    protocol.writable.clear()
    assert writer.write(["x"] * 8, b"") and not writer.write(["y"], b"")
    writer.stop()

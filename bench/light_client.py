"""A light graphql-transport-ws client for benchmarks, and a worker process that runs many.

The ``websockets`` client parses every frame into objects and wakes a task per
message: at 1,000 subscribers that is tens of milliseconds of the bench's own CPU
per change, on the same two cores as the server, and it shows up as latency. This
client is an ``asyncio.Protocol`` that reads frame headers by hand and only looks
for the change's marker in a text frame (answering pings, noting a close), so what
it adds to commit-to-client is small. Arrival times are ``time.time()``, comparable
across processes on one machine.

Worker mode (``python bench/light_client.py``) reads one JSON line on stdin
(``port``, ``tokens``, ``query``, ``variables``), opens the clients, prints
``ready``, then reads a second line (``{"committed": {marker: time}, "wait": s}``),
waits until every client has every marker (or ``wait`` seconds) and prints one JSON
line: the latencies in ms and the counts.
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import sys
import time
from typing import Any

MARKER = re.compile(rb'"title":"m(\d+)"')
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """A client-to-server frame (RFC 6455 5.3: clients mask)."""
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        header = bytes((0x80 | opcode, 0x80 | size))
    elif size < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    key = int.from_bytes(mask * (size // 4 + 1), "big") >> (8 * (4 - size % 4) if size % 4 else 32)
    body = (int.from_bytes(payload, "big") ^ key).to_bytes(size, "big") if size else b""
    return header + mask + body


class LightClient(asyncio.Protocol):
    def __init__(self, port: int, token: str, query: str, variables: dict[str, Any]) -> None:
        self.port = port
        self.init = json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}).encode()
        self.subscribe = json.dumps({"id": "1", "type": "subscribe",
                                     "payload": {"query": query, "variables": variables}}).encode()
        self.arrived: dict[int, float] = {}
        self.frames = 0
        self.errors: list[bytes] = []
        self.closed_code: int | None = None
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: Any = None
        self._buffer = bytearray()
        self._state = "handshake"

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed during set-up ({self.closed_code})"))

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buf = self._buffer
        buf += data
        if self._state == "handshake":
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(bytes(buf[:200]).decode(errors="replace")))
                return
            del buf[:end + 4]
            self._state = "ack"
            self.transport.write(masked_frame(TEXT, self.init))
        pos = 0
        size_of = int.from_bytes
        while len(buf) - pos >= 2:
            size = buf[pos + 1] & 0x7F
            head = 2
            if size == 126:
                if len(buf) - pos < 4:
                    break
                size, head = size_of(buf[pos + 2:pos + 4], "big"), 4
            elif size == 127:
                if len(buf) - pos < 10:
                    break
                size, head = size_of(buf[pos + 2:pos + 10], "big"), 10
            start, end = pos + head, pos + head + size
            if end > len(buf):
                break
            opcode = buf[pos] & 0x0F
            if opcode in (TEXT, BINARY):  # Strawberry sends its own messages (the ack) as binary frames
                self._message(buf, start, end, now)
            elif opcode == PING:
                self.transport.write(masked_frame(PONG, bytes(buf[start:end])))
            elif opcode == CLOSE and size >= 2:
                self.closed_code = size_of(buf[start:start + 2], "big")
            pos = end
        del buf[:pos]

    def _message(self, buf: bytearray, start: int, end: int, now: float) -> None:
        self.frames += 1
        if self._state == "ack":
            if buf.find(b"connection_ack", start, end) >= 0:
                self._state = "live"
                self.transport.write(masked_frame(TEXT, self.subscribe))
                self.ready.set_result(None)
            return
        found = MARKER.search(buf, start, end)
        if found is not None:
            self.arrived.setdefault(int(found.group(1)), now)
        elif buf.find(b'"type":"next"', start, end) < 0 and buf.find(b'"type":"pong"', start, end) < 0:
            self.errors.append(bytes(buf[start:min(end, start + 300)]))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(masked_frame(CLOSE, (1000).to_bytes(2, "big")))
            self.transport.close()


async def open_light(port: int, token: str, query: str, variables: dict[str, Any]) -> LightClient:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(lambda: LightClient(port, token, query, variables), "127.0.0.1", port)
    await asyncio.wait_for(client.ready, timeout=60)
    return client


def latencies(clients: list[LightClient], committed: dict[int, float]) -> list[float]:
    return [round((c.arrived[m] - t) * 1000, 2) for c in clients for m, t in committed.items() if m in c.arrived]


async def worker() -> None:
    spec = json.loads(sys.stdin.readline())
    clients: list[LightClient] = []
    for offset in range(0, len(spec["tokens"]), 100):
        clients.extend(await asyncio.gather(*(
            open_light(spec["port"], token, spec["query"], variables)
            for token, variables in zip(spec["tokens"][offset:offset + 100],
                                        spec["variables"][offset:offset + 100], strict=True))))
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    order = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    committed = {int(m): t for m, t in order["committed"].items()}
    deadline = time.perf_counter() + order["wait"]
    while time.perf_counter() < deadline and any(len(c.arrived) < len(committed) for c in clients):  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    errors = [e.decode(errors="replace") for c in clients for e in c.errors]
    print(json.dumps({"latencies": latencies(clients, committed), "expected": len(clients) * len(committed),
                      "errors": errors[:3], "error_count": len(errors),
                      "closed": sorted({c.closed_code for c in clients if c.closed_code is not None})}), flush=True)
    for client in clients:
        client.close()


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(worker(), timeout=1200))

"""server/http_protocol.py: a response's head and body leave in one write, byte for byte as uvicorn's."""
from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from server.http_protocol import CONTINUE, AlmanacHttpProtocol, HeadWithBody

REQUEST = b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


class RecordingTransport(asyncio.Transport):
    """Every write call as the kernel would see it: one entry per system call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.calls.append(bytes(data))

    def writelines(self, chunks: Any) -> None:
        self.calls.append(b"".join(chunks))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        return None

    def resume_reading(self) -> None:
        return None


async def app(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"16")]})
    await send({"type": "http.response.body", "body": b'{"data":{"a":1}}'})


async def serve_one(protocol_class: type[HttpToolsProtocol], request: bytes = REQUEST) -> RecordingTransport:
    config = Config(app=app, log_config=None, access_log=False, date_header=False)
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(request)
    for _ in range(10):
        await asyncio.sleep(0)
    protocol.connection_lost(None)
    return transport


async def test_one_write_per_response_with_the_same_bytes() -> None:
    ours = await serve_one(AlmanacHttpProtocol)
    uvicorns = await serve_one(HttpToolsProtocol)

    assert len(uvicorns.calls) == 2  # head, then body: what this module saves
    assert len(ours.calls) == 1
    assert ours.calls[0] == b"".join(uvicorns.calls)
    assert ours.calls[0].startswith(b"HTTP/1.1 200 OK\r\n") and ours.calls[0].endswith(b'{"data":{"a":1}}')


async def test_a_head_request_s_response_leaves_at_once() -> None:
    """uvicorn writes no body for HEAD: a held head would reach the client only when the
    keep-alive connection closed (a calendar client checking its feed with HEAD hung)."""
    head = b"HEAD /graphql HTTP/1.1\r\nhost: x\r\n\r\n"
    ours = await serve_one(AlmanacHttpProtocol, head)
    uvicorns = await serve_one(HttpToolsProtocol, head)

    assert ours.calls == uvicorns.calls and len(ours.calls) == 1
    assert ours.calls[0].startswith(b"HTTP/1.1 200 OK\r\n") and b"content-length: 16" in ours.calls[0]


def test_continue_goes_out_at_once_and_a_held_head_on_close() -> None:
    transport = RecordingTransport()
    held = HeadWithBody(transport)
    held.write(CONTINUE)
    assert transport.calls == [CONTINUE]
    held.write(b"HTTP/1.1 500 Internal Server Error\r\n\r\n")
    assert transport.calls == [CONTINUE]  # waiting for the body
    held.close()  # the app failed after starting its response: the head still reaches the client
    assert transport.calls == [CONTINUE, b"HTTP/1.1 500 Internal Server Error\r\n\r\n"] and transport.closed


def test_almanac_serve_uses_it(monkeypatch: Any) -> None:
    import uvicorn

    from server import serve
    from server.settings import Settings

    seen: dict[str, Any] = {}
    monkeypatch.setenv("ALMANAC_PUBLIC_URL", "http://127.0.0.1:1")  # serve() sets it; restored after
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(serve, "start_services", lambda settings: None)
    monkeypatch.setattr(serve, "install_signal_handlers", lambda: None)
    monkeypatch.setattr(serve.threading, "Thread", lambda **kwargs: type("T", (), {"start": lambda self: None})())
    serve.serve(Settings(secret_key="x" * 40), host="127.0.0.1", port=1, workers=1)

    assert seen["http"] == "server.http_protocol:AlmanacHttpProtocol"


async def test_one_keep_alive_timer_per_idle_connection_and_the_same_timeout() -> None:
    """uvicorn armed and cancelled a timer per response; the connection still closes after the timeout."""
    import uvicorn

    from tests.conftest import free_port

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=AlmanacHttpProtocol, timeout_keep_alive=1,
                            log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    loop = asyncio.get_running_loop()
    armed: list[float] = []
    call_later = loop.call_later

    def counted(delay: float, callback: Any, *args: Any) -> Any:
        if isinstance(getattr(callback, "__self__", None), HttpToolsProtocol):  # not the server's own ticks
            armed.append(delay)
        return call_later(delay, callback, *args)

    loop.call_later = counted  # type: ignore[method-assign]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(20):
            writer.write(REQUEST)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200 OK")
            await reader.readexactly(16)
        assert len(armed) == 1  # uvicorn: 20
        await asyncio.sleep(0.6)
        writer.write(REQUEST)  # within the timeout of the last response: still served
        await writer.drain()
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200 OK")
        await reader.readexactly(16)
        started = loop.time()
        assert await asyncio.wait_for(reader.read(), timeout=5) == b""  # closed by the server when idle
        assert 0.8 < loop.time() - started < 2.5
        writer.close()
    finally:
        loop.call_later = call_later  # type: ignore[method-assign]
        server.should_exit = True
        await serving

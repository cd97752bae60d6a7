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


async def serve_one(protocol_class: type[HttpToolsProtocol]) -> RecordingTransport:
    config = Config(app=app, log_config=None, access_log=False, date_header=False)
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(REQUEST)
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

"""Each ``almanac serve`` worker listens on its own ``SO_REUSEPORT`` socket (server/reuse_port.py);
tests/foundation/test_serve_signals.py shows two workers sharing bursts of connections."""
from __future__ import annotations

import socket

import pytest
from uvicorn import Config
from uvicorn.supervisors import multiprocess

from server.reuse_port import (
    AddressInUse,
    OwnSocketProcess,
    own_socket_workers,
    reuse_port_socket,
    run_workers,
)
from tests.conftest import free_port


def test_every_worker_can_listen_on_the_same_address() -> None:
    port = free_port()
    first = reuse_port_socket("127.0.0.1", port, listen=True)
    second = reuse_port_socket("127.0.0.1", port, listen=True)
    try:
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert first.getsockname() == second.getsockname() == ("127.0.0.1", port)
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("by_another_almanac", [False, True])
def test_an_address_in_use_is_refused_once_before_any_worker_starts(monkeypatch: pytest.MonkeyPatch,
                                                                     by_another_almanac: bool) -> None:
    """Review: the check bound with SO_REUSEPORT, so a second ``almanac serve`` on the port of a running
    one (whose workers listen with that option) passed it and the kernel split connections between them."""
    if by_another_almanac:
        taken = reuse_port_socket("127.0.0.1", free_port(), listen=True)
    else:
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
    started: list[object] = []
    monkeypatch.setattr(multiprocess.Multiprocess, "run", lambda self: started.append(self))
    try:
        with pytest.raises(AddressInUse, match=r"cannot listen on 127\.0\.0\.1"):
            run_workers(Config(app="server.serve:create_configured_app", host="127.0.0.1",
                               port=taken.getsockname()[1], workers=2))
    finally:
        taken.close()
    assert started == []


def test_the_supervisor_starts_own_socket_workers_only_while_asked() -> None:
    original = multiprocess.Process
    with own_socket_workers():
        assert multiprocess.Process is OwnSocketProcess
    assert multiprocess.Process is original

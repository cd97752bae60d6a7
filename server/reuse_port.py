"""Workers that each listen on their own socket (``SO_REUSEPORT``), so the kernel spreads connections.

uvicorn's ``--workers`` share the parent's listening socket: every worker is woken for each new
connection and the first to call ``accept`` takes it, so the worker that wakes fastest takes
nearly all of them. With ``hey -c 10`` against two workers the split was 10/0 in two of four
runs (issue 12: one nested-query run at 10 clients measured 0.39x PostGraphile against 0.68x
in the others): one worker served everything while the other idled, for as long as the
keep-alive connections lived. With ``SO_REUSEPORT`` each worker has its own listening socket
and the kernel hashes each new connection to one of them, as Node's cluster module spreads them.

The parent binds the address once without ``SO_REUSEPORT`` and without listening, only to fail
at once when something else listens there (another ``almanac serve`` included) instead of in
every worker; it must not listen, or the kernel would hand it connections nobody accepts.

Each worker has its own accept queue: connections still waiting in the queue of a worker that
stops (a restart, a worker killed) are reset unless ``net.ipv4.tcp_migrate_req=1`` (Linux 5.14+)
moves them to another worker's queue; the README says so.
"""
from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import structlog
from uvicorn import Config, Server
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import multiprocess

log = structlog.get_logger(__name__)


def reuse_port_socket(host: str, port: int, *, listen: bool, backlog: int = 2048) -> socket.socket:
    """A TCP socket bound to ``host:port`` with ``SO_REUSEPORT`` (listening when asked)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        if listen:
            sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


class OwnSocketServer(Server):
    """uvicorn's server, listening on a ``SO_REUSEPORT`` socket of its own whatever it is handed.

    The socket is bound here but listens only once uvicorn serves on it, after the app's startup:
    a worker starting (or restarted) is handed no connection before it can answer one. A worker
    that cannot bind exits as a failed startup, which stops the supervisor instead of restarting
    it every half second."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            own = reuse_port_socket(self.config.host, self.config.port, listen=False)
        except OSError as error:
            log.error("serve.bind_failed", host=self.config.host, port=self.config.port, error=str(error))
            sys.exit(STARTUP_FAILURE)
        await super().startup(sockets=[own])


class OwnSocketProcess(multiprocess.Process):
    """A uvicorn worker process whose server is an ``OwnSocketServer``."""

    @property
    def server(self) -> Server:
        if self._server is None:
            self._server = OwnSocketServer(config=self.config)
        return self._server


@contextmanager
def own_socket_workers() -> Iterator[None]:
    """uvicorn's supervisor, starting ``OwnSocketProcess`` workers while the block runs (uvicorn 0.55
    names its worker class at four places in ``Multiprocess``; this is the one seam they share)."""
    original = multiprocess.Process
    multiprocess.Process = OwnSocketProcess  # type: ignore[misc]
    try:
        yield
    finally:
        multiprocess.Process = original  # type: ignore[misc]


def plain_bind_check(host: str, port: int) -> None:
    """Raises when something listens on ``host:port``: bound without ``SO_REUSEPORT``, since a second
    ``almanac serve`` on the same port (an old deploy still up) would share it through that option
    and the kernel would split connections between the two servers."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)


class AddressInUse(SystemExit):
    """The address is taken: said once, by the parent, before any worker starts."""


def run_workers(config: Config) -> None:
    """``config.workers`` processes, each listening on its own socket, under uvicorn's supervisor."""
    try:
        plain_bind_check(config.host, config.port)
    except OSError as error:
        raise AddressInUse(f"almanac: cannot listen on {config.host}:{config.port} ({error.strerror})") from None
    with own_socket_workers():
        multiprocess.Multiprocess(config, sockets=[]).run()

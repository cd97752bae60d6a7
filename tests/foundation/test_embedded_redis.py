"""The embedded Redis (server/embedded_redis.py): started once per data dir, shared, stopped by
the last holder, and recovered from the stale state a killed process leaves behind."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from redis import Redis
from redis.exceptions import AuthenticationError, ResponseError

from server.embedded_redis import (
    ValkeyPaths,
    acquire_redis,
    release_redis,
    running_server_pid,
    stop_server,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def stop_leftover_redis(data_dir: Path) -> None:
    """Never leave a valkey-server behind, even when a test failed before letting go."""
    paths = ValkeyPaths.under(data_dir)
    if paths.root.exists() and (pid := running_server_pid(paths)) is not None:
        stop_server(paths, pid)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"
    stop_leftover_redis(tmp_path / "data")


def server_pid(data_dir: Path) -> int:
    return int(ValkeyPaths.under(data_dir).pid_file.read_text())


def holders(data_dir: Path) -> list[int]:
    import json

    return list(json.loads(ValkeyPaths.under(data_dir).handles.read_text()))


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_one_private_server_per_data_dir_stopped_by_its_last_holder(data_dir: Path) -> None:
    # when this process acquires it
    url = acquire_redis(data_dir)
    paths = ValkeyPaths.under(data_dir)
    pid = server_pid(data_dir)
    # then it answers on loopback with its password only, and its secrets are the owner's alone
    assert url.startswith("redis://:") and "@127.0.0.1:" in url
    with Redis.from_url(url) as client:
        assert client.ping() is True
        assert client.config_get("save") == {"save": ""} and client.config_get("appendonly") == {"appendonly": "no"}
    with Redis.from_url(url.replace(url.split("@")[0], "redis://")) as anonymous, \
            pytest.raises((AuthenticationError, ResponseError)):
        anonymous.ping()
    assert stat.S_IMODE(paths.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(paths.config.stat().st_mode) == 0o600
    # and a second holder (another process) joins the same server
    joined = subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; from server.embedded_redis import acquire_redis; "
         f"print(acquire_redis(Path({str(data_dir)!r})))"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    assert joined.stdout.splitlines()[-1] == url and server_pid(data_dir) == pid  # (structlog unconfigured: stdout)
    # when the last live holder lets go (the joiner exited without letting go: it is forgotten)
    release_redis(data_dir)
    # then the server stops and nothing is left listed
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not paths.pid_file.exists() and holders(data_dir) == []


def test_a_stale_pid_file_is_recovered_on_the_next_start(data_dir: Path) -> None:
    # given a data dir whose server died with its pid file in place (SIGKILL, a reboot)
    acquire_redis(data_dir)
    first = server_pid(data_dir)
    os.kill(first, signal.SIGKILL)
    psutil.Process(first).wait(timeout=10)
    paths = ValkeyPaths.under(data_dir)
    paths.pid_file.write_text(f"{first}\n")
    # when a process starts it again
    url = acquire_redis(data_dir)
    # then a new server runs and answers, and the pid file names it
    assert server_pid(data_dir) != first
    with Redis.from_url(url) as client:
        assert client.ping() is True
    release_redis(data_dir)


def test_a_pid_file_naming_another_program_is_not_trusted_nor_signalled(data_dir: Path) -> None:
    # given a pid file whose pid now belongs to another program (pid reuse): this test's process
    paths = ValkeyPaths.under(data_dir)
    paths.root.mkdir(parents=True)
    paths.pid_file.write_text(f"{os.getpid()}\n")
    # when the server is started, it is a new one and this process was left alone (we are running)
    url = acquire_redis(data_dir)
    assert server_pid(data_dir) != os.getpid()
    with Redis.from_url(url) as client:
        assert client.ping() is True
    release_redis(data_dir)


def test_a_server_whose_holders_all_died_is_replaced(data_dir: Path) -> None:
    # given a holder SIGKILLed while holding the server: it stays running, held by a dead pid
    holder = subprocess.run(
        [sys.executable, "-c", "import os, signal; from pathlib import Path; "
         f"from server.embedded_redis import acquire_redis; acquire_redis(Path({str(data_dir)!r})); "
         "os.kill(os.getpid(), signal.SIGKILL)"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert holder.returncode == -signal.SIGKILL, holder.stderr[-2000:]
    orphan = server_pid(data_dir)
    assert psutil.pid_exists(orphan) and holders(data_dir) == [holder_pid := holders(data_dir)[0]]
    assert not psutil.pid_exists(holder_pid)
    # when this process starts
    url = acquire_redis(data_dir)
    # then the dead holder is forgotten and the orphan replaced by a server this process holds
    assert holders(data_dir) == [os.getpid()]
    assert server_pid(data_dir) != orphan and not psutil.pid_exists(orphan)
    with Redis.from_url(url) as client:
        assert client.ping() is True
    release_redis(data_dir)
    assert not ValkeyPaths.under(data_dir).pid_file.exists()


def test_a_dead_pid_in_the_pid_file_is_removed_without_signalling_anyone(data_dir: Path) -> None:
    paths = ValkeyPaths.under(data_dir)
    paths.root.mkdir(parents=True)
    paths.pid_file.write_text(f"{dead_pid()}\n")
    assert running_server_pid(paths) is None
    assert not paths.pid_file.exists()

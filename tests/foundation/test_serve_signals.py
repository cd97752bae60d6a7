"""``almanac serve`` with the embedded database: every way of stopping it cleans up.

SIGINT (Ctrl-C), SIGTERM (kill, systemd) and SIGHUP (closing the terminal) must all
end with the embedded PostgreSQL stopped and its handle list empty; a process that
died holding the cluster (SIGKILL) must not keep it running after the next clean stop.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.foundation.test_embedded import REPO_ROOT, postmaster_pid, stop_leftover_cluster

READY_DEADLINE_S = 240.0


def embedded_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "ALMANAC_PUBLIC_URL"}}
    env.update(ALMANAC_DATA_DIR=str(data_dir), ALMANAC_LOG_LEVEL="INFO")
    return env


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data dir for the module: the demo data is seeded by the first start only."""
    path = tmp_path_factory.mktemp("signals") / "data"
    yield path
    stop_leftover_cluster(path / "postgres")


def handle_pids(data_dir: Path) -> list[int]:
    path = data_dir / "postgres" / ".handle_pids.json"
    return json.loads(path.read_text()) if path.exists() else []


def start_server(data_dir: Path, log: Path) -> tuple[subprocess.Popen[str], str]:
    """``almanac serve``, returned once it printed its ready line (stdout)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port)], cwd=REPO_ROOT,
        env=embedded_env(data_dir), stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + READY_DEADLINE_S
    line = process.stdout.readline()  # blocks until the ready line (or EOF when it died)
    if not line or time.monotonic() > deadline:
        process.kill()
        pytest.fail(f"almanac serve never said it was ready:\n{log.read_text()[-3000:]}")
    return process, line


def wait_stopped(data_dir: Path, seconds: float = 20) -> int | None:
    deadline = time.monotonic() + seconds
    while postmaster_pid(data_dir / "postgres") is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    return postmaster_pid(data_dir / "postgres")


@pytest.mark.parametrize("stop_signal", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT],
                         ids=["SIGHUP", "SIGTERM", "SIGINT"])
def test_every_stop_signal_cleans_up_the_embedded_cluster(
    data_dir: Path, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    process, ready_line = start_server(data_dir, tmp_path / "serve.log")
    assert ready_line.startswith("Almanac is ready: http://127.0.0.1:")
    assert handle_pids(data_dir) == [process.pid]

    process.send_signal(stop_signal)
    code = process.wait(timeout=60)

    assert code == (130 if stop_signal == signal.SIGINT else 0), (tmp_path / "serve.log").read_text()[-2000:]
    assert "Application shutdown complete" in (tmp_path / "serve.log").read_text()
    assert wait_stopped(data_dir) is None, "the embedded PostgreSQL outlived the server"
    assert handle_pids(data_dir) == []


def test_a_killed_holder_is_forgotten_on_the_next_start(data_dir: Path, tmp_path: Path) -> None:
    # given a process that joined the cluster and was then SIGKILLed (no cleanup at all)
    holder = subprocess.run(
        [sys.executable, "-c", "import os, signal; from server.embedded import ensure_embedded_database; "
         f"ensure_embedded_database(__import__('pathlib').Path({str(data_dir)!r})); "
         "os.kill(os.getpid(), signal.SIGKILL)"],
        cwd=REPO_ROOT, env=embedded_env(data_dir), capture_output=True, text=True, timeout=240,
    )
    assert holder.returncode == -signal.SIGKILL, holder.stderr[-2000:]
    stale = handle_pids(data_dir)
    assert len(stale) == 1 and postmaster_pid(data_dir / "postgres") is not None

    # when a server starts, and is later stopped cleanly
    process, _ = start_server(data_dir, tmp_path / "serve.log")
    assert handle_pids(data_dir) == [process.pid], "the dead holder's pid is still listed"
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)

    # then the cluster stops: nobody alive holds it
    assert wait_stopped(data_dir) is None
    assert "stale_handles_removed" in (tmp_path / "serve.log").read_text()

"""``almanac serve`` with the embedded database and Redis: every way of stopping it cleans up,
and ``--workers 2`` delivers every change to every subscriber without REDIS_URL.

SIGINT (Ctrl-C), SIGTERM (kill, systemd) and SIGHUP (closing the terminal) must all
end with the embedded PostgreSQL, the embedded Redis and the arq worker stopped and
their handle lists empty; a process that died holding the cluster (SIGKILL) must not
keep it running after the next clean stop.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import websockets

from server.embedded_redis import ValkeyPaths
from tests.conftest import free_port
from tests.foundation.test_embedded import REPO_ROOT, postmaster_pid, stop_leftover_cluster
from tests.foundation.test_embedded_redis import stop_leftover_redis

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
    stop_leftover_redis(path)
    stop_leftover_cluster(path / "postgres")


def handle_pids(data_dir: Path) -> list[int]:
    path = data_dir / "postgres" / ".handle_pids.json"
    return json.loads(path.read_text()) if path.exists() else []


def start_server(data_dir: Path, log: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """``almanac serve``, returned once it printed its ready line (stdout)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port), *options], cwd=REPO_ROOT,
        env=embedded_env(data_dir), stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + READY_DEADLINE_S
    line = process.stdout.readline()  # blocks until the ready line (or EOF when it died)
    if not line or time.monotonic() > deadline:
        process.kill()
        pytest.fail(f"almanac serve never said it was ready:\n{log.read_text()[-3000:]}")
    return process, line


def redis_stopped(data_dir: Path) -> bool:
    valkey = ValkeyPaths.under(data_dir)
    return not valkey.pid_file.exists() and json.loads(valkey.handles.read_text()) == []


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
    assert redis_stopped(data_dir), "the embedded Redis outlived the server"


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


TASK_CHANGED = "subscription { taskChanged { op task { title } } }"
CREATE_TASK = "mutation ($title: String!) { createTask(input: {title: $title}) { errors { code } } }"
LOGIN = "mutation { login(input: {email: \"admin@almanac.local\", password: \"almanac-demo\"}) { token } }"
SUBSCRIBERS, MOST_SUBSCRIBERS = 8, 24  # open more (up to the most) until both processes hold some


async def open_subscriber(ws_url: str, token: str) -> Any:
    ws = await websockets.connect(ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), timeout=30))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": TASK_CHANGED}}))
    return ws


def serving_process_of(server: subprocess.Popen[str], port: int) -> dict[int, int]:
    """Client port -> pid of the uvicorn worker process holding that connection."""
    holders: dict[int, int] = {}
    for child in psutil.Process(server.pid).children():
        for connection in child.net_connections(kind="tcp"):
            if connection.laddr.port == port and connection.raddr and connection.status == psutil.CONN_ESTABLISHED:
                holders[connection.raddr.port] = child.pid
    return holders


async def titles_seen(ws: Any, wanted: str, seconds: float) -> bool:
    """Read ``ws`` until a taskChanged with title ``wanted`` arrives (True) or ``seconds`` pass."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=left))
        except TimeoutError:
            return False
        assert message["type"] == "next", message
        if message["payload"]["data"]["taskChanged"]["task"]["title"] == wanted:
            return True
    return False


async def test_two_workers_without_redis_deliver_a_change_to_every_subscriber(data_dir: Path, tmp_path: Path) -> None:
    # given `almanac serve --workers 2` with neither DATABASE_URL nor REDIS_URL
    log = tmp_path / "serve.log"
    server, ready_line = start_server(data_dir, log, "--workers", "2")
    port = int(ready_line.split("http://127.0.0.1:")[1].split("/")[0])
    base, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql"
    subscribers: list[Any] = []
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            assert (await http.get("/readyz")).json() == {"status": "ready", "database": "ok", "redis": "ok"}
            token = (await http.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]["token"]

            async def create_task(title: str) -> None:
                answer = await http.post("/graphql", json={"query": CREATE_TASK, "variables": {"title": title}},
                                         headers={"Authorization": f"Bearer {token}"})
                assert answer.json()["data"]["createTask"]["errors"] == [], answer.text

            # and subscribers spread over both server processes
            spread: dict[int, int] = {}
            while len(subscribers) < SUBSCRIBERS or (
                    len(set(spread.values())) < 2 and len(subscribers) < MOST_SUBSCRIBERS):
                subscribers.append(await open_subscriber(ws_url, token))
                spread = serving_process_of(server, port)
            held_by = {spread.get(ws.local_address[1]) for ws in subscribers}
            assert len(held_by) == 2 and None not in held_by, (spread, held_by)
            # (registration is asynchronous: a warm-up change reaches every subscriber first)
            for attempt in range(30):
                await create_task(f"warm-up {attempt}")
                if all(await asyncio.gather(*(titles_seen(ws, f"warm-up {attempt}", 2) for ws in subscribers))):
                    break
            else:
                pytest.fail("the subscribers never all received a warm-up change")

            # when one change is committed through either process
            await create_task("seen by all")

            # then every subscriber, on either process, receives it
            received = await asyncio.gather(*(titles_seen(ws, "seen by all", 15) for ws in subscribers))
            assert received == [True] * len(subscribers)
    finally:
        for ws in subscribers:
            await ws.close()
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    # and a stop leaves nothing running: worker, Redis, PostgreSQL
    assert code == 0, log.read_text()[-2000:]
    assert "worker.started" in log.read_text()  # the arq worker ran the jobs (jobs/worker.py startup)
    assert "embedded_worker.stopped" in log.read_text()
    assert redis_stopped(data_dir), "the embedded Redis outlived the server"
    assert wait_stopped(data_dir) is None and handle_pids(data_dir) == []


async def test_two_workers_share_each_burst_of_new_connections(data_dir: Path, tmp_path: Path) -> None:
    """Issue 12: the workers shared one listening socket and the one that woke first accepted nearly
    every connection (10/0 in two of four bursts of ``hey -c 10``); each now listens on its own
    ``SO_REUSEPORT`` socket and the kernel spreads them (all 16 on one: 2 in 65,536)."""
    log = tmp_path / "serve.log"
    server, ready_line = start_server(data_dir, log, "--workers", "2")
    port = int(ready_line.split("http://127.0.0.1:")[1].split("/")[0])
    try:
        for _ in range(3):
            clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) for _ in range(16)]
            try:
                answers = await asyncio.gather(*(client.post("/graphql", json={"query": "{ __typename }"})
                                                 for client in clients))
                assert [answer.json() for answer in answers] == [{"data": {"__typename": "Query"}}] * 16
                spread = serving_process_of(server, port)
                assert len(spread) == 16 and len(set(spread.values())) == 2, spread
            finally:
                await asyncio.gather(*(client.aclose() for client in clients))
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    assert code == 0, log.read_text()[-2000:]

"""What ``bench/peers.py`` runs against: PostGraphile from npm, the seeded scratch database, both servers.

The scratch database is seeded once with ``almanac seed --demo --scale N`` (about 30-50 s at
scale 10) and kept: a comment on the database records the scale and year it was seeded
for, so later runs only migrate it to head. PostGraphile is installed with npm into a
scratch folder once.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
POSTGRAPHILE_VERSION = "4.14.1"
SECRET = "bench-secret-key-with-enough-length-32b"


def plain_url(url: str) -> str:
    """``postgresql+asyncpg://...`` as the ``postgres://`` URL asyncpg and Node understand."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def ensure_postgraphile(folder: Path) -> Path:
    """``node_modules/.bin/postgraphile`` at POSTGRAPHILE_VERSION, installed with npm on first use."""
    binary = folder / "node_modules" / ".bin" / "postgraphile"
    installed = folder / "node_modules" / "postgraphile" / "package.json"
    if binary.exists() and json.loads(installed.read_text())["version"] == POSTGRAPHILE_VERSION:
        return binary
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "package.json"
    if not manifest.exists():
        manifest.write_text('{"name": "almanac-bench-peers", "private": true}\n')
    print(f"installing postgraphile@{POSTGRAPHILE_VERSION} into {folder} ...", flush=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", f"postgraphile@{POSTGRAPHILE_VERSION}"],
                   cwd=folder, check=True, stdout=subprocess.DEVNULL)
    return binary


async def ensure_database(admin_url: str, *, scale: int, year: int, python: str) -> str:
    """The scratch database's URL, seeded at ``scale`` for ``year`` (reused when already seeded)."""
    name = f"almanac_peers_s{scale}_{year}"
    marker = f"almanac bench peers: seed --demo --scale {scale} for {year}"
    url = database_url(admin_url, name)
    admin = await asyncpg.connect(plain_url(admin_url))
    try:
        seeded = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", name
        )
        if seeded != marker:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    env = {**os.environ, "DATABASE_URL": url}
    await asyncio.to_thread(subprocess.run, [python, "-m", "server.cli", "migrate"], cwd=ROOT, env=env, check=True,
                            stdout=subprocess.DEVNULL)
    if seeded != marker:
        print(f"seeding {name} (almanac seed --demo --scale {scale}) ...", flush=True)
        began = time.perf_counter()
        await asyncio.to_thread(subprocess.run, [python, "-m", "server.cli", "seed", "--demo", "--scale", str(scale)],
                                cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"seeded in {time.perf_counter() - began:.0f} s", flush=True)
    # Fresh statistics: without them PostgreSQL plans PostGraphile's nested subqueries badly (5x slower).
    db = await asyncpg.connect(plain_url(url))
    try:
        await db.execute("VACUUM ANALYZE")
        await db.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    finally:
        await db.close()
    return url


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        """Stop the process group this bench started (uvicorn workers included)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def _spawn(name: str, args: list[str], *, port: int, log_dir: Path, cwd: Path, env: dict[str, str]) -> Server:
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return Server(name=name, url=f"http://127.0.0.1:{port}/graphql", process=process, log_path=log_path)


def start_almanac(db_url: str, *, port: int, workers: int | None, log_dir: Path, root: Path = ROOT,
                  python: str = sys.executable, extra_env: dict[str, str] | None = None) -> Server:
    """``almanac serve`` from ``root`` (another checkout serves as a baseline), rate limit off."""
    env = {
        **os.environ, "DATABASE_URL": db_url, "ALMANAC_SECRET_KEY": SECRET, "ALMANAC_RATE_LIMIT": "off",
        "ALMANAC_COST_BUDGET": "off", "ALMANAC_ANONYMOUS_COST_BUDGET": "off",  # request limits (issue 11)
        "ALMANAC_TIME_BUDGET": "off",
        "ALMANAC_LOG_LEVEL": "WARNING", "PYTHONPATH": str(root), **(extra_env or {}),
    }
    args = [python, "-m", "server.cli", "serve", "--port", str(port)]
    if workers is not None:
        args += ["--workers", str(workers)]
    return _spawn(f"almanac-{port}", args, port=port, log_dir=log_dir, cwd=root, env=env)


def start_postgraphile(binary: Path, db_url: str, *, port: int, log_dir: Path) -> Server:
    args = [str(binary), "-c", plain_url(db_url), "--schema", "public", "--port", str(port), "--disable-query-log"]
    return _spawn("postgraphile", args, port=port, log_dir=log_dir, cwd=binary.parent, env=dict(os.environ))


def wait_ready(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited; see {server.log_path}:\n{server.log_text()[-2000:]}")
        try:
            if httpx.post(server.url, json={"query": "{ __typename }"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{server.name} not ready after {timeout:.0f} s; see {server.log_path}")

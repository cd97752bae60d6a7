"""The orphan sweep, paged (``jobs/attachments.sweep_orphan_files``) against the previous
unpaged algorithm (list every file into memory, then look up and delete one key at a time),
on both storage backends: peak Python memory, storage requests, SQL lookups, time.

Creates a scratch database (dropped afterwards) with half the files referenced by attachment
rows, the other half orphans past the grace period; a moto S3 server in a thread stands in for
S3. Rounds interleave the two algorithms (each round re-creates the orphans first).

    .venv/bin/python -m bench.attachment_sweep --files 4000 --rounds 2 [--backends local,s3]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer
from sqlalchemy import event

from bench.scratch import admin_sql, free_port
from db.engine import make_engine, make_sessionmaker
from db.models import Attachment, Event, User
from jobs.attachments import GRACE, owning_key, referenced_keys, sweep_orphan_files
from server.migrate import upgrade
from server.storage import LocalStorage, Storage, StoredFile, new_key, pages
from server.storage_s3 import S3Config, S3Storage, client_for

ADMIN_URL = os.environ.get("ALMANAC_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


class Counted:
    """Counts the calls an algorithm makes of a backend (on S3 each is one request; a local
    ``delete_many`` unlinks its files one by one)."""

    def __init__(self, inner: Storage) -> None:
        self.inner, self.lists, self.deletes = inner, 0, 0

    async def put(self, key: str, data: bytes) -> None:
        await self.inner.put(key, data)

    async def get(self, key: str) -> bytes | None:
        return await self.inner.get(key)

    async def open(self, key: str) -> Any:
        return await self.inner.open(key)

    async def delete(self, key: str) -> None:
        self.deletes += 1
        await self.inner.delete(key)

    async def delete_many(self, keys: Sequence[str]) -> None:
        self.deletes += 1
        await self.inner.delete_many(keys)

    async def list_page(self, after: str | None, limit: int) -> list[StoredFile]:
        self.lists += 1
        return await self.inner.list_page(after, limit)


async def unpaged_sweep(ctx: dict[str, Any]) -> int:
    """The algorithm before paging: every file in one list, then a delete request per orphan."""
    storage: Storage = ctx["storage"]
    cutoff = ctx["clock"]() - GRACE
    old = [f for page in [p async for p in pages(storage)] for f in page if f.modified_at < cutoff]
    owners = {f.key: owning_key(f.key) for f in old}
    alive = await referenced_keys(ctx, sorted({k for k in owners.values() if k is not None}))
    orphans = [f.key for f in old if owners[f.key] not in alive]
    for key in orphans:
        await storage.delete(key)
    return len(orphans)


async def measure(name: str, sweep: Callable[[dict[str, Any]], Awaitable[int]], ctx: dict[str, Any],
                  lookups: list[int]) -> dict[str, float]:
    counted = Counted(ctx["backend"])
    ctx["storage"] = counted
    before = len(lookups)
    tracemalloc.start()
    started = time.perf_counter()
    removed = await sweep(ctx)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"removed": removed, "seconds": elapsed, "peak_kib": peak / 1024, "lists": counted.lists,
            "deletes": counted.deletes, "lookups": len(lookups) - before}


async def run(files: int, rounds: int, chosen: list[str]) -> None:
    name = f"almanac_bench_{uuid.uuid4().hex[:8]}"
    await admin_sql(ADMIN_URL, f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    port = free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request otherwise
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    engine = make_engine(url, pool_size=2)
    lookups: list[int] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda *a: lookups.append(1) if "FROM attachments" in a[2] else None)
    try:
        await asyncio.to_thread(upgrade, url)
        maker = make_sessionmaker(engine)
        kept = [new_key() for _ in range(files // 2)]
        async with maker() as session:
            owner = User(email="bench@example.org", name="Bench", password_hash="x")
            session.add(owner)
            await session.flush()
            start = datetime.now(UTC)
            parent = Event(title="bench", uid=f"{uuid.uuid4()}@bench", starts_at=start,
                           ends_at=start + timedelta(hours=1), series_ends_at=start + timedelta(hours=1),
                           owner_id=owner.id)
            session.add(parent)
            await session.flush()
            session.add_all([Attachment(event_id=parent.id, filename="f", content_type="text/plain", size_bytes=1,
                                        sha256="0" * 64, storage_key=key) for key in kept])
            await session.commit()
        s3 = S3Config(bucket="bench", prefix="attachments/", endpoint_url=f"http://127.0.0.1:{port}",
                      access_key_id="bench", secret_access_key="bench")
        client_for(s3).create_bucket(Bucket="bench")
        with tempfile.TemporaryDirectory() as root:
            backends: dict[str, Storage] = {"local": LocalStorage(Path(root)), "s3": S3Storage(s3)}
            for label, backend in backends.items():
                if label not in chosen:
                    continue
                await asyncio.gather(*(backend.put(key, b"kept") for key in kept))
                results: dict[str, list[dict[str, float]]] = {"paged": [], "unpaged": []}
                warm = {"sessionmaker": maker, "backend": backend, "clock": lambda: datetime.now(UTC)}
                for sweep in (sweep_orphan_files, unpaged_sweep):  # first-call costs, measured by neither
                    await measure("warm-up", sweep, warm, lookups)
                for _ in range(rounds):
                    for algorithm, sweep in (("paged", sweep_orphan_files), ("unpaged", unpaged_sweep)):
                        await asyncio.gather(*(backend.put(new_key(), b"orphan") for _ in range(files - len(kept))))
                        ctx = {"sessionmaker": maker, "backend": backend,
                               "clock": lambda: datetime.now(UTC) + GRACE + timedelta(minutes=5)}
                        results[algorithm].append(await measure(algorithm, sweep, ctx, lookups))
                for algorithm, runs in results.items():
                    last = runs[-1]
                    print(f"{label:5} {algorithm:7} files={files} removed={int(last['removed'])} "
                          f"list_calls={int(last['lists'])} delete_calls={int(last['deletes'])} "
                          f"sql_lookups={int(last['lookups'])} "
                          f"peak_python_kib={statistics.median(r['peak_kib'] for r in runs):.0f} "
                          f"median_s={statistics.median(r['seconds'] for r in runs):.2f}")
    finally:
        await engine.dispose()
        moto.stop()
        await admin_sql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", default="local,s3", help="comma-separated: local, s3")
    args = parser.parse_args()
    asyncio.run(run(args.files, args.rounds, args.backends.split(",")))


if __name__ == "__main__":
    main()

"""Benchmark: a one-month calendar window over a year of demo data, in-process through the schema.

    .venv/bin/python bench/calendar_window.py [--scale 10] [--runs 5] [--month 3] [--keep]

Creates a scratch database on ALMANAC_BENCH_PG (default: the local PostgreSQL),
migrates it, seeds ``db.seed.seed_demo(scale=N)`` for one year, then runs the
``calendar`` query N times as the demo admin and prints the number of entries,
the SQL statements per query and the median time. The database is dropped
afterwards unless --keep is given.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from bench.scratch import admin_sql
from db import statements
from db.engine import make_engine, make_sessionmaker
from db.models import User
from db.seed import seed_demo
from server.app import NullNotifier
from server.context import Context
from server.migrate import upgrade
from server.settings import Settings

ADMIN_URL = os.environ.get("ALMANAC_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
QUERY = """
query Window($start: DateTime!, $end: DateTime!) {
  calendar(start: $start, end: $end) {
    entries { id kind module title start end allDay timezone recurrenceId }
  }
}
"""


async def run(scale: int, runs: int, year: int, month: int, keep: bool, reuse: str | None) -> None:
    from schema.root import schema

    name = f"almanac_bench_{uuid.uuid4().hex[:8]}"
    url = reuse or ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    if reuse is None:
        await admin_sql(ADMIN_URL, f'CREATE DATABASE "{name}"')
    engine = make_engine(url)
    try:
        statements.install(engine.sync_engine)
        sessionmaker = make_sessionmaker(engine)
        if reuse is None:
            await asyncio.to_thread(upgrade, url)
            began = time.perf_counter()
            async with sessionmaker() as session:
                summary = await seed_demo(session, scale=scale, year=year)
            print(f"seeded in {time.perf_counter() - began:.1f}s: {summary}")
        async with sessionmaker() as session:
            admin = (await session.scalars(select(User).where(User.email == "admin@almanac.local"))).one()
        settings = Settings(DATABASE_URL=url)
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
        variables = {"start": start.isoformat(), "end": end.isoformat()}
        timings: list[float] = []
        entries = counts = 0
        for _ in range(runs):
            ctx = Context(settings=settings, sessionmaker=sessionmaker, notifier=NullNotifier(), user=admin)
            with statements.counting() as counter:
                began = time.perf_counter()
                result = await schema.execute(QUERY, variable_values=variables, context_value=ctx)
                timings.append(time.perf_counter() - began)
            if result.errors:
                raise SystemExit(f"query failed: {result.errors}")
            assert result.data is not None
            entries, counts = len(result.data["calendar"]["entries"]), counter.count
        print(f"window: {start:%Y-%m-%d} .. {end:%Y-%m-%d} (scale {scale})")
        print(f"entries: {entries}")
        print(f"SQL statements per query: {counts}")
        print(f"median of {runs} runs: {statistics.median(timings) * 1000:.0f} ms "
              f"(min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms)")
    finally:
        await engine.dispose()
        if keep or reuse is not None:
            print(f"kept database {url}")
        else:
            await admin_sql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, default=datetime.now(UTC).year)
    parser.add_argument("--month", type=int, default=3, choices=range(1, 13))
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", metavar="URL", help="query an already seeded database (kept) instead")
    args = parser.parse_args()
    asyncio.run(run(args.scale, args.runs, args.year, args.month, args.keep, args.reuse))


if __name__ == "__main__":
    main()

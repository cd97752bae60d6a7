"""``almanac job run NAME``: run one scheduled job now, in this process (an operator's
"do it now" for the quarterly scheduler, the task scans, the dashboard snapshot...).

Only jobs that take no arguments can be run this way; the result is printed."""
from __future__ import annotations

import argparse
import asyncio
import inspect
from typing import Any

from server.settings import Settings


def runnable() -> list[str]:
    from jobs.registry import JOBS

    return sorted(name for name, job in JOBS.items()
                  if len(inspect.signature(inspect.unwrap(job)).parameters) == 1)


def cmd_job_run(args: argparse.Namespace, settings: Settings) -> None:
    from server.cli import fail

    names = runnable()
    if args.name not in names:
        fail(f"unknown job {args.name!r}; one of: {', '.join(names)}")

    async def run() -> Any:
        from db.engine import make_engine, make_sessionmaker
        from jobs.context import job_ctx
        from jobs.registry import JOBS
        from server.embedded import resolve_database_url
        from server.mailer import Mailer

        engine = make_engine(await resolve_database_url(settings), pool_size=2)
        try:
            ctx = job_ctx(make_sessionmaker(engine), Mailer.from_url(settings.smtp_url, settings.mail_from), settings)
            return await JOBS[args.name](ctx)
        finally:
            await engine.dispose()

    print(f"{args.name}: {asyncio.run(run())}")


def register(sub: Any) -> None:
    job = sub.add_parser("job", help="run a scheduled job now").add_subparsers(dest="job_command", required=True)
    run = job.add_parser("run", help="run one job in this process and print its result")
    run.add_argument("name", help="the job to run (see the README for the list)")
    run.set_defaults(run=cmd_job_run)

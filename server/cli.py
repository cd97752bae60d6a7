"""The ``almanac`` command line (see the API contract for the commands)."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from server.settings import Settings, get_settings

T = TypeVar("T")


def fail(message: str) -> None:
    print(f"almanac: {message}", file=sys.stderr)
    raise SystemExit(1)


async def with_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` against the configured (or embedded) database."""
    from db.engine import make_engine, make_sessionmaker
    from server.embedded import resolve_database_url

    engine = make_engine(await resolve_database_url(settings), pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


def default_workers(settings: Settings) -> int:
    """``ALMANAC_WORKERS``, else one process per core when they can share changes through Redis.

    Without ``REDIS_URL`` each process has its own in-process broker, and only one of them
    relays the change log, so subscribers on the others would miss changes: one process then.
    """
    if settings.workers:
        return settings.workers
    return (os.cpu_count() or 1) if settings.redis_url else 1


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    workers = args.workers or default_workers(settings)
    public = f"http://{args.host}:{args.port}"
    settings.public_url = public
    print(f"Almanac GraphiQL: {public}/graphql", flush=True)
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers if workers > 1 else None,
        log_level=settings.log_level.lower(),
        ws="websockets-sansio",
        # Deflate doubled memory per websocket (181 vs 82 KiB) and costs CPU on fan-out; payloads are small JSON.
        ws_per_message_deflate=False,
    )


def cmd_worker(args: argparse.Namespace, settings: Settings) -> None:
    from jobs.worker import run_worker

    run_worker(settings)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    from server.migrate import upgrade

    if not settings.database_url:
        from server.embedded import resolve_database_url

        print(asyncio.run(resolve_database_url(settings)))  # embedded: started and migrated
        return
    upgrade(settings.database_url)
    print("migrated to head")


def cmd_seed(args: argparse.Namespace, settings: Settings) -> None:
    if not args.demo:
        fail("only --demo seeding exists; pass --demo")
    from db.seed import seed_demo

    async def work(session: Any) -> Any:
        return await seed_demo(session, scale=args.scale)

    summary = asyncio.run(with_session(settings, work))
    print(summary)


def cmd_user_create(args: argparse.Namespace, settings: Settings) -> None:
    from db.enums import Role
    from db.models import User
    from db.queries.user import get_user_by_email
    from server.auth import hash_password

    try:
        role = Role(args.role.upper())
    except ValueError:
        fail(f"unknown role {args.role!r}; use one of {', '.join(r.value for r in Role)}")
        return
    if "@" not in args.email or len(args.email) > 254:
        fail(f"not an email address: {args.email!r}")
    if len(args.password) < 8:
        fail("the password must have at least 8 characters")

    async def work(session: Any) -> int | None:
        if await get_user_by_email(session, args.email) is not None:
            return None
        user = User(email=args.email.strip(), name=args.name.strip(), role=role,
                    password_hash=hash_password(args.password))
        session.add(user)
        await session.commit()
        return user.id

    user_id = asyncio.run(with_session(settings, work))
    if user_id is None:
        fail(f"a user with email {args.email} already exists")
    print(f"created user {user_id} <{args.email}> as {role.value}")


def cmd_user_token(args: argparse.Namespace, settings: Settings) -> None:
    from db.queries.user import get_user_by_email
    from server.auth import issue_token

    async def work(session: Any) -> int | None:
        user = await get_user_by_email(session, args.email)
        return user.id if user is not None and user.is_active else None

    user_id = asyncio.run(with_session(settings, work))
    if user_id is None:
        fail(f"no active user with email {args.email}")
        return
    print(issue_token(user_id, settings.secret_key, ttl_minutes=settings.token_ttl_minutes))


def cmd_user_timezone(args: argparse.Namespace, settings: Settings) -> None:
    """``almanac user timezone EMAIL ZONE`` (``-`` clears it: the office zone applies)."""
    from zoneinfo import available_timezones

    from db.queries.user import get_user_by_email

    zone = None if args.zone == "-" else args.zone
    if zone is not None and zone not in available_timezones() | {"UTC"}:
        fail(f"unknown IANA time zone {zone!r} (for example Asia/Manila)")

    async def work(session: Any) -> bool:
        user = await get_user_by_email(session, args.email)
        if user is None:
            return False
        user.timezone = zone
        await session.commit()
        return True

    if not asyncio.run(with_session(settings, work)):
        fail(f"no user with email {args.email}")
    print(f"{args.email}: time zone {zone or f'unset (office zone {settings.organisation_timezone})'}")


def cmd_ics_import(args: argparse.Namespace, settings: Settings) -> None:
    from resolvers.calendar_import import import_ics_file

    report = asyncio.run(with_session(settings, lambda s: import_ics_file(
        s, Path(args.file), owner_email=args.owner, office_zone=settings.organisation_timezone)))
    print(report)
    if getattr(report, "failed", False):
        raise SystemExit(1)


def cmd_ics_export(args: argparse.Namespace, settings: Settings) -> None:
    from resolvers.calendar_export import export_ics

    start = datetime.fromisoformat(args.start)
    end = datetime.fromisoformat(args.end)
    body: bytes = asyncio.run(with_session(settings, lambda s: export_ics(s, start=start, end=end)))
    if args.out:
        Path(args.out).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)


def cmd_schema_export(args: argparse.Namespace, settings: Settings) -> None:
    from schema.root import schema

    sdl = schema.as_str() + "\n"
    if args.out == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.out).write_text(sdl)
        print(f"wrote {args.out}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="almanac", description="Almanac: calendar, tasks, projects, resources.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the GraphQL server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None,
                       help="server processes (default: ALMANAC_WORKERS, else one per core with REDIS_URL, else 1)")
    serve.set_defaults(run=cmd_serve)

    sub.add_parser("worker", help="run the arq worker").set_defaults(run=cmd_worker)
    sub.add_parser("migrate", help="alembic upgrade head").set_defaults(run=cmd_migrate)

    seed = sub.add_parser("seed", help="load idempotent demo data")
    seed.add_argument("--demo", action="store_true")
    seed.add_argument("--scale", type=int, default=1)
    seed.set_defaults(run=cmd_seed)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True)
    create.add_argument("--password", required=True)
    create.set_defaults(run=cmd_user_create)
    token = user.add_parser("token")
    token.add_argument("email")
    token.set_defaults(run=cmd_user_token)
    tz = user.add_parser("timezone", help="set a user's IANA time zone ('-' clears it)")
    tz.add_argument("email")
    tz.add_argument("zone")
    tz.set_defaults(run=cmd_user_timezone)

    from server.cli_jobs import register as register_jobs
    from server.cli_team import register as register_team

    register_team(sub)
    register_jobs(sub)

    ics = sub.add_parser("ics", help="iCalendar import/export").add_subparsers(dest="ics_command", required=True)
    imp = ics.add_parser("import")
    imp.add_argument("file")
    imp.add_argument("--owner", default=None, help="email of the owning user (default: first admin)")
    imp.set_defaults(run=cmd_ics_import)
    exp = ics.add_parser("export")
    exp.add_argument("--start", required=True)
    exp.add_argument("--end", required=True)
    exp.add_argument("--out", default=None)
    exp.set_defaults(run=cmd_ics_export)

    schema_cmd = sub.add_parser("schema", help="GraphQL schema tools").add_subparsers(dest="schema_command", required=True)
    export = schema_cmd.add_parser("export", help="write the SDL")
    export.add_argument("--out", default="schema.graphql")
    export.set_defaults(run=cmd_schema_export)
    return parser


def main(argv: list[str] | None = None) -> None:
    from server.logging import configure_logging

    args = build_parser().parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    args.run(args, settings)


if __name__ == "__main__":
    main()

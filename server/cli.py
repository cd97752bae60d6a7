"""The ``almanac`` command line (see the API contract for the commands).

stdout carries only what a command was asked to print (a token, an export, the
schema); every log line goes to stderr (server/logging.py). Errors end in one
``almanac: ...`` line on stderr and exit status 1, never a traceback (set
``ALMANAC_LOG_LEVEL=DEBUG`` to log it).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import structlog

from db.enums import Role
from server.settings import Settings, get_settings

T = TypeVar("T")
log = structlog.get_logger(__name__)


class CliError(Exception):
    """A failure explained in one line to the person at the terminal."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


def package_version() -> str:
    try:
        return version("almanac")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def iso_moment(text: str) -> datetime:
    """argparse type for --start/--end: an ISO date or date-time (naive means UTC)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time())
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date or date-time; write e.g. 2026-03-01 or 2026-03-01T08:00+08:00"
        ) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def role_name(text: str) -> str:
    return text.upper()


async def with_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` against the configured (or embedded) database."""
    from db.engine import make_engine, make_sessionmaker
    from server.embedded import release_database, resolve_database_url

    engine = make_engine(await resolve_database_url(settings), pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()
        await release_database(settings)


def default_workers(settings: Settings) -> int:
    """``ALMANAC_WORKERS``, else one process per core with ``REDIS_URL``, else one.

    Without ``REDIS_URL`` several processes work too (they share the private Redis
    ``almanac serve`` starts), but a laptop's demo needs one, and one keeps the embedded
    PostgreSQL's connections few.
    """
    if settings.workers:
        return settings.workers
    return (os.cpu_count() or 1) if settings.redis_url else 1


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    from server.deploy_check import UnsafeSettings, refuse_unsafe_start
    from server.serve import serve

    try:
        refuse_unsafe_start(settings)
    except UnsafeSettings as unsafe:
        fail(str(unsafe))
    serve(settings, host=args.host, port=args.port, workers=args.workers or default_workers(settings))


def cmd_worker(args: argparse.Namespace, settings: Settings) -> None:
    from jobs.worker import run_worker

    run_worker(settings)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    from server.migrate import upgrade

    if not settings.database_url:
        from server.embedded import release_database, resolve_database_url

        async def prepare() -> str:
            url = await resolve_database_url(settings)  # embedded: started and migrated
            await release_database(settings)
            return url

        print(asyncio.run(prepare()))
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
    from db.models import User
    from db.queries.user import get_user_by_email
    from server.auth import hash_password

    role = Role(args.role)
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

    async def work(session: Any) -> tuple[int, int] | None:
        user = await get_user_by_email(session, args.email)
        return (user.id, user.token_version) if user is not None and user.is_active else None

    found = asyncio.run(with_session(settings, work))
    if found is None:
        fail(f"no active user with email {args.email}")
    user_id, version = found
    print(issue_token(user_id, settings.secret_key, ttl_minutes=settings.token_ttl_minutes, token_version=version))


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


def read_new_password(args: argparse.Namespace) -> str:
    """From stdin with --stdin (scripts), else a prompt typed twice; never from the command line."""
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != password:
            fail("the two passwords differ")
    from resolvers.user_password import password_problem

    problem = password_problem(password)
    if problem:
        fail(problem)
    return password


def cmd_user_password(args: argparse.Namespace, settings: Settings) -> None:
    from resolvers.user_password import set_password_by_email

    password = read_new_password(args)
    if not asyncio.run(with_session(settings, lambda s: set_password_by_email(s, args.email, password))):
        fail(f"no user with email {args.email}")
    print(f"password of {args.email} changed")


def cmd_user_active(args: argparse.Namespace, settings: Settings) -> None:
    from resolvers.user_password import set_active_by_email

    active = args.state == "on"
    if not asyncio.run(with_session(settings, lambda s: set_active_by_email(s, args.email, active))):
        fail(f"no user with email {args.email}")
    print(f"{args.email} is now {'active' if active else 'deactivated'}")


def cmd_check(args: argparse.Namespace, settings: Settings) -> None:
    from server.deploy_check import deployment_findings

    findings = deployment_findings(settings)
    mode = "embedded (development)" if settings.embedded else "deployment (DATABASE_URL set)"
    print(f"almanac check: {mode}")
    for finding in findings:
        print(f"  {finding}")
    if findings:
        print(f"{len(findings)} unsafe setting(s); see README, Configuration.")
        raise SystemExit(1)
    print("  no unsafe settings found")


def cmd_ics_import(args: argparse.Namespace, settings: Settings) -> None:
    from resolvers.calendar_import import import_ics_file

    path = Path(args.file)
    if not path.is_file():
        fail(f"no such file: {path}")
    report = asyncio.run(with_session(settings, lambda s: import_ics_file(
        s, path, owner_email=args.owner, office_zone=settings.organisation_timezone)))
    print(report)
    if getattr(report, "failed", False):
        raise SystemExit(1)


def cmd_ics_export(args: argparse.Namespace, settings: Settings) -> None:
    from resolvers.calendar_export import export_ics

    if args.end <= args.start:
        fail("--end must be after --start")
    body: bytes = asyncio.run(with_session(settings, lambda s: export_ics(s, start=args.start, end=args.end)))
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
    parser = argparse.ArgumentParser(
        prog="almanac",
        description="Almanac: one GraphQL server for an office's calendar, tasks, projects and resources.",
        epilog="Settings come from environment variables (see README.md, Configuration); "
               "without DATABASE_URL an embedded PostgreSQL under ALMANAC_DATA_DIR is used.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the GraphQL server (GraphiQL at /graphiql)",
                           description="Serve GraphQL over HTTP and WebSocket, ICS feeds and health checks.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s; "
                       "0.0.0.0 for every interface)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default: %(default)s)")
    serve.add_argument("--workers", type=positive_int, default=None,
                       help="server processes (default: ALMANAC_WORKERS, else one per core with "
                            "REDIS_URL, else 1); without REDIS_URL they share a private Redis")
    serve.set_defaults(run=cmd_serve)

    sub.add_parser("worker", help="run the arq worker (reminders, notifications, scheduled jobs)",
                   description="Run the arq job worker; needs REDIS_URL or the embedded Redis."
                   ).set_defaults(run=cmd_worker)
    sub.add_parser("migrate", help="upgrade the database schema to the newest version",
                   description="alembic upgrade head against DATABASE_URL (or the embedded database, "
                               "whose URL is then printed).").set_defaults(run=cmd_migrate)
    sub.add_parser("check", help="report unsafe settings for a deployment (exit 1 if any)").set_defaults(
        run=cmd_check)

    seed = sub.add_parser("seed", help="load the demo data set (idempotent)",
                          description="Load the demo data set; running it again adds nothing.")
    seed.add_argument("--demo", action="store_true", help="load the demo data set (required)")
    seed.add_argument("--scale", type=positive_int, default=1,
                      help="multiply the data set, for benchmarks (default: %(default)s)")
    seed.set_defaults(run=cmd_seed)

    user = sub.add_parser("user", help="create users, print tokens").add_subparsers(
        dest="user_command", required=True, metavar="ACTION")
    create = user.add_parser("create", help="create a user", description="Create a user; exits 1 on a duplicate email.")
    create.add_argument("--email", required=True, help="sign-in email address (unique)")
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--role", required=True, type=role_name, choices=[r.value for r in Role],
                        help="one of %(choices)s (any case)")
    create.add_argument("--password", required=True, help="at least 8 characters")
    create.set_defaults(run=cmd_user_create)
    token = user.add_parser("token", help="print a bearer token (JWT) for a user, and nothing else",
                            description="Print a bearer token: TOKEN=$(almanac user token EMAIL)")
    token.add_argument("email", help="the user's email address")
    token.set_defaults(run=cmd_user_token)
    tz = user.add_parser("timezone", help="set a user's IANA time zone ('-' clears it)",
                         description="Set a user's IANA time zone; '-' clears it (the office zone applies).")
    tz.add_argument("email", help="the user's email address")
    tz.add_argument("zone", help="an IANA zone such as Asia/Manila, or '-'")
    tz.set_defaults(run=cmd_user_timezone)

    from server.cli_jobs import register as register_jobs
    from server.cli_team import register as register_team

    register_team(sub)
    register_jobs(sub)
    password = user.add_parser("password", help="set a user's password (prompted, or one line on stdin)")
    password.add_argument("email", help="the user's email address")
    password.add_argument("--stdin", action="store_true", help="read the password from the first line of stdin")
    password.set_defaults(run=cmd_user_password)
    active = user.add_parser("active", help="activate or deactivate a user (their tokens stop working at once)")
    active.add_argument("email", help="the user's email address")
    active.add_argument("state", choices=["on", "off"], help="on: may sign in; off: tokens stop working at once")
    active.set_defaults(run=cmd_user_active)

    ics = sub.add_parser("ics", help="iCalendar import/export").add_subparsers(
        dest="ics_command", required=True, metavar="ACTION")
    imp = ics.add_parser("import", help="import an .ics file", description="Import (or update) the events of an .ics file.")
    imp.add_argument("file", help="path of the .ics file")
    imp.add_argument("--owner", default=None, help="email of the owning user (default: the first admin)")
    imp.set_defaults(run=cmd_ics_import)
    exp = ics.add_parser("export", help="export a window of the calendar as .ics",
                         description="Export the calendar between --start and --end as iCalendar.")
    exp.add_argument("--start", required=True, type=iso_moment, help="ISO date or date-time (naive means UTC)")
    exp.add_argument("--end", required=True, type=iso_moment, help="ISO date or date-time, after --start")
    exp.add_argument("--out", default=None, help="write to this file (default: stdout)")
    exp.set_defaults(run=cmd_ics_export)

    schema_cmd = sub.add_parser("schema", help="GraphQL schema tools").add_subparsers(
        dest="schema_command", required=True, metavar="ACTION")
    export = schema_cmd.add_parser("export", help="write the SDL", description="Write the GraphQL SDL.")
    export.add_argument("--out", default="schema.graphql", help="file to write, '-' for stdout (default: %(default)s)")
    export.set_defaults(run=cmd_schema_export)
    return parser


def describe(error: BaseException) -> str:
    """One line for the terminal: the error's own message, without driver noise."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, OSError | ConnectionError) or "connect" in type(error).__name__.lower():
        return f"cannot reach a service ({message}); check DATABASE_URL / REDIS_URL"
    return message


def main(argv: list[str] | None = None) -> None:
    from server.logging import configure_logging

    args = build_parser().parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        args.run(args, settings)
    except CliError as error:
        print(f"almanac: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as error:
        log.debug("cli.failed", exc_info=True)
        print(f"almanac: {describe(error)}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()

"""``almanac team ...``: the office's teams (MAOs) from the shell.

``team create NAME [--description D] [--no-quarterly]``, ``team member TEAM EMAIL
[--role LEAD|MEMBER] [--remove]`` and ``team list``. The same rules as the
GraphQL mutations (createTeam, setTeamMember, removeTeamMember); each change is
logged like theirs.
"""
from __future__ import annotations

import argparse
import asyncio
from typing import Any

from server.settings import Settings


def _fail(message: str) -> None:
    from server.cli import fail

    fail(message)


def cmd_team_create(args: argparse.Namespace, settings: Settings) -> None:
    from sqlalchemy import func, select

    from db.enums import ChangeOp
    from db.models import Team
    from db.queries.logs import record_change
    from server.cli import with_session

    name = args.name.strip()
    if not name or len(name) > 200:
        _fail("the team name must have 1 to 200 characters")

    async def work(session: Any) -> int | None:
        if await session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower())) is not None:
            return None
        team = Team(name=name, description=args.description.strip()[:2000],
                    holds_quarterly_coordination=not args.no_quarterly)
        session.add(team)
        await session.flush()
        await record_change(session, "Team", team.id, ChangeOp.CREATED, {"name": name})
        await session.commit()
        return int(team.id)

    team_id = asyncio.run(with_session(settings, work))
    if team_id is None:
        _fail(f"a team named {name!r} already exists")
    quarterly = "without" if args.no_quarterly else "with"
    print(f"created team {team_id} {name!r} ({quarterly} quarterly coordination)")


def cmd_team_member(args: argparse.Namespace, settings: Settings) -> None:
    from sqlalchemy import select

    from db.enums import ChangeOp, TeamRole
    from db.models import Team
    from db.queries.logs import record_change
    from db.queries.team import remove_membership, set_membership
    from db.queries.user import get_user_by_email
    from server.cli import with_session

    try:
        role = TeamRole(args.role.upper())
    except ValueError:
        _fail(f"unknown team role {args.role!r}; use LEAD or MEMBER")
        return

    async def work(session: Any) -> str:
        team = await session.scalar(select(Team).where(Team.name == args.team))
        if team is None:
            return f"no team named {args.team!r}"
        user = await get_user_by_email(session, args.email)
        if user is None or not user.is_active:
            return f"no active user with email {args.email}"
        if args.remove:
            if not await remove_membership(session, team.id, user.id, actor_id=None):
                return f"{args.email} is not a member of {team.name!r}"
            change: dict[str, Any] = {"removed_member_id": user.id}
        else:
            await set_membership(session, team.id, user.id, role, actor_id=None)
            change = {"member_id": user.id, "role": role.value}
        await record_change(session, "Team", team.id, ChangeOp.UPDATED, change)
        await session.commit()
        return ""

    problem = asyncio.run(with_session(settings, work))
    if problem:
        _fail(problem)
    print(f"removed {args.email} from {args.team!r}" if args.remove
          else f"{args.email} is {role.value} of {args.team!r}")


def cmd_team_list(args: argparse.Namespace, settings: Settings) -> None:
    from sqlalchemy import func, select

    from db.models import Team, TeamMembership
    from server.cli import with_session

    async def work(session: Any) -> list[Any]:
        members = (select(TeamMembership.team_id, func.count().label("n"))
                   .group_by(TeamMembership.team_id).subquery())
        return list(await session.execute(
            select(Team.name, Team.holds_quarterly_coordination, func.coalesce(members.c.n, 0))
            .outerjoin(members, members.c.team_id == Team.id).order_by(Team.name)))

    for name, quarterly, count in asyncio.run(with_session(settings, work)):
        print(f"{name}\t{count} member{'s' if count != 1 else ''}\t{'quarterly' if quarterly else '-'}")


def register(sub: Any) -> None:
    team = sub.add_parser("team", help="manage teams (MAOs)").add_subparsers(dest="team_command", required=True)
    create = team.add_parser("create", help="create a team")
    create.add_argument("name", help="the team's name (unique, any case)")
    create.add_argument("--description", default="", help="what the team does")
    create.add_argument("--no-quarterly", action="store_true", help="no quarterly coordination meeting")
    create.set_defaults(run=cmd_team_create)
    member = team.add_parser("member", help="add a member, change their role, or remove them")
    member.add_argument("team", help="the team's name")
    member.add_argument("email", help="the member's email address")
    member.add_argument("--role", default="MEMBER", help="LEAD or MEMBER (default: %(default)s)")
    member.add_argument("--remove", action="store_true", help="remove the member instead")
    member.set_defaults(run=cmd_team_member)
    team.add_parser("list", help="list teams").set_defaults(run=cmd_team_list)

"""Query fields: me, users, teams."""
from __future__ import annotations

import strawberry

from db.queries.user import teams_query, users_query
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_id
from schema.user.types import RoleEnum, TeamType, UserType


@strawberry.input
class UserFilter:
    search: str | None = None
    role: RoleEnum | None = None  # type: ignore[valid-type]
    team_id: strawberry.ID | None = None


@strawberry.input
class TeamFilter:
    search: str | None = None


@strawberry.type
class UserQuery:
    @strawberry.field(description="The signed-in user.")
    def me(self, info: strawberry.Info) -> UserType:
        return UserType.from_model(info.context.user)

    @strawberry.field
    async def users(
        self, info: strawberry.Info, filter: UserFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[UserType]:
        f = filter or UserFilter()
        team_id = decode_id(f.team_id, "Team", field="filter.teamId") if f.team_id else None
        stmt = users_query(search=f.search, role=f.role, team_id=team_id)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=UserType.from_model)

    @strawberry.field
    async def teams(
        self, info: strawberry.Info, filter: TeamFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[TeamType]:
        f = filter or TeamFilter()
        return await paginate(
            info.context.session, teams_query(search=f.search), first=first, after=after, to_node=TeamType.from_model
        )

"""Query fields: me, users, teams."""
from __future__ import annotations

import strawberry

from db.models import Team, User
from db.policies.user import may_search_email
from db.queries.user import teams_query, users_query
from schema.core.connection import Connection, paginate
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_optional_id
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.user.types import RoleEnum, TeamType, UserType

USER_ORDER = sortable("User", {"NAME": User.name, "EMAIL": User.email, "ROLE": User.role,
                               "CREATED_AT": User.created_at}, User.id)
TEAM_ORDER = sortable("Team", {"NAME": Team.name, "CREATED_AT": Team.created_at}, Team.id)


@USER_ORDER.input
class UserOrder(OrderInput):
    pass


@TEAM_ORDER.input
class TeamOrder(OrderInput):
    pass


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
        self, info: strawberry.Info, filter: UserFilter | None = None, order_by: UserOrder | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[UserType]:
        f = filter or UserFilter()
        team_id = decode_optional_id(f.team_id, "Team", field="filter.teamId")
        viewer = info.context.viewer
        if order_by is not None and order_by.field.value == "EMAIL" and not may_search_email(viewer):
            # the order of hidden addresses would reveal them by comparison
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, "Only managers and admins may order by email.",
                                  "orderBy")
        stmt = apply_order(users_query(viewer, search=f.search, role=f.role, team_id=team_id), USER_ORDER, order_by)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=UserType.from_model)

    @strawberry.field
    async def teams(
        self, info: strawberry.Info, filter: TeamFilter | None = None, order_by: TeamOrder | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[TeamType]:
        f = filter or TeamFilter()
        stmt = apply_order(teams_query(info.context.viewer, search=f.search), TEAM_ORDER, order_by)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=TeamType.from_model)

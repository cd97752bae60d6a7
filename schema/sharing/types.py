from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from db.models import CalendarGrant
from db.models.sharing import ShareLevel
from schema.core.node import ModelNode, load_node
from schema.user.types import TeamType, UserType

ShareLevelEnum = strawberry.enum(ShareLevel, name="ShareLevel")


@strawberry.type(name="CalendarGrant", description="Access to a user's or a team's calendar given to a user or a team.")
class CalendarGrantType(ModelNode):
    model = CalendarGrant

    id: strawberry.relay.NodeID[int]
    level: ShareLevelEnum  # type: ignore[valid-type]
    created_at: datetime
    _owner_id: strawberry.Private[int | None]
    _owner_team_id: strawberry.Private[int | None]
    _grantee_user_id: strawberry.Private[int | None]
    _grantee_team_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: CalendarGrant) -> Self:
        return cls(id=row.id, level=row.level, created_at=row.created_at, _owner_id=row.owner_id,
                   _owner_team_id=row.owner_team_id,
                   _grantee_user_id=row.grantee_user_id, _grantee_team_id=row.grantee_team_id)

    @strawberry.field(description="Whose calendar is shared (null for a team's calendar: see ownerTeam).")
    async def owner(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._owner_id)

    @strawberry.field(description="The team whose calendar is shared (null for a user's calendar).")
    async def owner_team(self, info: strawberry.Info) -> TeamType | None:
        return await load_node(info, TeamType, self._owner_team_id)

    @strawberry.field
    async def grantee_user(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._grantee_user_id)

    @strawberry.field
    async def grantee_team(self, info: strawberry.Info) -> TeamType | None:
        return await load_node(info, TeamType, self._grantee_team_id)


@strawberry.type(name="BusyPeriod")
class BusyPeriodType:
    start: datetime
    end: datetime


@strawberry.type(name="FreeBusy", description="When a person is busy; no titles, no ids.")
class FreeBusyType:
    user_id: strawberry.ID
    visible: bool = strawberry.field(description="False when their calendar is not shared with you.")
    busy: list[BusyPeriodType]


@strawberry.type(name="TeamFreeBusy", description="When a team's calendar (its events) is busy; no titles, no ids.")
class TeamFreeBusyType:
    team_id: strawberry.ID
    visible: bool = strawberry.field(description="False unless you are on the team or its calendar is shared with you.")
    busy: list[BusyPeriodType]

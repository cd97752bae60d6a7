"""GraphQL types for events, their participants and overridden occurrences.

Who may read an event, its participants and overrides: ``db/policies/event.py``
(``node``/``nodes`` and every loader apply it).
"""
from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from dataloaders.event import (
    overrides_by_event_id,
    participants_by_event_id,
)
from db.enums import Rsvp, Visibility
from db.models import Event, EventOverride, EventParticipant
from db.rules.recurrence import ExpansionLimit, InvalidRecurrence, SeriesSpec, expand_occurrences
from schema.attachment.fields import attachments_of
from schema.attachment.types import AttachmentType
from schema.calendar.enums import CalendarModuleEnum
from schema.community.types import CommunityType
from schema.core.connection import Connection
from schema.core.errors import DomainError, ErrorCode
from schema.core.node import ModelNode, load_node
from schema.user.types import TeamType, UserType

VisibilityEnum = strawberry.enum(Visibility, name="Visibility")
RsvpEnum = strawberry.enum(Rsvp, name="Rsvp")

MAX_OCCURRENCES_WINDOW_DAYS = 400


@strawberry.type(name="EventParticipant")
class EventParticipantType:
    rsvp: RsvpEnum  # type: ignore[valid-type]
    attended: bool | None
    responded_at: datetime | None
    _user_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: EventParticipant) -> Self:
        return cls(rsvp=row.rsvp, attended=row.attended, responded_at=row.responded_at, _user_id=row.user_id)

    @strawberry.field
    async def user(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._user_id)


@strawberry.type(name="EventOverride", description="One occurrence of a series moved, changed or cancelled.")
class EventOverrideType:
    recurrence_id: datetime
    cancelled: bool
    start: datetime | None
    end: datetime | None
    title: str | None
    description: str | None
    location: str | None

    @classmethod
    def from_model(cls, row: EventOverride) -> Self:
        return cls(
            recurrence_id=row.recurrence_id, cancelled=row.cancelled, start=row.starts_at, end=row.ends_at,
            title=row.title, description=row.description, location=row.location,
        )


@strawberry.type(name="EventOccurrence")
class EventOccurrenceType:
    recurrence_id: datetime | None
    start: datetime
    end: datetime
    title: str


@strawberry.type(name="Event")
class EventType(ModelNode):
    model = Event
    id: relay.NodeID[int]
    uid: str
    title: str
    description: str
    location: str
    module: CalendarModuleEnum  # type: ignore[valid-type]
    visibility: VisibilityEnum  # type: ignore[valid-type]
    open_to_all: bool = strawberry.field(description="Anyone who may read it may join with respondToEvent.")
    start: datetime
    end: datetime
    all_day: bool
    timezone: str
    rrule: str | None
    rdates: list[datetime]
    exdates: list[datetime]
    series_ends_at: datetime | None = strawberry.field(
        description="End of the last occurrence; null for an endless series."
    )
    reminders: list[int] = strawberry.field(description="Minutes before each occurrence.")
    sequence: int
    version: int
    is_quarterly_coordination: bool
    quarter: int | None
    fiscal_year: int | None
    created_at: datetime
    updated_at: datetime
    _row: strawberry.Private[Event]

    @classmethod
    def from_model(cls, row: Event) -> Self:
        return cls(
            id=row.id, uid=row.uid, title=row.title, description=row.description, location=row.location,
            module=row.module, visibility=row.visibility, open_to_all=row.open_to_all, start=row.starts_at, end=row.ends_at,
            all_day=row.all_day, timezone=row.timezone, rrule=row.rrule, rdates=list(row.rdates or []),
            exdates=list(row.exdates or []), series_ends_at=row.series_ends_at,
            reminders=list(row.reminders or []), sequence=row.sequence, version=row.version,
            is_quarterly_coordination=row.is_quarterly_coordination, quarter=row.quarter,
            fiscal_year=row.fiscal_year, created_at=row.created_at, updated_at=row.updated_at, _row=row,
        )

    @strawberry.field(description="Files attached to the whole series, or with occurrence to that occurrence too.")
    async def attachments(
        self, info: strawberry.Info, occurrence: datetime | None = None, first: int | None = None,
        after: str | None = None,
    ) -> Connection[AttachmentType]:
        return await attachments_of(info, "Event", self.id, occurrence=occurrence, first=first, after=after)

    @strawberry.field
    async def owner(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._row.owner_id)

    @strawberry.field
    async def team(self, info: strawberry.Info) -> TeamType | None:
        return await load_node(info, TeamType, self._row.team_id)

    @strawberry.field
    async def community(self, info: strawberry.Info) -> CommunityType | None:
        return await load_node(info, CommunityType, self._row.community_id)

    @strawberry.field(description="The series this one was split from by a THIS_AND_FOLLOWING edit.")
    async def parent_event(self, info: strawberry.Info) -> EventType | None:
        return await load_node(info, EventType, self._row.parent_event_id)

    @strawberry.field
    async def participants(self, info: strawberry.Info) -> list[EventParticipantType]:
        rows = await info.context.loaders.of(participants_by_event_id).load(self.id)
        return [EventParticipantType.from_model(r) for r in rows]

    @strawberry.field
    async def overrides(self, info: strawberry.Info) -> list[EventOverrideType]:
        rows = await info.context.loaders.of(overrides_by_event_id).load(self.id)
        return [EventOverrideType.from_model(r) for r in rows]

    @strawberry.field(description="Occurrences overlapping [start, end), overrides applied (at most 400 days).")
    async def occurrences(self, info: strawberry.Info, start: datetime, end: datetime) -> list[EventOccurrenceType]:
        if start.tzinfo is None or end.tzinfo is None or end <= start or (end - start).days > MAX_OCCURRENCES_WINDOW_DAYS:
            raise DomainError.one(ErrorCode.VALIDATION, "Need an aware window of at most 400 days.", "end")
        overrides = await info.context.loaders.of(overrides_by_event_id).load(self.id)
        try:
            found = expand_occurrences(SeriesSpec.from_event(self._row, overrides), start, end)
        except InvalidRecurrence as error:
            raise DomainError.one(ErrorCode.VALIDATION, str(error), "rrule") from None
        except ExpansionLimit as error:
            raise DomainError.one(ErrorCode.VALIDATION, str(error), "end") from None
        return [
            EventOccurrenceType(
                recurrence_id=o.recurrence_id, start=o.start, end=o.end,
                title=(o.override.title if o.override and o.override.title is not None else self.title),
            )
            for o in found
        ]

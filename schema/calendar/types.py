"""The calendar window: lightweight entries with a lazily loaded ``source``.

The root value of a ``CalendarEntry`` is a plain ``db.rules.calendar_entries.CalendarEntry``
(slots dataclass): every scalar resolves by attribute access, and ``source``
loads its object through the per-request by-id loader only when selected, so a
window of 10,000 entries costs no query per entry.
"""
from __future__ import annotations

import inspect
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, cast

import strawberry

from dataloaders.attachment import AttachmentCounts, ParentKey, attachment_counts_by_parent
from dataloaders.sharing import grantor_by_event_id
from db.models import (
    Assessment,
    Booking,
    Event,
    Policy,
    Ppa,
    PpaMilestone,
    PpaStageSchedule,
    Task,
    Team,
    User,
)
from db.policies.sharing import Grantor
from db.rules.calendar_entries import CalendarEntry
from schema.assessment.types import AssessmentType
from schema.booking.types import BookingType
from schema.calendar.enums import CalendarEntryKindEnum, CalendarModuleEnum
from schema.core.errors import DomainError, ErrorCode
from schema.core.node import node_now
from schema.core.relations import NOT_LOADED, load_all, peek, selected_names
from schema.event.types import EventType
from schema.policy.types import PolicyType
from schema.ppa.types import PpaMilestoneType, PpaStageType, PpaType
from schema.task.types import TaskType
from schema.user.types import TeamType, UserType

CalendarSource = Annotated[
    EventType | TaskType | PpaType | PpaMilestoneType | PpaStageType | AssessmentType | BookingType | PolicyType,
    strawberry.union("CalendarSource", description="What a calendar entry comes from."),
]

# CalendarEntry.source_type -> (ORM model, GraphQL type)
SOURCE_TYPES: dict[str, tuple[type[Any], Any]] = {
    "Event": (Event, EventType),
    "Task": (Task, TaskType),
    "Ppa": (Ppa, PpaType),
    "PpaMilestone": (PpaMilestone, PpaMilestoneType),
    "PpaStage": (PpaStageSchedule, PpaStageType),
    "Assessment": (Assessment, AssessmentType),
    "Booking": (Booking, BookingType),
    "Policy": (Policy, PolicyType),
}


async def resolve_source(root: strawberry.Parent[CalendarEntry], info: strawberry.Info) -> CalendarSource:
    model, gql_type = SOURCE_TYPES[root.source_type]
    row = await info.context.loaders.by_id(model).load(root.source_id)
    if row is None:
        raise DomainError.one(ErrorCode.NOT_FOUND, f"{root.source_type} {root.source_id} no longer exists.")
    result: CalendarSource = gql_type.from_model(row)
    return result


CalendarOwner = Annotated[
    UserType | TeamType,
    strawberry.union("CalendarOwner", description="Whose calendar: a user's or a team's."),
]


def owner_now(info: strawberry.Info, grantor: Grantor | None) -> CalendarOwner | None:
    if grantor is None:
        return None
    if grantor.type_name == "User":
        return node_now(info, UserType, grantor.id)
    return node_now(info, TeamType, grantor.id)


async def _shared_by_later(info: strawberry.Info, event_id: int) -> CalendarOwner | None:
    grantor = await info.context.loaders.of(grantor_by_event_id).load(event_id)
    owner = owner_now(info, grantor)
    return await owner if inspect.isawaitable(owner) else owner


def resolve_shared_by(root: strawberry.Parent[CalendarEntry], info: strawberry.Info) -> CalendarOwner | None:
    """Batched: one statement for every entry of the window (``dataloaders/sharing.py``), then the
    users and teams named through the by-id loaders. Synchronous when ``prefetch_shared_by`` ran
    (a window of thousands of entries would otherwise cost a coroutine and two futures each)."""
    if root.source_type != "Event":
        return None
    grantor = peek(info.context.loaders.of(grantor_by_event_id), root.source_id)
    if grantor is NOT_LOADED:
        return cast("CalendarOwner | None", _shared_by_later(info, root.source_id))
    return owner_now(info, cast("Grantor | None", grantor))


async def prefetch_shared_by(info: strawberry.Info, entries: Sequence[CalendarEntry]) -> None:
    """When ``entries { sharedBy }`` is selected: the grantors of the window's events, then the users
    and teams they name, one batch each, so every entry answers ``sharedBy`` without awaiting."""
    if not any("sharedBy" in selected_names(f.selections, "entries") for f in info.selected_fields):
        return
    loaders = info.context.loaders
    grantors = await load_all(loaders.of(grantor_by_event_id), {e.source_id for e in entries if e.source_type == "Event"})
    await load_all(loaders.by_id(User), {g.id for g in grantors if g is not None and g.type_name == "User"})
    await load_all(loaders.by_id(Team), {g.id for g in grantors if g is not None and g.type_name == "Team"})


# Calendar entries whose sources carry attachments (the rest count none).
ATTACHMENT_PARENTS = frozenset({"Event", "Task", "Ppa", "Assessment"})


def attachment_key(entry: CalendarEntry) -> ParentKey:
    return ParentKey(entry.source_type, entry.source_id, entry.recurrence_id)


async def entry_counts(root: CalendarEntry, info: strawberry.Info) -> AttachmentCounts:
    if root.source_type not in ATTACHMENT_PARENTS:
        return AttachmentCounts()
    counts: AttachmentCounts = await info.context.loaders.of(attachment_counts_by_parent).load(attachment_key(root))
    return counts


async def resolve_attachment_count(root: strawberry.Parent[CalendarEntry], info: strawberry.Info) -> int:
    return (await entry_counts(root, info)).attachments


async def resolve_photo_count(root: strawberry.Parent[CalendarEntry], info: strawberry.Info) -> int:
    return (await entry_counts(root, info)).photos


async def resolve_has_attachments(root: strawberry.Parent[CalendarEntry], info: strawberry.Info) -> bool:
    return (await entry_counts(root, info)).attachments > 0


@strawberry.type(name="CalendarEntry", description="One thing on the calendar; a recurring event gives one per occurrence.")
class CalendarEntryType:
    id: strawberry.ID = strawberry.field(description="Stable per occurrence: the same in every window.")
    kind: CalendarEntryKindEnum  # type: ignore[valid-type]
    module: CalendarModuleEnum  # type: ignore[valid-type]
    title: str
    start: datetime
    end: datetime | None
    all_day: bool
    timezone: str | None
    recurrence_id: datetime | None = strawberry.field(
        description="Original start of a recurring occurrence (pass it as occurrence to updateEvent); null otherwise."
    )
    source: CalendarSource = strawberry.field(resolver=resolve_source)
    attachment_count: int = strawberry.field(
        resolver=resolve_attachment_count,
        description="Files the viewer may read on the source (an occurrence counts its series' files too).",
    )
    photo_count: int = strawberry.field(resolver=resolve_photo_count)
    has_attachments: bool = strawberry.field(resolver=resolve_has_attachments)
    shared_by: CalendarOwner | None = strawberry.field(
        resolver=resolve_shared_by,
        description="The user or team whose calendar, shared with you (READ or WRITE), this event is on; "
                    "null for your own entries and for entries on no calendar shared with you.",
    )


async def with_attachments(info: strawberry.Info, entries: list[CalendarEntry], *, wanted: bool) -> list[CalendarEntry]:
    """The entries that have (or lack) attachments, counted in one batched statement."""
    sources = [e for e in entries if e.source_type in ATTACHMENT_PARENTS]
    counts = await info.context.loaders.of(attachment_counts_by_parent).load_many([attachment_key(e) for e in sources])
    has = {id(e) for e, c in zip(sources, counts, strict=True) if c.attachments > 0}
    return [e for e in entries if (id(e) in has) == wanted]


@strawberry.type(name="CalendarWindow")
class CalendarWindowType:
    start: datetime
    end: datetime
    entries: list[CalendarEntryType]

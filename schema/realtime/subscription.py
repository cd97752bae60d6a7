"""The Subscription root: every field streams changes from the log.

Served over ``graphql-transport-ws`` and the legacy ``graphql-ws`` (server/legacy_ws.py).
Each change carries a ``cursor``; passing it back as ``after`` first replays what
was committed since, then goes live. A subscriber only receives what its user may read.
Close codes: 4403 bad/missing token in ``connection_init`` (legacy: ``connection_error``
then 1011), and 4403 on an open connection once its user is deactivated or deleted, their
role changes or their token expires (re-checked at least every 60 s, and at once on a User
change in the log); 4008 too slow (queue overflowed: reconnect with ``after``), 1001/1012
server shutting down; legacy only: 4429 second ``connection_init``, 4408 no ``connection_init``
in time, 4400 malformed message.
"""
from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from datetime import datetime
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from resolvers import realtime, realtime_calendar
from schema.calendar.enums import CalendarModuleEnum
from schema.core.errors import DomainError
from schema.notification.types import NotificationType
from schema.realtime.types import (
    BookingChangeType,
    CalendarChangeType,
    PpaChangeType,
    TaskChangeType,
)
from schema.task.filters import criteria_from_filter
from schema.task.inputs import TaskFilter

T = TypeVar("T")


async def coded(stream: AsyncIterator[T]) -> AsyncIterator[T]:
    """Expected failures (bad cursor, window, ids) as errors with ``extensions.code``."""
    try:
        async for item in stream:
            yield item
    except DomainError as error:
        first = error.errors[0]
        raise GraphQLError(first.message, extensions={"code": first.code.value, "field": first.field}) from None


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Entries of the window added, changed or removed, live.")
    async def calendar_changed(
        self,
        info: strawberry.Info,
        start: datetime,
        end: datetime,
        modules: list[CalendarModuleEnum] | None = None,  # type: ignore[valid-type]
        after: str | None = None,
    ) -> AsyncGenerator[CalendarChangeType, None]:
        async for change in coded(realtime_calendar.calendar_changes(info.context, start, end, modules, after)):
            yield change

    @strawberry.subscription
    async def task_changed(
        self, info: strawberry.Info, filter: TaskFilter | None = None, after: str | None = None
    ) -> AsyncGenerator[TaskChangeType, None]:
        async for change in coded(task_changes(info, filter, after)):
            yield change

    @strawberry.subscription
    async def ppa_changed(
        self, info: strawberry.Info, id: strawberry.ID | None = None, after: str | None = None
    ) -> AsyncGenerator[PpaChangeType, None]:
        async for change in coded(realtime.ppa_changes(info.context, id, after)):
            yield change

    @strawberry.subscription
    async def booking_changed(
        self, info: strawberry.Info, resource_id: strawberry.ID | None = None, after: str | None = None
    ) -> AsyncGenerator[BookingChangeType, None]:
        async for change in coded(realtime.booking_changes(info.context, resource_id, after)):
            yield change

    @strawberry.subscription(description="Your own in-app notifications as they are created.")
    async def notification_received(self, info: strawberry.Info) -> AsyncGenerator[NotificationType, None]:
        async for notification in coded(realtime.notifications_received(info.context, NotificationType.from_model)):
            yield notification


async def task_changes(info: strawberry.Info, flt: TaskFilter | None, after: str | None) -> AsyncIterator[TaskChangeType]:
    criteria = criteria_from_filter(flt, info.context.viewer)  # raises DomainError for ids of the wrong type
    async for change in realtime.task_changes(info.context, criteria, after):
        yield change

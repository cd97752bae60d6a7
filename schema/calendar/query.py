from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers.calendar import calendar_entries, calendar_scope
from schema.calendar.enums import CalendarModuleEnum
from schema.calendar.import_types import CalendarImportType
from schema.calendar.types import (
    CalendarEntryType,
    CalendarWindowType,
    prefetch_shared_by,
    with_attachments,
)
from schema.core.answer_cache import cached_answer
from schema.core.ids import decode_id
from schema.core.node import load_node


@strawberry.type
class CalendarQuery:
    @strawberry.field(description=(
        "Everything in [start, end) across modules: event occurrences, task due dates, PPA dates, milestones "
        "and stages, assessment milestones, bookings. At most ALMANAC_MAX_WINDOW_DAYS days."
    ))
    async def calendar(
        self, info: strawberry.Info, start: datetime, end: datetime,
        modules: list[CalendarModuleEnum] | None = None,  # type: ignore[valid-type]
        resource_ids: list[strawberry.ID] | None = None,
        assignee_ids: list[strawberry.ID] | None = None,
        community_ids: list[strawberry.ID] | None = None,
        has_attachments: Annotated[bool | None, strawberry.argument(
            description="Only entries with (true) or without (false) files the viewer may read."
        )] = None,
    ) -> CalendarWindowType:
        ctx = info.context
        ctx.require_user()
        scope = calendar_scope(
            start=start, end=end, viewer=ctx.viewer, max_days=ctx.settings.max_window_days, modules=modules,
            resource_ids=resource_ids, assignee_ids=assignee_ids, community_ids=community_ids,
        )

        async def window() -> CalendarWindowType:
            entries: list[CalendarEntryType] = await calendar_entries(ctx, scope)  # type: ignore[assignment]
            if has_attachments is not None:
                entries = await with_attachments(info, entries, wanted=has_attachments)  # type: ignore[arg-type,assignment]
            await prefetch_shared_by(info, entries)  # type: ignore[arg-type]
            return CalendarWindowType(start=scope.start, end=scope.end, entries=entries)

        answer: CalendarWindowType = await cached_answer(info, window)  # a kept answer is completed already
        return answer

    @strawberry.field(description="A calendar import you started (importCalendar of a large file), with its progress.")
    async def calendar_import(self, info: strawberry.Info, id: strawberry.ID) -> CalendarImportType | None:
        info.context.require_user()
        return await load_node(info, CalendarImportType, decode_id(id, "CalendarImport", field="id"))

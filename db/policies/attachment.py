"""Attachments: readable exactly when their parent is (event, task, PPA, assessment or
service request).

A photo of a PRIVATE event is read only by that event's readers: it never shows in
another user's calendar counts, feeds or downloads (a signed URL is only ever issued
to someone who could read the attachment). A service request's files are read by those
who handle it (``db/policies/service.py``), never through its public tracking code.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Attachment
from db.policies.audience import NOBODY, SIGNED_IN, Audience, at_most_signed_in
from db.policies.base import EntityPolicy
from db.policies.event import event_audiences, event_id_readable
from db.policies.service import service_request_audiences, service_request_id_readable
from db.policies.task import task_audiences, task_id_readable
from db.policies.teams import assessment_in_teams, event_in_teams, ppa_in_teams, task_id_in_teams
from db.policies.viewer import Viewer


def attachment_readable(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.user_id is None:
        return false()
    # PPAs and assessments are office-wide (db/policies/ppa.py, assessment.py).
    return or_(
        and_(Attachment.event_id.is_not(None), event_id_readable(viewer, Attachment.event_id)),
        and_(Attachment.task_id.is_not(None), task_id_readable(viewer, Attachment.task_id)),
        Attachment.ppa_id.is_not(None),
        Attachment.assessment_id.is_not(None),
        and_(Attachment.service_request_id.is_not(None),
             service_request_id_readable(viewer, Attachment.service_request_id)),
    )


async def attachment_audiences(session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
    if not ids:
        return {}
    rows = (await session.execute(
        select(Attachment.id, Attachment.event_id, Attachment.task_id, Attachment.service_request_id)
        .where(Attachment.id.in_(list(ids)))
    )).tuples().all()
    of_event = await event_audiences(session, [e for _, e, _, _ in rows if e is not None])
    of_task = await task_audiences(session, [t for _, _, t, _ in rows if t is not None])
    of_request = await service_request_audiences(session, [r for _, _, _, r in rows if r is not None])
    result: dict[int, Audience] = {}
    for pk, event_id, task_id, request_id in rows:
        if event_id is not None:
            # Anonymous callers never read attachments, even of a PUBLIC event.
            result[pk] = at_most_signed_in(of_event.get(event_id, NOBODY))
        elif task_id is not None:
            result[pk] = of_task.get(task_id, NOBODY)
        elif request_id is not None:
            result[pk] = of_request.get(request_id, NOBODY)
        else:
            result[pk] = SIGNED_IN
    return result


ATTACHMENT_EDITORS = "the uploader, a MANAGER or an ADMIN"


def attachment_editable(viewer: Viewer) -> ColumnElement[bool]:
    """SQL on ``attachments``: the viewer may delete the attachment (it must also be readable)."""
    if viewer.user_id is None:
        return false()
    if viewer.is_manager:
        return true()
    return Attachment.uploaded_by_id == viewer.user_id


class AttachmentPolicy(EntityPolicy[Attachment]):
    model = Attachment
    entity_type = "Attachment"
    editors: ClassVar[str] = ATTACHMENT_EDITORS

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return attachment_readable(viewer)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return or_(event_in_teams(Attachment.event_id, team_ids), task_id_in_teams(Attachment.task_id, team_ids),
                   ppa_in_teams(Attachment.ppa_id, team_ids), assessment_in_teams(Attachment.assessment_id, team_ids))

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        return await attachment_audiences(session, ids)

    def editable(self, viewer: Viewer) -> ColumnElement[bool]:
        return attachment_editable(viewer)


def may_attach(viewer: Viewer) -> bool:
    """Any signed-in user but a VIEWER may attach to a parent they can read (checked by the caller
    loading the parent through its policy)."""
    return viewer.signed_in and viewer.role is not None and viewer.role.value != "VIEWER"


ATTACHMENTS = AttachmentPolicy()

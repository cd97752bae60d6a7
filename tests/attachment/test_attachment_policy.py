"""An attachment is readable exactly when its parent is: a PRIVATE event's photos never
reach another user, through any path (db/policies/attachment.py)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, Visibility
from db.models import EventParticipant
from tests.attachment.conftest import Upload, png_bytes
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.policy.leaks import PATHS as MATRIX_PATHS
from tests.policy.leaks import secret_marker, seen
from tests.task.conftest import gid

START = datetime(2031, 4, 7, 9, tzinfo=UTC)
WINDOW = {"start": START.isoformat(), "end": (START + timedelta(days=1)).isoformat()}

PATHS = {
    "node": "query($id: ID!) { node(id: $id) { ... on Attachment { filename url } } }",
    "nodes": "query($id: ID!) { nodes(ids: [$id]) { ... on Attachment { filename url } } }",
    "event.attachments": """query($event: ID!) { node(id: $event) { ... on Event {
        attachments { nodes { filename url } } } } }""",
    "task.attachments": """query($task: ID!) { node(id: $task) { ... on Task {
        attachments { nodes { filename url } } } } }""",
    "calendar": """query($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {
        entries { title attachmentCount photoCount hasAttachments } } }""",
}
# owner and guest read; other_staff, viewer and anonymous must not
MATRIX_PATHS.extend((path, "Attachment", 5) for path in PATHS)


async def test_private_event_files_reach_its_readers_only(
    upload: Upload, gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, guest = await make_user(), await make_user()
    others = {"other_staff": await make_user(), "viewer": await make_user(Role.VIEWER), "anonymous": None}
    marker = secret_marker()
    event = await f.event(session, START, owner_id=owner.id, visibility=Visibility.PRIVATE, title=f"hearing {marker}")
    session.add(EventParticipant(event_id=event.id, user_id=guest.id))
    task = await f.task(session, START, title="prepare", event_id=event.id)
    body = await upload(owner, gid("Event", event.id), png_bytes(), filename=f"{marker}.png")
    attachment_id = body["data"]["uploadAttachment"]["attachment"]["id"]
    await upload(owner, gid("Task", task.id), b"minutes", filename=f"{marker}-minutes.txt")
    variables = {"id": attachment_id, "event": gid("Event", event.id), "task": gid("Task", task.id), **WINDOW}

    for path, query in PATHS.items():
        for reader in (owner, guest):
            assert seen(marker, await gql(query, variables, user=reader)), (path, "reader")
        for role, user in others.items():
            assert not seen(marker, await gql(query, variables, user=user)), (path, role)

    # the calendar counts the photo for readers only
    counts = await gql(PATHS["calendar"], WINDOW, user=guest)
    event_entries = [e for e in counts["data"]["calendar"]["entries"] if e["title"].startswith("hearing")]
    assert [(e["attachmentCount"], e["photoCount"], e["hasAttachments"]) for e in event_entries] == [(1, 1, True)]


async def test_attaching_to_an_unreadable_parent_answers_like_a_missing_one(
    upload: Upload, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, outsider = await make_user(), await make_user()
    private = await f.event(session, START, owner_id=owner.id, visibility=Visibility.PRIVATE)

    hidden = await upload(outsider, gid("Event", private.id), png_bytes())
    missing = await upload(outsider, gid("Event", private.id + 10_000), png_bytes())

    assert hidden["data"]["uploadAttachment"]["errors"] == missing["data"]["uploadAttachment"]["errors"]
    assert [e["code"] for e in hidden["data"]["uploadAttachment"]["errors"]] == ["NOT_FOUND"]

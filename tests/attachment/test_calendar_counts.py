"""Calendar entries count their sources' attachments in one batched statement."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Attachment, Event, Task
from db.statements import counting
from tests.conftest import GraphQL, UserFactory

START = datetime(2031, 6, 2, tzinfo=UTC)
WINDOW = {"start": START.isoformat(), "end": (START + timedelta(days=7)).isoformat()}
QUERY = """query($start: DateTime!, $end: DateTime!, $has: Boolean) {
  calendar(start: $start, end: $end, hasAttachments: $has) {
    entries { id title attachmentCount photoCount hasAttachments } } }"""


async def seed(session: AsyncSession, owner_id: int, copies: int, tag: str) -> None:
    """``copies`` events and tasks in the window, every other one with a photo and a document."""
    events = (await session.execute(insert(Event).returning(Event.id), [
        {"uid": f"{tag}-{i}@test", "title": f"{tag} event {i}", "starts_at": START + timedelta(minutes=i),
         "ends_at": START + timedelta(minutes=i + 30), "owner_id": owner_id} for i in range(copies)])).scalars().all()
    tasks = (await session.execute(insert(Task).returning(Task.id), [
        {"title": f"{tag} task {i}", "due_at": START + timedelta(hours=1, minutes=i)} for i in range(copies)
    ])).scalars().all()
    rows = []
    for i, (event_id, task_id) in enumerate(zip(events, tasks, strict=True)):
        if i % 2:
            continue
        for parent, photo in (({"event_id": event_id}, True), ({"event_id": event_id}, False),
                              ({"task_id": task_id}, False)):
            rows.append({**parent, "filename": "f", "content_type": "image/png" if photo else "text/plain",
                         "size_bytes": 1, "sha256": "0" * 64, "storage_key": f"{tag}/{i}/{len(rows)}",
                         "is_photo": photo})
    await session.execute(insert(Attachment), rows)


async def test_counts_and_filter_with_statements_that_do_not_grow(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    await seed(session, owner.id, 10, "small")
    with counting() as small:
        body = await gql(QUERY, WINDOW, user=owner)
    entries = body["data"]["calendar"]["entries"]
    by_title = {e["title"]: (e["attachmentCount"], e["photoCount"], e["hasAttachments"]) for e in entries}
    assert by_title["small event 0"] == (2, 1, True)
    assert by_title["small event 1"] == (0, 0, False)
    assert by_title["small task 0"] == (1, 0, True)

    await seed(session, owner.id, 300, "large")
    with counting() as large:
        body = await gql(QUERY, WINDOW, user=owner)
    assert len(body["data"]["calendar"]["entries"]) >= 600
    assert small.count == large.count

    with_files = await gql(QUERY, {**WINDOW, "has": True}, user=owner)
    titles = {e["title"] for e in with_files["data"]["calendar"]["entries"]}
    expected = len((await session.scalars(select(Attachment.id).where(Attachment.task_id.is_not(None)))).all()) * 2
    assert len(titles) == expected == 310
    assert all(e["hasAttachments"] for e in with_files["data"]["calendar"]["entries"])
    without = await gql(QUERY, {**WINDOW, "has": False}, user=owner)
    assert not any(e["hasAttachments"] for e in without["data"]["calendar"]["entries"])

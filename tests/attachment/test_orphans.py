"""Storage never keeps a file the database does not refer to: not after deleteAttachment,
not after a parent's deletion, not after an upload that crashed before its commit."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jobs.attachments import GRACE, delete_attachment_files, sweep_orphan_files
from server.settings import Settings
from server.storage import LocalStorage, new_key
from tests.attachment.conftest import Upload, age, files_in, png_bytes
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import gid

START = datetime(2031, 5, 5, 9, tzinfo=UTC)


async def test_an_upload_that_never_committed_is_swept_after_the_grace_period(
    settings: Settings, job_ctx: dict[str, Any], upload: Upload, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    event = await f.event(session, START, owner_id=owner.id)
    await upload(owner, gid("Event", event.id), png_bytes())  # a committed attachment (file + thumbnail)
    kept = files_in(settings)
    storage = LocalStorage(Path(settings.storage_dir or ""))
    crashed = new_key()  # the process died after writing the file, before the row committed
    await storage.put(crashed, b"half an upload")
    partial = Path(settings.storage_dir or "") / "ab" / ".x.partial"  # a write cut off mid-way
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"cut")

    assert await sweep_orphan_files(job_ctx) == 0  # too young: the upload may still commit
    age(settings, GRACE)
    assert await sweep_orphan_files(job_ctx) == 2
    assert files_in(settings) == kept and len(kept) == 2


async def test_deleting_the_parent_or_the_attachment_removes_its_files(
    settings: Settings, job_ctx: dict[str, Any], upload: Upload, gql: GraphQL, make_user: UserFactory,
    session: AsyncSession,
) -> None:
    owner = await make_user()
    first = await f.event(session, START, owner_id=owner.id)
    second = await f.event(session, START, owner_id=owner.id)
    await upload(owner, gid("Event", first.id), png_bytes())
    body = await upload(owner, gid("Event", second.id), b"notes", filename="notes.txt")
    doomed_id = body["data"]["uploadAttachment"]["attachment"]["id"]
    assert len(files_in(settings)) == 3

    deleted = await gql("mutation($id: ID!) { deleteEvent(input: {id: $id}) { errors { code } } }",
                        {"id": gid("Event", first.id)}, user=owner)
    assert deleted["data"]["deleteEvent"]["errors"] == []
    age(settings, GRACE)
    assert await sweep_orphan_files(job_ctx) == 2  # the photo and its thumbnail
    assert len(files_in(settings)) == 1

    [remaining] = files_in(settings)
    colleague = await make_user()
    refused = await gql("mutation($id: ID!) { deleteAttachment(input: {id: $id}) { errors { code } } }",
                        {"id": doomed_id}, user=colleague)
    assert [e["code"] for e in refused["data"]["deleteAttachment"]["errors"]] == ["PERMISSION_DENIED"]
    removed = await gql("mutation($id: ID!) { deleteAttachment(input: {id: $id}) { deletedId errors { code } } }",
                        {"id": doomed_id}, user=owner)
    assert removed["data"]["deleteAttachment"]["errors"] == []
    await delete_attachment_files(job_ctx, remaining)
    assert files_in(settings) == set()

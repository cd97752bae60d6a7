"""The whole attachment path on the S3 backend (a moto server the tests start): a multipart
upload over a real HTTP connection (uvicorn on 127.0.0.1) lands in the bucket, the signed URL
streams it back through the app, and deleting the attachment or crashing before the commit
leaves nothing in the bucket."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from jobs.attachments import GRACE, delete_attachment_files, sweep_orphan_files
from server.settings import Settings
from server.storage import new_key, storage_from
from server.storage_s3 import S3Config, S3Storage, client_for
from tests.attachment.conftest import Upload, files_in, png_bytes
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory, free_port
from tests.task.conftest import gid

START = datetime(2031, 7, 7, 9, tzinfo=UTC)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app served by uvicorn on a socket (the other attachment tests call it in-process)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            yield http
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def settings(settings: Settings, s3_config: S3Config) -> Settings:
    assert s3_config.secret_access_key is not None
    return settings.model_copy(update={
        "storage_backend": "s3", "s3_bucket": s3_config.bucket, "s3_prefix": s3_config.prefix,
        "s3_endpoint_url": s3_config.endpoint_url, "s3_access_key_id": s3_config.access_key_id,
        "s3_secret_access_key": SecretStr(s3_config.secret_access_key),
    })


def bucket_keys(config: S3Config) -> list[str]:
    listed = client_for(config).list_objects_v2(Bucket=config.bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_upload_download_and_removal_on_s3(
    settings: Settings, s3_config: S3Config, upload: Upload, gql: GraphQL, client: httpx.AsyncClient,
    make_user: UserFactory, session: AsyncSession, job_ctx: dict[str, Any],
) -> None:
    assert isinstance(storage_from(settings), S3Storage)
    owner = await make_user()
    event = await f.event(session, START, owner_id=owner.id)
    photo = png_bytes()

    body = await upload(owner, gid("Event", event.id), photo, filename="site.png")

    attachment = body["data"]["uploadAttachment"]["attachment"]
    assert body["data"]["uploadAttachment"]["errors"] == [] and attachment["isPhoto"] is True
    stored = bucket_keys(s3_config)
    assert len(stored) == 2 and all(k.startswith("attachments/") for k in stored)  # the file and its thumbnail
    assert files_in(settings) == set()  # nothing went to the local directory
    assert str(client.base_url).startswith("http://127.0.0.1:")  # a real socket, not in-process
    original = await client.get(path_of(attachment["url"]))
    assert original.status_code == 200 and original.content == photo
    assert original.headers["content-type"] == "image/png" and original.headers["x-content-type-options"] == "nosniff"
    assert original.headers["content-length"] == str(len(photo))
    thumbnail = await client.get(path_of(attachment["thumbnailUrl"]))
    assert thumbnail.status_code == 200 and thumbnail.content[:3] == b"\xff\xd8\xff"
    assert (await client.get(path_of(attachment["url"])[:-1] + "x")).status_code == 403

    # A crash after the PUT, before the commit: a whole object without a row.
    crashed = new_key()
    await storage_from(settings).put(crashed, b"never committed")
    job_ctx["clock"] = lambda: datetime.now(UTC) + GRACE + timedelta(minutes=5)
    assert await sweep_orphan_files(job_ctx) == 1
    assert bucket_keys(s3_config) == stored

    removed = await gql("mutation($id: ID!) { deleteAttachment(input: {id: $id}) { errors { code } } }",
                        {"id": attachment["id"]}, user=owner)
    assert removed["data"]["deleteAttachment"]["errors"] == []
    gone = await client.get(path_of(attachment["url"]))
    assert gone.status_code == 404  # the link dies with the row, before the files do
    await delete_attachment_files(job_ctx, stored[0].removeprefix(s3_config.prefix))
    assert bucket_keys(s3_config) == []

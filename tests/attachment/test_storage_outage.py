"""An object store that does not answer: downloads say 503 with Retry-After (never a 500 or a
404 that would make a client give up on a file that exists)."""
from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Attachment
from server.settings import Settings
from server.signed_urls import signed_path
from server.storage import StorageUnavailable, new_key
from server.storage_s3 import S3Config, S3Storage
from tests.calendar import factories as f
from tests.conftest import UserFactory, free_port

START = datetime(2031, 8, 4, 9, tzinfo=UTC)


@pytest.fixture
def dead_endpoint() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


@pytest.fixture
def settings(settings: Settings, dead_endpoint: str) -> Settings:
    return settings.model_copy(update={"storage_backend": "s3", "s3_bucket": "almanac-outage",
                                       "s3_endpoint_url": dead_endpoint, "s3_access_key_id": "k",
                                       "s3_secret_access_key": SecretStr("s")})


async def test_an_unreachable_store_is_unavailable_not_missing(dead_endpoint: str) -> None:
    storage = S3Storage(S3Config(bucket="almanac-outage", endpoint_url=dead_endpoint, access_key_id="k",
                                 secret_access_key="s"))
    with pytest.raises(StorageUnavailable):
        await storage.open(new_key())


async def test_a_download_during_an_outage_answers_503(
    settings: Settings, client: httpx.AsyncClient, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    event = await f.event(session, START, owner_id=owner.id)
    row = Attachment(event_id=event.id, filename="agenda.txt", content_type="text/plain", size_bytes=5,
                     sha256="0" * 64, storage_key=new_key(), uploaded_by_id=owner.id)
    session.add(row)
    await session.flush()

    response = await client.get(signed_path(settings.secret_key, row.id, "original", 60))

    assert response.status_code == 503 and response.headers["retry-after"] == "30"
    assert "unavailable" in response.json()["error"]

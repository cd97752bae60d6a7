"""Attachment tests: files go to a per-test directory; uploads are real multipart HTTP requests."""
from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import User
from server.settings import Settings
from server.storage import LocalStorage, Storage
from server.storage_s3 import S3Config, S3Storage
from tests.attachment.s3 import s3_config, s3_endpoint  # noqa: F401  (fixtures)
from tests.conftest import token_for

MAX_UPLOAD = 300_000

UPLOAD = """
mutation($input: UploadAttachmentInput!) {
  uploadAttachment(input: $input) {
    attachment { id filename contentType sizeBytes isPhoto url thumbnailUrl occurrence uploadedBy { id } }
    errors { code field message }
  }
}
"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"storage_dir": tmp_path / "files", "max_upload_bytes": MAX_UPLOAD,
                                       "public_url": "http://testserver"})


def files_in(settings: Settings) -> set[str]:
    """Every file under the storage directory, relative to it."""
    root = Path(settings.storage_dir or "")
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def age(settings: Settings, older_than: timedelta) -> None:
    """Make every stored file look older than ``older_than`` (as if written before a crash)."""
    past = time.time() - older_than.total_seconds() - 60
    for path in Path(settings.storage_dir or "").rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


@pytest.fixture
def job_ctx(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> dict[str, Any]:
    return {"sessionmaker": sessionmaker, "settings": settings}


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


Upload = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def upload(client: httpx.AsyncClient, session: Any) -> Upload:
    """POST uploadAttachment as a GraphQL multipart request; returns the JSON body."""

    async def call(user: User | None, parent_id: str, data: bytes, filename: str = "photo.png",
                   content_type: str = "text/plain", **extra: Any) -> dict[str, Any]:
        await session.flush()
        operations = {"query": UPLOAD, "variables": {"input": {"parentId": parent_id, "file": None, **extra}}}
        headers = {"Authorization": f"Bearer {token_for(user)}"} if user is not None else {}
        response = await client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
            files={"0": (filename, data, content_type)},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return call



@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """Each storage backend in turn: the same contract holds for both."""
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    config: S3Config = request.getfixturevalue("s3_config")
    return S3Storage(config)

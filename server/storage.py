"""Where attachment bytes live: a directory under ``ALMANAC_DATA_DIR`` by default.

Keys are opaque (``ab/cd/<uuid>``); the database row (``db.models.Attachment``) is what
makes a key reachable, so a backend only stores, reads, deletes and lists. Writes are
atomic (a temporary file renamed into place), so a crash leaves either nothing or a
whole file without a row, which ``jobs/attachments.sweep_orphan_files`` removes.
"""
from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from server.settings import Settings


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    modified_at: datetime


class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes | None: ...
    async def delete(self, key: str) -> None: ...
    async def list_files(self) -> list[StoredFile]: ...


def new_key() -> str:
    name = uuid.uuid4().hex
    return f"{name[:2]}/{name[2:4]}/{name}"


def thumbnail_key(key: str) -> str:
    return f"{key}.thumb"


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key outside the storage root")
        return path

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, key, data)

    def _put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def list_files(self) -> list[StoredFile]:
        return await asyncio.to_thread(lambda: list(self._walk()))

    def _walk(self) -> Iterator[StoredFile]:
        if not self.root.exists():
            return
        for path in self.root.rglob("*"):
            if path.is_file():
                modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
                yield StoredFile(str(path.relative_to(self.root)), modified)


def storage_from(settings: Settings) -> Storage:
    return LocalStorage(settings.storage_dir or settings.data_dir / "attachments")

"""Where attachment bytes live: one interface, two backends chosen by ``ALMANAC_STORAGE_BACKEND``.

* ``local`` (default): a directory, ``ALMANAC_STORAGE_DIR`` or ``<ALMANAC_DATA_DIR>/attachments``
  (``LocalStorage`` below);
* ``s3``: a bucket of any S3-compatible object store (AWS S3, MinIO, Ceph RGW...),
  ``server/storage_s3.py``.

Keys are opaque (``ab/cd/<uuid>``); the database row (``db.models.Attachment``) is what
makes a key reachable, so a backend only stores, reads, deletes and lists. Both make a
write all-or-nothing (a temporary file renamed into place; a single S3 PUT, which S3
never shows half-done), and uploads write before their row commits, so a crash leaves
at worst a whole file without a row, which ``jobs/attachments.sweep_orphan_files``
removes. Listing is by pages in key order (``list_page(after, limit)``, S3's
``StartAfter``), so the sweep's memory is one page whatever the store holds.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from server.settings import Settings

if TYPE_CHECKING:
    from server.storage_s3 import S3Config

LIST_PAGE_SIZE = 1000  # S3 answers at most 1,000 keys per ListObjectsV2 call
CHUNK_SIZE = 256 * 1024


class StorageUnavailable(RuntimeError):
    """The backend could not be reached or refused to answer (not: the key is absent)."""


@dataclass(frozen=True, slots=True)
class Opened:
    size: int
    chunks: AsyncIterator[bytes]  # closes the file or connection when exhausted or closed


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    modified_at: datetime


class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` whole or not at all."""

    async def get(self, key: str) -> bytes | None:
        """The bytes, or None when nothing is stored under ``key``."""

    async def open(self, key: str) -> Opened | None:
        """The stored size and the bytes in chunks of at most ``CHUNK_SIZE`` (a download
        holds one chunk in memory, not the file), or None when nothing is stored under ``key``;
        ``StorageUnavailable`` when the backend cannot tell."""

    async def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is absent."""

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Remove up to ``LIST_PAGE_SIZE`` keys (one request on S3)."""

    async def list_page(self, after: str | None, limit: int) -> list[StoredFile]:
        """At most ``limit`` stored files whose keys sort after ``after``, in key order."""


async def pages(storage: Storage, page_size: int = LIST_PAGE_SIZE) -> AsyncIterator[list[StoredFile]]:
    """Every stored file, one page at a time. Deleting keys of a page already yielded is safe."""
    after: str | None = None
    while True:
        page = await storage.list_page(after, page_size)
        if page:
            yield page
        if len(page) < page_size:
            return
        after = page[-1].key


def new_key() -> str:
    name = uuid.uuid4().hex
    return f"{name[:2]}/{name[2:4]}/{name}"


def thumbnail_key(key: str) -> str:
    return f"{key}.thumb"


class LocalStorage:
    """Files under ``root``; a key is a relative path."""

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

    async def open(self, key: str) -> Opened | None:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            return None
        except OSError as error:  # the volume is gone or unreadable: the file may well exist
            raise StorageUnavailable(str(error)) from error
        size = os.fstat(handle.fileno()).st_size
        return Opened(size, chunks_of(handle.read, handle.close))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def delete_many(self, keys: Sequence[str]) -> None:
        # A thread hop per file: one hop unlinking a whole page measured 2-4x slower on this machine
        # (bench/attachment_sweep.py), with nothing to gain from batching a local directory.
        for key in keys:
            await self.delete(key)

    async def list_page(self, after: str | None, limit: int) -> list[StoredFile]:
        return await asyncio.to_thread(lambda: list(itertools.islice(self._walk(self.root, "", after), limit)))

    def _walk(self, directory: Path, prefix: str, after: str | None) -> Iterator[StoredFile]:
        """Files under ``directory`` in key order, skipping whole directories that sort before ``after``.

        A directory's entries are ordered as their keys compare: a directory ``d`` as ``d/``
        (``ab.thumb`` sorts before ``ab/...``, as S3 would list them)."""
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            return
        named = sorted((entry.name + ("/" if entry.is_dir(follow_symlinks=False) else ""), entry) for entry in entries)
        for name, entry in named:
            key = prefix + name
            if name.endswith("/"):
                # Every key under it starts with ``key``: all sort before ``after`` unless it extends ``key``.
                if after is None or key > after or after.startswith(key):
                    yield from self._walk(Path(entry.path), key, after)
            elif entry.is_file(follow_symlinks=False) and (after is None or key > after):
                try:
                    modified = datetime.fromtimestamp(entry.stat().st_mtime, tz=UTC)
                except FileNotFoundError:
                    continue  # deleted while listing
                yield StoredFile(key, modified)


async def chunks_of(read: Callable[[int], bytes], close: Callable[[], object]) -> AsyncIterator[bytes]:
    """Chunks from a blocking ``read`` (a file, an S3 body), each read in a worker thread."""
    try:
        while chunk := await asyncio.to_thread(read, CHUNK_SIZE):
            yield chunk
    finally:
        await asyncio.to_thread(close)


def storage_from(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        from server.storage_s3 import S3Config

        return _s3_storage(S3Config.from_settings(settings))
    return LocalStorage(settings.storage_dir or settings.data_dir / "attachments")


@lru_cache(maxsize=4)
def _s3_storage(config: S3Config) -> Storage:
    """One client per configuration: a boto3 client is thread-safe, and costly to build per request."""
    from server.storage_s3 import S3Storage

    return S3Storage(config)

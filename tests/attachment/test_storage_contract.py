"""One storage contract, run against both backends (``storage`` is parametrized: a local
directory, and an S3 bucket on a moto server the tests start)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from server.deploy_check import deployment_findings
from server.settings import Settings
from server.storage import (
    CHUNK_SIZE,
    LocalStorage,
    Storage,
    StoredFile,
    new_key,
    pages,
    storage_from,
    thumbnail_key,
)
from server.storage_s3 import S3Config, S3Storage, client_for

# Sorted as S3 lists keys, "." < "/" < "0": the local walk must list a directory "aa/b/"
# between the files "aa/b.thumb" and "aa/b0".
KEYS = ["aa/b.thumb", "aa/b/c", "aa/b0", "aa/bb/d", "ab/.e.partial", "ab/e", "b"]


async def keys_of(storage: Storage, page_size: int) -> list[list[str]]:
    return [[f.key for f in page] async for page in pages(storage, page_size)]


async def test_bytes_round_trip_and_absent_keys_are_none(storage: Storage) -> None:
    key = new_key()
    data = bytes(range(256)) * 40

    await storage.put(key, data)
    await storage.put(thumbnail_key(key), b"thumb")

    assert await storage.get(key) == data
    assert await storage.get(thumbnail_key(key)) == b"thumb"
    assert await storage.get(new_key()) is None
    await storage.delete(key)
    await storage.delete(key)  # absent: no error
    assert await storage.get(key) is None
    assert await storage.get(thumbnail_key(key)) == b"thumb"


async def test_a_stored_file_streams_in_bounded_chunks(storage: Storage) -> None:
    key = new_key()
    data = bytes(range(251)) * (CHUNK_SIZE * 2 // 251 + 7)  # two chunks and a bit
    await storage.put(key, data)

    opened = await storage.open(key)

    assert opened is not None and opened.size == len(data)
    chunks = [chunk async for chunk in opened.chunks]
    assert b"".join(chunks) == data and len(chunks) >= 3 and max(map(len, chunks)) <= CHUNK_SIZE
    assert await storage.open(new_key()) is None


async def test_listing_pages_in_key_order_from_any_point(storage: Storage) -> None:
    for key in reversed(KEYS[:4] + KEYS[5:]):
        await storage.put(key, key.encode())
    await storage.put(KEYS[4], b"a cut-off write")

    assert await keys_of(storage, 3) == [KEYS[:3], KEYS[3:6], KEYS[6:]]
    assert await keys_of(storage, len(KEYS)) == [KEYS]  # a full last page: one more (empty) call ends it
    assert [f.key for f in await storage.list_page("aa/b.thumb", 2)] == ["aa/b/c", "aa/b0"]
    assert [f.key for f in await storage.list_page("aa/b/c", 1)] == ["aa/b0"]
    assert [f.key for f in await storage.list_page("aa/c", 10)] == KEYS[4:]
    assert await storage.list_page("b", 10) == []
    page = await storage.list_page(None, 1)
    assert isinstance(page[0], StoredFile) and page[0].modified_at.tzinfo is not None


async def test_delete_many_removes_exactly_those_keys(storage: Storage) -> None:
    for key in KEYS:
        await storage.put(key, b"x")

    await storage.delete_many(["aa/b0", "aa/bb/d", "zz/never-stored"])
    await storage.delete_many([])

    assert await keys_of(storage, 100) == [[k for k in KEYS if k not in ("aa/b0", "aa/bb/d")]]


async def test_keys_cannot_leave_the_store(storage: Storage) -> None:
    for key in ("../outside", "aa/../../outside"):
        with pytest.raises(ValueError):
            await storage.put(key, b"x")
        with pytest.raises(ValueError):
            await storage.get(key)


async def test_an_s3_store_never_reads_outside_its_prefix(s3_config: S3Config) -> None:
    client = client_for(s3_config)
    client.put_object(Bucket=s3_config.bucket, Key="other-app/report.pdf", Body=b"not ours")
    client.put_object(Bucket=s3_config.bucket, Key="attachmentsX", Body=b"not ours either")
    storage = S3Storage(s3_config)
    await storage.put("aa/b", b"ours")

    assert await keys_of(storage, 10) == [["aa/b"]]
    listed = client.list_objects_v2(Bucket=s3_config.bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == ["attachments/aa/b", "attachmentsX", "other-app/report.pdf"]


def test_the_s3_backend_is_chosen_by_settings_and_needs_a_bucket(s3_config: S3Config) -> None:
    with pytest.raises(ValidationError, match="ALMANAC_S3_BUCKET"):
        Settings(ALMANAC_STORAGE_BACKEND="s3")
    with pytest.raises(ValidationError, match="or neither"):
        Settings(ALMANAC_STORAGE_BACKEND="s3", ALMANAC_S3_BUCKET="b", ALMANAC_S3_ACCESS_KEY_ID="k")
    settings = Settings(ALMANAC_STORAGE_BACKEND="s3", ALMANAC_S3_BUCKET=s3_config.bucket,
                        ALMANAC_S3_PREFIX="/files/", ALMANAC_S3_ENDPOINT_URL=s3_config.endpoint_url)

    storage = storage_from(settings)

    assert isinstance(storage, S3Storage) and storage.config.prefix == "files/"
    assert S3Config.from_settings(Settings(ALMANAC_STORAGE_BACKEND="s3", ALMANAC_S3_BUCKET="b")).prefix == (
        "attachments/")  # by default the sweep never reaches the whole bucket
    assert S3Config.from_settings(Settings(ALMANAC_STORAGE_BACKEND="s3", ALMANAC_S3_BUCKET="b",
                                           ALMANAC_S3_PREFIX="")).prefix == ""
    assert storage_from(settings) is storage  # one client per configuration, not per request
    assert isinstance(storage_from(Settings()), LocalStorage)
    assert [f.setting for f in deployment_findings(settings)
            if f.setting.startswith("ALMANAC_S3")] == []  # a loopback endpoint is not a finding
    remote = settings.model_copy(update={"s3_endpoint_url": "http://minio.internal:9000"})
    assert [f.setting for f in deployment_findings(remote) if f.setting.startswith("ALMANAC_S3")] == [
        "ALMANAC_S3_ENDPOINT_URL"]

"""Attachment bytes in an S3-compatible bucket (``ALMANAC_STORAGE_BACKEND=s3``).

boto3 is synchronous; each call runs in a worker thread (a boto3 client is thread-safe and
keeps its own connection pool). A PUT is atomic in S3: readers see the whole object or
none, so no partial object is ever listed. Uploads are bounded by
``ALMANAC_MAX_UPLOAD_BYTES`` (far below S3's 5 GB single-PUT limit), so no multipart
upload is ever started and none can be left behind. Keys live under ``ALMANAC_S3_PREFIX``
(default ``attachments/``), and listing never leaves it: the orphan sweep deletes what no
row refers to there, and nothing outside it.
"""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from server.settings import Settings
from server.storage import LIST_PAGE_SIZE, Opened, StorageUnavailable, StoredFile, chunks_of

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class StorageError(RuntimeError):
    """The object store refused part of a request."""


@dataclass(frozen=True, slots=True)
class S3Config:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Config:
        if not settings.s3_bucket:
            raise ValueError("ALMANAC_STORAGE_BACKEND=s3 needs ALMANAC_S3_BUCKET")
        prefix = settings.s3_prefix.strip("/")
        secret = settings.s3_secret_access_key
        return cls(
            bucket=settings.s3_bucket, prefix=f"{prefix}/" if prefix else "", endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region, access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret is not None else None,
        )


def client_for(config: S3Config) -> S3Client:
    # Path-style addressing for a custom endpoint: MinIO and most self-hosted stores do not
    # serve bucket subdomains. Bounded timeouts and retries: a stalled store fails the
    # (VALIDATION-free INTERNAL) rather than holding a request forever.
    botocore_config = Config(
        signature_version="s3v4", connect_timeout=5, read_timeout=30,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path" if config.endpoint_url else "auto"},
    )
    session = boto3.session.Session()
    client: S3Client = session.client(
        "s3", endpoint_url=config.endpoint_url, region_name=config.region,
        aws_access_key_id=config.access_key_id, aws_secret_access_key=config.secret_access_key,
        config=botocore_config,
    )
    return client


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code", "")) in MISSING


class S3Storage:
    def __init__(self, config: S3Config, client: S3Client | None = None) -> None:
        self.config = config
        self.client = client or client_for(config)

    def _object(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError("storage key outside the storage prefix")
        return self.config.prefix + key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self.client.put_object, Bucket=self.config.bucket, Key=self._object(key), Body=data,
                                ContentType="application/octet-stream")

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, self._object(key))

    def _get(self, name: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.config.bucket, Key=name)
        except ClientError as error:
            if _missing(error):
                return None
            raise
        body: bytes = response["Body"].read()
        return body

    async def open(self, key: str) -> Opened | None:
        name = self._object(key)
        try:
            response = await asyncio.to_thread(self.client.get_object, Bucket=self.config.bucket, Key=name)
        except ClientError as error:
            if _missing(error):
                return None
            raise StorageUnavailable(str(error)) from error
        except BotoCoreError as error:  # unreachable, timed out, bad credentials chain
            raise StorageUnavailable(str(error)) from error
        body = response["Body"]
        return Opened(int(response["ContentLength"]), chunks_of(body.read, body.close))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.config.bucket, Key=self._object(key))

    async def delete_many(self, keys: Sequence[str]) -> None:
        if len(keys) > LIST_PAGE_SIZE:
            raise ValueError(f"at most {LIST_PAGE_SIZE} keys per call")
        if not keys:
            return
        objects: Any = [{"Key": self._object(key)} for key in keys]
        response = await asyncio.to_thread(self.client.delete_objects, Bucket=self.config.bucket,
                                           Delete={"Objects": objects, "Quiet": True})
        if response.get("Errors"):
            failed = [(e.get("Key"), e.get("Code")) for e in response["Errors"]]
            raise StorageError(f"the object store kept {len(failed)} of {len(keys)} keys: {failed[:3]}")

    async def list_page(self, after: str | None, limit: int) -> list[StoredFile]:
        if not 0 < limit <= LIST_PAGE_SIZE:
            raise ValueError(f"a page holds 1 to {LIST_PAGE_SIZE} keys")  # S3 would cut it short silently
        prefix = self.config.prefix
        arguments: dict[str, Any] = {"Bucket": self.config.bucket, "Prefix": prefix, "MaxKeys": limit}
        if after is not None:
            arguments["StartAfter"] = prefix + after
        response = await asyncio.to_thread(lambda: self.client.list_objects_v2(**arguments))
        return [StoredFile(item["Key"][len(prefix):], item["LastModified"]) for item in response.get("Contents", [])]

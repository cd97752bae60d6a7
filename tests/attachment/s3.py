"""A real S3-compatible HTTP server for the storage tests: moto's, in a thread of the test process.

Each test gets a bucket of its own. Without moto installed (the ``test`` extra has it) the
S3 cases skip, saying so; the local ones still run.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest

from server.storage_s3 import S3Config, client_for
from tests.conftest import free_port

try:
    from moto.server import ThreadedMotoServer
except ImportError:  # pragma: no cover - the test extra installs it
    ThreadedMotoServer = None

REASON = "moto is not importable: install the test extra (moto[server]) to run the S3 backend tests"
CREDENTIALS = {"access_key_id": "almanac-test", "secret_access_key": "almanac-test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    if ThreadedMotoServer is None:
        pytest.skip(REASON)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_config(s3_endpoint: str) -> S3Config:
    """A fresh bucket; keys under a prefix, as a deployment sharing a bucket would set."""
    config = S3Config(bucket=f"almanac-{uuid.uuid4().hex[:12]}", prefix="attachments/", endpoint_url=s3_endpoint,
                      **CREDENTIALS)
    client_for(config).create_bucket(Bucket=config.bucket)
    return config

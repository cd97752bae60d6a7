"""Uploading through the GraphQL multipart request spec and downloading by signed URL."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, Visibility
from server.settings import Settings
from server.signed_urls import signed_path
from tests.attachment.conftest import MAX_UPLOAD, Upload, files_in, png_bytes
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import gid

START = datetime(2031, 3, 3, 9, tzinfo=UTC)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_a_photo_is_sniffed_stored_thumbnailed_and_downloaded_by_signed_url(
    upload: Upload, client: httpx.AsyncClient, make_user: UserFactory, session: AsyncSession, settings: Settings
) -> None:
    owner = await make_user()
    event = await f.event(session, START, owner_id=owner.id, visibility=Visibility.INTERNAL)
    photo = png_bytes()

    body = await upload(owner, gid("Event", event.id), photo, filename="../../site visit.png", content_type="text/plain")

    payload = body["data"]["uploadAttachment"]
    assert payload["errors"] == []
    attachment = payload["attachment"]
    assert attachment["filename"] == "site visit.png"  # no path from the client survives
    assert attachment["contentType"] == "image/png"  # from the bytes, not the client's word
    assert attachment["sizeBytes"] == len(photo) and attachment["isPhoto"] is True
    original = await client.get(path_of(attachment["url"]))
    assert original.status_code == 200 and original.content == photo
    assert original.headers["x-content-type-options"] == "nosniff"
    thumbnail = await client.get(path_of(attachment["thumbnailUrl"]))
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    assert thumbnail.content[:3] == b"\xff\xd8\xff"
    assert len(files_in(settings)) == 2  # the file and its thumbnail, nothing partial


async def test_a_tampered_or_expired_link_is_refused(
    upload: Upload, client: httpx.AsyncClient, make_user: UserFactory, session: AsyncSession, settings: Settings
) -> None:
    owner = await make_user()
    event = await f.event(session, START, owner_id=owner.id)
    body = await upload(owner, gid("Event", event.id), b"agenda,time\nopening,09:00\n", filename="agenda.csv")
    attachment = body["data"]["uploadAttachment"]["attachment"]
    assert attachment["contentType"] == "text/csv" and attachment["thumbnailUrl"] is None
    pk = int(urlsplit(attachment["url"]).path.split("/")[2])
    good = path_of(attachment["url"])

    assert (await client.get(good)).status_code == 200
    assert (await client.get(good[:-1] + ("0" if good[-1] != "0" else "1"))).status_code == 403
    other = signed_path(settings.secret_key, pk + 1, "original", 60)
    assert (await client.get(other)).status_code in (403, 404)  # a signature is for one attachment only
    expired = signed_path(settings.secret_key, pk, "original", 60, now=time.time() - 3600)
    response = await client.get(expired)
    assert response.status_code == 403 and "expired" in response.json()["error"]


async def test_limits_and_refused_types_answer_validation(
    upload: Upload, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    parent = gid("Event", (await f.event(session, START, owner_id=owner.id)).id)

    cases = {
        "too large": (b"a" * (MAX_UPLOAD + 1), "big.txt"),
        "html disguised as text": (b"<!DOCTYPE html><script>alert(1)</script>", "notes.txt"),
        "executable": (b"MZ\x90\x00" + b"\x00" * 200, "setup.pdf"),
        "empty": (b"", "empty.txt"),
    }
    for name, (data, filename) in cases.items():
        body = await upload(owner, parent, data, filename=filename)
        payload = body["data"]["uploadAttachment"]
        assert payload["attachment"] is None, name
        assert [e["code"] for e in payload["errors"]] == ["VALIDATION"], name
        assert payload["errors"][0]["field"] == "input.file", name


async def test_viewers_cannot_attach_and_anonymous_callers_are_refused(
    upload: Upload, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, viewer = await make_user(), await make_user(Role.VIEWER)
    parent = gid("Event", (await f.event(session, START, owner_id=owner.id)).id)

    body = await upload(viewer, parent, png_bytes())
    assert [e["code"] for e in body["data"]["uploadAttachment"]["errors"]] == ["PERMISSION_DENIED"]
    body = await upload(None, parent, png_bytes())
    assert body["data"] is None or body["data"]["uploadAttachment"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_occurrence_has_its_own_files_and_sees_the_series_ones(
    upload: Upload, gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    series = await f.event(session, START, owner_id=owner.id, rrule="FREQ=WEEKLY;COUNT=4", timezone="UTC")
    second = datetime(2031, 3, 10, 9, tzinfo=UTC)
    await upload(owner, gid("Event", series.id), b"series agenda", filename="agenda.txt")
    await upload(owner, gid("Event", series.id), png_bytes(), occurrence=second.isoformat())

    query = """query($id: ID!, $at: DateTime) { node(id: $id) { ... on Event {
        all: attachments { totalCount } one: attachments(occurrence: $at) { nodes { filename isPhoto } } } } }"""
    body = await gql(query, {"id": gid("Event", series.id), "at": second.isoformat()}, user=owner)
    node = body["data"]["node"]
    assert node["all"]["totalCount"] == 1  # the series' own files only
    assert sorted(n["isPhoto"] for n in node["one"]["nodes"]) == [False, True]

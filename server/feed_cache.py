"""ETags and rate limits for the ``.ics`` feed and export, so a polling calendar client costs
(almost) nothing while nothing changed.

The ETag of a feed is a hash of what its body depends on: who and what it shows (link or
user, filters, window) and the data's version. Every write that can change a feed's body
records a change-log row in its own transaction (the one place changes are published from),
so the version is read from the change log alone, in one statement (one snapshot):
``max(position)`` and the highest id and count of rows not yet numbered. It changes whenever
a transaction with change rows commits, whatever order ids were taken in: the relay numbers
only committed rows, in transactions that commit one after the other, so a newly numbered row
raises ``max(position)`` (pruning never deletes the newest position); until then the row is
one more unnumbered row. A highest *id* alone would not do: ids are taken before commit, so a
transaction holding a lower id that commits after a reader saw a higher one would leave it
unchanged and the feed answering 304 with stale data, which is why the audit log's ``max(id)``
is not part of the version (every audited write a feed shows writes a change row too). Windows are aligned to the UTC day,
so the body, and with it the ETag, changes at most once a day without a data change. The ETag
is weak: two bodies with the same ETag mean the same calendar, not the same bytes.
"""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.rate_limit import feed_limiter_for

DATA_VERSION = text(
    "SELECT (SELECT max(position) FROM change_log),"
    " (SELECT max(id) FROM change_log WHERE position IS NULL),"
    " (SELECT count(*) FROM change_log WHERE position IS NULL)"
)


async def data_version(session: AsyncSession) -> str:
    row = (await session.execute(DATA_VERSION)).one()
    return ":".join(str(value) for value in row)


def weak_etag(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def not_modified(request: Request, etag: str) -> bool:
    """RFC 9110 13.1.2: If-None-Match compares weakly; ``*`` matches any current representation."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def not_modified_response(etag: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "private, max-age=60"})


async def feed_refusal(request: Request, feed_key: str) -> JSONResponse | None:
    """429 when this feed (or this client address) has been fetched too often this minute."""
    state: Any = request.app.state.almanac
    limiter = feed_limiter_for(state)
    if limiter is None:
        return None
    address = request.client.host if request.client is not None else "unknown"
    for identity in (f"feed:{feed_key}", f"feed-ip:{address}"):
        verdict = await limiter.hit(identity)
        if not verdict.allowed:
            return JSONResponse(
                {"error": f"Too many downloads (limit {limiter.describe()}); retry in {verdict.retry_after_seconds} s."
                          " Calendar clients should poll at most every few minutes.",
                 "code": "RATE_LIMITED"},
                status_code=429, headers={"Retry-After": str(verdict.retry_after_seconds)},
            )
    return None

"""iCalendar over HTTP: the bearer's own export and share-link feeds.

- ``GET /calendar/export.ics?start=&end=&modules=``: the signed-in user's view
  (401 without a valid bearer token, 400 for a bad window or module).
- ``GET /calendar/feed/{token}.ics``: the owner's view narrowed by the link's
  filters, PRIVATE entries shown only as its ``privateEvents`` says
  (``db/policies/feed.py``); 404 for an unknown, revoked or expired token (or an
  inactive owner).

Both are rate limited (per feed or user, and per client address: 429) and answer
``304 Not Modified`` to an ``If-None-Match`` with the current ETag (``server.feed_cache``).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db.enums import CalendarModule
from db.models import User
from db.policies.viewer import Viewer
from db.queries.calendar_scope import CalendarScope
from db.queries.share_link import active_link_for_token
from resolvers.calendar import window
from resolvers.calendar_export import Feed, default_window, export_scope
from resolvers.mutation import validation
from schema.core.errors import DomainError
from server.auth import bearer_token, user_id_from_token
from server.feed_cache import (
    data_version,
    feed_refusal,
    not_modified,
    not_modified_response,
    weak_etag,
)

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


def ics_response(body: bytes, *, filename: str, etag: str) -> Response:
    return Response(body, media_type=ICS_MEDIA_TYPE, headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, max-age=60",
        "ETag": etag,
    })


def today_utc() -> datetime:
    """Now, truncated to the UTC day: default windows move once a day, so ETags hold all day."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status)


def parse_moment(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise validation(f"{name} must be an ISO 8601 date-time.", name) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_modules(value: str | None) -> frozenset[CalendarModule] | None:
    if not value:
        return None
    try:
        return frozenset(CalendarModule(part.strip().upper()) for part in value.split(",") if part.strip())
    except ValueError:
        raise validation(
            f"modules must be a comma-separated list of {', '.join(m.value for m in CalendarModule)}.", "modules"
        ) from None


async def export_ics(request: Request) -> Response:
    state: Any = request.app.state.almanac
    user_id = user_id_from_token(bearer_token(request.headers.get("authorization")) or "", state.settings.secret_key)
    max_days = state.settings.max_window_days
    async with state.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.id == user_id, User.is_active.is_(True))) \
            if user_id is not None else None
        if user is None:
            return error(401, "UNAUTHENTICATED", "Send 'Authorization: Bearer <token>'.")
        refusal = await feed_refusal(request, f"user:{user.id}")
        if refusal is not None:
            return refusal
        try:
            start, end = default_window(today_utc(), max_days)
            if "start" in request.query_params:
                start = parse_moment(request.query_params["start"], "start")
            if "end" in request.query_params:
                end = parse_moment(request.query_params["end"], "end")
            start, end = window(start, end, max_days)
            modules = parse_modules(request.query_params.get("modules"))
        except DomainError as problem:
            return error(400, "VALIDATION", str(problem.errors[0].message))
        scope = CalendarScope(start=start, end=end, viewer=Viewer.of(user), modules=modules)
        etag = weak_etag("export", user.id, user.name, start.isoformat(), end.isoformat(),
                         sorted(m.value for m in modules or ()), await data_version(session))
        if not_modified(request, etag):
            return not_modified_response(etag)
        body = await export_scope(session, scope, name=f"Almanac: {user.name}")
    return ics_response(body, filename="almanac.ics", etag=etag)


async def share_feed(request: Request) -> Response:
    state: Any = request.app.state.almanac
    token = str(request.path_params["token"])
    async with state.sessionmaker() as session:
        link = await active_link_for_token(session, token) if len(token) <= 200 else None
        owner = await session.scalar(select(User).where(User.id == link.owner_id, User.is_active.is_(True))) \
            if link is not None else None
        if link is None or owner is None:
            return error(404, "NOT_FOUND", "No such feed.")
        refusal = await feed_refusal(request, f"link:{link.id}")
        if refusal is not None:
            return refusal
        start, end = default_window(today_utc(), state.settings.max_window_days)
        scope = CalendarScope(
            start=start, end=end, viewer=Viewer.of(owner),
            modules=frozenset(CalendarModule(m) for m in link.modules) if link.modules else None,
            community_ids=tuple(link.community_ids) if link.community_ids else None,
            resource_ids=tuple(link.resource_ids) if link.resource_ids else None,
        )
        etag = weak_etag("feed", link.id, link.name, owner.id, link.modules, link.community_ids, link.resource_ids,
                         link.private_events, start.isoformat(), end.isoformat(), await data_version(session))
        if not_modified(request, etag):
            return not_modified_response(etag)
        feed = Feed(owner_id=owner.id, privacy=link.private_events, salt=state.settings.secret_key)
        body = await export_scope(session, scope, name=link.name or "Almanac", feed=feed)
    return ics_response(body, filename="feed.ics", etag=etag)


ICS_ROUTES = [
    Route("/calendar/export.ics", export_ics, methods=["GET"]),
    Route("/calendar/feed/{token}.ics", share_feed, methods=["GET"]),
]

"""Relay connections backed by SQL: ``first``/``after`` become LIMIT/OFFSET.

``first`` defaults to 20 and is capped at 100 (the cost limit charges by it).
``totalCount`` runs its COUNT only when a client selects it.
"""
from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dataloaders.registry import read_records
from schema.core.errors import DomainError, ErrorCode

NodeT = TypeVar("NodeT")

DEFAULT_PAGE = 20
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset just after ``cursor`` (0 without one)."""
    if cursor is None:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(value)
    except Exception:
        raise DomainError.one(ErrorCode.VALIDATION, "Malformed cursor.", "after") from None
    if kind != "o" or offset < 0:
        raise DomainError.one(ErrorCode.VALIDATION, "Malformed cursor.", "after")
    return offset + 1


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise DomainError.one(ErrorCode.VALIDATION, f"first must be between 0 and {MAX_PAGE}.", "first")
    return first


def connection_from_rows(
    rows: Sequence[Any],
    *,
    offset: int,
    limit: int,
    to_node: Callable[[Any], NodeT],
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    """Build a page from ``limit + 1`` fetched rows (the extra one tells hasNextPage)."""
    page = rows[:limit]
    edges = [Edge(cursor=encode_cursor(offset + i), node=to_node(row)) for i, row in enumerate(page)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > limit,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], NodeT],
    plain_rows: bool = False,
) -> Connection[NodeT]:
    """One page of ``stmt`` (already filtered and ordered) as a connection.

    ``plain_rows``: ``to_node`` gets the statement's rows as plain records (``dataloaders.registry``;
    say, of ``columns_of(Model)``) instead of its first column's values (ORM instances for ``select(Model)``).
    """
    limit = page_size(first)
    offset = decode_cursor(after)
    page = stmt.limit(limit + 1).offset(offset)
    rows = await read_records(session, page) if plain_rows else (await session.scalars(page)).all()

    async def count() -> int:
        total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        return int(total or 0)

    return connection_from_rows(rows, offset=offset, limit=limit, to_node=to_node, count=count)


def paginate_list(
    items: Sequence[Any], *, first: int | None, after: str | None, to_node: Callable[[Any], NodeT]
) -> Connection[NodeT]:
    """A connection over a list already loaded (e.g. by a dataloader)."""
    limit = page_size(first)
    offset = decode_cursor(after)
    total = len(items)

    async def count() -> int:
        return total

    return connection_from_rows(
        items[offset : offset + limit + 1], offset=offset, limit=limit, to_node=to_node, count=count
    )

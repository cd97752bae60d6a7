"""A small throwaway schema for the limit, cost and metrics tests: one connection, lists, nesting.

It runs the real schema's one extension (``server.operation.AlmanacOperation``), so its
answers are coded and anonymous callers refused as the real schema's are.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.core.extensions import AlmanacSchema
from server.operation import AlmanacOperation
from server.settings import Settings


@strawberry.type
class Tag:
    name: str


@strawberry.type
class PageInfo:
    has_next_page: bool


@strawberry.type
class ItemEdge:
    cursor: str
    node: Item


@strawberry.type
class ItemConnection:
    edges: list[ItemEdge]
    page_info: PageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[Item]:
        return [edge.node for edge in self.edges]


def connection(first: int | None, depth: int) -> ItemConnection:
    size = 3 if first is None else min(first, 3)
    items = [Item(id=strawberry.ID(f"{depth}-{n}"), name=f"item {n}", depth=depth + 1) for n in range(size)]
    return ItemConnection(
        edges=[ItemEdge(cursor=str(n), node=item) for n, item in enumerate(items)],
        page_info=PageInfo(has_next_page=False),
        total_count=len(items),
    )


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    depth: strawberry.Private[int]

    @strawberry.field
    def tags(self) -> list[Tag]:
        return [Tag(name="a"), Tag(name="b")]

    @strawberry.field
    def parent(self) -> Item | None:
        return Item(id=strawberry.ID("parent"), name="parent", depth=self.depth + 1)

    @strawberry.field
    def children(self, first: int | None = None, after: str | None = None) -> ItemConnection:
        return connection(first, self.depth)


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Person(Named):
    age: int


@strawberry.type
class Query:
    @strawberry.field
    def items(self, first: int | None = None, after: str | None = None) -> ItemConnection:
        return connection(first, 0)

    @strawberry.field
    def item(self, id: strawberry.ID) -> Item | None:
        return Item(id=id, name="one", depth=0)

    @strawberry.field
    def tags(self) -> list[Tag]:
        return [Tag(name="x")]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Person(name="p", age=3)]

    @strawberry.field
    async def statements(self, info: strawberry.Info) -> int:
        """Runs two SQL statements on the engine in the context (for the metrics test)."""
        engine: AsyncEngine = info.context.engine
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            await conn.execute(text("SELECT 2"))
        return 2


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> int:
        return 1


limited_schema = AlmanacSchema(query=Query, mutation=Mutation, types=[Person], extensions=[AlmanacOperation])


@dataclass
class StateStub:
    """The parts of server.app.AppState the extensions read."""

    settings: Settings
    redis: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class ClientStub:
    host: str


@dataclass
class RequestStub:
    client: ClientStub


@dataclass
class UserStub:
    id: int


@dataclass
class ContextStub:
    state: StateStub | None = None
    user: UserStub | None = None
    request: RequestStub | None = None
    response: Any = None
    engine: AsyncEngine | None = None


def signed_in() -> ContextStub:
    """A caller the schema answers (an anonymous one may select only the open root fields)."""
    return ContextStub(user=UserStub(id=1))


async def run(query: str, context: ContextStub | None = None, **kwargs: Any) -> Any:
    return await limited_schema.execute(query, context_value=context or signed_in(), **kwargs)



"""Relay ``Node`` support for types backed by an ORM model.

A type subclasses ``ModelNode``, sets ``model`` and implements ``from_model``;
``node(id:)``/``nodes(ids:)`` and ``load_node`` (a foreign key's object) then load
rows through the per-request by-id loader and keep only those ``readable`` lets
through (e.g. PRIVATE events of other users read as null).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self, TypeVar

import strawberry
from strawberry import relay

from server.context import Context


class ModelNode(relay.Node):
    model: ClassVar[type[Any]]

    @classmethod
    def from_model(cls, row: Any) -> Self:
        raise NotImplementedError

    @classmethod
    def can_read(cls, ctx: Context, row: Any) -> bool:
        return True

    @classmethod
    async def readable(cls, ctx: Context, rows: Iterable[Any]) -> list[Any]:
        """The rows the viewer may read, in order; override when the rule needs a (batched) load."""
        return [row for row in rows if cls.can_read(ctx, row)]

    # Node's overloads promise no None when required=True; this answers None for ids that are
    # missing or not readable by the viewer whatever ``required`` says (the schema's node and
    # nodes fields are nullable, so Strawberry asks with required=False).
    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls,
        *,
        info: strawberry.Info,
        node_ids: Iterable[str],
        required: bool = False,
    ) -> list[Self | None]:
        ctx: Context = info.context
        keys: list[int | None] = []
        for node_id in node_ids:
            try:
                keys.append(int(node_id))
            except ValueError:
                keys.append(None)
        valid = [k for k in keys if k is not None]
        rows = [r for r in await ctx.loaders.by_id(cls.model).load_many(valid) if r is not None]
        allowed = {row.id: row for row in await cls.readable(ctx, rows)}
        return [cls.from_model(allowed[k]) if k is not None and k in allowed else None for k in keys]


N = TypeVar("N", bound=ModelNode)


async def load_node(info: strawberry.Info, node_type: type[N], pk: int | None) -> N | None:
    """The object a foreign key points to, or None when unset, gone or not readable by the viewer."""
    if pk is None:
        return None
    ctx: Context = info.context
    row = await ctx.loaders.by_id(node_type.model).load(pk)
    if row is None or not await node_type.readable(ctx, [row]):
        return None
    return node_type.from_model(row)

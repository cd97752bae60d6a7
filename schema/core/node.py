"""Relay ``Node`` support for types backed by an ORM model.

A type subclasses ``ModelNode``, sets ``model`` and implements ``from_model``;
``node(id:)``/``nodes(ids:)`` then load rows through the per-request by-id
loader and apply ``can_read`` (e.g. PRIVATE events of other users read as null).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self

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
    async def resolve_nodes(
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
        rows = dict(zip(valid, await ctx.loaders.by_id(cls.model).load_many(valid), strict=True))
        result: list[Self | None] = []
        for key in keys:
            row = rows.get(key) if key is not None else None
            result.append(cls.from_model(row) if row is not None and cls.can_read(ctx, row) else None)
        return result

"""Relay ``Node`` support for types backed by an ORM model.

A type subclasses ``ModelNode``, sets ``model`` and implements ``from_model``;
``node(id:)``/``nodes(ids:)`` and ``load_node`` (a foreign key's object) then load
rows through the per-request by-id loader, which applies the model's access policy
(``db.policies``): a missing row and one the viewer may not read both answer null.
There is no per-type read rule here: a model without a policy cannot be loaded.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Self, TypeVar, cast

import strawberry
from strawberry import relay

from schema.core.relations import Link, answer
from server.context import Context


class ModelNode(relay.Node):
    model: ClassVar[type[Any]]

    @classmethod
    def from_model(cls, row: Any) -> Self:
        raise NotImplementedError

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
        rows = await ctx.loaders.by_id(cls.model).load_many(valid)
        allowed = {row.id: row for row in rows if row is not None}
        return [cls.from_model(allowed[k]) if k is not None and k in allowed else None for k in keys]


N = TypeVar("N", bound=ModelNode)


async def load_node(info: strawberry.Info, node_type: type[N], pk: int | None) -> N | None:
    """The object a foreign key points to, or None when unset, gone or not readable by the viewer."""
    if pk is None:
        return None
    ctx: Context = info.context
    row = await ctx.loaders.by_id(node_type.model).load(pk)
    return None if row is None else node_type.from_model(row)


def node_now(info: strawberry.Info, node_type: type[N], pk: int | None) -> N | None:
    """``load_node`` for a sync resolver: the object itself when its row is loaded, else an awaitable of it.

    (Typed as the object: Strawberry and graphql-core await whatever awaitable a resolver returns.)
    """
    if pk is None:
        return None
    ctx: Context = info.context
    result = answer(ctx.loaders.by_id(node_type.model), pk, lambda row: None if row is None else node_type.from_model(row))
    return cast("N | None", result)


def node_link(model: type[Any], key: Callable[[Any], int | None], to_node: Callable[[Any], N]) -> Link[Any, int, Any, N | None]:
    """A foreign key's object as a ``Link``: ``node_now`` for a resolver the fast path may peek."""
    return Link(lambda ctx: ctx.loaders.by_id(model), key, lambda row: None if row is None else to_node(row))

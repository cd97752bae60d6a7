"""``node``/``nodes`` refuse ids that name an interface (``Node:82``) as a client mistake.

Strawberry resolves such an id to the ``Node`` interface itself, whose ``resolve_nodes``
is not implemented: the NotImplementedError used to reach clients as INTERNAL.
"""
from __future__ import annotations

import inspect
from typing import Any

import strawberry
from strawberry.extensions.field_extension import FieldExtension, SyncExtensionResolver
from strawberry.relay.types import GlobalID, GlobalIDValueError
from strawberry.types.base import StrawberryObjectDefinition


def _check_concrete(info: strawberry.Info, kwargs: dict[str, Any]) -> None:
    ids = [kwargs["id"]] if "id" in kwargs else list(kwargs.get("ids") or ())
    for gid in ids:
        if not isinstance(gid, GlobalID):
            continue
        definition = info.schema.get_type_by_name(gid.type_name)
        if isinstance(definition, StrawberryObjectDefinition) and definition.is_interface:
            raise GlobalIDValueError(
                f"`{gid.type_name}` is an interface; an id names a concrete type (such as User or Task)."
            )


class ConcreteNodeIds(FieldExtension):
    def resolve(self, next_: SyncExtensionResolver, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        _check_concrete(info, kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: SyncExtensionResolver, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        _check_concrete(info, kwargs)
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result

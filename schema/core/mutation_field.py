"""The shape of the schema's mutation fields: one ``input`` argument, handed with the request's
context to a resolver (``resolvers/``) that answers the payload.

``create_team = mutation_field(resolve.create_team)`` declares what the hand-written method

    @strawberry.mutation
    async def create_team(self, info: strawberry.Info, input: CreateTeamInput) -> TeamPayload:
        return await resolve.create_team(info.context, input)

declared: the argument and payload types are the resolver's own annotations, the field's name
is the attribute's.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, get_type_hints

import strawberry

from server.context import Context

I = TypeVar("I")  # noqa: E741 the input type
P = TypeVar("P")


def mutation_field(resolve: Callable[[Context, I], Awaitable[P]], *, description: str | None = None) -> Any:
    hints = get_type_hints(resolve)

    async def field(self: Any, info: strawberry.Info, input: I) -> P:
        return await resolve(info.context, input)

    field.__annotations__ = {"info": strawberry.Info, "input": hints["input"], "return": hints["return"]}
    return strawberry.mutation(field, description=description)

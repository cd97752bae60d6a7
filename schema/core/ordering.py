"""Ordering for connections: ``orderBy: {field: NAME, direction: DESC}``.

A list declares its sortable columns once with ``sortable("Event", {...})`` and
its GraphQL input as a class decorated by ``Sortable.input``, which adds the
field enum (one member per column) and the direction; ``apply_order`` replaces
the query's ORDER BY and appends the primary key so pages stay stable.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import strawberry
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


class OrderInput:
    """What every orderBy input holds; its GraphQL fields are added by ``Sortable.input``."""

    field: enum.Enum
    direction: SortDirection


OrderInputT = TypeVar("OrderInputT", bound=OrderInput)


@dataclass(frozen=True)
class Sortable:
    """One list's sortable columns, by GraphQL field-enum name."""

    type_name: str
    columns: dict[str, InstrumentedAttribute[Any]]
    tiebreaker: InstrumentedAttribute[Any]

    def input(self, cls: type[OrderInputT]) -> type[OrderInputT]:
        """Make ``cls`` the GraphQL input ``<type_name>Order`` with fields ``field`` and ``direction``."""
        # The functional Enum API builds a class mypy can only see as an instance.
        members = cast("type[enum.Enum]", enum.Enum(f"{self.type_name}OrderField", {name: name for name in self.columns}))
        field_enum = strawberry.enum(members)
        cls.__annotations__ = {"field": field_enum, "direction": SortDirection}
        cls.direction = SortDirection.ASC
        return strawberry.input(
            cls,
            name=f"{self.type_name}Order",
            description=f"How to order {self.type_name} lists; ties are broken by id.",
        )


def sortable(type_name: str, columns: dict[str, InstrumentedAttribute[Any]],
             tiebreaker: InstrumentedAttribute[Any]) -> Sortable:
    return Sortable(type_name=type_name, columns=columns, tiebreaker=tiebreaker)


def apply_order(stmt: Select[Any], sortable: Sortable, order: OrderInput | None) -> Select[Any]:
    """``stmt`` ordered by ``order`` (an instance of a ``sortable.input`` class), or unchanged."""
    if order is None:
        return stmt
    column = sortable.columns[order.field.value]
    descending = order.direction == SortDirection.DESC
    key = column.desc().nulls_last() if descending else column.asc().nulls_last()
    tie = sortable.tiebreaker.desc() if descending else sortable.tiebreaker.asc()
    return stmt.order_by(None).order_by(key, tie)

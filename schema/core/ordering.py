"""Ordering for connections: ``orderBy: {field: NAME, direction: DESC}``.

A list declares its sortable columns once with ``sortable("Event", {...})``,
which builds the GraphQL enum and input types; ``apply_order`` replaces the
query's ORDER BY and appends the primary key so pages stay stable.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True)
class Sortable:
    """The GraphQL input type for one list's ordering, and the columns it maps to."""

    input_type: Any
    columns: dict[str, InstrumentedAttribute[Any]]
    tiebreaker: InstrumentedAttribute[Any]


def sortable(type_name: str, columns: dict[str, InstrumentedAttribute[Any]],
             tiebreaker: InstrumentedAttribute[Any]) -> Sortable:
    field_enum = strawberry.enum(enum.Enum(f"{type_name}OrderField", {name: name for name in columns}))
    input_type = strawberry.input(
        type(f"{type_name}Order", (), {
            "__annotations__": {"field": field_enum, "direction": SortDirection},
            "direction": SortDirection.ASC,
        }),
        name=f"{type_name}Order",
        description=f"How to order {type_name} lists; ties are broken by id.",
    )
    return Sortable(input_type=input_type, columns=columns, tiebreaker=tiebreaker)


def apply_order(stmt: Select[Any], sortable: Sortable, order: Any | None) -> Select[Any]:
    """``stmt`` ordered by ``order`` (an instance of ``sortable.input_type``), or unchanged."""
    if order is None:
        return stmt
    column = sortable.columns[order.field.value]
    descending = order.direction == SortDirection.DESC
    key = column.desc().nulls_last() if descending else column.asc().nulls_last()
    tie = sortable.tiebreaker.desc() if descending else sortable.tiebreaker.asc()
    return stmt.order_by(None).order_by(key, tie)

"""Per-request dataloaders, each limited to what the request's viewer may read.

Each domain module defines plain batch functions
``async def tasks_by_ppa_id(reader, keys) -> list[...]`` returning results in key
order; every statement they run ANDs ``reader.readable(Model)`` (the entity's access
policy, ``db.policies``) for each model it returns. ``Loaders.of(fn)`` wraps one in a
DataLoader the first time a request asks for it. ``Loaders.by_id(Model)`` loads rows
by primary key through the same policy: a row the viewer may not read is None.

Hot list paths read plain records: ``records(result)`` of a ``select(*columns_of(Model))``
gives named tuples carrying the model's column attributes by name (no ORM instance, identity
map or instrumentation; and not SQLAlchemy ``Row``s either, whose attribute access costs
~4 us against ~50 ns for a named tuple's), and match keys with ``any_of`` (``= ANY($1)``: one array parameter, so the statement text, and
with it the prepared statement, does not change with the number of keys).
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import (
    ColumnElement,
    Executable,
    Result,
    Select,
    any_,
    bindparam,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from db.base import IdMixin
from db.policies import Viewer, readable_by
from db.session import SerializedSession

# A plain record (``records``): a named tuple whose fields are a model's column attribute names.
# Typed Any: its fields depend on the statement; readers use them like the model's attributes.
Record: TypeAlias = Any

K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M", bound=IdMixin)  # a model with an integer primary key ``id``



@dataclass(frozen=True, slots=True)
class Reader:
    """A session and the viewer it reads for."""

    session: AsyncSession
    viewer: Viewer

    def readable(self, model: type[Any]) -> ColumnElement[bool]:
        return readable_by(model, self.viewer)


BatchFn = Callable[[Reader, Sequence[K]], Awaitable[Sequence[V]]]


class Loaders:
    def __init__(self, session_factory: Callable[[], AsyncSession], viewer_factory: Callable[[], Viewer]) -> None:
        self._session = session_factory
        self._viewer = viewer_factory
        self._loaders: dict[Any, DataLoader[Any, Any]] = {}

    @property
    def reader(self) -> Reader:
        return Reader(self._session(), self._viewer())

    def _reader_factory(self) -> Callable[[], Reader]:
        """``self.reader`` as a function that does not hold ``self``: a loader's batch function held
        by the registry that holds the loader would be a reference cycle per request (issue 12)."""
        session, viewer = self._session, self._viewer
        return lambda: Reader(session(), viewer())

    def of(self, batch: BatchFn[K, V]) -> DataLoader[K, V]:
        loader = self._loaders.get(batch)
        if loader is None:

            reader = self._reader_factory()

            async def load(keys: list[K]) -> Sequence[V]:
                return await batch(reader(), keys)

            loader = DataLoader(load_fn=load)
            self._loaders[batch] = loader
        return loader

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        loader = self._loaders.get(model)
        if loader is None:

            reader = self._reader_factory()

            async def load(keys: list[int]) -> list[M | None]:
                return await rows_by_id(reader(), model, keys)

            loader = DataLoader(load_fn=load)
            self._loaders[model] = loader
        return loader

    def prime(self, model: type[M], rows: Sequence[M]) -> None:
        """Seed the by-id cache with rows a list query already fetched (through the same policy)."""
        loader = self.by_id(model)
        for row in rows:
            loader.prime(row.id, row)


async def rows_by_id(reader: Reader, model: type[M], keys: Sequence[int]) -> list[M | None]:
    """Rows by id in key order; None for a missing row or one the viewer may not read."""
    result = await reader.session.scalars(select(model).where(reader.readable(model), any_of(model.id, keys)))
    by_id = {row.id: row for row in result}
    return [by_id.get(key) for key in keys]


def group_by(rows: Sequence[Any], attr: str, keys: Sequence[Any]) -> list[list[Any]]:
    """Group rows under the key each carries in ``attr``, in key order."""
    grouped: dict[Any, list[Any]] = {key: [] for key in keys}
    for row in rows:
        grouped.setdefault(getattr(row, attr), []).append(row)
    return [grouped[key] for key in keys]


def group_pairs(pairs: Iterable[tuple[Any, V]], keys: Sequence[Any]) -> list[list[V]]:
    """Group ``(key, value)`` rows (e.g. a link table's key joined to its target), in key order."""
    grouped: dict[Any, list[V]] = {key: [] for key in keys}
    for key, value in pairs:
        grouped[key].append(value)
    return [grouped[key] for key in keys]


@cache
def columns_of(model: type[Any]) -> tuple[InstrumentedAttribute[Any], ...]:
    """Every column attribute of ``model``: selected, they give rows whose names are the model's attributes
    (labelled so where a column's name differs, since Core execution names a row's fields by column)."""
    return tuple(getattr(model, attr.key) if attr.columns[0].name == attr.key else getattr(model, attr.key).label(attr.key)
                 for attr in inspect(model).column_attrs)


def any_of(column: InstrumentedAttribute[Any], keys: Sequence[Any]) -> ColumnElement[bool]:
    """``column = ANY($1)`` with ``keys`` as one array parameter (``IN`` renders a parameter per key)."""
    condition: ColumnElement[bool] = column == any_(literal(list(keys), ARRAY(column.type)))
    return condition


@cache
def _record_type(keys: tuple[str, ...]) -> type[tuple[Any, ...]]:
    return namedtuple("Record", keys)


async def read_records(session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None) -> list[Record]:
    """``statement``'s rows as records, run as Core runs it when the session allows (``execute_core``)."""
    if isinstance(session, SerializedSession):
        return records(await session.execute_core(statement, params))
    return records(await session.execute(statement, params))


def records(result: Result[Any]) -> list[Record]:
    """The result's rows as named tuples (fields: the statement's column names, in order)."""
    make = _record_type(tuple(result.keys()))._make  # type: ignore[attr-defined]
    return [make(row) for row in result]


KEYS = "keys"  # the array parameter of a ``per_viewer`` statement (``in_keys``)


def in_keys(column: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """``column = ANY(:keys)``: the loader's keys, passed at execution as ``{KEYS: [...]}``."""
    condition: ColumnElement[bool] = column == any_(bindparam(KEYS, type_=ARRAY(column.type)))
    return condition


def per_viewer(build: Callable[[Viewer], Select[Any]], size: int = 1024) -> Callable[[Viewer], Select[Any]]:
    """``build(viewer)``, built once per viewer (cleared when ``size`` viewers are held).

    For a loader's statement whose only other input is its keys (``in_keys``): building a
    select and generating its cache key cost ~0.25 ms of CPU, and a reused statement object
    keeps its memoized cache key, so only the keys change from one request to the next.
    """
    built: dict[Viewer, Select[Any]] = {}

    def statement(viewer: Viewer) -> Select[Any]:
        found = built.get(viewer)
        if found is None:
            if len(built) >= size:
                built.clear()
            found = built[viewer] = build(viewer)
        return found

    return statement

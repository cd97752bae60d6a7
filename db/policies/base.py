"""What every entity's access policy provides (see ``db/policies/__init__.py`` for the registry).

A policy answers "who may read this row" twice, from one rule:

* ``readable(viewer)``: a SQL condition on the model's table, ANDed into every read
  (root lists, ``node``/``nodes``, relation loaders, counts, filters, calendar sources,
  feeds, import matching, mutation targets);
* ``audiences(session, ids)``: the same rule evaluated in Python over the rows' facts,
  stored on each change-log row so subscriptions deliver a change only to its readers.

``tests/policy/test_policy_agreement.py`` checks that the two agree on random rows and users.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.policies.audience import NOBODY, SIGNED_IN, Audience
from db.policies.viewer import Viewer

M = TypeVar("M")


class EntityPolicy(ABC, Generic[M]):
    model: ClassVar[type[Any]]
    entity_type: ClassVar[str]  # the name used in the change log and in global ids

    @abstractmethod
    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        """SQL condition on ``model``'s table: ``viewer`` may read the row."""

    @abstractmethod
    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        """Who may read each row now (ids of missing rows map to nobody)."""

    def select(self, viewer: Viewer) -> Select[Any]:
        """``SELECT model`` limited to what ``viewer`` may read: start every read here."""
        return select(self.model).where(self.readable(viewer))

    async def audience(self, session: AsyncSession, pk: int) -> Audience:
        return (await self.audiences(session, [pk])).get(pk, NOBODY)


class OfficeWidePolicy(EntityPolicy[M]):
    """Office records every signed-in user may read; nothing for anonymous callers."""

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return true() if viewer.signed_in else false()

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        found = await session.scalars(select(self.model.id).where(self.model.id.in_(list(ids))))
        return {pk: SIGNED_IN for pk in found}


def signed_in_and(viewer: Viewer, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return condition if viewer.signed_in else false()

"""What every entity's access policy provides (see ``db/policies/__init__.py`` for the registry).

A policy answers "who may read this row" twice, from one rule:

* ``readable(viewer)``: a SQL condition on the model's table, ANDed into every read
  (root lists, ``node``/``nodes``, relation loaders, counts, filters, calendar sources,
  feeds, import matching, mutation targets);
* ``audiences(session, ids)``: the same rule evaluated in Python over the rows' facts,
  stored on each change-log row so subscriptions deliver a change only to its readers.

``tests/policy/test_policy_agreement.py`` checks that the two agree on random rows and users.

A reader limited to teams (``Viewer.team_ids``: an API key scoped to teams) reads a row only
when the policy's ``in_teams`` also holds: every subclass's ``readable`` is wrapped to AND it
in, so no read path can forget it. ``in_teams`` is false unless a policy says how its rows
belong to teams (or that they are office catalogue rows belonging to no team in particular).
"""
from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.policies.audience import NOBODY, SIGNED_IN, Audience
from db.policies.viewer import Viewer

M = TypeVar("M")


class EntityPolicy(ABC, Generic[M]):
    model: ClassVar[type[Any]]
    entity_type: ClassVar[str]  # the name used in the change log and in global ids

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        rule = cls.__dict__.get("readable")
        if rule is not None and not getattr(rule, "__isabstractmethod__", False):
            cls.readable = _limited_to_teams(rule)  # type: ignore[method-assign, assignment]

    @abstractmethod
    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        """SQL condition on ``model``'s table: ``viewer`` may read the row."""

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        """SQL: the row belongs to one of ``team_ids`` (for readers limited to teams). Nothing by
        default: a reader limited to teams never reads rows whose policy says nothing about teams."""
        return false()

    @abstractmethod
    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        """Who may read each row now (ids of missing rows map to nobody)."""

    def select(self, viewer: Viewer) -> Select[Any]:
        """``SELECT model`` limited to what ``viewer`` may read: start every read here."""
        return select(self.model).where(self.readable(viewer))

    async def audience(self, session: AsyncSession, pk: int) -> Audience:
        return (await self.audiences(session, [pk])).get(pk, NOBODY)


Rule = Callable[[Any, Viewer], ColumnElement[bool]]


def _limited_to_teams(rule: Rule) -> Rule:
    @functools.wraps(rule)
    def readable(self: EntityPolicy[Any], viewer: Viewer) -> ColumnElement[bool]:
        condition = rule(self, viewer)
        if viewer.team_ids is None:
            return condition
        return and_(condition, self.in_teams(viewer.team_ids))

    readable.limited_to_teams = True  # type: ignore[attr-defined]
    return readable


class OfficeWidePolicy(EntityPolicy[M]):
    """Office records every signed-in user may read; nothing for anonymous callers."""

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return true() if viewer.signed_in else false()

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        found = await session.scalars(select(self.model.id).where(self.model.id.in_(list(ids))))
        return {pk: SIGNED_IN for pk in found}


class CataloguePolicy(OfficeWidePolicy[M]):
    """Office-wide reference records that belong to no team in particular (resources, templates,
    communities, ordinances): a reader limited to teams reads them as any signed-in user does."""

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return true()


def signed_in_and(viewer: Viewer, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return condition if viewer.signed_in else false()

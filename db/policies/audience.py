"""Who may receive a change: the write-side twin of a policy's SQL read predicate.

An audience is stored on every change-log row (columns, see ``db.models.log``), so
subscription filters decide from the row alone, live and on replay.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from db.enums import Role
from db.policies.viewer import Viewer


class Scope(enum.IntEnum):
    """Widest group that may read; ``LISTED`` means only ``user_ids`` and ``roles``."""

    LISTED = 0
    SIGNED_IN = 1
    PUBLIC = 2


@dataclass(frozen=True, slots=True)
class Audience:
    scope: Scope = Scope.LISTED
    user_ids: frozenset[int] = frozenset()
    roles: frozenset[Role] = frozenset()

    def includes(self, viewer: Viewer) -> bool:
        if self.scope is Scope.PUBLIC:
            return True
        if viewer.user_id is None:
            return False
        if self.scope is Scope.SIGNED_IN:
            return True
        return viewer.user_id in self.user_ids or (viewer.role is not None and viewer.role in self.roles)

    def __or__(self, other: Audience) -> Audience:
        return Audience(max(self.scope, other.scope), self.user_ids | other.user_ids, self.roles | other.roles)

    def among(self, user_ids: Iterable[int]) -> Audience:
        """Those of ``user_ids`` this audience includes, listed. Judged by id alone: a user whom
        only a listed role would include is left out (told too little, never too much)."""
        return listed(u for u in user_ids if self.scope is not Scope.LISTED or u in self.user_ids)

    @property
    def is_empty(self) -> bool:
        return self.scope is Scope.LISTED and not self.user_ids and not self.roles

    def columns(self, prefix: str) -> dict[str, Any]:
        """As the change log stores it: ``<prefix>_scope``, ``<prefix>_user_ids``, ``<prefix>_roles``."""
        return {
            f"{prefix}_scope": int(self.scope),
            f"{prefix}_user_ids": sorted(self.user_ids),
            f"{prefix}_roles": sorted(r.value for r in self.roles),
        }

    @classmethod
    def from_columns(cls, row: dict[str, Any], prefix: str) -> Audience | None:
        scope = row.get(f"{prefix}_scope")
        if scope is None:
            return None
        return cls(
            Scope(int(scope)),
            frozenset(int(i) for i in row.get(f"{prefix}_user_ids") or ()),
            frozenset(Role(r) for r in row.get(f"{prefix}_roles") or ()),
        )


NOBODY = Audience()
SIGNED_IN = Audience(Scope.SIGNED_IN)
PUBLIC = Audience(Scope.PUBLIC)
DECIDERS = frozenset({Role.MANAGER, Role.ADMIN})


def at_most_signed_in(audience: Audience) -> Audience:
    """The audience of something derived from an object that signed-in users only may read, even
    when the object itself is PUBLIC (a public meeting's minutes, its attachments)."""
    return SIGNED_IN if audience.scope is Scope.PUBLIC else audience


def listed(user_ids: Iterable[int | None], roles: Iterable[Role] = ()) -> Audience:
    return Audience(Scope.LISTED, frozenset(i for i in user_ids if i is not None), frozenset(roles))

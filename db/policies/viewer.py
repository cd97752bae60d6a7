"""Who is reading: the signed-in user reduced to what access rules look at."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from db.enums import Role


class UserLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def role(self) -> Role: ...


@dataclass(frozen=True, slots=True)
class Viewer:
    """Anonymous when ``user_id`` is None. Hashable, so it can key loaders and caches.

    ``team_ids`` set: a reader limited to what belongs to those teams (an API key scoped to
    teams); every policy ANDs its ``in_teams`` rule into ``readable`` (``db/policies/base.py``).
    None: no such limit (every signed-in user).
    """

    user_id: int | None = None
    role: Role | None = None
    team_ids: frozenset[int] | None = None

    @classmethod
    def of(cls, user: UserLike | None, *, team_ids: frozenset[int] | None = None) -> Viewer:
        if user is None:
            return ANONYMOUS
        return cls(user_id=user.id, role=user.role, team_ids=team_ids)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def is_manager(self) -> bool:
        """MANAGER or ADMIN: the roles that decide budgets and bookings."""
        return self.role in (Role.MANAGER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


ANONYMOUS = Viewer()


def as_viewer(who: Viewer | UserLike | None) -> Viewer:
    """A ``Viewer`` from a viewer, a ``User`` row (or anything with ``id`` and ``role``) or None."""
    return who if isinstance(who, Viewer) else Viewer.of(who)

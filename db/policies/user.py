"""Users: every signed-in user may read the staff directory (name, role, teams).

The email address is personal: only the user, MANAGER and ADMIN read it, and only they
may search by it (``email_readable``). Anonymous callers read no user.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, select

from db.enums import Role
from db.models import TeamMembership, User
from db.policies.base import OfficeWidePolicy
from db.policies.teams import of_teams
from db.policies.viewer import Viewer
from db.policies.write import RoleEditable


def email_readable(viewer: Viewer, user_id: int) -> bool:
    return viewer.user_id == user_id or viewer.is_manager


def may_search_email(viewer: Viewer) -> bool:
    return viewer.is_manager


class UserPolicy(RoleEditable, OfficeWidePolicy[User]):
    """Accounts are administered (created, re-roled, deactivated, passwords reset) by ADMIN; a
    user's own password and settings are theirs (``changePassword``, personal records)."""

    model = User
    entity_type = "User"
    editor_roles = (Role.ADMIN,)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        """Members of those teams."""
        return (select(TeamMembership.user_id)
                .where(TeamMembership.user_id == User.id, of_teams(TeamMembership.team_id, team_ids))
                .correlate(User).exists())


USERS = UserPolicy()

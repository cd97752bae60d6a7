"""Users: every signed-in user may read the staff directory (name, role, teams).

The email address is personal: only the user, MANAGER and ADMIN read it, and only they
may search by it (``email_readable``). Anonymous callers read no user.
"""
from __future__ import annotations

from db.models import User
from db.policies.base import OfficeWidePolicy
from db.policies.viewer import Viewer


def email_readable(viewer: Viewer, user_id: int) -> bool:
    return viewer.user_id == user_id or viewer.is_manager


def may_search_email(viewer: Viewer) -> bool:
    return viewer.is_manager


class UserPolicy(OfficeWidePolicy[User]):
    model = User
    entity_type = "User"

"""Whether everyone a change was told to may still read its object: SQL over the object's row now.

A change's audience is fixed when it is written; a subscriber shown the change later (a
catch-up replay after a reconnect, or a live delivery that ran behind) is shown the row as it
is *now*, which may have been narrowed since (a task moved under a PRIVATE event). Reading the
row only when this holds keeps that content from those the change reached but who may not read
the row any more; the change that narrowed it tells them it left.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, true

from db.policies import policy_for
from db.policies.audience import Audience, Scope
from db.policies.feed import OFFICE
from db.policies.viewer import ANONYMOUS, Viewer


def readable_by_all_told(model: type[Any], audience: Audience) -> ColumnElement[bool]:
    """SQL: every reader ``audience`` names may read the ``model`` row (listed users by their id,
    as audiences list them; listed roles as a member of that role who is nobody)."""
    policy = policy_for(model)
    if audience.scope is Scope.PUBLIC:
        return policy.readable(ANONYMOUS)
    if audience.scope is Scope.SIGNED_IN:
        return policy.readable(OFFICE)
    viewers = [Viewer(user_id=pk) for pk in sorted(audience.user_ids)]
    viewers += [Viewer(user_id=0, role=role) for role in sorted(audience.roles)]
    return and_(true(), *(policy.readable(viewer) for viewer in viewers))

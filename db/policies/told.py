"""Whether everyone a change was told to may still read its object: its audience now covers then.

A change's audience is fixed when it is written; a subscriber shown the change later (a
catch-up replay after a reconnect, or a live delivery that ran behind) is shown the row as it
is *now*, which may have been narrowed since (a task moved under a PRIVATE event). Reading the
row only when this holds keeps that content from those the change reached but who may not read
the row any more; the change that narrowed it tells them it left.

The row's audience now comes from the policy's own ``audiences`` (a fixed number of statements,
whatever the audience): an SQL read rule per listed reader grew with the audience, a PRIVATE
event's 500 participants built ~0.7 s of SQL for each change of a task under it, and past
~2,300 listed readers the statement passed asyncpg's 32,767 parameters.
"""
from __future__ import annotations

from db.policies.audience import Audience, Scope


def covers(now: Audience, told: Audience) -> bool:
    """Whether every reader ``told`` names is among ``now``'s, judged as audiences list them: a
    listed user by id, a listed role as the role (a user ``now`` includes only through a role
    counts as left out: the row is then withheld, never shown too widely)."""
    if now.scope != told.scope:
        return now.scope > told.scope
    if told.scope is not Scope.LISTED:
        return True
    return told.user_ids <= now.user_ids and told.roles <= now.roles

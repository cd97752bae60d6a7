"""The write side of a policy: who may change a row, as a SQL condition next to ``readable``.

A policy with write rules implements ``EditablePolicy``; mutations load their target
with both conditions in one statement (``resolvers/targets.editable_target``): a row
the caller may not read is NOT_FOUND, one they may read but not change is
PERMISSION_DENIED naming ``editors``. The table in ``docs/permissions.md`` lists them.
"""
from __future__ import annotations

from typing import Any, ClassVar, Protocol

from sqlalchemy import ColumnElement, false, true

from db.enums import Role
from db.policies.viewer import Viewer


class EditablePolicy(Protocol):
    model: ClassVar[type[Any]]
    editors: ClassVar[str]  # who may change a row, in words, for PERMISSION_DENIED messages

    def readable(self, viewer: Viewer) -> ColumnElement[bool]: ...

    def editable(self, viewer: Viewer) -> ColumnElement[bool]: ...


class RoleEditable:
    """A write rule that is a role alone, the same for every row (office administration: API keys,
    accounts, teams, communities). A mutation refuses anyone else before it loads anything
    (``ctx.require_role(*policy.editor_roles)``), then loads its target with ``editable_target``."""

    editor_roles: ClassVar[tuple[Role, ...]]
    editors: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "editor_roles" in cls.__dict__:
            cls.editors = " and ".join(role.value for role in cls.editor_roles)

    def editable(self, viewer: Viewer) -> ColumnElement[bool]:
        return true() if viewer.role in self.editor_roles else false()

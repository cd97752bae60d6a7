"""The write side of a policy: who may change a row, as a SQL condition next to ``readable``.

A policy with write rules implements ``EditablePolicy``; mutations load their target
with both conditions in one statement (``resolvers/targets.editable_target``): a row
the caller may not read is NOT_FOUND, one they may read but not change is
PERMISSION_DENIED naming ``editors``. The table in ``docs/permissions.md`` lists them.
"""
from __future__ import annotations

from typing import Any, ClassVar, Protocol

from sqlalchemy import ColumnElement

from db.policies.viewer import Viewer


class EditablePolicy(Protocol):
    model: ClassVar[type[Any]]
    editors: ClassVar[str]  # who may change a row, in words, for PERMISSION_DENIED messages

    def readable(self, viewer: Viewer) -> ColumnElement[bool]: ...

    def editable(self, viewer: Viewer) -> ColumnElement[bool]: ...

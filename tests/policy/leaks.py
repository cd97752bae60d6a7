"""Shared pieces of the leak matrix: a secret marker and the roles that must never see it.

Each leak-matrix module (``test_leaks_*.py``) builds objects whose text carries
``SECRET`` (a per-test marker), then asks every read path as each role and checks
with ``seen`` whether the marker came back. Readers must see it (so a path that
returns nothing cannot pass); non-readers (another STAFF, a VIEWER, anonymous) must not.
Each module appends the paths it covers to ``PATHS`` so the matrix's size is printed.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from db.enums import Role

NON_READER_ROLES = ("other_staff", "viewer", "anonymous")

# (path, entity, roles asked): every leak-matrix module appends what it covers; the
# size (paths x entities x roles) is printed at the end of the run (tests/policy/conftest.py).
PATHS: list[tuple[str, str, int]] = []


def secret_marker() -> str:
    return f"SECRET-{uuid.uuid4().hex[:12]}"


def seen(marker: str, response: Any) -> bool:
    """The marker appears anywhere in a response (JSON body, text, headers, frames, errors)."""
    text = response if isinstance(response, str | bytes) else json.dumps(response, default=str)
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return marker in text


@dataclass(frozen=True, slots=True)
class RoleSpec:
    name: str
    role: Role | None  # None: anonymous


NON_READERS = (RoleSpec("other_staff", Role.STAFF), RoleSpec("viewer", Role.VIEWER), RoleSpec("anonymous", None))

"""A published change-log row as the broker and subscribers see it, and its cursor.

The relay publishes batches of changes as JSON on one Redis channel; every
server process decodes each batch once and shares the ``Change`` objects
among all its subscribers.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.enums import ChangeOp
from db.policies.audience import NOBODY, Audience
from db.policies.viewer import Viewer

CURSOR_PREFIX = "change:"


@dataclass(frozen=True, slots=True)
class Change:
    position: int
    id: int
    entity_type: str
    entity_id: int
    op: ChangeOp
    payload: dict[str, Any]
    actor_id: int | None
    created_at: datetime
    audience: Audience = NOBODY  # who receives the change's content
    former: Audience | None = None  # who could read the object before: they get a removal

    @property
    def cursor(self) -> str:
        return encode_cursor(self.position)

    def reaches(self, viewer: Viewer) -> bool:
        """The viewer receives this change at all (its content, or a removal)."""
        return self.audience.includes(viewer) or (self.former is not None and self.former.includes(viewer))

    def removes_for(self, viewer: Viewer) -> bool:
        """The viewer could read the object before this change and may not read it now."""
        return not self.audience.includes(viewer) and self.former is not None and self.former.includes(viewer)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Change:
        return cls(
            position=int(row["position"]), id=int(row["id"]), entity_type=row["entity_type"],
            entity_id=int(row["entity_id"]), op=ChangeOp(row["op"]), payload=row["payload"] or {},
            actor_id=row["actor_id"], created_at=row["created_at"],
            audience=Audience.from_columns(row, "audience") or NOBODY,
            former=Audience.from_columns(row, "former"),
        )

    def to_json(self) -> dict[str, Any]:
        data = {
            "position": self.position, "id": self.id, "entity_type": self.entity_type,
            "entity_id": self.entity_id, "op": self.op.value, "payload": self.payload,
            "actor_id": self.actor_id, "created_at": self.created_at.isoformat(),
        } | self.audience.columns("audience")
        if self.former is not None:
            data |= self.former.columns("former")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls.from_row({**data, "created_at": datetime.fromisoformat(data["created_at"])})


def encode_batch(changes: list[Change]) -> str:
    return json.dumps({"changes": [c.to_json() for c in changes]}, separators=(",", ":"))


def decode_batch(message: bytes | str) -> list[Change]:
    return [Change.from_json(item) for item in json.loads(message)["changes"]]


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    """The position a cursor names, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not raw.startswith(CURSOR_PREFIX):
        return None
    try:
        position = int(raw[len(CURSOR_PREFIX):])
    except ValueError:
        return None
    return position if position >= 0 else None

"""Opaque global ids (``base64("Type:pk")``) and decoding with a type check."""
from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.relay import GlobalID

from schema.core.errors import DomainError, ErrorCode


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(str(GlobalID(type_name, str(pk))))


def decode_id(value: str, expected_type: str | tuple[str, ...], *, field: str) -> int:
    """Decode a global id, insisting it names ``expected_type``; VALIDATION otherwise."""
    expected = (expected_type,) if isinstance(expected_type, str) else expected_type
    try:
        gid = GlobalID.from_id(value)
        pk = int(gid.node_id)
    except Exception:
        raise DomainError.one(ErrorCode.VALIDATION, "Not a valid id.", field) from None
    if gid.type_name not in expected:
        raise DomainError.one(
            ErrorCode.VALIDATION, f"Expected an id of {' or '.join(expected)}, got {gid.type_name}.", field
        )
    return pk


def decode_optional_id(value: str | None, expected_type: str | tuple[str, ...], *, field: str) -> int | None:
    """``decode_id`` for an optional filter or argument: None (or empty) stays None."""
    return decode_id(value, expected_type, field=field) if value else None


def decode_typed_id(value: str, *, field: str) -> tuple[str, int]:
    try:
        gid = GlobalID.from_id(value)
        return gid.type_name, int(gid.node_id)
    except Exception:
        raise DomainError.one(ErrorCode.VALIDATION, "Not a valid id.", field) from None


def decode_ids(values: Sequence[str] | None, expected_type: str, *, field: str) -> list[int] | None:
    if values is None:
        return None
    return [decode_id(v, expected_type, field=field) for v in values]

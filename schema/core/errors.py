"""Typed errors: ``UserError`` in mutation payloads, ``extensions.code`` at the top level."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

import strawberry


@strawberry.enum
class ErrorCode(enum.Enum):
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    BAD_REQUEST = "BAD_REQUEST"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"  # login: wrong email or password


@strawberry.type
class UserError:
    code: ErrorCode
    field: str | None
    message: str


@dataclass
class DomainError(Exception):
    """Raised by resolvers for an expected failure; becomes ``errors`` in the payload."""

    errors: list[UserError] = field(default_factory=list)

    @classmethod
    def one(cls, code: ErrorCode, message: str, field: str | None = None) -> DomainError:
        return cls([UserError(code=code, field=field, message=message)])

    def __str__(self) -> str:
        return "; ".join(f"{e.code.value}: {e.message}" for e in self.errors)


class TopLevelCode(enum.StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL = "INTERNAL"
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    SERVER_BUSY = "SERVER_BUSY"  # no slot to run in within the admission wait (HTTP 503)
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    BAD_REQUEST = "BAD_REQUEST"

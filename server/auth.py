"""Password hashing (argon2) and JWT bearer tokens (PyJWT)."""
from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import NamedTuple

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# argon2 takes ~64 MiB and tens of milliseconds per hash by design: at most two at once (one
# per core), in worker threads, so a burst of sign-ins queues instead of exhausting memory.
_HASHING_SLOTS = threading.BoundedSemaphore(2)
ALGORITHM = "HS256"
VERSION_CLAIM = "ver"  # users.token_version at issue time


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_password_hash() -> str:
    """A real argon2 hash of nothing anyone knows: unknown emails are verified against it,
    so a sign-in costs the same whether or not the address exists (no timing oracle)."""
    import secrets

    return _hasher.hash(secrets.token_urlsafe(24))


def _hash_in_slot(password: str) -> str:
    with _HASHING_SLOTS:
        return hash_password(password)


def _verify_in_slot(password_hash: str, password: str) -> bool:
    with _HASHING_SLOTS:
        return verify_password(password_hash, password)


async def hash_password_off_loop(password: str) -> str:
    """argon2 takes tens of milliseconds of CPU by design: keep it off the event loop."""
    return await asyncio.to_thread(_hash_in_slot, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    """Verify in a worker thread; ``None`` (no such user) verifies against the dummy hash and fails."""
    if password_hash is None:
        await asyncio.to_thread(_verify_in_slot, dummy_password_hash(), password)
        return False
    return await asyncio.to_thread(_verify_in_slot, password_hash, password)


class TokenSubject(NamedTuple):
    user_id: int
    expires: float  # POSIX timestamp
    version: int  # the user's token_version when the token was issued


def issue_token(user_id: int, secret: str, *, ttl_minutes: int, token_version: int = 0) -> str:
    """A bearer token for the user; pass their current ``token_version`` (a lower one is refused)."""
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=ttl_minutes),
              VERSION_CLAIM: token_version}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def user_id_from_token(token: str, secret: str) -> int | None:
    """The user id a valid, unexpired token names; None for anything else."""
    subject = token_subject(token, secret)
    return subject.user_id if subject is not None else None


def token_subject(token: str, secret: str) -> TokenSubject | None:
    """Who a valid, unexpired token names, until when, at which version; None for anything else.

    A token without a version claim (issued before versions existed) counts as version 0.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
        version = claims.get(VERSION_CLAIM, 0)
        if not isinstance(version, int) or isinstance(version, bool):
            return None
        return TokenSubject(int(claims["sub"]), float(claims["exp"]), version)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        return None


def token_expiry(token: str, secret: str) -> datetime | None:
    """When a valid token expires (None for anything but a valid token)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError, OverflowError):
        return None


def bearer_token(header_value: str | None) -> str | None:
    if not header_value:
        return None
    scheme, _, token = header_value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None

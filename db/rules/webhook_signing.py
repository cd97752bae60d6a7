"""Webhook signatures: HMAC-SHA256 over ``"<timestamp>.<body>"`` (the Stripe scheme).

Header ``Almanac-Signature: t=<unix seconds>,v1=<hex digest>``. A receiver recomputes the
digest with its signing secret and refuses a timestamp older than its tolerance, so a
captured delivery cannot be replayed later.
"""
from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Almanac-Signature"
IDEMPOTENCY_HEADER = "Almanac-Delivery"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: int,
           tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")

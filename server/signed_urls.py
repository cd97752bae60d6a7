"""Short-lived signed download URLs for attachments.

The URL itself is the credential (a calendar client or an <img> tag cannot send a
bearer token), so it is only ever issued to a viewer the attachment's policy lets
read it, and it expires after ``ALMANAC_DOWNLOAD_URL_SECONDS``.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

VARIANTS = ("original", "thumbnail")


def _signature(secret: str, attachment_id: int, variant: str, expires: int) -> str:
    message = f"attachment:{attachment_id}:{variant}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_path(secret: str, attachment_id: int, variant: str, ttl_seconds: int, *, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + ttl_seconds)
    query = urlencode({"expires": expires, "signature": _signature(secret, attachment_id, variant, expires)})
    return f"/attachments/{attachment_id}/{variant}?{query}"


def verify(secret: str, attachment_id: int, variant: str, expires: str, signature: str,
           *, now: float | None = None) -> bool:
    """The signature is ours for exactly this attachment and variant, and has not expired."""
    try:
        expires_at = int(expires)
    except ValueError:
        return False
    if expires_at < (now if now is not None else time.time()) or variant not in VARIANTS:
        return False
    return hmac.compare_digest(_signature(secret, attachment_id, variant, expires_at), signature)

"""Email over SMTP (aiosmtplib), configured by ``SMTP_URL``.

``smtp://user:pass@host:587`` (STARTTLS when the server offers it),
``smtps://host:465`` (implicit TLS); add ``?starttls=false`` to forbid STARTTLS.
A batch of messages shares one connection (``Mailer.connect``).

Every message carries a Message-ID derived from the notification's dedupe key,
so a message resent after a crash is the same message to the receiver.
"""
from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

PERMANENT_SMTP_ERRORS = (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None  # None: use it if the server offers it
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 30.0) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://[user:pass@]host[:port] or smtps://...")
        use_tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        start_tls: bool | None = None
        if "starttls" in query:
            start_tls = query["starttls"][0].lower() in ("1", "true", "yes")
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if use_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
            start_tls=False if use_tls else start_tls,
            timeout=timeout,
        )


def message_id_for(dedupe_key: str, domain: str = "almanac") -> str:
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]}@{domain}>"


def build_message(*, sender: str, to: str, subject: str, body: str, dedupe_key: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id_for(dedupe_key)
    message["X-Almanac-Dedupe-Key"] = dedupe_key
    message.set_content(body or subject)
    return message


class Connection:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client

    async def send(self, message: EmailMessage) -> None:
        await self.client.send_message(message)


class Mailer:
    def __init__(self, settings: SmtpSettings, sender: str) -> None:
        self.settings = settings
        self.sender = sender

    @classmethod
    def from_url(cls, url: str | None, sender: str) -> Mailer | None:
        return cls(SmtpSettings.from_url(url), sender) if url else None

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.hostname, port=s.port, username=s.username, password=s.password,
            use_tls=s.use_tls, start_tls=s.start_tls, timeout=s.timeout,
        )
        async with client:
            yield Connection(client)

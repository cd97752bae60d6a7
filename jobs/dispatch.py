"""Deliver due notifications: in-app push through the change log, email over SMTP.

Delivery guarantee (the argument, step by step):

1. Claim (one transaction): lock due PENDING rows with ``FOR UPDATE SKIP
   LOCKED`` (a second worker skips them), then per row write, in the same
   commit: the in-app push (a change-log row, once: guarded by
   ``payload.published_at``) and, when an email is due, ``attempts + 1``, a
   random claim token and a lease (``email_not_before = now + LEASE``). After
   the commit no other worker can claim the row until the lease runs out.
2. Send each claimed email over one SMTP connection, with Message-ID derived
   from the dedupe key. No send starts later than ``LEASE / 2`` after the claim
   (SMTP timeout is far shorter), so a healthy worker finishes before its lease
   ends and nobody else can send the same row meanwhile.
3. Record each outcome in its own short commit, only if the claim token still
   matches: SENT (sent_at), a retry (``email_not_before = now + backoff``,
   last_error) or FAILED after ``MAX_EMAIL_ATTEMPTS`` or a permanent refusal.

In-app delivery is exactly once (it commits with its guard). Email is
at-least-once with a bounded duplicate window: a crash between the SMTP
server's accept and the commit of step 3 leaves the row PENDING with its claim;
once the lease expires another run claims it again (attempts shows it) and
resends the *same* Message-ID, which receivers use to drop duplicates; we log it
as ``notifications.possible_duplicate``. A crash before the send loses nothing
(the lease expires, the row is claimed again). A worker that stalls for longer
than the lease between its deadline check and the SMTP accept could also cause
one resend. Bounded tries hold across crashes: a row claimed
``MAX_EMAIL_ATTEMPTS`` times without an outcome is marked FAILED.
"""
from __future__ import annotations

import time as monotonic_time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosmtplib
import structlog
from sqlalchemy import select

from db.enums import ChangeOp, DeliveryStatus
from db.models import Event, Notification
from db.queries.logs import record_change
from db.queries.notification import DeliveryPrefs, delivery_prefs, finish_claim, lock_due
from db.rules.reminders import quiet_hours_end
from jobs.context import JobCtx, mailer_of, now, sessionmaker_of
from server.mailer import PERMANENT_SMTP_ERRORS, Mailer, build_message

log = structlog.get_logger(__name__)

BATCH_SIZE = 100
LEASE = timedelta(minutes=5)
MAX_EMAIL_ATTEMPTS = 5
RUN_BUDGET_SECONDS = 50.0  # a cron run every minute: stop claiming before the next one
CLAIM_KEYS = ("claim", "email_not_before")


def email_backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 minutes ... capped at one hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


@dataclass(frozen=True, slots=True)
class ClaimedEmail:
    notification_id: int
    claim: str
    attempts: int
    to: str
    subject: str
    body: str
    dedupe_key: str


async def dispatch_due_notifications(ctx: JobCtx) -> int:
    """Deliver every due notification; returns how many rows were handled."""
    started = monotonic_time.monotonic()
    handled = 0
    while monotonic_time.monotonic() - started < RUN_BUDGET_SECONDS:
        count, emails = await claim_batch(ctx)
        handled += count
        if emails:
            await send_claimed(ctx, emails)
        if count < BATCH_SIZE:
            break
    return handled


async def claim_batch(ctx: JobCtx) -> tuple[int, list[ClaimedEmail]]:
    """Step 1: lock, push in-app, claim the emails; committed before any send."""
    moment = now(ctx)
    mailer = mailer_of(ctx)
    emails: list[ClaimedEmail] = []
    async with sessionmaker_of(ctx)() as session, session.begin():
        rows = await lock_due(session, moment, BATCH_SIZE)
        if not rows:
            return 0, []
        prefs = await delivery_prefs(session, (r.user_id for r in rows))
        gone = await missing_events(session, rows)
        for row in rows:
            pref = prefs.get(row.user_id) or DeliveryPrefs(user_id=row.user_id, email=None)
            if row.subject_type == "Event" and row.subject_id in gone:
                row.email_status, row.last_error = DeliveryStatus.SKIPPED, "The event no longer exists."
                continue
            extra: dict[str, Any] = {}
            if pref.in_app_enabled and "published_at" not in row.payload:
                await record_change(session, "Notification", row.id, ChangeOp.CREATED, {"user_id": row.user_id})
                extra["published_at"] = moment.isoformat()
            claimed = decide_email(row, pref, mailer, moment, extra)
            row.payload = {**row.payload, **extra}
            if claimed is not None:
                emails.append(claimed)
    return len(rows), emails


def decide_email(
    row: Notification, pref: DeliveryPrefs, mailer: Mailer | None, moment: datetime, extra: dict[str, Any]
) -> ClaimedEmail | None:
    """Settle the row now (SKIPPED, FAILED, deferred) or claim it for sending."""
    if mailer is None or not pref.email_enabled or not pref.email:
        row.email_status = DeliveryStatus.SKIPPED
        return None
    quiet_end = quiet_hours_end(moment, pref.timezone, pref.quiet_hours_start, pref.quiet_hours_end)
    if quiet_end is not None:
        extra["email_not_before"] = quiet_end.isoformat()
        return None
    if row.attempts >= MAX_EMAIL_ATTEMPTS:
        row.email_status = DeliveryStatus.FAILED
        row.last_error = row.last_error or f"Gave up after {row.attempts} attempts without an outcome."
        return None
    if "claim" in row.payload:
        log.warning("notifications.possible_duplicate", notification_id=row.id, attempts=row.attempts,
                    dedupe_key=row.dedupe_key)
    claim = uuid.uuid4().hex
    row.attempts += 1
    extra["claim"] = claim
    extra["email_not_before"] = (moment + LEASE).isoformat()
    return ClaimedEmail(
        notification_id=row.id, claim=claim, attempts=row.attempts, to=pref.email,
        subject=row.title, body=row.body, dedupe_key=row.dedupe_key,
    )


async def missing_events(session: Any, rows: list[Notification]) -> set[int]:
    ids = {r.subject_id for r in rows if r.subject_type == "Event" and r.subject_id is not None}
    if not ids:
        return set()
    existing = set(await session.scalars(select(Event.id).where(Event.id.in_(ids))))
    return ids - existing


async def send_claimed(ctx: JobCtx, emails: list[ClaimedEmail]) -> None:
    """Steps 2 and 3 for one claimed batch."""
    mailer = mailer_of(ctx)
    assert mailer is not None
    deadline = monotonic_time.monotonic() + LEASE.total_seconds() / 2
    pending = list(emails)
    try:
        async with mailer.connect() as connection:
            while pending:
                email = pending[0]
                if monotonic_time.monotonic() > deadline:
                    break  # the rest wait for their lease to run out and are claimed again
                message = build_message(sender=mailer.sender, to=email.to, subject=email.subject,
                                        body=email.body, dedupe_key=email.dedupe_key)
                try:
                    await connection.send(message)
                except PERMANENT_SMTP_ERRORS as error:
                    await record_failure(ctx, email, error, permanent=True)
                except aiosmtplib.SMTPResponseException as error:
                    await record_failure(ctx, email, error, permanent=500 <= error.code < 600)
                else:
                    await record_sent(ctx, email)
                pending.pop(0)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        for email in pending:  # connection-level failure: nothing after it was sent
            await record_failure(ctx, email, error, permanent=False)


async def record_sent(ctx: JobCtx, email: ClaimedEmail) -> None:
    async with sessionmaker_of(ctx)() as session, session.begin():
        moment = now(ctx)
        mine = await finish_claim(
            session, email.notification_id, email.claim,
            {"email_status": DeliveryStatus.SENT, "sent_at": moment, "last_error": None}, CLAIM_KEYS,
        )
    if not mine:
        log.warning("notifications.claim_lost_after_send", notification_id=email.notification_id)


async def record_failure(ctx: JobCtx, email: ClaimedEmail, error: BaseException, *, permanent: bool) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    async with sessionmaker_of(ctx)() as session, session.begin():
        if permanent or email.attempts >= MAX_EMAIL_ATTEMPTS:
            values: dict[str, Any] = {"email_status": DeliveryStatus.FAILED, "last_error": message}
            await finish_claim(session, email.notification_id, email.claim, values, CLAIM_KEYS)
            log.error("notifications.email_failed", notification_id=email.notification_id, error=message)
            return
        retry_at = now(ctx) + email_backoff(email.attempts)
        row = await session.get(Notification, email.notification_id, with_for_update=True)
        if row is None or row.payload.get("claim") != email.claim or row.email_status != DeliveryStatus.PENDING:
            return
        payload = {k: v for k, v in row.payload.items() if k != "claim"}
        payload["email_not_before"] = retry_at.isoformat()
        row.payload, row.last_error = payload, message
    log.warning("notifications.email_retry", notification_id=email.notification_id, error=message,
                attempts=email.attempts)

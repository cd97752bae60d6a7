"""dispatch_due_notifications against real PostgreSQL and a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from db.enums import DeliveryStatus
from db.models import CalendarPreference
from jobs.dispatch import LEASE, MAX_EMAIL_ATTEMPTS, claim_batch, dispatch_due_notifications
from server.mailer import build_message, message_id_for
from tests.jobs.conftest import Clock, Scratch, Smtp
from tests.jobs.helpers import due_notifications, notifications_of, pushes_for


async def test_two_concurrent_dispatchers_send_each_reminder_once(scratch: Scratch, job_ctx, smtp: Smtp, clock: Clock) -> None:
    # given 40 due notifications
    user = await scratch.user()
    ids = await due_notifications(scratch.maker, user.id, clock.now - timedelta(minutes=1), count=40)
    # when two workers dispatch at the same time (each its own context and SMTP connection)
    other_ctx = {**job_ctx, "mailer": smtp.mailer()}
    handled = await asyncio.gather(dispatch_due_notifications(job_ctx), dispatch_due_notifications(other_ctx))
    # then every notification went out exactly once
    assert sum(handled) == 40
    delivered = [m["Message-ID"] for m in smtp.sink.messages]
    assert len(delivered) == 40 and len(set(delivered)) == 40
    rows = await notifications_of(scratch.maker, user.id)
    assert [r.id for r in rows] == ids
    assert {(r.email_status, r.attempts) for r in rows} == {(DeliveryStatus.SENT, 1)}
    assert all(r.sent_at == clock.now and "claim" not in r.payload for r in rows)
    # and each was pushed in-app once
    assert sorted(p.entity_id for p in await pushes_for(scratch.maker, user.id)) == ids
    # and a later run finds nothing to do
    assert await dispatch_due_notifications(job_ctx) == 0
    assert len(smtp.sink.messages) == 40


async def test_smtp_failure_is_retried_later_and_sent_once(scratch: Scratch, job_ctx, smtp: Smtp, clock: Clock) -> None:
    user = await scratch.user()
    [nid] = await due_notifications(scratch.maker, user.id, clock.now)
    smtp.sink.fail_next = 1
    # when the SMTP server refuses the first attempt
    await dispatch_due_notifications(job_ctx)
    [row] = await notifications_of(scratch.maker, user.id)
    assert (row.email_status, row.attempts, smtp.sink.messages) == (DeliveryStatus.PENDING, 1, [])
    assert row.last_error is not None and "451" in row.last_error
    # then it waits for its backoff ...
    await dispatch_due_notifications(job_ctx)
    assert smtp.sink.messages == []
    # ... and goes out once after it
    clock.now += timedelta(minutes=2)
    await dispatch_due_notifications(job_ctx)
    [row] = await notifications_of(scratch.maker, user.id)
    assert (row.id, row.email_status, row.attempts, row.last_error) == (nid, DeliveryStatus.SENT, 2, None)
    assert [m["Message-ID"] for m in smtp.sink.messages] == [message_id_for(row.dedupe_key)]
    assert len(await pushes_for(scratch.maker, user.id)) == 1


async def test_crash_after_claim_loses_nothing_and_sends_once(scratch: Scratch, job_ctx, smtp: Smtp, clock: Clock) -> None:
    user = await scratch.user()
    await due_notifications(scratch.maker, user.id, clock.now)
    # given a worker that claimed the row and died before sending
    count, claimed = await claim_batch(job_ctx)
    assert (count, len(claimed)) == (1, 1)
    # when another worker runs while the lease holds, it leaves the row alone
    await dispatch_due_notifications(job_ctx)
    assert smtp.sink.messages == []
    # and once the lease has run out it sends the reminder, once
    clock.now += LEASE + timedelta(seconds=1)
    await dispatch_due_notifications(job_ctx)
    await dispatch_due_notifications(job_ctx)
    [row] = await notifications_of(scratch.maker, user.id)
    assert (row.email_status, row.attempts) == (DeliveryStatus.SENT, 2)
    assert len(smtp.sink.messages) == 1
    assert len(await pushes_for(scratch.maker, user.id)) == 1  # the in-app push committed with the first claim


async def test_crash_between_smtp_accept_and_commit_resends_the_same_message_id(
    scratch: Scratch, job_ctx, smtp: Smtp, clock: Clock
) -> None:
    """The documented at-least-once window: the resend is recognisable by its Message-ID."""
    user = await scratch.user()
    await due_notifications(scratch.maker, user.id, clock.now)
    _, [email] = await claim_batch(job_ctx)
    async with smtp.mailer().connect() as connection:  # the SMTP server accepts; then the worker dies
        await connection.send(build_message(sender="almanac@test.example", to=email.to, subject=email.subject,
                                            body=email.body, dedupe_key=email.dedupe_key))
    clock.now += LEASE + timedelta(seconds=1)
    await dispatch_due_notifications(job_ctx)
    [row] = await notifications_of(scratch.maker, user.id)
    assert (row.email_status, row.attempts) == (DeliveryStatus.SENT, 2)
    ids = [m["Message-ID"] for m in smtp.sink.messages]
    assert ids == [message_id_for(row.dedupe_key)] * 2


async def test_gives_up_after_bounded_attempts_and_records_the_failure(
    scratch: Scratch, job_ctx, smtp: Smtp, clock: Clock
) -> None:
    user = await scratch.user()
    await due_notifications(scratch.maker, user.id, clock.now)
    smtp.sink.fail_next = 100
    for _ in range(MAX_EMAIL_ATTEMPTS + 2):
        await dispatch_due_notifications(job_ctx)
        clock.now += timedelta(hours=2)
    [row] = await notifications_of(scratch.maker, user.id)
    assert (row.email_status, row.attempts) == (DeliveryStatus.FAILED, MAX_EMAIL_ATTEMPTS)
    assert row.last_error is not None and "451" in row.last_error
    assert smtp.sink.messages == []


async def test_quiet_hours_defer_the_email_to_their_end_in_the_users_zone(
    scratch: Scratch, job_ctx, smtp: Smtp, clock: Clock
) -> None:
    # given a user in Manila (UTC+8) with quiet hours 22:00-07:00, and 23:30 local time
    user = await scratch.user(timezone="Asia/Manila")
    await scratch.add(CalendarPreference(user_id=user.id, timezone="Asia/Manila",
                                         quiet_hours_start=time(22, 0), quiet_hours_end=time(7, 0)))
    clock.now = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    await due_notifications(scratch.maker, user.id, clock.now)
    # when the dispatcher runs: the in-app push happens, the email waits
    await dispatch_due_notifications(job_ctx)
    [row] = await notifications_of(scratch.maker, user.id)
    assert (row.email_status, row.attempts, smtp.sink.messages) == (DeliveryStatus.PENDING, 0, [])
    assert row.payload["email_not_before"] == "2026-03-10T23:00:00+00:00"  # 07:00 in Manila
    assert len(await pushes_for(scratch.maker, user.id)) == 1
    clock.now = datetime(2026, 3, 10, 22, 59, tzinfo=UTC)
    await dispatch_due_notifications(job_ctx)
    assert smtp.sink.messages == []
    # then it goes out when the quiet hours end, without a second push
    clock.now = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    await dispatch_due_notifications(job_ctx)
    [row] = await notifications_of(scratch.maker, user.id)
    assert (row.email_status, len(smtp.sink.messages)) == (DeliveryStatus.SENT, 1)
    assert len(await pushes_for(scratch.maker, user.id)) == 1


async def test_email_disabled_or_no_smtp_is_skipped_but_pushed_in_app(scratch: Scratch, job_ctx, smtp: Smtp, clock: Clock) -> None:
    opted_out = await scratch.user()
    await scratch.add(CalendarPreference(user_id=opted_out.id, email_enabled=False))
    no_smtp = await scratch.user()
    await due_notifications(scratch.maker, opted_out.id, clock.now)
    await dispatch_due_notifications(job_ctx)
    await due_notifications(scratch.maker, no_smtp.id, clock.now)
    await dispatch_due_notifications({**job_ctx, "mailer": None})
    for user in (opted_out, no_smtp):
        [row] = await notifications_of(scratch.maker, user.id)
        assert (row.email_status, row.attempts) == (DeliveryStatus.SKIPPED, 0)
        [push] = await pushes_for(scratch.maker, user.id)
        assert (push.entity_id, push.payload) == (row.id, {"user_id": user.id})
    assert smtp.sink.messages == []


async def test_future_notifications_wait(scratch: Scratch, job_ctx, smtp: Smtp, clock: Clock) -> None:
    user = await scratch.user()
    await due_notifications(scratch.maker, user.id, clock.now + timedelta(minutes=10))
    assert await dispatch_due_notifications(job_ctx) == 0
    clock.now += timedelta(minutes=10)
    assert await dispatch_due_notifications(job_ctx) == 1
    assert smtp.sink.messages[0]["To"] == user.email

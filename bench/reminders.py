"""How many due reminders one worker dispatches per second.

Creates a scratch database (dropped afterwards), seeds N users' due reminders,
starts a local aiosmtpd sink and runs ``dispatch_due_notifications`` once, as
the arq cron would, timing it. Every message is really sent over SMTP and every
row really committed (claim, then one outcome commit per message).

    .venv/bin/python -m bench.reminders --count 2000
"""
from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from bench.scratch import admin_sql, free_port
from db.engine import make_engine, make_sessionmaker
from db.enums import DeliveryStatus
from db.models import Notification, User
from db.queries.notification import NewNotification, insert_notifications
from jobs.dispatch import dispatch_due_notifications
from server.mailer import Mailer, SmtpSettings
from server.migrate import upgrade

ADMIN_URL = os.environ.get("ALMANAC_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


async def run(count: int, users: int) -> None:
    name = f"almanac_bench_{uuid.uuid4().hex[:8]}"
    await admin_sql(ADMIN_URL, f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    engine = make_engine(url, pool_size=5)
    try:
        await asyncio.to_thread(upgrade, url)
        maker = make_sessionmaker(engine)
        now = datetime.now(UTC)
        async with maker() as session:
            people = [User(email=f"bench-{i}@example.org", name=f"Bench {i}", password_hash="x") for i in range(users)]
            session.add_all(people)
            await session.flush()
            rows = [
                NewNotification(user_id=people[i % users].id, kind="event_reminder", title=f"Reminder #{i}",
                                body="Coordination meeting starts in 30 minutes.", dedupe_key=f"bench:{i}",
                                deliver_at=now - timedelta(seconds=1))
                for i in range(count)
            ]
            for start in range(0, count, 1000):
                await insert_notifications(session, rows[start:start + 1000])
            await session.commit()
        ctx = {"sessionmaker": maker, "mailer": Mailer(SmtpSettings("127.0.0.1", port, start_tls=False), "bench@almanac")}
        started = time.perf_counter()
        handled = await dispatch_due_notifications(ctx)
        elapsed = time.perf_counter() - started
        async with maker() as session:
            sent = await session.scalar(select(func.count()).where(Notification.email_status == DeliveryStatus.SENT))
        sink: Sink = controller.handler
        print(f"dispatched {handled} due reminders ({sent} SENT rows, {sink.count} messages received by SMTP) "
              f"in {elapsed:.2f} s: {handled / elapsed:.0f} reminders/s with one worker")
    finally:
        controller.stop()
        await engine.dispose()
        await admin_sql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.count, args.users))


if __name__ == "__main__":
    main()

"""Composes the real-time pieces for the app's lifespan: relay, broker, notifier.

- the relay runs only when the app owns its database engine (a test app bound to
  one rolled-back connection has no committed log to relay);
- the broker always runs (on fakeredis in an app built without a Redis URL, as tests do);
- ``RelayNotifier.wake()`` is what ``ctx.commit()`` calls.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import User
from db.queries.change_log import changes_after
from server.broker import ChangeBroker, ChangesAfter
from server.calendar_hub import CalendarHub
from server.changes import Change
from server.connection_watch import Account, ActiveUsers, ConnectionWatch
from server.fanout import Fanout
from server.relay import ChangeRelay, changes_channel
from server.settings import Settings
from server.shared_loads import SharedLoads
from server.subscriber import GOING_AWAY

CATCH_UP_PAGE = 1000


class RelayNotifier:
    def __init__(self, relay: ChangeRelay | None) -> None:
        self.relay = relay

    def wake(self) -> None:
        if self.relay is not None:
            self.relay.wake()


@dataclass(slots=True)
class Realtime:
    broker: ChangeBroker
    relay: ChangeRelay | None
    notifier: RelayNotifier
    shared: SharedLoads
    fanout: Fanout
    watch: ConnectionWatch
    calendar: CalendarHub

    async def stop(self) -> None:
        await self.watch.stop()
        self.fanout.close_all(GOING_AWAY, "Server shutting down; resubscribe with `after`")
        await self.broker.stop()  # closes the per-subscriber (legacy protocol) ones the same way
        if self.relay is not None:
            await self.relay.stop()


def log_reader(sessionmaker: async_sessionmaker[AsyncSession]) -> ChangesAfter:
    async def read_after(position: int) -> list[Change]:
        """Every numbered change after ``position``, page by page."""
        found: list[Change] = []
        async with sessionmaker() as session:
            while True:
                rows = await changes_after(session, position, limit=CATCH_UP_PAGE)
                found.extend(Change.from_row(row) for row in rows)
                if len(rows) < CATCH_UP_PAGE:
                    return found
                position = found[-1].position

    return read_after


def active_user_reader(sessionmaker: async_sessionmaker[AsyncSession]) -> ActiveUsers:
    async def active_users(user_ids: list[int]) -> dict[int, Account]:
        async with sessionmaker() as session:
            found = await session.execute(
                select(User.id, User.role, User.token_version)
                .where(User.id.in_(user_ids), User.is_active.is_(True))
            )
            return {pk: Account(role, version) for pk, role, version in found}

    return active_users


def user_changes(watch: ConnectionWatch) -> Callable[[list[Change]], None]:
    def listen(changes: list[Change]) -> None:
        watch.users_changed(c.entity_id for c in changes if c.entity_type == "User")

    return listen


async def published_position(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(text("SELECT last_value FROM change_log_published_seq")) or 0)


async def start_realtime(
    settings: Settings,
    *,
    engine: AsyncEngine | None,
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: Redis,
) -> Realtime:
    channel = changes_channel(settings.redis_namespace)
    relay = None
    if engine is not None:
        relay = ChangeRelay(engine, redis, channel, poll_interval=settings.relay_poll_seconds)
    async def live_feed_start() -> int:
        return await published_position(sessionmaker)

    broker = ChangeBroker(
        redis, channel, changes_after=log_reader(sessionmaker), published_position=live_feed_start,
        max_queued=settings.subscriber_queue_size,
    )
    fanout = Fanout(lambda: broker.max_queued)
    watch = ConnectionWatch(active_user_reader(sessionmaker), interval=settings.subscription_recheck_seconds)
    broker.batch_listeners.extend([fanout.listen, user_changes(watch)])
    await broker.start()
    if relay is not None:
        await relay.start()
    watch.start()
    return Realtime(broker=broker, relay=relay, notifier=RelayNotifier(relay), shared=SharedLoads(), fanout=fanout,
                    watch=watch, calendar=CalendarHub(sessionmaker))

"""Issue 14 defect 4: a user's own zone (setMyTimezone, ``almanac user timezone``) and the office
zone (ALMANAC_TIMEZONE) decide where floating times and dates of their imports are read."""
from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from db.models import Event, User
from resolvers.calendar_import import import_calendar
from tests.calendar.test_fidelity_api import FLOATING
from tests.conftest import UserFactory
from tests.foundation.test_cli import almanac


async def test_a_user_without_a_zone_imports_floating_times_in_the_office_zone(
    session: AsyncSession, make_user: UserFactory
) -> None:
    user = await make_user()
    assert user.timezone is None  # never set: not 'UTC'

    await import_calendar(session, FLOATING, user, office_zone="Asia/Manila")

    nine = (await session.scalars(select(Event).where(Event.uid == "floating-nine"))).one()
    assert (nine.timezone, nine.starts_at.isoformat()) == ("Asia/Manila", "2026-03-02T01:00:00+00:00")


def test_the_cli_sets_and_clears_a_users_zone(database_url: str) -> None:
    email = f"tz-{uuid.uuid4().hex[:8]}@example.org"
    asyncio.run(_sql(database_url, f"INSERT INTO users (email, name, role, password_hash) "
                                   f"VALUES ('{email}', 'Tz', 'STAFF', 'x')"))
    try:
        set_zone = almanac(database_url, "user", "timezone", email, "Asia/Manila")
        stored = asyncio.run(_zone(database_url, email))
        unknown = almanac(database_url, "user", "timezone", email, "Mars/Olympus")
        cleared = almanac(database_url, "user", "timezone", email, "-")
        after = asyncio.run(_zone(database_url, email))
    finally:
        asyncio.run(_sql(database_url, f"DELETE FROM users WHERE email = '{email}'"))

    assert (set_zone.returncode, stored) == (0, "Asia/Manila")
    assert unknown.returncode == 1 and "unknown IANA time zone" in unknown.stderr
    assert (cleared.returncode, after) == (0, None)
    assert "office zone" in cleared.stdout


async def _sql(database_url: str, sql: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    async with engine.begin() as conn:
        await conn.exec_driver_sql(sql)
    await engine.dispose()


async def _zone(database_url: str, email: str) -> str | None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    async with engine.connect() as conn:
        zone = (await conn.execute(select(User.timezone).where(User.email == email))).scalar_one()
    await engine.dispose()
    return zone

"""Integrity lives in PostgreSQL: raw SQL that breaks a rule is rejected."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

INSERT_RESOURCE = "INSERT INTO resources (name, kind) VALUES ('Van 1', 'VEHICLE') RETURNING id"
INSERT_BOOKING = """
INSERT INTO bookings (resource_id, starts_at, ends_at, blocked_from, blocked_until, status)
VALUES (:rid, :s, :e, :s, :e, :status)
"""


async def insert_booking(session: AsyncSession, rid: int, start: str, end: str, status: str = "APPROVED") -> None:
    async with session.begin_nested():
        params = {"rid": rid, "s": datetime.fromisoformat(start), "e": datetime.fromisoformat(end), "status": status}
        await session.execute(text(INSERT_BOOKING), params)


async def test_overlapping_booking_is_rejected_by_exclusion_constraint(session: AsyncSession) -> None:
    rid = (await session.execute(text(INSERT_RESOURCE))).scalar_one()
    await insert_booking(session, rid, "2026-03-02T09:00Z", "2026-03-02T11:00Z")

    with pytest.raises(IntegrityError) as caught:
        await insert_booking(session, rid, "2026-03-02T10:00Z", "2026-03-02T12:00Z", "PENDING")

    assert caught.value.orig.sqlstate == "23P01"  # type: ignore[union-attr]


async def test_adjacent_and_cancelled_bookings_are_allowed(session: AsyncSession) -> None:
    rid = (await session.execute(text(INSERT_RESOURCE))).scalar_one()
    await insert_booking(session, rid, "2026-03-02T09:00Z", "2026-03-02T11:00Z")
    await insert_booking(session, rid, "2026-03-02T11:00Z", "2026-03-02T12:00Z")  # adjacent
    await insert_booking(session, rid, "2026-03-02T09:30Z", "2026-03-02T10:00Z", "CANCELLED")

    count = (await session.execute(text("SELECT count(*) FROM bookings WHERE resource_id = :r"), {"r": rid})).scalar()
    assert count == 3


async def test_task_with_two_linked_objects_is_rejected(session: AsyncSession) -> None:
    community = (await session.execute(text("INSERT INTO communities (name) VALUES ('Riverside') RETURNING id"))).scalar()
    need = (await session.execute(text("INSERT INTO needs (title) VALUES ('Clean water') RETURNING id"))).scalar()

    with pytest.raises(IntegrityError) as caught:
        async with session.begin_nested():
            await session.execute(
                text("INSERT INTO tasks (title, status, priority, domain, community_id, need_id) "
                     "VALUES ('Survey', 'TODO', 'MEDIUM', 'GENERAL', :c, :n)"),
                {"c": community, "n": need},
            )

    assert caught.value.orig.sqlstate == "23514"  # type: ignore[union-attr]
    assert "one_linked_object" in str(caught.value)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO events (uid, title, module, visibility, starts_at, ends_at) "
        "VALUES ('e1', 'Backwards', 'COORDINATION', 'INTERNAL', '2026-01-02', '2026-01-01')",
        "INSERT INTO ppas (title, category, status, stage, budget_stage, budget_status, progress) "
        "VALUES ('P', 'PROJECT', 'ACTIVE', 'PLANNING', 'PREPARATION', 'NOT_SUBMITTED', 101)",
        "INSERT INTO tasks (title, status, priority, domain) VALUES ('T', 'NOT_A_STATUS', 'LOW', 'GENERAL')",
    ],
    ids=["event-ends-before-start", "progress-over-100", "unknown-enum-value"],
)
async def test_check_constraints_reject_bad_rows(session: AsyncSession, sql: str) -> None:
    with pytest.raises(IntegrityError) as caught:
        async with session.begin_nested():
            await session.execute(text(sql))
    assert caught.value.orig.sqlstate == "23514", caught.value  # type: ignore[union-attr]  # a CHECK, not e.g. NOT NULL

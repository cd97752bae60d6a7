"""Hole 6: expensive operations spend a per-user budget of cost points (GitHub/Shopify style)."""
from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from db.enums import Role
from server.settings import Settings
from tests.conftest import REDIS_URL, SECRET, UserFactory, token_for

CALENDAR = "query C($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) { entries { id } } }"
YEAR = {"start": "2026-01-01T00:00:00Z", "end": "2027-02-01T00:00:00Z"}  # 396 days: 57 weeks
WEEK = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-08T00:00:00Z"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
                    ALMANAC_COST_BUDGET="700/minute", ALMANAC_REDIS_NAMESPACE=f"t-{uuid.uuid4().hex[:8]}")


async def calendar(client: httpx.AsyncClient, token: str, window: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post("/graphql", json={"query": CALENDAR, "variables": window, **body},
                             headers={"Authorization": f"Bearer {token}"})


async def test_a_long_window_costs_its_weeks_and_the_budget_refuses_what_does_not_fit(
    client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    token = token_for(await make_user(Role.VIEWER))
    week = await calendar(client, token, WEEK, extensions={"cost": True})
    assert week.headers["x-cost"] == "6"
    assert week.json()["extensions"]["cost"] == {"requested": 6, "limit": 10_000,
                                                 "budget": {"limit": 700, "remaining": 694, "period": "minute"}}
    year = [await calendar(client, token, YEAR) for _ in range(2)]
    assert [r.headers["x-cost"] for r in year] == ["342", "342"]  # 57 weeks x (calendar 1 + entries 5)
    assert [r.status_code for r in year] == [200, 200]
    refused = await calendar(client, token, YEAR)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["cost"] == 342
    assert (await calendar(client, token, WEEK)).status_code == 200  # a cheap one still fits

    other = await calendar(client, token_for(await make_user(Role.VIEWER)), YEAR)
    assert other.status_code == 200 and other.headers["x-cost-remaining"] == "358"


class TestTimeBudget:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        """Two milliseconds of execution a minute: any two operations spend it."""
        return Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
                        ALMANAC_TIME_BUDGET="2/minute", ALMANAC_REDIS_NAMESPACE=f"t-{uuid.uuid4().hex[:8]}")

    async def test_execution_time_is_charged_after_the_fact_and_refuses_when_spent(
        self, client: httpx.AsyncClient, make_user: UserFactory
    ) -> None:
        token = token_for(await make_user(Role.STAFF))
        answers = [await calendar(client, token, WEEK) for _ in range(3)]
        assert answers[0].status_code == 200
        assert answers[2].status_code == 429
        error = answers[2].json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED" and "server time" in error["message"]
        other = await calendar(client, token_for(await make_user(Role.STAFF)), WEEK)
        assert other.status_code == 200

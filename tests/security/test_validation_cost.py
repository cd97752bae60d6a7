"""Hole 4: validation is the expensive step; strangers and repetitive documents never reach it."""
from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

import schema.core.limits as limits_module
from db.enums import Role
from server.settings import Settings
from tests.conftest import REDIS_URL, SECRET, UserFactory, token_for

REPEATED_ME = "{ " + "me { name } " * 490 + "}"  # 5.9 KB; took 1.1-1.5 s to validate


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts graphql-core validation runs (the cache's misses)."""
    calls: list[int] = []
    real = limits_module.validate_document

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(limits_module, "validate_document", counting)
    return calls


async def post(client: httpx.AsyncClient, query: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def test_an_anonymous_repetitive_query_is_refused_before_validation(
    client: httpx.AsyncClient, validations: list[int]
) -> None:
    response = await post(client, REPEATED_ME)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert validations == []


async def test_a_signed_in_repetitive_query_is_too_complex_before_validation(
    client: httpx.AsyncClient, make_user: UserFactory, validations: list[int]
) -> None:
    token = token_for(await make_user(Role.STAFF))
    response = await post(client, REPEATED_ME, token)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX" and "repeats the same fields" in error["message"]
    nested = "name"
    for field in ("teams", "user", "members", "teams", "me"):  # three copies at every level: 0.5-0.7 s
        nested = " ".join([f"{field} {{ {nested} }}"] * 3)
    nested = "{ " + nested + " }"
    assert (await post(client, nested, token)).json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert validations == []


async def test_a_query_repeating_a_field_a_few_times_still_runs(
    client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    token = token_for(await make_user(Role.STAFF, name="Ada"))
    response = await post(client, "{ me { name name ... on User { name } } a: me { name } }", token)
    assert response.json() == {"data": {"me": {"name": "Ada"}, "a": {"name": "Ada"}}}


async def test_whitespace_and_comma_variants_share_one_validation(
    client: httpx.AsyncClient, make_user: UserFactory, validations: list[int]
) -> None:
    token = token_for(await make_user(Role.STAFF))
    marker = uuid.uuid4().hex[:8]  # a query no earlier test validated
    variants = [f"query Q{marker} {{ me {{ name role }} }}", f"query  Q{marker}{{me{{name,role}}}}",
                f"\n\tquery Q{marker} {{\n  me {{\n    name\n    role\n  }}\n}}\n"]
    for variant in variants:
        assert "errors" not in (await post(client, variant, token)).json()
    assert len(validations) == 1


class TestInvalidOperationsAreRateLimited:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
                        ALMANAC_RATE_LIMIT="3/minute", ALMANAC_REDIS_NAMESPACE=f"t-{uuid.uuid4().hex[:8]}")

    async def test_invalid_and_unparsable_operations_are_counted_and_refused(
        self, client: httpx.AsyncClient, make_user: UserFactory, validations: list[int]
    ) -> None:
        token = token_for(await make_user(Role.STAFF))
        marker = uuid.uuid4().hex[:8]  # invalid queries no earlier test validated (the cache is per process)
        answers = [await post(client, query, token) for query in
                   (f"{{ me {{ a{marker} }} }}", f"{{ me {{ b{marker} }} }}", "{ me { ", f"{{ me {{ c{marker} }} }}",
                    "query X { me { ")]
        assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
        assert [a.json()["errors"][0]["extensions"]["code"] for a in answers[3:]] == ["RATE_LIMITED"] * 2
        assert len(validations) == 2  # the refused ones were neither parsed nor validated

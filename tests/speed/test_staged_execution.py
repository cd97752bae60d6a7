"""``AlmanacSchema.execute`` runs the operation's stage methods directly (schema/core/staged.py,
issue 12); here every kind of request is answered both ways, and the answers, the extension
results and what the operation recorded must be the same as through Strawberry's own ``execute``
with its hooks."""
from __future__ import annotations

from typing import Any

import httpx
import pytest
import strawberry
from strawberry.extensions import MaxTokensLimiter
from strawberry.types.graphql import OperationType

from schema.core import extensions as schema_extensions
from schema.core import staged
from schema.core.extensions import AlmanacSchema
from schema.root import schema
from server import operation
from server.operation import AlmanacOperation
from tests.speed.test_lean_http import REQUESTS, json_post

DEEP = "{ me { " + "teams { members { " * 6 + "id" + " } }" * 6 + " } }"
TOO_MANY_TOKENS = "{ " + " ".join(["__typename"] * 20_000) + " }"
CASES: list[tuple[bytes | dict[str, Any] | list[Any], bool]] = [
    *REQUESTS,
    ({"query": "{ __typename }", "extensions": {"cost": True}}, True),  # the cost extension's results
    ({"query": "{ tasks(first: 5) { nodes { id title } } }", "extensions": {"cost": True}}, True),
    ({"query": DEEP}, True),  # too deep: refused by the shape rule
    ({"query": TOO_MANY_TOKENS}, True),  # the token limit's syntax error, coded QUERY_TOO_COMPLEX
    ({"query": "{ __schema { queryType { name } } }"}, False),  # introspection, anonymous
    ({"query": "{ __schema { queryType { name } } }"}, True),
    ({"query": "{ node(id: \"bm9wZQ==\") { id } }"}, True),  # a malformed global id
    ({"query": "mutation { createTask(input: {title: \"\"}) { task { id } } }"}, True),  # a domain error
    ({"query": "query { me { id } }", "operationName": None}, True),
    ({"query": "fragment F on Query { __typename } { ...F }"}, True),
    ({"query": ""}, True),
]


def strawberrys_execute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AlmanacSchema, "execute", strawberry.Schema.execute)


def record_operations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    original = operation.observe_operation

    def observe(state: Any, ctx: Any, outcome: str, started: float, statements: int) -> None:
        seen.append((outcome, statements))
        original(state, ctx, outcome, started, statements)

    monkeypatch.setattr(operation, "observe_operation", observe)
    return seen


def count_staged_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    runs: list[str] = []
    original = staged.execute_staged

    async def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append("staged")
        return await original(*args, **kwargs)

    monkeypatch.setattr(schema_extensions, "execute_staged", counted)
    return runs


@pytest.mark.parametrize(("body", "signed_in"), CASES, ids=[str(n) for n in range(len(CASES))])
async def test_the_staged_execution_answers_as_strawberrys_does(
    client: httpx.AsyncClient, make_user: Any, monkeypatch: pytest.MonkeyPatch,
    body: bytes | dict[str, Any] | list[Any], signed_in: bool,
) -> None:
    content, headers = await json_post(body, signed_in, make_user, "application/json")
    recorded = record_operations(monkeypatch)
    runs = count_staged_runs(monkeypatch)
    direct = await client.post("/graphql", content=content, headers=headers)
    direct_recorded, direct_runs = list(recorded), len(runs)
    recorded.clear()
    strawberrys_execute(monkeypatch)
    hooked = await client.post("/graphql", content=content, headers=headers)
    assert len(runs) == direct_runs  # the second request never took the staged path
    assert direct_runs == 1 or direct.status_code == 400  # else refused before execution (bad JSON, no query)
    if direct.status_code == 200 and not isinstance(body, list):
        assert direct_runs == 1
    assert direct.status_code == hooked.status_code
    direct_budget, budget = direct.headers.get("x-cost-remaining"), hooked.headers.get("x-cost-remaining")
    assert (direct_budget is None) == (budget is None)
    assert {**direct.headers, "x-cost-remaining": ""} == {**hooked.headers, "x-cost-remaining": ""}
    assert strip_budget(direct.json()) == strip_budget(hooked.json())
    assert direct_recorded == recorded


def strip_budget(answer: Any) -> Any:
    """The cost extension names the budget left, which the first request spent from."""
    cost = answer.get("extensions", {}).get("cost") if isinstance(answer, dict) else None
    if isinstance(cost, dict):
        cost.pop("budget", None)
    return answer


async def test_the_schema_takes_the_staged_path_and_strawberrys_for_anything_else() -> None:
    assert staged.staged_extension_of(schema) is AlmanacOperation

    @strawberry.type
    class Tiny:
        ok: bool = True

    assert staged.staged_extension_of(AlmanacSchema(query=Tiny)) is None
    assert staged.staged_extension_of(AlmanacSchema(query=Tiny, extensions=[MaxTokensLimiter(max_token_count=9)])) is None
    assert staged.staged_extension_of(AlmanacSchema(query=Tiny, extensions=[AlmanacOperation])) is AlmanacOperation


@pytest.mark.parametrize("allowed", [set(), {OperationType.MUTATION}])
async def test_operation_types_refused_as_strawberry_refuses_them(allowed: set[OperationType]) -> None:
    errors = []
    for execute in (schema.execute, lambda *a, **k: strawberry.Schema.execute(schema, *a, **k)):
        with pytest.raises(Exception) as raised:
            await execute("{ __typename }", allowed_operation_types=allowed)
        errors.append((type(raised.value), str(raised.value)))
    assert errors[0] == errors[1]

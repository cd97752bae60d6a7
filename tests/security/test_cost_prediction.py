"""An operation whose text reached its budgets before sends them with its request count
(CostCheck.predict); one refused before its budgets (a page or a list too long) takes nothing."""
from __future__ import annotations

from typing import Any

import pytest

from server.rate_limit import cost_budget_for
from server.settings import Settings
from tests.api.limits_schema import ContextStub, StateStub, UserStub, run

PAGE = "query Page($n: Int, $m: Int) { items(first: $n) { nodes { children(first: $m) { nodes { name } } } } }"


@pytest.mark.parametrize(("variables", "code"), [
    ({"n": 500}, "VALIDATION"),  # first outside 0..100
    ({"n": 100, "m": 100}, "QUERY_TOO_COMPLEX"),  # over max_cost
    ({"n": 2, "ids": list(range(501))}, "VALIDATION"),  # a list longer than max_list_items
])
async def test_a_refusal_after_the_text_reached_its_budgets_takes_none(variables: dict[str, Any], code: str) -> None:
    state = StateStub(settings=Settings(REDIS_URL=None, ALMANAC_COST_BUDGET="1000/minute"))
    context = ContextStub(state=state, user=UserStub(id=1))
    assert (await run(PAGE, context, variable_values={"n": 2, "m": 2})).errors is None  # reached: predicted from now on
    budget = cost_budget_for(state, signed_in=True)
    assert budget is not None
    left = await budget.remaining("user:1")
    assert left < 1000
    refused = await run(PAGE, context, variable_values=variables)
    assert refused.errors is not None and refused.errors[0].extensions["code"] == code
    assert await budget.remaining("user:1") == left
    assert (await run(PAGE, context, variable_values={"n": 2, "m": 2})).errors is None
    assert await budget.remaining("user:1") == 2 * left - 1000  # the same cost again

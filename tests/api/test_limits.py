"""Depth, alias, token, fragment-expansion, cost and page-size limits, through a real Strawberry schema."""
from __future__ import annotations

from typing import Any

from graphql import get_introspection_query

from schema.core.limits import DEFAULT_LIMITS
from tests.api.limits_schema import run

TOO_COMPLEX = "QUERY_TOO_COMPLEX"


def nested_parents(levels: int) -> str:
    """``item`` then ``levels`` nested ``parent`` fields: depth ``levels + 1``."""
    return "{ item(id: 1) { " + "parent { " * levels + "id" + " }" * levels + " } }"


def aliased_tags(count: int) -> str:
    return "{ " + " ".join(f"t{n}: tags {{ name }}" for n in range(count)) + " }"


def error_of(result: Any) -> tuple[str, dict[str, Any]]:
    assert result.errors, result
    assert len(result.errors) == 1, result.errors
    return result.errors[0].message, result.errors[0].extensions


async def test_depth_at_the_limit_runs_and_one_deeper_is_too_complex() -> None:
    assert DEFAULT_LIMITS.max_depth == 10
    at_limit = await run(nested_parents(9))
    assert at_limit.errors is None
    assert at_limit.data is not None and at_limit.data["item"]["parent"]["parent"] is not None

    too_deep = await run(nested_parents(10))
    message, extensions = error_of(too_deep)
    assert too_deep.data is None
    assert extensions == {"code": TOO_COMPLEX}
    assert "exceeds maximum operation depth of 10" in message


async def test_depth_counts_through_fragments() -> None:
    query = (
        "{ item(id: 1) { ...Five } } "
        "fragment Five on Item { parent { parent { parent { parent { parent { ...Deeper } } } } } } "
        "fragment Deeper on Item { parent { parent { parent { parent { parent { id } } } } } }"
    )
    message, extensions = error_of(await run(query))
    assert extensions["code"] == TOO_COMPLEX
    assert "depth" in message


async def test_aliases_at_the_limit_run_and_one_more_is_too_complex() -> None:
    assert DEFAULT_LIMITS.max_aliases == 15
    ok = await run(aliased_tags(15))
    assert ok.errors is None and ok.data == {f"t{n}": [{"name": "x"}] for n in range(15)}

    message, extensions = error_of(await run(aliased_tags(16)))
    assert extensions == {"code": TOO_COMPLEX}
    assert message == "16 aliases found. Allowed: 15"


async def test_aliases_inside_fragments_count() -> None:
    query = "{ ...A ...B } fragment A on Query { " + " ".join(f"a{n}: tags {{ name }}" for n in range(8)) + " } " \
            "fragment B on Query { " + " ".join(f"b{n}: tags {{ name }}" for n in range(8)) + " }"
    message, extensions = error_of(await run(query))
    assert extensions["code"] == TOO_COMPLEX and message.startswith("16 aliases")


async def test_too_many_tokens_is_too_complex_before_validation() -> None:
    query = "{ " + "tags { name } " * 600 + "}"  # 4 tokens each: 2,402 in all
    message, extensions = error_of(await run(query))
    assert extensions == {"code": TOO_COMPLEX, "maxTokens": DEFAULT_LIMITS.max_tokens}
    assert "Document contains more than 2000 tokens" in message


async def test_a_fragment_bomb_is_rejected_by_its_expanded_size() -> None:
    """Fragments spreading the next one twice: 2**20 fields once expanded, 140 tokens written."""
    levels = 20
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels))
    query = "{ ...F0 } " + fragments + f" fragment F{levels} on Query {{ tags {{ name }} }}"
    message, extensions = error_of(await run(query))
    assert extensions == {"code": TOO_COMPLEX}
    assert message == (f"The query selects {2 ** (levels + 1)} fields once fragments are expanded;"
                       f" the maximum is {DEFAULT_LIMITS.max_expanded_fields}.")


async def test_cost_is_reported_in_the_response_extensions_when_asked_for() -> None:
    query = "query Page($n: Int) { items(first: $n) { totalCount edges { node { id tags { name } } } } }"
    result = await run(query, variable_values={"n": 3}, operation_extensions={"cost": True})
    assert result.errors is None
    # 1 for the connection + 3 items x (1 node + 5 x 1 tag)
    assert result.extensions == {"cost": {"requested": 19, "limit": DEFAULT_LIMITS.max_cost}}

    plain = await run(query, variable_values={"n": 3})
    assert plain.errors is None and not plain.extensions


async def test_over_cost_query_is_rejected_with_cost_and_limit_before_execution() -> None:
    query = "query Heavy($n: Int!) { items(first: $n) { nodes { children(first: 100) { nodes { id } } } } }"
    ok = await run(query, variable_values={"n": 98}, operation_extensions={"cost": True})  # 1 + 98 x 102
    assert ok.errors is None and ok.extensions["cost"]["requested"] == 9_997

    rejected = await run(query, variable_values={"n": 99})  # 10,099
    message, extensions = error_of(rejected)
    assert rejected.data is None
    assert extensions == {"code": TOO_COMPLEX, "cost": 10_099, "maxCost": 10_000}
    assert message.startswith("Query cost 10099 exceeds the maximum of 10000.")


async def test_cost_counts_fragments_and_inline_fragments() -> None:
    query = (
        "{ items(first: 50) { ...Page } } "
        "fragment Page on ItemConnection { nodes { ... on Item { children(first: 100) { nodes { ...Leaf } } } } } "
        "fragment Leaf on Item { id parent { id } }"
    )  # 1 + 50 x (1 + 1 + 100 x (1 + 1)) = 10,101
    _, extensions = error_of(await run(query))
    assert extensions["cost"] == 10_101 and extensions["code"] == TOO_COMPLEX


async def test_first_over_100_is_a_validation_error_literal_or_variable() -> None:
    literal = await run("{ items(first: 101) { nodes { id } } }")
    message, extensions = error_of(literal)
    assert literal.data is None
    assert extensions == {"code": "VALIDATION", "field": "first", "maxFirst": 100}
    assert message == "'first' must be between 0 and 100 (got 101 on 'items')."

    variable = await run("query($n: Int) { items { nodes { children(first: $n) { totalCount } } } }",
                         variable_values={"n": 1000})
    message, extensions = error_of(variable)
    assert extensions["code"] == "VALIDATION" and "got 1000 on 'children'" in message

    negative = await run("{ items(first: -1) { totalCount } }")
    assert error_of(negative)[1]["code"] == "VALIDATION"


async def test_first_of_100_is_allowed() -> None:
    result = await run("{ items(first: 100) { nodes { id } } }", operation_extensions={"cost": True})
    assert result.errors is None and result.extensions == {"cost": {"requested": 101, "limit": 10_000}}


async def test_the_introspection_query_graphiql_sends_is_within_every_limit() -> None:
    query = get_introspection_query(descriptions=True, input_value_deprecation=True, specified_by_url=True,
                                    directive_is_repeatable=True, schema_description=True)
    result = await run(query, operation_extensions={"cost": True})
    assert result.errors is None
    assert result.extensions["cost"]["requested"] < DEFAULT_LIMITS.max_cost


async def test_an_introspection_fan_out_is_refused_by_graphql_core() -> None:
    """The cost model leaves introspection fan-outs to graphql-core's MaxIntrospectionDepthRule."""
    result = await run("{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }")
    assert result.data is None
    assert [error.message for error in result.errors] == ["Maximum introspection depth exceeded"]

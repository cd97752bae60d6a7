"""The calculated query cost as a plain function, and a property test over random valid queries."""
from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    parse,
    validate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema.core.cost import CostRules, PageViolation, QueryCost, expanded_field_count, query_cost
from tests.api.limits_schema import limited_schema

SCHEMA: GraphQLSchema = limited_schema._schema


def cost(query: str, variables: dict[str, Any] | None = None, operation: str | None = None) -> QueryCost:
    return query_cost(SCHEMA, parse(query), operation, variables)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ __typename }", 0),
        ("{ tags { name } }", 5),  # a list without pagination: 5 x 1 object
        ("{ item(id: 1) { id name } }", 1),
        ("{ item(id: 1) { parent { parent { id } } } }", 3),
        ("{ items { totalCount } }", 1),  # the connection object alone
        ("{ items { pageInfo { hasNextPage } } }", 2),
        ("{ items { nodes { id } } }", 21),  # first defaults to 20
        ("{ items(first: 5) { edges { node { id } } } }", 6),  # an edge is a wrapper
        ("{ items(first: 5) { nodes { id } } }", 6),  # same as edges { node }
        ("{ items(first: 5) { edges { cursor } } }", 1),
        ("{ items(first: 0) { nodes { id } } }", 1),
        # 1 + 10 x (1 node + (1 + 5 x 1) children + 5 x 1 tags)
        ("{ items(first: 10) { nodes { children(first: 5) { nodes { id } } tags { name } } } }", 121),
        ("{ named { name ... on Person { age } } }", 5),
    ],
)
def test_cost_rules(query: str, expected: int) -> None:
    assert cost(query) == QueryCost(expected)


def test_named_and_inline_fragments_cost_what_their_fields_cost() -> None:
    plain = cost("{ items(first: 7) { nodes { id parent { id } } } }")
    named = cost("{ items(first: 7) { ...Page } } fragment Page on ItemConnection { nodes { ...Own } } "
                 "fragment Own on Item { id parent { id } }")
    inline = cost("{ items(first: 7) { ... on ItemConnection { nodes { ... { id parent { id } } } } } }")
    assert plain == named == inline == QueryCost(15)


def test_a_fragment_used_inside_and_outside_a_connection_is_costed_for_each_place() -> None:
    query = "{ item(id: 1) { ...Kids } items(first: 4) { nodes { ...Kids } } } " \
            "fragment Kids on Item { children(first: 3) { nodes { id } } }"
    # item: 1 + (1 + 3); items: 1 + 4 x (1 + (1 + 3))
    assert cost(query) == QueryCost(5 + 21)


def test_first_from_variables_defaults_and_fallbacks() -> None:
    query = "query($n: Int) { items(first: $n) { nodes { id } } }"
    assert cost(query, {"n": 7}).total == 8
    assert cost(query, {}).total == 21  # omitted: the resolvers' default page
    assert cost(query, {"n": None}).total == 21
    assert cost(query, {"n": "seven"}).total == 21  # execution rejects it anyway
    with_default = "query($n: Int = 4) { items(first: $n) { nodes { id } } }"
    assert cost(with_default).total == 5
    assert cost(with_default, {"n": 9}).total == 10


def test_pages_outside_0_to_100_are_violations_and_costed_at_the_cap() -> None:
    assert cost("{ items(first: 250) { nodes { id } } }") == QueryCost(101, (PageViolation("items", 250),))
    assert cost("query($n: Int) { items(first: $n) { totalCount } }", {"n": -3}).page_violations == (
        PageViolation("items", -3),
    )


def test_only_the_selected_operation_is_costed() -> None:
    document = "query Small { tags { name } } query Big { items(first: 100) { nodes { id } } }"
    assert cost(document, operation="Small").total == 5
    assert cost(document, operation="Big").total == 101
    assert cost(document).total == 0  # no operation name with two operations: nothing will run


def test_mutations_are_costed_from_the_mutation_root() -> None:
    assert cost("mutation { touch }").total == 0


def test_list_factor_is_a_rule() -> None:
    assert query_cost(SCHEMA, parse("{ tags { name } }"), rules=CostRules(list_factor=12)).total == 12


def test_expanded_field_count_inlines_fragments_once_each_in_linear_time() -> None:
    document = parse("{ ...A } fragment A on Query { ...B ...B tags { name } } fragment B on Query { tags { name } }")
    assert expanded_field_count(document) == 6
    bomb = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(60))
    assert expanded_field_count(parse("{ ...F0 } " + bomb + " fragment F60 on Query { __typename }")) == 2**60


# -- property: never crashes on valid queries, and fragments do not change the cost --------------

PAGE_ARGUMENTS = st.one_of(st.none(), st.integers(0, 100).map(str), st.just("$first"))


def _selection(draw: Any, parent: GraphQLObjectType, depth: int, names: Any) -> str:
    fields: list[tuple[str, GraphQLField]] = sorted(parent.fields.items())
    if depth <= 0:
        fields = [(name, field) for name, field in fields if is_leaf_type(get_named_type(field.type))]
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4))
    parts = []
    for name, field in chosen:
        args = _arguments(draw, field)
        named = get_named_type(field.type)
        # Same-named fields with other arguments or selections would not merge: alias those.
        must_alias = bool(args) or not is_leaf_type(named)
        alias = f"a{next(names)}: " if must_alias or draw(st.booleans()) else ""
        if is_leaf_type(named):
            text = f"{alias}{name}{args}"
        else:
            assert isinstance(named, GraphQLObjectType)  # interfaces only at the root (named)
            text = f"{alias}{name}{args} {{ {_selection(draw, named, depth - 1, names)} }}"
        if draw(st.integers(0, 4)) == 0:
            text = f"... on {parent.name} {{ {text} }}"
        parts.append(text)
    return " ".join(parts)


def _arguments(draw: Any, field: GraphQLField) -> str:
    values = []
    for name, argument in field.args.items():
        if name == "first":
            value = draw(PAGE_ARGUMENTS)
            if value is not None:
                values.append(f"first: {value}")
        elif is_non_null_type(argument.type):
            values.append(f'{name}: "1"')
    return f"({', '.join(values)})" if values else ""


@st.composite
def valid_queries(draw: Any) -> tuple[str, dict[str, Any]]:
    names = iter(range(10_000))
    root = SCHEMA.query_type
    assert root is not None
    root_fields = {name: field for name, field in root.fields.items() if name != "named"}
    query_root = GraphQLObjectType("Query", root_fields)
    body = _selection(draw, query_root, draw(st.integers(0, 4)), names)
    uses_first = "$first" in body
    header = "query Q($first: Int)" if uses_first else "query Q"
    variables = {"first": draw(st.integers(0, 100))} if uses_first and draw(st.booleans()) else {}
    return f"{header} {{ {body} }}", variables


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_queries())
def test_cost_never_fails_on_valid_queries_and_fragments_do_not_change_it(case: tuple[str, dict[str, Any]]) -> None:
    query, variables = case
    document = parse(query)
    assert validate(SCHEMA, document) == []

    result = query_cost(SCHEMA, document, "Q", variables)
    assert result.total >= 0
    assert result.page_violations == ()

    header, _, body = query.partition(" { ")
    as_fragment = f"{header} {{ ...Everything }} fragment Everything on Query {{ {body}"
    assert query_cost(SCHEMA, parse(as_fragment), "Q", variables) == result


async def test_a_repeated_query_without_variables_is_costed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Per parsed document and operation (schema.core.limits._cost_of); variables are costed every time."""
    from schema.core import limits

    walked: list[dict[str, Any] | None] = []

    def counted(*args: Any) -> QueryCost:
        walked.append(args[3])
        return query_cost(*args)

    monkeypatch.setattr(limits, "query_cost", counted)
    query = "query Costed($n: Int) { items(first: 7) { nodes { id } } more: items(first: $n) { totalCount } }"
    for _ in range(3):
        result = await limited_schema.execute(query, operation_extensions={"cost": True})
        assert result.extensions == {"cost": {"requested": 9, "limit": 10_000}}
    for n in (1, 2):
        await limited_schema.execute(query, variable_values={"n": n})

    assert walked == [None, {"n": 1}, {"n": 2}]

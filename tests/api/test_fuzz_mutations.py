"""Property test: malformed-but-well-typed input to any mutation never yields a 500.

For every mutation in the schema, Hypothesis builds ``input`` values from the
GraphQL input types (hostile strings, out-of-range numbers, naive and absurd
datetimes, ids of the wrong type or garbage) and sends them as an ADMIN, so
permission checks pass and validation is what must catch them. The response
must be HTTP 200 with no top-level INTERNAL error.
"""
from __future__ import annotations

import base64
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.enums import Role
from schema.root import schema
from tests.conftest import GraphQL, UserFactory

GRAPHQL_SCHEMA = schema._schema
MUTATIONS = sorted(GRAPHQL_SCHEMA.mutation_type.fields) if GRAPHQL_SCHEMA.mutation_type else []
TYPE_NAMES = ["User", "Team", "Community", "Event", "Task", "Ppa", "Booking", "Resource", "Need", "Nope"]

hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "'; DROP TABLE tasks; --", "{ppa_title}", "%s%n", "\u202e", "🙂" * 5]),
    st.text(min_size=300, max_size=5000),
)
global_ids = st.one_of(
    st.builds(lambda t, n: base64.b64encode(f"{t}:{n}".encode()).decode(), st.sampled_from(TYPE_NAMES),
              st.integers(min_value=-5, max_value=2**63 + 5)),
    st.text(max_size=30),
)
datetimes = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),  # naive
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "2026-02-30T10:00:00Z", "yesterday"]),
)
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "String": hostile_text,
    "ID": global_ids,
    "Int": st.one_of(st.integers(min_value=-(2**31), max_value=2**31 - 1), st.sampled_from([0, -1, 2**31 - 1])),
    "Float": st.floats(allow_nan=False, allow_infinity=False),
    "Boolean": st.booleans(),
    "DateTime": datetimes,
    "Date": st.one_of(st.dates().map(str), st.sampled_from(["2026-13-01", "not a date"])),
    "Time": st.one_of(st.times().map(str), st.just("25:00")),
    "Decimal": st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
                         st.sampled_from(["-1", "1e400", "abc"])),
    "JSON": st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
}


def values_for(gql_type: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    if isinstance(gql_type, GraphQLNonNull):
        return values_for(gql_type.of_type, depth)
    nullable = st.none() if depth > 0 else st.nothing()
    if isinstance(gql_type, GraphQLList):
        return st.one_of(nullable, st.lists(values_for(gql_type.of_type, depth + 1), max_size=4))
    if isinstance(gql_type, GraphQLEnumType):
        return st.sampled_from(list(gql_type.values))
    if isinstance(gql_type, GraphQLScalarType):
        return SCALARS.get(gql_type.name, hostile_text)
    assert isinstance(gql_type, GraphQLInputObjectType)
    if depth > 3:
        return st.just({})
    required = {n: values_for(f.type, depth + 1) for n, f in gql_type.fields.items() if isinstance(f.type, GraphQLNonNull)}
    optional = {n: values_for(f.type, depth + 1) for n, f in gql_type.fields.items() if n not in required}
    return st.fixed_dictionaries(required, optional=optional)


def operation_for(name: str) -> tuple[str, st.SearchStrategy[dict[str, Any]]]:
    field = GRAPHQL_SCHEMA.mutation_type.fields[name]  # type: ignore[union-attr]
    params = ", ".join(f"${arg}: {field.args[arg].type}" for arg in field.args)
    args = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    call = f"{name}({args})" if args else name
    query = f"mutation Fuzz{f'({params})' if params else ''} {{ {call} {{ __typename }} }}"
    variables = st.fixed_dictionaries({arg: values_for(field.args[arg].type) for arg in field.args})
    return query, variables


@pytest.mark.parametrize("mutation", MUTATIONS)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_malformed_input_never_yields_internal_error(
    mutation: str, data: st.DataObject, gql: GraphQL, make_user: UserFactory
) -> None:
    query, variables = operation_for(mutation)
    admin = await make_user(Role.ADMIN)

    body = await gql(query, data.draw(variables), user=admin)

    codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
    assert "INTERNAL" not in codes, body
    assert "Traceback" not in str(body)

"""Calculated query cost, in the spirit of Shopify's: an upper bound on the objects a query resolves.

Rules (plain functions over the graphql-core AST and schema, no I/O):

- a scalar or enum field costs 0; an object field costs 1 plus its selections;
- a connection field (it takes ``first`` and its type has ``edges``) costs 1 plus its
  selections, and inside it the lists ``edges`` and ``nodes`` cost ``first`` (20 when
  omitted, as the resolvers default) times the cost of one item; an edge is a wrapper
  and costs nothing itself, so ``edges { node { id } }`` and ``nodes { id }`` cost the same;
- any other list of objects costs ``list_factor`` (5: the domain's unpaginated relations,
  such as assignees, teams or milestones, hold a handful of items) times one item;
- introspection's ``ofType`` is a wrapper and costs only its selections, so the standard
  introspection query (GraphiQL's) costs under 1,000. (Introspection fan-outs such as
  ``types { fields { type { fields { type { fields ...`` are refused by graphql-core's own
  MaxIntrospectionDepthRule, which Strawberry runs.)
- fragments and inline fragments add the cost of their selections (an upper bound for
  unions); ``@skip``/``@include`` are ignored (also an upper bound).
- a field with a time window (``start`` and ``end`` arguments: ``calendar``, ``occurrences``,
  ``resourceAvailability``...) multiplies its cost by the window's weeks (``window_unit_days``),
  since what it expands grows with the span: a 396-day calendar costs 57 times a week's.
  A window that cannot be read from the document (a bad or missing value) is costed as
  ``max_window_days`` long: an upper bound.

``merge_pairs`` bounds graphql-core's overlapping-fields check before it runs: that check
compares every pair of fields with the same response name merged into one selection set,
recursively, so a few kilobytes repeating ``me { teams { ... } }`` cost seconds.

Each fragment's cost is computed once per page size, so a document of fragments that
spread each other twice (a "fragment bomb") is costed in linear time.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NameNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef
from graphql.utilities import get_operation_ast

from schema.core.connection import DEFAULT_PAGE, MAX_PAGE

PAGE_ARGUMENT = "first"
CONNECTION_MARKER_FIELD = "edges"
EDGES_FIELD = "edges"
INTROSPECTION_WRAPPER_FIELD = "ofType"
WINDOW_START = "start"
WINDOW_END = "end"


@dataclass(frozen=True, slots=True)
class CostRules:
    default_page: int = DEFAULT_PAGE
    max_page: int = MAX_PAGE
    list_factor: int = 5
    window_unit_days: int = 7
    max_window_days: int = 400


@dataclass(frozen=True, slots=True)
class PageViolation:
    """A connection asked for a page outside ``0..max_page``."""

    field: str
    first: int


@dataclass(frozen=True, slots=True)
class QueryCost:
    total: int
    page_violations: tuple[PageViolation, ...] = ()


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    rules: CostRules = CostRules(),
) -> QueryCost:
    """The cost of the operation that would run (0 when there is none to run)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return QueryCost(0)
    root = _root_type(schema, operation.operation)
    if root is None:
        return QueryCost(0)
    walker = _CostWalker(schema, document, operation, variables or {}, rules)
    total = walker.selection_set_cost(root, operation.selection_set, page=None)
    return QueryCost(total, tuple(walker.violations))


def expanded_field_count(document: DocumentNode) -> int:
    """How many fields the operations select once every fragment is inlined.

    Computed with one memo entry per fragment, so it is linear in the document size
    even when the expansion itself is exponential.
    """
    fragments = _fragments(document)
    memo: dict[str, int] = {}

    def count(selection_set: SelectionSetNode | None, active: frozenset[str]) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + count(selection.selection_set, active)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set, active)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in active:
                    continue
                if name not in memo:
                    memo[name] = count(fragment.selection_set, active | {name})
                total += memo[name]
        return total

    return sum(
        count(definition.selection_set, frozenset())
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )


def merge_pairs(document: DocumentNode, *, stop_at: int) -> int:
    """How many same-name field pairs graphql-core's overlap check would compare (stops past ``stop_at``).

    Fields merge per response name across inline fragments and spread fragments, and the
    sub-selections of merged fields merge again one level down; each group of ``n`` fields
    costs ``n * (n - 1) / 2`` pairs. Walks at most ``stop_at`` groups, so it is cheap even
    for a fragment cycle (which validation then reports).
    """
    fragments = _fragments(document)
    pairs = 0
    groups_seen = 0
    pending: list[list[SelectionSetNode]] = [
        [definition.selection_set] for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    while pending:
        for fields in _merged_fields(pending.pop(), fragments).values():
            groups_seen += 1
            pairs += len(fields) * (len(fields) - 1) // 2
            if pairs > stop_at or groups_seen > stop_at:
                return max(pairs, stop_at + 1)
            subsets = [f.selection_set for f in fields if f.selection_set is not None]
            if subsets:
                pending.append(subsets)
    return pairs


def _merged_fields(
    selection_sets: list[SelectionSetNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> dict[str, list[FieldNode]]:
    groups: dict[str, list[FieldNode]] = defaultdict(list)
    spread: set[str] = set()
    stack = list(selection_sets)
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                name: NameNode = selection.alias or selection.name
                groups[name.value].append(selection)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                spread.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    stack.append(fragment.selection_set)
    return groups


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _root_type(schema: GraphQLSchema, operation: OperationType) -> GraphQLObjectType | None:
    if operation == OperationType.QUERY:
        return schema.query_type
    if operation == OperationType.MUTATION:
        return schema.mutation_type
    return schema.subscription_type


@dataclass
class _CostWalker:
    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    variables: Mapping[str, Any]
    rules: CostRules
    violations: list[PageViolation] = field(default_factory=list)
    _fragments: dict[str, FragmentDefinitionNode] = field(init=False)
    _fragment_costs: dict[tuple[str, int | None], int] = field(init=False, default_factory=dict)
    _active: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self._fragments = _fragments(self.document)

    def selection_set_cost(self, parent: GraphQLNamedType, selection_set: SelectionSetNode, page: int | None) -> int:
        """``page`` is the enclosing connection's ``first`` while costing a connection's own fields."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(parent, selection, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self._named_type(condition.name.value) if condition else parent
                total += self.selection_set_cost(target or parent, selection.selection_set, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment_cost(selection.name.value, parent, page)
        return total

    def field_cost(self, parent: GraphQLNamedType, node: FieldNode, page: int | None) -> int:
        definition = self._field_definition(parent, node.name.value)
        if definition is None or node.selection_set is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        return self._window_factor(definition, node) * self._unwindowed_cost(definition, named, node, page)

    def _unwindowed_cost(self, definition: GraphQLField, named: GraphQLNamedType, node: FieldNode,
                         page: int | None) -> int:
        assert node.selection_set is not None
        first = self._connection_page(definition, named, node)
        if first is not None:
            return 1 + self.selection_set_cost(named, node.selection_set, page=first)
        children = self.selection_set_cost(named, node.selection_set, page=None)
        if not _is_list(definition):
            own = 0 if node.name.value == INTROSPECTION_WRAPPER_FIELD else 1
            return own + children
        if page is not None:
            own = 0 if node.name.value == EDGES_FIELD else 1
            return page * (own + children)
        return self.rules.list_factor * (1 + children)

    def _window_factor(self, definition: GraphQLField, node: FieldNode) -> int:
        """Weeks in the field's ``start``..``end`` window (1 for a field without one)."""
        if WINDOW_START not in definition.args or WINDOW_END not in definition.args:
            return 1
        start, end = self._argument_moment(node, WINDOW_START), self._argument_moment(node, WINDOW_END)
        days: float = self.rules.max_window_days
        if start is not None and end is not None:
            with suppress(TypeError):  # one naive, one aware: the resolver refuses it; cost the upper bound
                days = min(days, max(0.0, (end - start).total_seconds() / 86_400))
        return max(1, math.ceil(days / self.rules.window_unit_days))

    def _argument_moment(self, node: FieldNode, name: str) -> datetime | None:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value: Any = argument.value
            if isinstance(value, StringValueNode):
                value = value.value
            elif isinstance(value, VariableNode):
                value = self.variables.get(value.name.value)
            if isinstance(value, str):
                try:
                    return datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    return None
        return None

    def _fragment_cost(self, name: str, parent: GraphQLNamedType, page: int | None) -> int:
        fragment = self._fragments.get(name)
        if fragment is None or name in self._active:
            return 0
        key = (name, page)
        if key not in self._fragment_costs:
            target = self._named_type(fragment.type_condition.name.value) or parent
            self._active.add(name)
            try:
                self._fragment_costs[key] = self.selection_set_cost(target, fragment.selection_set, page)
            finally:
                self._active.discard(name)
        return self._fragment_costs[key]

    def _connection_page(self, definition: GraphQLField, named: GraphQLNamedType, node: FieldNode) -> int | None:
        """``first`` for a connection field (checked against the cap), None for any other field."""
        if PAGE_ARGUMENT not in definition.args:
            return None
        if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
            return None
        if CONNECTION_MARKER_FIELD not in named.fields:
            return None
        first = self._argument_int(node, PAGE_ARGUMENT)
        if first is None:
            return self.rules.default_page
        if first < 0 or first > self.rules.max_page:
            self.violations.append(PageViolation(field=node.name.value, first=first))
            return max(0, min(first, self.rules.max_page))
        return first

    def _argument_int(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                return self._variable_int(value.name.value)
            if isinstance(value, NullValueNode):
                return None
        return None

    def _variable_int(self, name: str) -> int | None:
        if name in self.variables:
            value = self.variables[name]
            # bool is an int in Python but never a GraphQL Int; execution rejects both.
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        for definition in self.operation.variable_definitions or ():
            if definition.variable.name.value == name and isinstance(definition.default_value, IntValueNode):
                return int(definition.default_value.value)
        return None

    def _named_type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)

    def _field_definition(self, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        fields: Mapping[str, GraphQLField] = getattr(parent, "fields", {})
        return fields.get(name)


def _is_list(definition: GraphQLField) -> bool:
    return is_list_type(get_nullable_type(definition.type))

"""A faster path through graphql-core for plain fields: attribute read, serialize, done.

graphql-core executes every field alike: a path entry, a resolve-info object, the resolver
(Strawberry's wrapper around ``getattr``), two awaitable checks and value completion.
That is ~3 us per field, and a calendar month selects 100,000 of them (issue 12's profile:
59 % of the calendar's time). For a field that

- has no resolver of its own (Strawberry's default attribute lookup), no arguments and a
  leaf type (scalar or enum), or
- is a Relay ``id`` whose type keeps Strawberry's default ``resolve_id``/``resolve_typename``,

``FastFieldsExecutor.execute_fields`` reads the attribute and serializes it with the type's
own ``serialize``, exactly what completion would do (a None of a nullable field is None).
A list of objects whose selected fields are all of that kind (and ``__typename``) is
completed in one loop (``complete_list_value``), without graphql-core's per-item work. Anything else, and any value the fast
path cannot finish (None, an error, an awaitable), goes through graphql-core's own
``execute_field``, so null checks, errors and their paths are graphql-core's.
Field middleware (a SchemaExtension with ``resolve``) turns the fast path off.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    is_leaf_type,
)
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.relay import GlobalID, Node
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

STRAWBERRY_FIELD = "strawberry-definition"  # GraphQLField.extensions key Strawberry sets
TYPENAME = "__typename"
NODE_ID_FIELD = "_id"  # the Python name of relay.Node's ``id`` field
_MISSING = object()


@dataclass(frozen=True, slots=True)
class FieldPlan:
    attr: str
    serialize: Callable[[Any], Any]
    node_id: bool  # a Relay id: GlobalID(parent type name, str(attr)) before serializing
    nullable: bool  # None is then the answer; for a non-null field graphql-core reports the error


_plans: dict[int, tuple[GraphQLObjectType, dict[str, FieldPlan | None]]] = {}


def _default_node_methods(origin: type[Node]) -> bool:
    """Neither ``resolve_id`` nor ``resolve_typename`` overridden: the id is the NodeID attribute."""
    return all(getattr(origin, name).__func__ is getattr(Node, name).__func__
               for name in ("resolve_id", "resolve_typename"))


def plan_field(parent_type: GraphQLObjectType, field_def: GraphQLField) -> FieldPlan | None:
    """How to resolve ``field_def`` without graphql-core's machinery, or None when it cannot be."""
    definition = (field_def.extensions or {}).get(STRAWBERRY_FIELD)
    if definition is None or field_def.args:
        return None
    nullable = not isinstance(field_def.type, GraphQLNonNull)
    named = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
    if not is_leaf_type(named):
        return None
    serialize = named.serialize
    if getattr(field_def.resolve, "_is_default", False):
        return FieldPlan(attr=definition.python_name, serialize=serialize, node_id=False, nullable=nullable)
    if getattr(definition, "origin", None) is Node and definition.python_name == NODE_ID_FIELD:
        concrete = getattr((parent_type.extensions or {}).get(STRAWBERRY_FIELD), "origin", None)
        if isinstance(concrete, type) and issubclass(concrete, Node) and _default_node_methods(concrete):
            return FieldPlan(attr=concrete.resolve_id_attr(), serialize=serialize, node_id=True, nullable=nullable)
    return None


def plans_for(parent_type: GraphQLObjectType) -> dict[str, FieldPlan | None]:
    entry = _plans.get(id(parent_type))
    if entry is None or entry[0] is not parent_type:
        entry = (parent_type, {name: plan_field(parent_type, f) for name, f in parent_type.fields.items()})
        _plans[id(parent_type)] = entry
    return entry[1]


class FastFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        plans = plans_for(parent_type)
        results: dict[str, Any] = {}
        slow: dict[str, Any] = {}
        for response_name, field_details_list in grouped_field_set.items():
            plan = plans.get(field_details_list[0].node.name.value)
            if plan is not None:
                value = _fast_value(plan, parent_type.name, source_value)
                if value is not _MISSING:
                    results[response_name] = value
                    continue
            results[response_name] = None  # keeps the response's field order
            slow[response_name] = field_details_list
        if not slow:
            return results
        return self._execute_slow(parent_type, source_value, path, slow, results, position_context)

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        fast = self._fast_list(return_type, field_details_list, info, result)
        if fast is not None:
            return fast
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def _fast_list(
        self, return_type: GraphQLList[GraphQLOutputType], field_details_list: Any, info: GraphQLResolveInfo[Any],
        result: Any,
    ) -> list[Any] | None:
        """A list of objects whose selected fields all take the fast path, in one loop; else None.

        None (graphql-core completes the list itself) as soon as anything needs more: a
        field without a plan, an item the fast path cannot finish, @stream/@defer.
        """
        if not isinstance(result, list | tuple) or (
                self.middleware_manager is not None and self.middleware_manager.middlewares):
            return None
        item_type = return_type.of_type
        items_nullable = not isinstance(item_type, GraphQLNonNull)
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not isinstance(named, GraphQLObjectType) or any(d.node.directives for d in field_details_list):
            return None
        grouped, new_defer_usages, *_ = self.collect_subfields(named, field_details_list)
        if new_defer_usages:
            return None
        plans = plans_for(named)
        fields: list[tuple[str, FieldPlan | None]] = []
        for response_name, details in grouped.items():
            field_name = details[0].node.name.value
            plan = plans.get(field_name)
            if plan is None and field_name != TYPENAME:
                return None
            fields.append((response_name, plan))
        type_name, is_type_of = named.name, named.is_type_of
        completed: list[Any] = []
        for item in result:
            if item is None:
                if not items_nullable:
                    return None
                completed.append(None)
                continue
            if is_type_of is not None and is_type_of(item, info) is not True:
                return None
            value: dict[str, Any] = {}
            for response_name, plan in fields:
                answer = type_name if plan is None else _fast_value(plan, type_name, item)
                if answer is _MISSING:
                    return None
                value[response_name] = answer
            completed.append(value)
        return completed

    def _execute_slow(
        self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None, slow: dict[str, Any],
        results: dict[str, Any], position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's own field execution for the rest, merged into ``results`` in place."""
        done = super().execute_fields(parent_type, source_value, path, slow, position_context)
        if not self.is_awaitable(done):
            return _merge(results, slow, done)  # type: ignore[arg-type]

        async def merged() -> dict[str, Any]:
            return _merge(results, slow, await done)

        return merged()


def _merge(results: dict[str, Any], slow: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
    for name in slow:
        if name in done:
            results[name] = done[name]
        else:  # graphql-core left it out (Undefined)
            del results[name]
    return results


def _fast_value(plan: FieldPlan, type_name: str, source: Any) -> Any:
    try:
        value = getattr(source, plan.attr)
        if value is None:
            return None if plan.nullable else _MISSING  # a null error stays graphql-core's
        if plan.node_id:
            value = GlobalID(type_name=type_name, node_id=str(value))
        serialized = plan.serialize(value)
    except Exception:  # graphql-core reports it, with the field's path
        return _MISSING
    return _MISSING if serialized is None else serialized


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
A relation whose resolver is marked as answering a ``Link`` (``schema.core.relations``) takes
the fast path too when the link's loader already holds its value (a list resolver's prefetch):
the value is ``link.peek``'s, completed here field by field with the same rules, recursively.
A list of objects whose selected fields are all of that kind (and ``__typename``) is
completed in one loop (``complete_list_value``), without graphql-core's per-item work. Anything else, and any value the fast
path cannot finish (None, an error, an awaitable), goes through graphql-core's own
``execute_field``, so null checks, errors and their paths are graphql-core's.
Field middleware (a SchemaExtension with ``resolve``) turns the fast path off.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    is_leaf_type,
)
from graphql.execution.executor import Executor
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.relay import GlobalID, Node
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.core.relations import LINK_ATTRIBUTE, NOT_LOADED, Link

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


@dataclass(frozen=True, slots=True)
class LinkPlan:
    link: Link[Any, Any, Any, Any]
    type: GraphQLOutputType  # the field's type, which the peeked value is completed as


Plan = FieldPlan | LinkPlan


@dataclass(frozen=True, slots=True)
class Completed:
    """A field's answer already completed for its selection (``complete_value`` returns it as is)."""

    value: Any


@dataclass(frozen=True, slots=True)
class CompleteThenStore:
    """A resolver's value to complete as usual; ``store`` gets the completed answer, or None after an error."""

    value: Any
    store: Callable[[Any], None]

def weak_async_helpers(executor: Executor[Any]) -> GraphQLResolveInfoHelpers:
    """graphql-core's resolver helpers, reaching the executor through a weak proxy.

    graphql-core builds them from the executor's bound methods, a reference cycle that left
    every operation's executor, and the context it holds, to the garbage collector (issue 12,
    tests/speed/test_cyclic_garbage.py). Resolvers only use them while the operation runs.
    """
    proxy = weakref.proxy(executor)
    return GraphQLResolveInfoHelpers(gather=lambda values: proxy.gather_async_work(values),
                                     track=lambda values: proxy.track_async_work(values))


_plans: dict[int, tuple[GraphQLObjectType, dict[str, Plan | None]]] = {}
# An object type's selected fields, each with its plan (None: __typename) and sub-selection.
ObjectPlan = list[tuple[str, Plan | None, Any]]


def _default_node_methods(origin: type[Node]) -> bool:
    """Neither ``resolve_id`` nor ``resolve_typename`` overridden: the id is the NodeID attribute."""
    return all(getattr(origin, name).__func__ is getattr(Node, name).__func__
               for name in ("resolve_id", "resolve_typename"))


def plan_field(parent_type: GraphQLObjectType, field_def: GraphQLField) -> Plan | None:
    """How to resolve ``field_def`` without graphql-core's machinery, or None when it cannot be."""
    definition = (field_def.extensions or {}).get(STRAWBERRY_FIELD)
    if definition is None or field_def.args:
        return None
    link = _link_of(definition)
    if link is not None:
        return LinkPlan(link=link, type=field_def.type)
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


def _link_of(definition: Any) -> Link[Any, Any, Any, Any] | None:
    """The Link a field's resolver is marked with, when nothing else (extensions, permissions) wraps it."""
    resolver = getattr(definition, "base_resolver", None)
    if resolver is None or definition.extensions or getattr(definition, "permission_classes", None):
        return None
    link = getattr(resolver.wrapped_func, LINK_ATTRIBUTE, None)
    return link if isinstance(link, Link) else None


def plans_for(parent_type: GraphQLObjectType) -> dict[str, Plan | None]:
    entry = _plans.get(id(parent_type))
    if entry is None or entry[0] is not parent_type:
        entry = (parent_type, {name: plan_field(parent_type, f) for name, f in parent_type.fields.items()})
        _plans[id(parent_type)] = entry
    return entry[1]


class FastFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = weak_async_helpers(self)

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
            field_name = field_details_list[0].node.name.value
            if field_name == TYPENAME:  # graphql-core's resolver for it: the parent type's name
                results[response_name] = parent_type.name
                continue
            plan = plans.get(field_name)
            if plan is not None:
                value = self._planned(plan, parent_type.name, source_value, field_details_list)
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
        if self.middleware_manager is None or not self.middleware_manager.middlewares:
            fast = self._complete(return_type, field_details_list, result)
            if fast is not _MISSING:
                return cast("list[Any]", fast)
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """A kept answer (``schema.core.answer_cache``) as is; a fresh one handed to its store once complete."""
        if isinstance(result, Completed):
            return result.value
        if not isinstance(result, CompleteThenStore):
            return super().complete_value(return_type, field_details_list, info, path, result, position_context)
        errors = len(self.collected_errors.errors)
        try:
            completed = super().complete_value(return_type, field_details_list, info, path, result.value,
                                               position_context)
        except BaseException:
            result.store(None)
            raise
        if not self.is_awaitable(completed):
            result.store(completed if len(self.collected_errors.errors) == errors else None)
            return completed

        async def stored() -> Any:
            try:
                value = await completed
            except BaseException:
                result.store(None)
                raise
            result.store(value if len(self.collected_errors.errors) == errors else None)
            return value

        return stored()

    def _planned(self, plan: Plan, type_name: str, source: Any, field_details_list: Any) -> Any:
        """A field's completed value by its plan, or _MISSING when graphql-core must resolve it."""
        if isinstance(plan, FieldPlan):
            return _fast_value(plan, type_name, source)
        try:
            value = plan.link.peek(source, self.context_value)
        except Exception:  # graphql-core reports it, with the field's path
            return _MISSING
        if value is NOT_LOADED:
            return _MISSING
        return self._complete(plan.type, field_details_list, value)

    def _complete(self, return_type: GraphQLOutputType, field_details_list: Any, value: Any) -> Any:
        """``value`` completed as ``return_type`` (leaf, list or object, recursively), or _MISSING.

        _MISSING (graphql-core completes the field itself, errors and all) for anything past
        plain data: a null in a non-null position, an abstract type, an object field without a
        plan, a link not loaded yet, @defer/@stream or any other directive on a selection.
        """
        if isinstance(return_type, GraphQLNonNull):
            if value is None:
                return _MISSING
            return_type = return_type.of_type
        elif value is None:
            return None
        if isinstance(return_type, GraphQLList):
            if not isinstance(value, list | tuple) or any(d.node.directives for d in field_details_list):
                return _MISSING  # @stream included
            item_type = return_type.of_type
            completed: list[Any] = []
            for item in value:
                answer = self._complete(item_type, field_details_list, item)
                if answer is _MISSING:
                    return _MISSING
                completed.append(answer)
            return completed
        if isinstance(return_type, GraphQLObjectType):
            return self._complete_object(return_type, field_details_list, value)
        if is_leaf_type(return_type):
            try:
                serialized = return_type.serialize(value)
            except Exception:
                return _MISSING
            return _MISSING if serialized is None else serialized
        return _MISSING

    def _complete_object(self, object_type: GraphQLObjectType, field_details_list: Any, value: Any) -> Any:
        plan = self._object_plan(object_type, field_details_list)
        if plan is None:
            return _MISSING
        is_type_of = object_type.is_type_of
        # Strawberry's is_type_of is an isinstance test that ignores info (no type here defines its own).
        if is_type_of is not None and is_type_of(value, cast("GraphQLResolveInfo[Any]", None)) is not True:
            return _MISSING
        type_name = object_type.name
        result: dict[str, Any] = {}
        for response_name, field_plan, sub_details in plan:
            answer = type_name if field_plan is None else self._planned(field_plan, type_name, value, sub_details)
            if answer is _MISSING:
                return _MISSING
            result[response_name] = answer
        return result

    def _object_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> ObjectPlan | None:
        """The plans of the fields selected on ``object_type`` (memoized per selection), or None."""
        memo: dict[tuple[int, int], tuple[Any, ObjectPlan | None]] = self.__dict__.setdefault("_fast_object_plans", {})
        key = (id(object_type), id(field_details_list))
        cached = memo.get(key)
        if cached is not None:
            return cached[1]
        plan: ObjectPlan | None = []
        if any(d.node.directives for d in field_details_list):
            plan = None
        else:
            grouped, new_defer_usages, *_ = self.collect_subfields(object_type, field_details_list)
            plans = plans_for(object_type)
            for response_name, details in grouped.items():
                field_name = details[0].node.name.value
                field_plan = plans.get(field_name)
                if new_defer_usages or (field_plan is None and field_name != TYPENAME) or plan is None:
                    plan = None
                    break
                plan.append((response_name, field_plan, details))
        memo[key] = ((object_type, field_details_list), plan)  # keeps both alive: their ids stay unique
        return plan

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


GLOBAL_IDS_KEPT = 20_000  # ids, about 5 MB; then forgotten at once and learnt again
_global_ids: dict[tuple[Callable[[Any], Any], str, Any], Any] = {}


def _fast_value(plan: FieldPlan, type_name: str, source: Any) -> Any:
    try:
        value = getattr(source, plan.attr)
        if value is None:
            return None if plan.nullable else _MISSING  # a null error stays graphql-core's
        if plan.node_id:
            return _global_id(plan.serialize, type_name, value)
        serialized = plan.serialize(value)
    except Exception:  # graphql-core reports it, with the field's path
        return _MISSING
    return _MISSING if serialized is None else serialized


def _global_id(serialize: Callable[[Any], Any], type_name: str, node_id: Any) -> Any:
    """A Relay id, serialized: remembered, since a page of tasks with their people, PPAs and teams
    encodes the same few hundred ids (base64 of ``Type:id``) on every request."""
    key = (serialize, type_name, node_id)
    serialized = _global_ids.get(key)
    if serialized is None:
        serialized = serialize(GlobalID(type_name=type_name, node_id=str(node_id)))
        if serialized is None:
            return _MISSING
        if len(_global_ids) >= GLOBAL_IDS_KEPT:
            _global_ids.clear()
        _global_ids[key] = serialized
    return serialized


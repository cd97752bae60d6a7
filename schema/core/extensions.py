"""Steps every operation passes through (run by ``server.operation.AlmanacOperation``).

- ``close_session`` closes the operation's database session (``mark_read_only``: a query's
  session runs without a transaction); a failure while closing (the connection died under it) is
  logged with a trace id instead of escaping after the errors were coded, where it reached
  clients as driver text without a code.
- ``refuse_anonymous`` answers UNAUTHENTICATED for any root field but the open ones, before
  validation: an anonymous caller must not make the server validate (the expensive step) a
  query it may not run anyway.
- ``code_operation_errors`` and ``code_stream_errors`` give every top-level error an
  ``extensions.code`` and mask unexpected exceptions as INTERNAL (logged with a trace id,
  never leaked), for every result: HTTP, websocket operations and each event a subscription
  pushes.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import strawberry
import structlog
from graphql import DocumentNode, FieldNode, GraphQLError, OperationDefinitionNode
from sqlalchemy.exc import DBAPIError
from strawberry.exceptions import MissingQueryError, StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.relay.types import GlobalIDValueError, InvalidGlobalIDError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.mutation import sqlstate
from schema.core.errors import DomainError, TopLevelCode
from schema.core.hooks import runner_for
from schema.core.staged import KnownOperationContext, execute_staged, staged_extension_of

log = structlog.get_logger(__name__)

# Exceptions that mean "the client sent something malformed", not a server fault.
CLIENT_ERRORS = (GlobalIDValueError, InvalidGlobalIDError, StrawberryInputCoercionError,
                 InvalidOperationTypeError, CannotGetOperationTypeError, MissingQueryError)

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
OPEN_ROOT_FIELDS = frozenset({"login", "publicServices", "serviceCatalog", "trackServiceRequest", "submitServiceRequest",
                              "publicCalendar", "__typename", "__schema", "__type"})


def mark_read_only(ctx: ExecutionContext) -> None:
    """A query's session (opened on first use) runs without a transaction."""
    context = ctx.context
    if hasattr(context, "read_only") and ctx.operation_type is OperationType.QUERY:
        context.read_only = True


async def close_session(context: Any) -> None:
    """Close the operation's session; a failure is logged, not raised (the answer is already decided)."""
    if context is not None and hasattr(context, "close"):
        try:
            await context.close()
        except Exception as error:  # the connection is discarded
            log.warning("graphql.session_close_failed", trace_id=uuid.uuid4().hex[:16], exc_info=error)


def unauthenticated() -> GraphQLError:
    return GraphQLError(
        "Authentication required: send 'Authorization: Bearer <token>'.",
        extensions={"code": TopLevelCode.UNAUTHENTICATED.value},
    )


def refuse_anonymous(ctx: ExecutionContext) -> None:
    """UNAUTHENTICATED for an anonymous operation selecting closed root fields (Strawberry then skips validation)."""
    if ctx.pre_execution_errors is None and ctx.context is not None and getattr(ctx.context, "user", None) is None:
        document = ctx.graphql_document
        if document is not None and selects_closed_fields(document.definitions, ctx.operation_name):
            ctx.pre_execution_errors = [unauthenticated()]


def selects_introspection(document: DocumentNode) -> bool:
    """Whether any selection (operations and fragments, at any depth) is ``__schema`` or ``__type``."""
    stack: list[Any] = [d.selection_set for d in document.definitions if hasattr(d, "selection_set")]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode) and selection.name.value in INTROSPECTION_FIELDS:
                return True
            if getattr(selection, "selection_set", None) is not None:
                stack.append(selection.selection_set)
    return False


def selects_closed_fields(definitions: tuple[object, ...] | list[object], operation_name: str | None) -> bool:
    fragments = {d.name.value: d for d in definitions if getattr(d, "kind", "") == "fragment_definition"}  # type: ignore[attr-defined]
    for definition in definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and definition.name and definition.name.value != operation_name:
            continue
        if _closed_in(definition.selection_set.selections, fragments):
            return True
    return False


def _closed_in(selections: object, fragments: dict[str, object]) -> bool:
    for selection in selections:  # type: ignore[attr-defined]
        if isinstance(selection, FieldNode):
            if selection.name.value not in OPEN_ROOT_FIELDS:
                return True
        elif selection.kind == "fragment_spread":
            fragment = fragments.get(selection.name.value)
            if fragment is not None and _closed_in(fragment.selection_set.selections, fragments):  # type: ignore[attr-defined]
                return True
        elif selection.kind == "inline_fragment" and _closed_in(selection.selection_set.selections, fragments):
            return True
    return False


def coded(error: GraphQLError) -> GraphQLError:
    """The error as clients see it: always with ``extensions.code``."""
    original = error.original_error
    if isinstance(original, GraphQLError) and original.extensions and "code" in original.extensions:
        return GraphQLError(error.message, nodes=error.nodes, path=error.path, extensions=original.extensions)
    if isinstance(original, DomainError) and original.errors:
        first = original.errors[0]
        extensions = {"code": first.code.value, "field": first.field}
        return GraphQLError(first.message, nodes=error.nodes, path=error.path, extensions=extensions)
    if isinstance(original, (GraphQLError, *CLIENT_ERRORS)):
        # Raised by graphql-core/Strawberry while coercing variables: a client mistake.
        return GraphQLError(error.message, nodes=error.nodes, path=error.path,
                            extensions={"code": TopLevelCode.VALIDATION.value})
    if isinstance(original, DBAPIError) and (sqlstate(original) or "").startswith("22"):
        # A data exception from PostgreSQL (e.g. a NUL byte in a search string): bad input.
        return GraphQLError("A value is out of range or badly formed.", nodes=error.nodes, path=error.path,
                            extensions={"code": TopLevelCode.VALIDATION.value})
    if original is None:
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", TopLevelCode.VALIDATION.value)
        return GraphQLError(error.message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, extensions=extensions)
    trace_id = uuid.uuid4().hex[:16]
    log.error("graphql.internal_error", trace_id=trace_id, path=error.path, exc_info=original)
    return GraphQLError(
        f"Internal server error (trace id {trace_id}).",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": TopLevelCode.INTERNAL.value, "traceId": trace_id},
    )


def code_stream_errors(result: Any) -> None:
    """Every error of one result a subscription pushes, coded."""
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [coded(error) for error in errors]


def code_operation_errors(ctx: ExecutionContext) -> None:
    """Every error of a finished operation, coded (run when the operation ends without an exception)."""
    result = ctx.result
    if result is not None and result.errors:
        result.errors = [coded(error) for error in result.errors]
    pre = ctx.pre_execution_errors
    if pre:
        ctx.pre_execution_errors = [coded(error) for error in pre]


class AlmanacSchema(strawberry.Schema):
    """Strawberry logs every error of every operation with its stack trace (94k lines in one
    review run, mostly expected validation failures). Here only ``coded`` logs, and only the
    unexpected ones (INTERNAL, with the trace id the client sees)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None

    async def execute(
        self, query: str | None, variable_values: dict[str, Any] | None = None, context_value: Any | None = None,
        root_value: Any | None = None, operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Strawberry's ``execute`` on the stage methods of the schema's one extension (``schema.core.staged``)."""
        extension_class = staged_extension_of(self)
        if extension_class is None:
            return await super().execute(query, variable_values, context_value, root_value, operation_name,
                                         allowed_operation_types, operation_extensions)
        return await execute_staged(
            self, extension_class, query, variable_values=variable_values, context_value=context_value,
            root_value=root_value, operation_name=operation_name,
            allowed_operation_types=(DEFAULT_ALLOWED_OPERATION_TYPES if allowed_operation_types is None
                                     else allowed_operation_types),
            operation_extensions=operation_extensions,
        )

    def _create_execution_context(
        self, query: str | None, allowed_operation_types: Iterable[OperationType], variable_values: Any = None,
        context_value: Any = None, root_value: Any = None, operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionContext:
        return KnownOperationContext(
            query=query, schema=self, allowed_operations=allowed_operation_types, context=context_value,
            root_value=root_value, variables=variable_values, provided_operation_name=operation_name,
            operation_extensions=operation_extensions,
        )

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        """One extension's hooks wrapped once per class (``schema.core.hooks``), not per operation."""
        return runner_for(execution_context, extensions)

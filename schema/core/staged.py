"""An operation's steps as plain methods, and ``Schema.execute`` run on them without the hook machinery.

Strawberry runs a schema extension through hooks: for each operation it builds the extension
list, an extensions runner, a middleware manager, and enters four context managers, one per
stage (operation, parsing, validation, execution), each wrapping a generator. For a cheap query
that machinery cost about as much as executing it (issue 12: ``{ __typename }`` spent ~110 µs in
``Schema.execute``, ~30 µs of them in graphql-core's execution).

A ``StagedExtension`` writes each stage's steps as plain methods. Its hooks are derived from
them, so Strawberry's paths that still use hooks (subscriptions and websocket operations through
``Schema.subscribe``) run the very same steps in the same places. ``execute_staged`` is
Strawberry's ``Schema.execute`` (strawberry 0.341) for a schema whose only extension is a
``StagedExtension``: the same order of stages and steps, the same errors raised or returned at
the same points, the same result; it calls the stage methods directly and keeps the operation's
type once it is known. tests/speed/test_staged_execution.py runs a battery of operations both
ways and compares results, extension results and side effects.
"""
from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from graphql.execution.middleware import MiddlewareManager
from strawberry.exceptions import MissingQueryError
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.schema._graphql_core import (
    GraphQLIncrementalExecutionResults,
    execution_context_class_kwargs,
)
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import _coerce_error, _parse_operation_document, _run_validation
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe

NO_MIDDLEWARE = MiddlewareManager()  # what Strawberry builds for extensions without ``resolve``: holds nothing


class StagedExtension(SchemaExtension):
    """Steps around each stage of an operation. ``operation`` wraps the whole operation; the
    others run before and after their stage. An ``after_*`` step runs only when its stage ended
    without an exception, as the code after a hook's ``yield`` does."""

    def operation(self) -> AbstractAsyncContextManager[None]:
        raise NotImplementedError

    def before_parse(self) -> None:
        return None

    def after_parse(self) -> None:
        return None

    def before_validate(self) -> None:
        return None

    async def before_execute(self) -> None:
        return None

    async def after_execute(self) -> None:
        return None

    async def on_operation(self) -> AsyncIterator[None]:
        async with self.operation():
            yield

    def on_parse(self) -> Iterator[None]:
        self.before_parse()
        yield
        self.after_parse()

    def on_validate(self) -> Iterator[None]:
        self.before_validate()
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        await self.before_execute()
        yield
        await self.after_execute()


@dataclasses.dataclass
class KnownOperationContext(ExecutionContext):
    """Strawberry's execution context, finding the document's operation once per document.

    ``operation_type`` and ``operation_name`` look through the document's definitions each time
    they are read, and the steps of an operation read them about a dozen times."""

    def __post_init__(self, provided_operation_name: str | None) -> None:
        super().__post_init__(provided_operation_name)
        self._known_name: tuple[object, str | None] | None = None
        self._known_type: tuple[object, OperationType] | None = None

    @property
    def operation_name(self) -> str | None:
        known, document = self._known_name, self.graphql_document
        if known is None or known[0] is not document:
            known = self._known_name = (document, ExecutionContext.operation_name.fget(self))  # type: ignore[attr-defined]
        return known[1]

    @property
    def operation_type(self) -> OperationType:
        known, document = self._known_type, self.graphql_document
        if known is None or known[0] is not document:
            known = self._known_type = (document, ExecutionContext.operation_type.fget(self))  # type: ignore[attr-defined]
        return known[1]


def staged_extension_of(schema: Any) -> type[StagedExtension] | None:
    """The schema's one extension when it is a ``StagedExtension`` class (and no directive adds another)."""
    extensions = schema.extensions
    if len(extensions) == 1 and not schema.directives:
        (extension,) = extensions
        if isinstance(extension, type) and issubclass(extension, StagedExtension):
            return extension
    return None


async def execute_staged(
    schema: Any, extension_class: type[StagedExtension], query: str | None, *,
    variable_values: dict[str, Any] | None, context_value: Any, root_value: Any, operation_name: str | None,
    allowed_operation_types: Iterable[OperationType], operation_extensions: dict[str, Any] | None,
) -> ExecutionResult:
    """``Schema.execute`` for a schema whose one extension is ``extension_class``."""
    context = schema._create_execution_context(
        query=query, allowed_operation_types=allowed_operation_types, variable_values=variable_values,
        context_value=context_value, root_value=root_value, operation_name=operation_name,
        operation_extensions=operation_extensions,
    )
    extension = extension_class()
    extension.execution_context = context
    try:
        async with extension.operation():
            errors = _prepare(context, extension)
            if errors is not None:
                return await _finish(schema, context, extension, errors)
            result = await _execute(schema, context, extension, operation_extensions)
    except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError):
        raise
    except Exception as error:
        return await _finish(schema, context, extension, PreExecutionError(data=None, errors=[_coerce_error(error)]))
    return await _finish(schema, context, extension, result, skip_process_errors=True)


def _prepare(context: ExecutionContext, extension: StagedExtension) -> PreExecutionError | None:
    """Strawberry's ``_prepare_operation_async``: parse, check the operation type, validate."""
    if not context.query and context.graphql_document is None:
        raise MissingQueryError
    extension.before_parse()
    failed: GraphQLError | None = None
    try:
        _parse_operation_document(context)
    except Exception as error:  # as Strawberry: a failed parse is the answer's one error
        failed = _coerce_error(error)
        context.pre_execution_errors = [failed]
    extension.after_parse()
    if failed is not None:
        return PreExecutionError(data=None, errors=[failed])
    try:
        operation_type = context.operation_type
    except RuntimeError as error:
        raise CannotGetOperationTypeError(context.operation_name) from error
    if operation_type not in context.allowed_operations:
        raise InvalidOperationTypeError(operation_type)
    extension.before_validate()
    _run_validation(context)
    if context.pre_execution_errors:
        return PreExecutionError(data=None, errors=context.pre_execution_errors)
    return None


async def _execute(schema: Any, context: ExecutionContext, extension: StagedExtension,
                   operation_extensions: dict[str, Any] | None) -> Any:
    """Strawberry's ``_execute_operation``."""
    await extension.before_execute()
    if context.result:
        result = context.result
    else:
        assert context.graphql_document is not None
        result = await await_maybe(schema._get_execute_function()(
            schema._schema, context.graphql_document, root_value=context.root_value, middleware=NO_MIDDLEWARE,
            variable_values=context.variables, operation_name=context.operation_name,
            context_value=context.context, is_awaitable=optimized_is_awaitable,
            **execution_context_class_kwargs(schema.execution_context_class),
            operation_extensions=operation_extensions,
        ))
        context.result = result
    if isinstance(result, GraphQLExecutionResult) and result.errors:
        context.pre_execution_errors = result.errors
        schema._process_errors(result.errors, context)
    await extension.after_execute()
    return result


async def _finish(schema: Any, context: ExecutionContext, extension: StagedExtension, result: Any, *,
                  skip_process_errors: bool = False) -> ExecutionResult:
    """Strawberry's ``_handle_execution_result``."""
    if isinstance(result, GraphQLIncrementalExecutionResults):
        return result  # type: ignore[return-value]  # as Strawberry: incremental delivery passes through
    if result.errors:
        context.pre_execution_errors = result.errors
        if not skip_process_errors:
            schema._process_errors(result.errors, context)
    if isinstance(result, GraphQLExecutionResult):
        result = ExecutionResult(data=result.data, errors=result.errors)
    result.extensions = {**await await_maybe(extension.get_results()), **context.extensions_results}
    context.result = result
    return result  # type: ignore[no-any-return]

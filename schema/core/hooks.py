"""Strawberry's extension runner for a schema of one extension, its hooks wrapped once per class.

Strawberry resolves every hook afresh for each operation: ``inspect`` checks, a bound method
and a ``contextlib.contextmanager`` wrapper (``functools.wraps``) per hook, entered on an exit
stack. The Almanac schema has one extension (``server.operation``): here each of its hook
functions is wrapped once per class, and an operation enters that one context manager
directly. Hooks run exactly as Strawberry runs them: same order, same exception handling. A
schema of several extensions keeps Strawberry's runner.
"""
from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

Hook = tuple[bool, Callable[[SchemaExtension], Any]]  # (async?, extension -> its context manager)
_hooks: dict[tuple[type[SchemaExtension], str], Hook | None] = {}


def hook_of(cls: type[SchemaExtension], hook_name: str) -> Hook | None:
    """``cls``'s hook for ``hook_name`` as a context-manager factory; None when it keeps the default."""
    key = (cls, hook_name)
    if key not in _hooks:
        function = getattr(cls, hook_name)
        hook: Hook | None
        if function is getattr(SchemaExtension, hook_name):
            hook = None
        elif inspect.isasyncgenfunction(function):
            hook = True, contextlib.asynccontextmanager(function)
        elif inspect.isgeneratorfunction(function):
            hook = False, contextlib.contextmanager(function)
        else:  # a plain or coroutine function (rare): Strawberry's own wrapping, per operation
            hook = (inspect.iscoroutinefunction(function),
                    lambda extension: ExtensionContextManagerBase.from_callable(extension, function).hook())
        _hooks[key] = hook
    return _hooks[key]


class OneExtensionHooks(ExtensionContextManagerBase):
    """One stage of the one extension: its hook entered without an exit stack."""

    __slots__ = ("entered", "extension", "is_async")

    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.extension = extensions[0]
        self.entered: Any = None
        self.is_async = False

    def __enter__(self) -> None:
        """Synchronous execution (unused by the server): Strawberry's own per-operation wrapping."""
        self.hooks = [hook for hook in (self.get_hook(self.extension),) if hook]
        super().__enter__()

    async def __aenter__(self) -> None:
        hook = hook_of(type(self.extension), self.HOOK_NAME)
        if hook is not None:
            self.is_async, factory = hook
            manager = factory(self.extension)
            if self.is_async:
                await manager.__aenter__()
            else:
                manager.__enter__()
            self.entered = manager

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None,
    ) -> None:
        """Like Strawberry's: a hook cannot swallow the exception (its answer is not returned)."""
        manager = self.entered
        if manager is None:
            return
        if self.is_async:
            await manager.__aexit__(exc_type, exc_val, exc_tb)
        else:
            manager.__exit__(exc_type, exc_val, exc_tb)


class OperationHooks(OneExtensionHooks, OperationContextManager):
    __slots__ = ()


class ValidationHooks(OneExtensionHooks, ValidationContextManager):
    __slots__ = ()


class ParsingHooks(OneExtensionHooks, ParsingContextManager):
    __slots__ = ()


class ExecutingHooks(OneExtensionHooks, ExecutingContextManager):
    __slots__ = ()


class OneExtensionRunner(SchemaExtensionsRunner):
    def operation(self) -> OperationContextManager:
        return OperationHooks(self.extensions)

    def validation(self) -> ValidationContextManager:
        return ValidationHooks(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return ParsingHooks(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return ExecutingHooks(self.extensions)


def runner_for(execution_context: ExecutionContext, extensions: list[SchemaExtension]) -> SchemaExtensionsRunner:
    """The one-extension runner when there is one extension, else Strawberry's."""
    runner = OneExtensionRunner if len(extensions) == 1 else SchemaExtensionsRunner
    return runner(execution_context=execution_context, extensions=extensions)

"""Strawberry's extension runner with each hook's context-manager factory made once per extension class.

Strawberry resolves every hook of every extension afresh for each operation: ``inspect``
checks, a bound method and a ``contextlib.contextmanager`` wrapper (``functools.wraps``)
per hook. Here ``contextlib.contextmanager``/``asynccontextmanager`` wrap each class's hook
function once, and an operation only calls the factory with its extension. A stage with a
single hook (the Almanac schema has one extension, ``server.operation``) enters that one
context manager directly, without an exit stack. Hooks run exactly as before: same order,
same exception handling.
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
from strawberry.utils.await_maybe import await_maybe

Factory = Callable[[SchemaExtension], Any]  # extension -> a (sync or async) context manager
Step = tuple[int, bool, Factory | None]  # (extension's index, async?, factory; None: a plain or coroutine function)
Plan = tuple[Step, ...]
_plans: dict[tuple[tuple[type[Any], ...], str], Plan] = {}


def step_of(index: int, function: Callable[..., Any]) -> Step:
    if inspect.isgeneratorfunction(function):
        return index, False, contextlib.contextmanager(function)
    if inspect.isasyncgenfunction(function):
        return index, True, contextlib.asynccontextmanager(function)
    return index, False, None


def plan_of(classes: tuple[type[Any], ...], hook_name: str) -> Plan:
    """The hooks ``classes`` (the extensions of one schema, in order) run at ``hook_name``."""
    key = (classes, hook_name)
    plan = _plans.get(key)
    if plan is None:
        default = getattr(SchemaExtension, hook_name)
        functions = [(index, getattr(cls, hook_name)) for index, cls in enumerate(classes)]
        plan = _plans[key] = tuple(step_of(index, f) for index, f in functions if f is not default)
    return plan


class CachedHooks(ExtensionContextManagerBase):
    """Strawberry's ``ExtensionContextManagerBase`` entering the planned hooks directly."""

    __slots__ = ("extensions", "plan", "single", "single_async")

    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.extensions = extensions
        self.plan = plan_of(tuple(map(type, extensions)), self.HOOK_NAME)
        self.single: Any = None  # the one hook's context manager, entered without an exit stack
        self.single_async = False

    def _manager(self, index: int, factory: Factory | None) -> Any:
        extension = self.extensions[index]
        if factory is not None:
            return factory(extension)
        hook = self.from_callable(extension, getattr(type(extension), self.HOOK_NAME))  # rare: Strawberry's wrapping
        return hook.hook()

    def _is_async(self, step: Step) -> bool:
        index, is_async, factory = step
        if factory is not None:
            return is_async
        return inspect.iscoroutinefunction(getattr(type(self.extensions[index]), self.HOOK_NAME))

    def __enter__(self) -> None:
        """Synchronous execution (unused by the server): Strawberry's own per-operation wrapping."""
        self.hooks = [hook for index, _, _ in self.plan if (hook := self.get_hook(self.extensions[index]))]
        super().__enter__()

    async def __aenter__(self) -> None:
        if len(self.plan) == 1:
            step = self.plan[0]
            manager = self._manager(step[0], step[2])
            self.single_async = self._is_async(step)
            if self.single_async:
                await manager.__aenter__()
            else:
                manager.__enter__()
            self.single = manager
            return
        stack = self.async_exit_stack = contextlib.AsyncExitStack()
        for step in self.plan:
            manager = self._manager(step[0], step[2])
            if self._is_async(step):
                await stack.enter_async_context(manager)
            else:
                stack.enter_context(manager)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None,
    ) -> None:
        """Like Strawberry's: a hook cannot swallow the exception (the stack's answer is not returned)."""
        if not self.plan:
            return
        single = self.single
        if single is None:
            await self.async_exit_stack.__aexit__(exc_type, exc_val, exc_tb)
        elif self.single_async:
            await single.__aexit__(exc_type, exc_val, exc_tb)
        else:
            single.__exit__(exc_type, exc_val, exc_tb)


class CachedOperationHooks(CachedHooks, OperationContextManager):
    __slots__ = ()


class CachedValidationHooks(CachedHooks, ValidationContextManager):
    __slots__ = ()


class CachedParsingHooks(CachedHooks, ParsingContextManager):
    __slots__ = ()


class CachedExecutingHooks(CachedHooks, ExecutingContextManager):
    __slots__ = ()


class CachedExtensionsRunner(SchemaExtensionsRunner):
    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        """Only extensions that override ``get_results`` are asked (the others answer ``{}``)."""
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if type(extension).get_results is not SchemaExtension.get_results:
                data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data

    def operation(self) -> OperationContextManager:
        return CachedOperationHooks(self.extensions)

    def validation(self) -> ValidationContextManager:
        return CachedValidationHooks(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return CachedParsingHooks(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return CachedExecutingHooks(self.extensions)

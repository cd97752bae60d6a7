"""Strawberry's extension runner with each hook's kind looked up once per extension class.

Strawberry resolves every hook of every extension afresh for each operation: ``inspect``
checks, a bound method and a ``contextlib.contextmanager`` wrapper (``functools.wraps``)
per hook. With our dozen extensions and four stages that was a quarter of the CPU of a
``{ __typename }`` request (issue 12's profile). Here the kind of ``type(extension).on_x``
is cached per schema's extension classes and the generator hook is wrapped by contextlib's own context-manager
class directly, so hooks run exactly as before (same order, same exception handling).
"""
from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

Kind = Literal["generator", "async generator", "callable"]
Plan = tuple[tuple[int, Kind, Callable[..., Any]], ...]  # (extension's index, kind, function) per hook
_plans: dict[tuple[tuple[type[Any], ...], str], Plan] = {}


def kind_of(function: Callable[..., Any]) -> Kind:
    if inspect.isgeneratorfunction(function):
        return "generator"
    if inspect.isasyncgenfunction(function):
        return "async generator"
    return "callable"


def plan_of(classes: tuple[type[Any], ...], hook_name: str) -> Plan:
    """The hooks ``classes`` (the extensions of one schema, in order) run at ``hook_name``."""
    key = (classes, hook_name)
    plan = _plans.get(key)
    if plan is None:
        default = getattr(SchemaExtension, hook_name)
        functions = [(index, getattr(cls, hook_name)) for index, cls in enumerate(classes)]
        plan = _plans[key] = tuple((index, kind_of(f), f) for index, f in functions if f is not default)
    return plan


class CachedHooks(ExtensionContextManagerBase):
    """Strawberry's ``ExtensionContextManagerBase`` entering the planned hooks directly."""

    __slots__ = ("extensions", "plan")

    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.extensions = extensions
        self.plan = plan_of(tuple(map(type, extensions)), self.HOOK_NAME)

    def _manager(self, index: int, kind: Kind, function: Callable[..., Any]) -> WrappedHook:
        extension = self.extensions[index]
        if kind == "generator":
            return WrappedHook(extension, partial(contextlib._GeneratorContextManager, function, (extension,), {}), False)
        if kind == "async generator":
            return WrappedHook(extension, partial(contextlib._AsyncGeneratorContextManager, function, (extension,), {}),
                               True)
        return self.from_callable(extension, function)  # a plain or coroutine function (rare): Strawberry's wrapping

    def __enter__(self) -> None:
        self.hooks = [self._manager(*step) for step in self.plan]
        super().__enter__()

    async def __aenter__(self) -> None:
        stack = self.async_exit_stack = contextlib.AsyncExitStack()
        for index, kind, function in self.plan:
            if kind == "generator":
                stack.enter_context(contextlib._GeneratorContextManager(function, (self.extensions[index],), {}))
            elif kind == "async generator":
                await stack.enter_async_context(
                    contextlib._AsyncGeneratorContextManager(function, (self.extensions[index],), {}))
            else:
                hook = self._manager(index, kind, function)
                if hook.is_async:
                    await stack.enter_async_context(hook.hook())  # type: ignore[arg-type]
                else:
                    stack.enter_context(hook.hook())  # type: ignore[arg-type]


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

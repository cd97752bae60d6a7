"""The one-extension runner runs the same hooks, in the same order, as Strawberry's own."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner

from schema.core.extensions import AlmanacSchema
from schema.core.hooks import OneExtensionRunner

LOG: list[str] = []


class Generators(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        LOG.append("async generator operation in")
        yield
        LOG.append("async generator operation out")

    def on_validate(self) -> Iterator[None]:
        LOG.append("generator validate in")
        yield
        LOG.append("generator validate out")

    def on_execute(self) -> Iterator[None]:
        LOG.append("generator execute in")
        try:
            yield
        except ValueError:
            LOG.append("generator saw the error")
            raise


class Plain(SchemaExtension):
    def on_parse(self) -> None:
        LOG.append("plain parse")

    async def on_execute(self) -> None:
        LOG.append("coroutine execute")

    def get_results(self) -> dict[str, Any]:
        return {"plain": True}


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> int:
        return 1

    @strawberry.field
    def broken(self) -> int:
        raise ValueError("broken")


async def run(runner: type[SchemaExtensionsRunner], extension: type[SchemaExtension], query: str,
              monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    schema = AlmanacSchema(query=Query, extensions=[extension])
    monkeypatch.setattr(schema, "create_extensions_runner",
                        lambda ctx, extensions: runner(execution_context=ctx, extensions=extensions))
    LOG.clear()
    result = await schema.execute(query)
    return (result.data, [e.message for e in result.errors or []], result.extensions), list(LOG)


@pytest.mark.parametrize("extension", [Generators, Plain])
@pytest.mark.parametrize("query", ["{ ok }", "{ broken }", "{ missing }", "{"])
async def test_the_one_extension_runner_runs_what_strawberrys_runs(
    extension: type[SchemaExtension], query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = await run(OneExtensionRunner, extension, query, monkeypatch)
    strawberrys = await run(SchemaExtensionsRunner, extension, query, monkeypatch)

    assert ours == strawberrys
    assert ours[1], "the extension's hooks ran"


def test_the_almanac_schema_uses_the_one_extension_runner() -> None:
    from schema.root import schema

    runner = schema.create_extensions_runner(None, schema.get_extensions())  # type: ignore[arg-type]
    assert isinstance(runner, OneExtensionRunner)


def test_a_schema_of_several_extensions_keeps_strawberrys_runner() -> None:
    schema = AlmanacSchema(query=Query, extensions=[Generators, Plain])
    runner = schema.create_extensions_runner(None, schema.get_extensions())  # type: ignore[arg-type]
    assert type(runner) is SchemaExtensionsRunner


async def test_an_operation_enters_one_hook_per_stage_and_no_exit_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: twelve extensions entered 16 generator hooks on four exit stacks per request; the
    schema now builds one extension per operation and, where hooks still run (Strawberry's own
    ``execute``, as subscriptions take them), enters one hook per stage. The schema's ``execute``
    calls the stage methods and enters no hook at all (schema/core/staged.py)."""
    import contextlib

    import strawberry

    from schema.core import hooks
    from schema.root import schema
    from server.operation import AlmanacOperation

    assert [type(extension) for extension in schema.get_extensions()] == [AlmanacOperation]
    entered: list[str] = []
    original = hooks.hook_of

    def counted(cls: type[SchemaExtension], hook_name: str) -> Any:
        hook = original(cls, hook_name)
        if hook is not None:
            entered.append(hook_name)
        return hook

    def no_stack() -> None:
        raise AssertionError("an exit stack for a single hook")

    monkeypatch.setattr(hooks, "hook_of", counted)
    monkeypatch.setattr(contextlib, "AsyncExitStack", no_stack)
    result = await schema.execute("{ __typename }")
    assert result.errors is None and result.data == {"__typename": "Query"}
    assert entered == []

    result = await strawberry.Schema.execute(schema, "{ __typename }")
    assert result.errors is None and result.data == {"__typename": "Query"}
    assert entered == ["on_operation", "on_parse", "on_validate", "on_execute"]

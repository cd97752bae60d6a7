"""Layering: the domain layer (db/, dataloaders/) and the jobs never reach up into the GraphQL layer.

Jobs run in ``almanac worker`` processes that should not build the schema, and a domain
operation both a resolver and a job need belongs under db/ (``db/queries``, ``db/rules``).
Every import counts, including those inside functions and ``importlib.import_module("...")``
with a literal name: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
GRAPHQL_LAYER = ("schema", "resolvers")
# What each package may not import (a prefix matches the module and everything under it), and
# the exceptions that hold today: the demo seed hashes its accounts' passwords with server.auth.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "jobs": GRAPHQL_LAYER,
    "db": (*GRAPHQL_LAYER, "jobs", "server", "dataloaders"),
    "dataloaders": (*GRAPHQL_LAYER, "jobs", "server"),
}
ALLOWED: dict[str, tuple[str, ...]] = {"db": ("server.auth",)}


def imported_modules(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import in ``source``, at any depth."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:  # ``from server import auth`` imports server.auth, not all of server
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "import_module" and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(f"{prefix}.") for prefix in prefixes)


def violations(package: str, source: str) -> list[str]:
    found = []
    for line, module in sorted(imported_modules(source)):
        if within(module, FORBIDDEN[package]) and not within(module, ALLOWED.get(package, ())):
            found.append(f"{line}: {module}")
    return found


def test_the_checker_sees_lazy_aliased_and_dynamic_imports() -> None:
    source = (
        "import importlib\nfrom db.models import Task\n"
        "def job():\n    from resolvers.task_generation import generate_default_tasks\n"
        "    import schema.root as root\n    importlib.import_module('resolvers.ppa')\n"
        "from server import auth\nfrom server import graphql_view\n"
    )
    lazy = ["4: resolvers.task_generation.generate_default_tasks", "5: schema.root", "6: resolvers.ppa"]
    assert violations("jobs", source) == lazy
    assert violations("db", source) == [*lazy, "8: server.graphql_view"]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_above_its_layer(package: str) -> None:
    found = {
        str(path.relative_to(REPO_ROOT)): problems
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
        if (problems := violations(package, path.read_text()))
    }
    assert found == {}


def test_importing_every_job_loads_no_graphql_module() -> None:
    """What the ast walk cannot see: a job importing a server module that imports the schema."""
    probe = (
        "import importlib, pkgutil, sys, jobs\n"
        "for m in pkgutil.iter_modules(jobs.__path__): importlib.import_module('jobs.' + m.name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {GRAPHQL_LAYER!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout == "[]\n"

"""Mutations load what they change through the entity's policy (``resolvers/targets.py``), never
with ``session.get``: a primary-key lookup skips ``readable`` and ``editable``, so "who may change
X" would be decided by whatever role check the resolver happens to make instead of by the policy.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from db.enums import Role
from db.models import (
    ApiKey,
    Community,
    Resource,
    Service,
    TaskTemplate,
    Team,
    User,
    Webhook,
    WebhookDelivery,
)
from db.policies import Viewer, policy_for
from db.policies.write import RoleEditable

ROOT = Path(__file__).resolve().parents[2]

# Primary-key lookups that load no mutation target, each with why it may skip the policy.
NOT_TARGETS = {
    ("resolvers/user_password.py", "change_password"): "the caller's own row, for its password hash",
    ("resolvers/user_timezone.py", "set_my_timezone"): "the caller's own row (a personal setting)",
    ("resolvers/task_recurrence.py", "spawn_next_instance"): "the series root of a task already loaded as editable",
    ("resolvers/realtime.py", "fresh_row"): "a subscription's row, for a change whose audience already admitted it",
}


def is_session(node: ast.expr) -> bool:
    """``session`` or ``<anything>.session``."""
    return (isinstance(node, ast.Name) and node.id == "session") or (
        isinstance(node, ast.Attribute) and node.attr == "session")


def primary_key_lookups() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for folder in ("resolvers", "schema"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for top in tree.body:
                if not isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    continue
                for node in ast.walk(top):
                    call = node.func if isinstance(node, ast.Call) else None
                    if isinstance(call, ast.Attribute) and call.attr == "get" and is_session(call.value):
                        found.add((str(path.relative_to(ROOT)), top.name))
    return found


def test_no_mutation_loads_its_target_by_primary_key() -> None:
    found = primary_key_lookups()
    assert found, "the scan found no session.get at all: it no longer sees the code"
    assert sorted(found - set(NOT_TARGETS)) == []


@pytest.mark.parametrize(("model", "roles"), [
    (ApiKey, {Role.ADMIN}), (Webhook, {Role.ADMIN}), (WebhookDelivery, {Role.ADMIN}), (User, {Role.ADMIN}),
    (Team, {Role.MANAGER, Role.ADMIN}), (Community, {Role.MANAGER, Role.ADMIN}),
    (Service, {Role.MANAGER, Role.ADMIN}), (Resource, {Role.MANAGER, Role.ADMIN}),
    (TaskTemplate, {Role.MANAGER, Role.ADMIN}),
], ids=lambda value: getattr(value, "__name__", ""))
def test_administered_entities_say_who_changes_them_in_their_policy(model: type[object], roles: set[Role]) -> None:
    policy = policy_for(model)
    assert isinstance(policy, RoleEditable)
    assert set(policy.editor_roles) == roles
    for role in Role:
        allowed = str(policy.editable(Viewer(user_id=1, role=role)).compile()) == "true"
        assert allowed == (role in roles), role


def test_role_gates_name_a_policys_roles() -> None:
    """A mutation refuses callers by roles a policy holds (``ctx.require_role(*POLICY.editor_roles)``),
    never by roles written into the resolver (``require_manager()``, ``require_role(Role.ADMIN)``)."""
    own_roles = []
    for path in sorted((ROOT / "resolvers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            gate = node.func.attr
            if gate == "require_manager" or (gate == "require_role" and not all(
                    isinstance(arg, ast.Starred) for arg in node.args)):
                own_roles.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert own_roles == []

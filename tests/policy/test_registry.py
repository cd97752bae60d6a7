"""Every readable type has an access policy: nothing is readable by default."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import schema
from db.base import Base
from db.models import (
    AuditLog,
    ChangeLog,
    EventParticipant,
    PpaNeed,
    PpaPolicy,
    ServicePpa,
    TaskAssignee,
    TaskTeam,
)
from db.policies import POLICIES, MissingPolicy, policy_for
from schema.core.node import ModelNode

# Tables no read path returns as objects of their own: logs are read only through
# Change.reaches (their audience columns); link tables only through a policy-filtered join.
NOT_READ_AS_OBJECTS = {AuditLog, ChangeLog, PpaNeed, PpaPolicy, ServicePpa, TaskAssignee, TaskTeam}


def all_node_types() -> list[type[ModelNode]]:
    for module in pkgutil.walk_packages(schema.__path__, "schema."):
        importlib.import_module(module.name)
    found: list[type[ModelNode]] = []
    pending = list(ModelNode.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_node_type_has_a_policy() -> None:
    types = all_node_types()
    assert len(types) >= 18  # the schema's Node types today; guards against finding none
    missing = [cls.__name__ for cls in types if cls.model not in POLICIES]
    assert missing == []


def test_every_mapped_model_has_a_policy_or_is_never_read_as_an_object() -> None:
    models = {mapper.class_ for mapper in Base.registry.mappers}
    missing = sorted(m.__name__ for m in models - NOT_READ_AS_OBJECTS - set(POLICIES))
    assert missing == []
    assert EventParticipant in POLICIES


def test_a_new_node_type_without_a_policy_cannot_be_read() -> None:
    class Unguarded:  # a model someone forgot to write a policy for
        __name__ = "Unguarded"

    with pytest.raises(MissingPolicy, match="Unguarded has no access policy"):
        policy_for(Unguarded)

"""GraphQL type for communities."""
from __future__ import annotations

from typing import Self

import strawberry
from strawberry import relay

from db.models import Community
from schema.core.node import ModelNode


@strawberry.type(name="Community")
class CommunityType(ModelNode):
    model = Community
    id: relay.NodeID[int]
    name: str
    code: str | None
    region: str
    population: int | None

    @classmethod
    def from_model(cls, row: Community) -> Self:
        return cls(id=row.id, name=row.name, code=row.code, region=row.region, population=row.population)

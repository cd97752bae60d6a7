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
    province: str
    municipality: str
    population: int | None
    latitude: float | None = strawberry.field(description="WGS 84 degrees, null when not known.")
    longitude: float | None = strawberry.field(description="WGS 84 degrees, null when not known.")

    @classmethod
    def from_model(cls, row: Community) -> Self:
        return cls(
            id=row.id, name=row.name, code=row.code, region=row.region, province=row.province,
            municipality=row.municipality, population=row.population,
            latitude=float(row.latitude) if row.latitude is not None else None,
            longitude=float(row.longitude) if row.longitude is not None else None,
        )

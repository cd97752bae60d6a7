from __future__ import annotations

import strawberry


@strawberry.input
class CreateCommunityInput:
    name: str
    code: str | None = None
    region: str = ""
    population: int | None = None
    province: str = ""
    municipality: str = ""
    latitude: float | None = None
    longitude: float | None = None


@strawberry.input
class UpdateCommunityInput:
    """Omitted fields keep their value; code, population and coordinates may be set to null."""

    id: strawberry.ID
    name: str | None = None
    code: str | None = strawberry.UNSET
    region: str | None = None
    province: str | None = None
    municipality: str | None = None
    population: int | None = strawberry.UNSET
    latitude: float | None = strawberry.UNSET
    longitude: float | None = strawberry.UNSET


@strawberry.input
class CommunityFilter:
    search: str | None = None
    region: str | None = None
    province: str | None = None

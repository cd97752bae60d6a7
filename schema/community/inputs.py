from __future__ import annotations

import strawberry


@strawberry.input
class CreateCommunityInput:
    name: str
    code: str | None = None
    region: str = ""
    population: int | None = None


@strawberry.input
class CommunityFilter:
    search: str | None = None
    region: str | None = None

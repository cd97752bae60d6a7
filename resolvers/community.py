"""Community mutations: check permission, validate, write, log the change."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from strawberry import UNSET

from db.enums import ChangeOp
from db.models import Community
from db.policies.community import COMMUNITIES
from db.queries.logs import record_audit, record_change
from resolvers import validation as v
from resolvers.mutation import run_mutation, validation
from resolvers.targets import editable_target
from schema.community.inputs import CreateCommunityInput, UpdateCommunityInput
from schema.community.payloads import CreateCommunityPayload, UpdateCommunityPayload
from schema.community.types import CommunityType
from schema.core.ids import decode_id
from server.context import Context

MAX_POPULATION = 2_000_000_000


def place(value: str, field: str) -> str:
    return v.text(value, field, max_length=200, required=False)


def coordinate(value: float | None, field: str, limit: int) -> Decimal | None:
    if value is None:
        return None
    v.number_range(value, field, low=-limit, high=limit)
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def coordinates(latitude: float | None, longitude: float | None) -> tuple[Decimal | None, Decimal | None]:
    if (latitude is None) != (longitude is None):
        raise validation("Give both latitude and longitude, or neither.", "input.latitude")
    return coordinate(latitude, "input.latitude", 90), coordinate(longitude, "input.longitude", 180)


def snapshot(community: Community) -> dict[str, Any]:
    return {"name": community.name, "code": community.code, "region": community.region,
            "province": community.province, "municipality": community.municipality,
            "population": community.population,
            "latitude": str(community.latitude) if community.latitude is not None else None,
            "longitude": str(community.longitude) if community.longitude is not None else None}


async def create_community(ctx: Context, input: CreateCommunityInput) -> CreateCommunityPayload:
    async def work() -> CreateCommunityPayload:
        user = ctx.require_writer()
        v.number_range(input.population, "population", low=0, high=MAX_POPULATION)
        latitude, longitude = coordinates(input.latitude, input.longitude)
        community = Community(
            name=v.text(input.name, "name", max_length=200),
            code=v.optional_text(input.code, "code", max_length=32) or None,
            region=place(input.region, "region"), province=place(input.province, "province"),
            municipality=place(input.municipality, "municipality"),
            population=input.population, latitude=latitude, longitude=longitude,
        )
        ctx.session.add(community)
        await ctx.session.flush()
        await record_change(ctx.session, "Community", community.id, ChangeOp.CREATED, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="create", entity_type="Community",
                     entity_id=community.id, after=snapshot(community))
        await ctx.commit()
        return CreateCommunityPayload(community=CommunityType.from_model(community), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateCommunityPayload(community=None, errors=errors))


async def update_community(ctx: Context, input: UpdateCommunityInput) -> UpdateCommunityPayload:
    async def work() -> UpdateCommunityPayload:
        user = ctx.require_role(*COMMUNITIES.editor_roles)
        pk = decode_id(input.id, "Community", field="input.id")
        community: Community = await editable_target(ctx, COMMUNITIES, pk, "Community", "id", for_update=True)
        before = snapshot(community)
        if input.name is not None:
            community.name = v.text(input.name, "input.name", max_length=200)
        if input.code is not UNSET:
            community.code = v.optional_text(input.code, "input.code", max_length=32) or None
        for name in ("region", "province", "municipality"):
            value = getattr(input, name)
            if value is not None:
                setattr(community, name, place(value, f"input.{name}"))
        if input.population is not UNSET:
            v.number_range(input.population, "input.population", low=0, high=MAX_POPULATION)
            community.population = input.population
        if input.latitude is not UNSET or input.longitude is not UNSET:
            lat = input.latitude if input.latitude is not UNSET else _float(community.latitude)
            lon = input.longitude if input.longitude is not UNSET else _float(community.longitude)
            community.latitude, community.longitude = coordinates(lat, lon)
        await ctx.session.flush()
        await record_change(ctx.session, "Community", community.id, ChangeOp.UPDATED, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="update", entity_type="Community",
                     entity_id=community.id, before=before, after=snapshot(community))
        await ctx.commit()
        return UpdateCommunityPayload(community=CommunityType.from_model(community), errors=[])

    return await run_mutation(ctx, work, lambda errors: UpdateCommunityPayload(community=None, errors=errors))


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None

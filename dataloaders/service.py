"""Loaders for the service catalog: the owner MAO's name and the linked PPAs of a service.

The owner's name is part of a service's public record: it is shown exactly when the
service is readable (the Service policy), not by the Team policy."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dataloaders.registry import Reader, group_pairs
from db.models import Ppa, Service, ServicePpa, Team


async def owner_names_by_service_id(reader: Reader, keys: Sequence[int]) -> list[str | None]:
    rows = await reader.session.execute(
        select(Service.id, Team.name).join(Team, Team.id == Service.owner_team_id)
        .where(Service.id.in_(keys), reader.readable(Service)))
    names = dict(rows.tuples().all())
    return [names.get(k) for k in keys]


async def ppas_by_service_id(reader: Reader, keys: Sequence[int]) -> list[list[Ppa]]:
    rows = await reader.session.execute(
        select(ServicePpa.service_id, Ppa).join(Ppa, Ppa.id == ServicePpa.ppa_id)
        .where(ServicePpa.service_id.in_(keys), reader.readable(Ppa)).order_by(Ppa.title, Ppa.id))
    return group_pairs(rows.tuples(), keys)

"""orderBy on the events and shareLinks connections: direction, ties by id, nulls last."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ShareLink
from tests.calendar import factories as make
from tests.conftest import GraphQL, UserFactory

EVENTS = """
query($search: String!, $order: EventOrder) {
  events(filter: {search: $search}, orderBy: $order, first: 10) { edges { node { title } } }
}"""
SHARE_LINKS = "query($order: ShareLinkOrder) { shareLinks(orderBy: $order) { edges { node { name } } } }"


async def test_events_order_by_end_breaks_ties_by_id_in_the_same_direction(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    tag = make.unique("Ordered")
    nine = datetime(2031, 5, 6, 9, tzinfo=UTC)
    await make.event(session, nine, 180, title=f"{tag} long", owner_id=owner.id)
    await make.event(session, nine + timedelta(hours=1), 60, title=f"{tag} tie 1", owner_id=owner.id)
    await make.event(session, nine + timedelta(minutes=90), 30, title=f"{tag} tie 2", owner_id=owner.id)

    async def titles(order: dict[str, str]) -> list[str]:
        body = await gql(EVENTS, {"search": tag, "order": order}, user=owner)
        return [edge["node"]["title"].removeprefix(f"{tag} ") for edge in body["data"]["events"]["edges"]]

    assert await titles({"field": "ENDS_AT"}) == ["tie 1", "tie 2", "long"]
    assert await titles({"field": "ENDS_AT", "direction": "DESC"}) == ["long", "tie 2", "tie 1"]


async def test_share_links_order_by_expiry_keeps_links_without_expiry_last(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner = await make_user()
    now = datetime.now(UTC)
    for name, expires_at in (("later", now + timedelta(days=30)), ("soon", now + timedelta(days=1)), ("never", None)):
        session.add(ShareLink(owner_id=owner.id, name=name, token_hash=make.unique(name), expires_at=expires_at))
        await session.flush()

    async def names(order: dict[str, str]) -> list[str]:
        body = await gql(SHARE_LINKS, {"order": order}, user=owner)
        return [edge["node"]["name"] for edge in body["data"]["shareLinks"]["edges"]]

    assert await names({"field": "EXPIRES_AT"}) == ["soon", "later", "never"]
    assert await names({"field": "EXPIRES_AT", "direction": "DESC"}) == ["later", "soon", "never"]

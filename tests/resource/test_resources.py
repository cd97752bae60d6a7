"""createResource (managers only, validated) and the resources connection."""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ResourceKind, Role
from db.models import Resource
from tests.booking.factories import add_resource, count_of
from tests.conftest import GraphQL, UserFactory

CREATE_RESOURCE = """
mutation Create($input: CreateResourceInput!) {
  createResource(input: $input) {
    resource { name kind capacity requiresApproval bufferBeforeMinutes bufferAfterMinutes isActive location }
    errors { code field message }
  }
}
"""
RESOURCES = """
query Resources($filter: ResourceFilter) { resources(first: 20, filter: $filter) { totalCount edges { node { name } } } }
"""
VAN = {"name": "Van 7", "kind": "VEHICLE", "capacity": 8, "requiresApproval": True,
       "bufferBeforeMinutes": 15, "bufferAfterMinutes": 30, "location": "Motor pool"}


async def test_manager_creates_a_resource(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    body = await gql(CREATE_RESOURCE, {"input": VAN}, user=await make_user(Role.MANAGER))

    assert body["data"]["createResource"] == {
        "resource": {"name": "Van 7", "kind": "VEHICLE", "capacity": 8, "requiresApproval": True,
                     "bufferBeforeMinutes": 15, "bufferAfterMinutes": 30, "isActive": True, "location": "Motor pool"},
        "errors": [],
    }
    assert await count_of(session, Resource, name="Van 7") == 1


async def test_staff_and_viewers_cannot_create_resources(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    for role in (Role.STAFF, Role.VIEWER):
        body = await gql(CREATE_RESOURCE, {"input": VAN}, user=await make_user(role))
        assert [e["code"] for e in body["data"]["createResource"]["errors"]] == ["PERMISSION_DENIED"]
    assert await count_of(session, Resource, name="Van 7") == 0


async def test_invalid_resources_are_refused(gql: GraphQL, make_user: UserFactory, session: AsyncSession) -> None:
    admin = await make_user(Role.ADMIN)
    await add_resource(session, name="Taken")
    cases: list[tuple[dict[str, Any], tuple[str, str | None]]] = [
        ({**VAN, "name": "  "}, ("VALIDATION", "input.name")),
        ({**VAN, "capacity": 0}, ("VALIDATION", "input.capacity")),
        ({**VAN, "bufferBeforeMinutes": -1}, ("VALIDATION", "input.bufferBeforeMinutes")),
        ({**VAN, "bufferAfterMinutes": 100_000}, ("VALIDATION", "input.bufferAfterMinutes")),
        ({**VAN, "name": "Taken"}, ("CONFLICT", None)),
    ]
    for variables, expected in cases:
        body = await gql(CREATE_RESOURCE, {"input": variables}, user=admin)
        errors = body["data"]["createResource"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [expected], (variables, errors)


async def test_resources_filter_by_kind_search_and_approval(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    viewer = await make_user(Role.VIEWER)
    await add_resource(session, name="Zq Room 1")
    await add_resource(session, name="Zq Van", kind=ResourceKind.VEHICLE, requires_approval=True)
    await add_resource(session, name="Zq Projector", kind=ResourceKind.EQUIPMENT, active=False)

    def names(body: dict[str, Any]) -> list[str]:
        return [e["node"]["name"] for e in body["data"]["resources"]["edges"]]

    assert names(await gql(RESOURCES, {"filter": {"search": "zq"}}, user=viewer)) == ["Zq Projector", "Zq Room 1", "Zq Van"]
    assert names(await gql(RESOURCES, {"filter": {"search": "Zq", "kinds": ["VEHICLE", "ROOM"]}}, user=viewer)) == [
        "Zq Room 1", "Zq Van"]
    assert names(await gql(RESOURCES, {"filter": {"search": "Zq", "requiresApproval": True}}, user=viewer)) == ["Zq Van"]
    assert names(await gql(RESOURCES, {"filter": {"search": "Zq", "isActive": False}}, user=viewer)) == ["Zq Projector"]


ORDERED_RESOURCES = """
query Ordered($filter: ResourceFilter, $order: ResourceOrder) {
  resources(first: 20, filter: $filter, orderBy: $order) { edges { node { name } } }
}
"""


async def test_order_by_capacity_puts_unknown_capacity_last_both_ways(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    viewer = await make_user(Role.VIEWER)
    session.add_all([Resource(name="Sorted hall", kind=ResourceKind.ROOM, capacity=80),
                     Resource(name="Sorted van", kind=ResourceKind.VEHICLE, capacity=None),
                     Resource(name="Sorted booth", kind=ResourceKind.ROOM, capacity=4)])
    only_these = {"search": "Sorted "}

    ascending = await gql(ORDERED_RESOURCES, {"filter": only_these, "order": {"field": "CAPACITY"}}, user=viewer)
    descending = await gql(ORDERED_RESOURCES, {"filter": only_these, "order": {"field": "CAPACITY", "direction": "DESC"}},
                           user=viewer)

    def names(body: dict[str, Any]) -> list[str]:
        return [edge["node"]["name"] for edge in body["data"]["resources"]["edges"]]

    assert names(ascending) == ["Sorted booth", "Sorted hall", "Sorted van"]
    assert names(descending) == ["Sorted hall", "Sorted booth", "Sorted van"]

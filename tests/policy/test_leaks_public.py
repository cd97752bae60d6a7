"""Leak matrix, public side: ``publicServices`` shows the PPA policy's public face
(``db/policies/ppa.py``: ``publicly_listed``, ``PUBLIC_FACE``) to everyone, anonymous callers
included, and nothing else: not a PPA outside the listing, nor a listed PPA's owner, team,
budget or id; and the public face never opens the PPA row itself to anonymous callers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PpaCategory, PpaStage, PpaStatus, Role
from db.models import Community, Ppa, Team, User
from schema.core.ids import to_global_id
from tests.conftest import GraphQL, UserFactory
from tests.policy.leaks import PATHS, secret_marker, seen

PUBLIC_SERVICES = "query($c: String) { publicServices(community: $c) { name description category community startsOn } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Ppa { title } } }"
ROLES = ("admin", "manager", "staff", "viewer", "anonymous")
BUDGET = Decimal("987654321.12")


@dataclass
class PublicWorld:
    users: dict[str, User | None]
    public: str  # on the listed PPA's title
    secret: str  # on everything that must never be public
    community: str
    listed: Ppa
    unlisted: list[Ppa]


@pytest.fixture
async def world(session: AsyncSession, make_user: UserFactory) -> PublicWorld:
    public, secret = secret_marker(), secret_marker()
    users: dict[str, User | None] = {"admin": await make_user(Role.ADMIN), "manager": await make_user(Role.MANAGER),
                                     "staff": await make_user(Role.STAFF), "viewer": await make_user(Role.VIEWER),
                                     "anonymous": None}
    owner = User(email=f"{secret}@example.org", name=f"Owner {secret}", role=Role.STAFF, password_hash="x")
    team = Team(name=f"Team {secret}")
    community = Community(name=f"Barangay {public}")
    session.add_all([owner, team, community])
    await session.flush()

    def ppa(title: str, **fields: object) -> Ppa:
        values: dict[str, object] = {"category": PpaCategory.PROJECT, "status": PpaStatus.ACTIVE,
                                     "stage": PpaStage.IMPLEMENTATION, "community_id": community.id,
                                     "owner_id": owner.id, "lead_team_id": team.id, "budget_allocated": BUDGET,
                                     "starts_on": date(2033, 1, 1)}
        values.update(fields)
        return Ppa(title=title, **values)

    listed = ppa(f"Water system {public}")
    unlisted = [
        ppa(f"Proposal {secret} 1", stage=PpaStage.PROPOSAL),
        ppa(f"On hold {secret} 2", status=PpaStatus.ON_HOLD),
        ppa(f"Archived {secret} 3", archived_at=datetime(2032, 1, 1, tzinfo=UTC)),
        ppa(f"Completed {secret} 4", stage=PpaStage.COMPLETED),
    ]
    session.add_all([listed, *unlisted])
    await session.flush()
    return PublicWorld(users, public, secret, community.name, listed, unlisted)


PATHS.extend([("publicServices", "Ppa (public face)", len(ROLES)),
              ("publicServices(community)", "Ppa (public face)", len(ROLES)),
              ("node(Ppa) of a publicly listed PPA", "Ppa", 1)])


@pytest.mark.parametrize("by_community", [False, True], ids=["all", "community"])
async def test_public_services_show_the_public_face_of_listed_ppas_to_everyone_and_nothing_else(
    gql: GraphQL, world: PublicWorld, by_community: bool
) -> None:
    variables = {"c": world.community} if by_community else {}
    for role in ROLES:
        body = await gql(PUBLIC_SERVICES, variables, user=world.users[role])
        assert "errors" not in body, body
        mine = [s for s in body["data"]["publicServices"] if s["community"] == world.community]
        assert [s["name"] for s in mine] == [world.listed.title], role
        for hidden in (world.secret, str(BUDGET), "987654321", to_global_id("Ppa", world.listed.id)):
            assert not seen(hidden, body), (role, hidden)


async def test_the_public_face_does_not_open_the_ppa_row_to_anonymous_callers(
    gql: GraphQL, world: PublicWorld
) -> None:
    variables = {"id": to_global_id("Ppa", world.listed.id)}
    assert not seen(world.public, await gql(NODE, variables, user=None))
    assert seen(world.public, await gql(NODE, variables, user=world.users["viewer"]))

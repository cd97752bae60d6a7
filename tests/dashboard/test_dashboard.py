"""The OCM coordination dashboard end to end through the API, and its snapshot job."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from jobs.dashboard import snapshot_dashboard
from tests.conftest import GraphQL, UserFactory
from tests.lifecycle.test_lifecycles import CREATE_NEED, CREATE_PPA, LINK_NEEDS, UPDATE_NEED
from tests.mutations import call, mutation

CREATE_TEAM = mutation("createTeam", "CreateTeamInput", "team { id name }")
CREATE_COMMUNITY = mutation("createCommunity", "CreateCommunityInput", "community { id name }")
DASHBOARD = """
query($filter: DashboardFilter, $level: PlaceLevel!) { coordinationDashboard(filter: $filter) {
  total { team { name } ppaCount activePpaCount budgetAllocated needsLinked communities }
  maos { team { name } ppaCount budgetAllocated averageProgress needsLinked communities }
  places(level: $level) { region province municipality communities ppaCount needs openNeeds latitude longitude
                          community { name } }
  overlaps { rank sector startsOn endsOn overlapDays combinedBudget ppa { title } otherPpa { title }
             community { name } }
  needsWithoutPpa { sector needs highestPriorityScore }
  uncoveredCommunities { sector needs community { name } }
} }
"""
TREND = """
query($teamId: ID) { coordinationDashboard { trend(dateFrom: "2031-01-01", dateTo: "2031-12-31", teamId: $teamId) {
  takenOn ppaCount budgetAllocated } } }
"""


async def office(gql: GraphQL, manager: Any) -> dict[str, str]:
    """Two MAOs, three communities in two provinces, PPAs that overlap and needs with gaps."""
    ids: dict[str, str] = {}
    for name in ("MAO Health", "MAO Water"):
        ids[name] = (await call(gql, CREATE_TEAM, {"name": name}, manager))["team"]["id"]
    for name, province, lat, lon in (("Poblacion", "North", 7.1, 124.5), ("Riverside", "North", 7.3, 124.7),
                                     ("Hilltop", "South", None, None)):
        place = {"name": name, "region": "BARMM", "province": province, "municipality": f"{name} town"}
        if lat is not None:
            place |= {"latitude": lat, "longitude": lon}
        ids[name] = (await call(gql, CREATE_COMMUNITY, place, manager))["community"]["id"]
    for title, team, community, sector, starts, ends, budget in (
        ("Clinic upgrade", "MAO Health", "Poblacion", "health", "2031-01-01", "2031-06-30", "1000.00"),
        ("Mobile clinic", "MAO Water", "Poblacion", "health", "2031-03-01", "2031-12-31", "500.00"),
        ("Handwashing drive", "MAO Water", "Poblacion", "health", "2031-07-01", None, "100.00"),
        ("Water system", "MAO Water", "Riverside", "water", "2031-01-01", "2031-12-31", "2000.00"),
    ):
        ppa = {"title": title, "category": "PROJECT", "leadTeamId": ids[team], "communityId": ids[community],
               "sector": sector, "startsOn": starts, "endsOn": ends, "budgetAllocated": budget}
        ids[title] = (await call(gql, CREATE_PPA, ppa, manager))["ppa"]["id"]
    for title, community, category, validated in (("No clean water", "Riverside", "water", True),
                                                  ("No school", "Hilltop", "education", True),
                                                  ("Far from clinic", "Hilltop", "health", True),
                                                  ("Rumoured flooding", "Hilltop", "water", False)):
        need = (await call(gql, CREATE_NEED, {"title": title, "category": category,
                                              "communityId": ids[community]}, manager))["need"]
        ids[title] = need["id"]
        if validated:
            await call(gql, UPDATE_NEED, {"id": need["id"], "expectedVersion": 1, "status": "VALIDATED"}, manager)
    await call(gql, LINK_NEEDS, {"ppaId": ids["Water system"], "needIds": [ids["No clean water"]]}, manager)
    return ids


async def test_dashboard_across_maos_places_overlaps_and_gaps(gql: GraphQL, make_user: UserFactory) -> None:
    manager = await make_user(Role.MANAGER)
    ids = await office(gql, manager)
    body = await gql(DASHBOARD, {"level": "COMMUNITY", "filter": {"teamIds": [ids["MAO Health"], ids["MAO Water"]]}},
                     user=manager)
    assert "errors" not in body, body
    board = body["data"]["coordinationDashboard"]
    assert board["total"] == {"team": None, "ppaCount": 4, "activePpaCount": 4, "budgetAllocated": "3600.00",
                              "needsLinked": 1, "communities": 2}
    assert board["maos"] == [
        {"team": {"name": "MAO Health"}, "ppaCount": 1, "budgetAllocated": "1000.00", "averageProgress": 0.0,
         "needsLinked": 0, "communities": 1},
        {"team": {"name": "MAO Water"}, "ppaCount": 3, "budgetAllocated": "2600.00", "averageProgress": 0.0,
         "needsLinked": 1, "communities": 2},
    ]
    assert [(p["community"]["name"], p["ppaCount"], p["needs"], p["openNeeds"], p["latitude"]) for p in
            board["places"]] == [("Poblacion", 3, 0, 0, 7.1), ("Riverside", 1, 1, 1, 7.3), ("Hilltop", 0, 3, 2, None)]
    # the clinic and the mobile clinic overlap four months; the open-ended drive and the mobile clinic rank first
    assert [(o["rank"], o["ppa"]["title"], o["otherPpa"]["title"], o["startsOn"], o["endsOn"], o["overlapDays"],
             o["combinedBudget"], o["community"]["name"], o["sector"]) for o in board["overlaps"]] == [
        (1, "Clinic upgrade", "Mobile clinic", "2031-03-01", "2031-06-30", 122, "1500.00", "Poblacion", "health"),
    ]
    assert board["needsWithoutPpa"] == [{"sector": "education", "needs": 1, "highestPriorityScore": None},
                                        {"sector": "health", "needs": 1, "highestPriorityScore": None}]
    assert sorted((g["community"]["name"], g["sector"], g["needs"]) for g in board["uncoveredCommunities"]) == [
        ("Hilltop", "education", 1), ("Hilltop", "health", 1)]

    provinces = await gql(DASHBOARD, {"level": "PROVINCE", "filter": {"teamIds": [ids["MAO Water"]]}}, user=manager)
    places = provinces["data"]["coordinationDashboard"]["places"]
    assert [(p["province"], p["communities"], p["ppaCount"], p["community"]) for p in places] == [
        ("North", 2, 3, None), ("South", 1, 0, None)]
    assert round(places[0]["latitude"], 6) == 7.2


async def test_daily_snapshots_chart_the_trend(
    gql: GraphQL, make_user: UserFactory, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    manager = await make_user(Role.MANAGER)
    ids = await office(gql, manager)
    for day in (3, 4):  # a second run on a day overwrites it
        ctx = {"sessionmaker": sessionmaker, "clock": lambda day=day: datetime(2031, 5, day, 12, tzinfo=UTC)}
        assert await snapshot_dashboard(ctx) >= 3
    assert await snapshot_dashboard(ctx) >= 3
    office_trend = await gql(TREND, {}, user=manager)
    water = await gql(TREND, {"teamId": ids["MAO Water"]}, user=manager)
    assert [(s["takenOn"], s["ppaCount"] >= 4) for s in office_trend["data"]["coordinationDashboard"]["trend"]] == [
        ("2031-05-03", True), ("2031-05-04", True)]
    assert water["data"]["coordinationDashboard"]["trend"] == [
        {"takenOn": "2031-05-03", "ppaCount": 3, "budgetAllocated": "2600.00"},
        {"takenOn": "2031-05-04", "ppaCount": 3, "budgetAllocated": "2600.00"},
    ]
    anonymous = await gql(TREND, {})
    assert anonymous["data"] is None and anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

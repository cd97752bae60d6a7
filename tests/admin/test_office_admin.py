"""Administration through the API: users (ADMIN), teams with members and roles, communities."""
from __future__ import annotations

from typing import Any

from db.enums import Role
from tests.conftest import GraphQL, UserFactory

CREATE_USER = """
mutation($input: CreateUserInput!) { createUser(input: $input) {
  user { id name role email isActive timezone } errors { code field message } } }
"""
CHANGE_ROLE = """
mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { user { id role } errors { code field } } }
"""
LOGIN = """
mutation($email: String!, $password: String!) { login(input: {email: $email, password: $password}) { token errors { code } } }
"""
TEAM_FIELDS = "team { id name description holdsQuarterlyCoordination members { role user { name } } } errors { code field }"
CREATE_TEAM = "mutation($input: CreateTeamInput!) { createTeam(input: $input) { " + TEAM_FIELDS + " } }"
UPDATE_TEAM = "mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { " + TEAM_FIELDS + " } }"
SET_MEMBER = "mutation($input: SetTeamMemberInput!) { setTeamMember(input: $input) { " + TEAM_FIELDS + " } }"
REMOVE_MEMBER = "mutation($input: RemoveTeamMemberInput!) { removeTeamMember(input: $input) { " + TEAM_FIELDS + " } }"
TEAMS = """
query($search: String) { teams(filter: {search: $search}) { totalCount edges { node {
  name holdsQuarterlyCoordination members { role user { name } } } } } }
"""
COMMUNITY_FIELDS = "community { id name region province municipality latitude longitude } errors { code field }"
CREATE_COMMUNITY = "mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { " + COMMUNITY_FIELDS + " } }"
UPDATE_COMMUNITY = "mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { " + COMMUNITY_FIELDS + " } }"
COMMUNITIES = """
query($province: String) { communities(filter: {province: $province}) { edges { node { name municipality } } } }
"""


def data(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][field]
    return result


async def test_admin_creates_a_user_who_can_sign_in(gql: GraphQL, make_user: UserFactory) -> None:
    admin = await make_user(Role.ADMIN)
    new = {"email": "ana.reyes@office.example", "name": "Ana Reyes", "password": "quarterly-2027",
           "role": "MANAGER", "timezone": "Asia/Manila"}
    created = data(await gql(CREATE_USER, {"input": new}, user=admin), "createUser")
    assert created["errors"] == []
    assert {k: created["user"][k] for k in ("name", "role", "email", "isActive", "timezone")} == {
        "name": "Ana Reyes", "role": "MANAGER", "email": "ana.reyes@office.example", "isActive": True,
        "timezone": "Asia/Manila"}
    signed_in = data(await gql(LOGIN, {"email": new["email"], "password": new["password"]}), "login")
    assert signed_in["errors"] == [] and signed_in["token"]

    again = data(await gql(CREATE_USER, {"input": {**new, "email": "ANA.REYES@office.example"}}, user=admin),
                 "createUser")
    assert (again["user"], again["errors"]) == (None, [{"code": "CONFLICT", "field": "input.email",
                                                        "message": "A user with this email already exists."}])


async def test_user_input_is_validated_and_only_admins_create_users(gql: GraphQL, make_user: UserFactory) -> None:
    admin, manager = await make_user(Role.ADMIN), await make_user(Role.MANAGER)
    base = {"email": "x@office.example", "name": "X", "password": "long-enough"}
    cases = [({"password": "short"}, "input.password"), ({"email": "not-an-address"}, "input.email"),
             ({"name": "  "}, "input.name"), ({"timezone": "Mars/Olympus"}, "input.timezone")]
    for change, field in cases:
        result = data(await gql(CREATE_USER, {"input": {**base, **change}}, user=admin), "createUser")
        assert [(e["code"], e["field"]) for e in result["errors"]] == [("VALIDATION", field)]
    denied = data(await gql(CREATE_USER, {"input": base}, user=manager), "createUser")
    assert [e["code"] for e in denied["errors"]] == ["PERMISSION_DENIED"]


async def test_admin_changes_roles_but_never_removes_the_last_admin(gql: GraphQL, make_user: UserFactory) -> None:
    admin, staff = await make_user(Role.ADMIN), await make_user(Role.STAFF)
    staff_id = data(await gql("{ me { id } }", user=staff), "me")["id"]
    admin_id = data(await gql("{ me { id } }", user=admin), "me")["id"]
    promoted = data(await gql(CHANGE_ROLE, {"input": {"userId": staff_id, "role": "MANAGER"}}, user=admin),
                    "changeUserRole")
    assert promoted == {"user": {"id": staff_id, "role": "MANAGER"}, "errors": []}
    denied = data(await gql(CHANGE_ROLE, {"input": {"userId": admin_id, "role": "MANAGER"}}, user=staff),
                  "changeUserRole")
    assert [e["code"] for e in denied["errors"]] == ["PERMISSION_DENIED"]
    # the test database may hold other admins; demote them all through the API until one is left
    others = data(await gql("{ users(filter: {role: ADMIN}, first: 100) { edges { node { id } } } }", user=admin),
                  "users")["edges"]
    for edge in others:
        if edge["node"]["id"] != admin_id:
            await gql(CHANGE_ROLE, {"input": {"userId": edge["node"]["id"], "role": "STAFF"}}, user=admin)
    last = data(await gql(CHANGE_ROLE, {"input": {"userId": admin_id, "role": "STAFF"}}, user=admin),
                "changeUserRole")
    assert (last["user"], [(e["code"], e["field"]) for e in last["errors"]]) == (None, [("CONFLICT", "input.role")])


async def test_manager_builds_a_team_with_a_lead_and_members(gql: GraphQL, make_user: UserFactory) -> None:
    manager = await make_user(Role.MANAGER)
    lead, member = await make_user(name="Lea Lead"), await make_user(name="Mo Member")
    lead_id = data(await gql("{ me { id } }", user=lead), "me")["id"]
    member_id = data(await gql("{ me { id } }", user=member), "me")["id"]
    team = data(await gql(CREATE_TEAM, {"input": {"name": "MAO Health", "description": "Health office"}},
                          user=manager), "createTeam")["team"]
    assert (team["holdsQuarterlyCoordination"], team["members"]) == (True, [])
    await gql(SET_MEMBER, {"input": {"teamId": team["id"], "userId": lead_id, "role": "LEAD"}}, user=manager)
    await gql(SET_MEMBER, {"input": {"teamId": team["id"], "userId": member_id}}, user=manager)
    changed = data(await gql(SET_MEMBER, {"input": {"teamId": team["id"], "userId": member_id, "role": "LEAD"}},
                             user=manager), "setTeamMember")
    assert sorted((m["user"]["name"], m["role"]) for m in changed["team"]["members"]) == [
        ("Lea Lead", "LEAD"), ("Mo Member", "LEAD")]
    removed = data(await gql(REMOVE_MEMBER, {"input": {"teamId": team["id"], "userId": member_id}}, user=manager),
                   "removeTeamMember")
    assert [(m["user"]["name"], m["role"]) for m in removed["team"]["members"]] == [("Lea Lead", "LEAD")]
    flagged = data(await gql(UPDATE_TEAM, {"input": {"id": team["id"], "holdsQuarterlyCoordination": False}},
                             user=manager), "updateTeam")["team"]
    assert (flagged["name"], flagged["holdsQuarterlyCoordination"]) == ("MAO Health", False)
    listed = data(await gql(TEAMS, {"search": "MAO Health"}, user=lead), "teams")
    assert listed["edges"] == [{"node": {"name": "MAO Health", "holdsQuarterlyCoordination": False,
                                         "members": [{"role": "LEAD", "user": {"name": "Lea Lead"}}]}}]


async def test_team_administration_errors(gql: GraphQL, make_user: UserFactory) -> None:
    manager, staff = await make_user(Role.MANAGER), await make_user(Role.STAFF)
    staff_id = data(await gql("{ me { id } }", user=staff), "me")["id"]
    denied = data(await gql(CREATE_TEAM, {"input": {"name": "Nope"}}, user=staff), "createTeam")
    assert [e["code"] for e in denied["errors"]] == ["PERMISSION_DENIED"]
    team = data(await gql(CREATE_TEAM, {"input": {"name": "MAO Agri"}}, user=manager), "createTeam")["team"]
    duplicate = data(await gql(CREATE_TEAM, {"input": {"name": "MAO Agri"}}, user=manager), "createTeam")
    assert [e["code"] for e in duplicate["errors"]] == ["CONFLICT"]
    not_member = data(await gql(REMOVE_MEMBER, {"input": {"teamId": team["id"], "userId": staff_id}}, user=manager),
                      "removeTeamMember")
    assert [(e["code"], e["field"]) for e in not_member["errors"]] == [("NOT_FOUND", "input.userId")]
    wrong_id = data(await gql(SET_MEMBER, {"input": {"teamId": staff_id, "userId": staff_id}}, user=manager),
                    "setTeamMember")
    assert [(e["code"], e["field"]) for e in wrong_id["errors"]] == [("VALIDATION", "input.teamId")]


async def test_communities_carry_province_municipality_and_optional_coordinates(
    gql: GraphQL, make_user: UserFactory
) -> None:
    manager = await make_user(Role.MANAGER)
    created = data(await gql(CREATE_COMMUNITY, {"input": {
        "name": "Barangay Poblacion", "region": "BARMM", "province": "Maguindanao del Sur",
        "municipality": "Datu Piang", "latitude": 7.018123, "longitude": 124.501234}}, user=manager),
        "createCommunity")["community"]
    assert {k: created[k] for k in ("province", "municipality", "latitude", "longitude")} == {
        "province": "Maguindanao del Sur", "municipality": "Datu Piang", "latitude": 7.018123,
        "longitude": 124.501234}
    half = data(await gql(CREATE_COMMUNITY, {"input": {"name": "Half", "latitude": 7.0}}, user=manager),
                "createCommunity")
    assert [(e["code"], e["field"]) for e in half["errors"]] == [("VALIDATION", "input.latitude")]
    off_map = data(await gql(UPDATE_COMMUNITY, {"input": {"id": created["id"], "longitude": 181}}, user=manager),
                   "updateCommunity")
    assert [(e["code"], e["field"]) for e in off_map["errors"]] == [("VALIDATION", "input.longitude")]
    moved = data(await gql(UPDATE_COMMUNITY, {"input": {
        "id": created["id"], "municipality": "Shariff Aguak", "latitude": None, "longitude": None}}, user=manager),
        "updateCommunity")["community"]
    assert (moved["municipality"], moved["latitude"], moved["longitude"]) == ("Shariff Aguak", None, None)
    found = data(await gql(COMMUNITIES, {"province": "Maguindanao del Sur"}, user=manager), "communities")
    assert found["edges"] == [{"node": {"name": "Barangay Poblacion", "municipality": "Shariff Aguak"}}]

"""Authentication: login, bearer tokens, UNAUTHENTICATED, read-only viewers."""
from __future__ import annotations

from db.enums import Role
from tests.conftest import GraphQL, UserFactory

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token user { name role email } errors { code message } }
}
"""
ME = "{ me { name role email } }"
CREATE_COMMUNITY = """
mutation Create($name: String!) {
  createCommunity(input: {name: $name, region: "North"}) { community { id name region } errors { code field message } }
}
"""


async def test_login_returns_a_token_that_authenticates(gql: GraphQL, make_user: UserFactory, client) -> None:
    user = await make_user(Role.STAFF, name="Ada", email="Ada@Example.org", password="s3cret-pass")

    body = await gql(LOGIN, {"email": "ada@example.org", "password": "s3cret-pass"})

    login = body["data"]["login"]
    # the signed-in user may read their own email in the same answer
    assert login["errors"] == [] and login["user"] == {"name": "Ada", "role": "STAFF", "email": user.email}
    me = await client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {login['token']}"})
    assert me.json() == {"data": {"me": {"name": "Ada", "role": "STAFF", "email": user.email}}}


async def test_wrong_password_is_a_typed_error(gql: GraphQL, make_user: UserFactory) -> None:
    await make_user(email="bob@example.org", password="right-password")

    body = await gql(LOGIN, {"email": "bob@example.org", "password": "wrong"})

    assert body["data"]["login"] == {
        "token": None, "user": None,
        "errors": [{"code": "INVALID_CREDENTIALS", "message": "Wrong email or password."}],
    }


async def test_unauthenticated_query_answers_unauthenticated(gql: GraphQL, client) -> None:
    body = await gql(ME)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    bad = await client.post("/graphql", json={"query": ME}, headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_viewer_cannot_mutate_but_staff_can(gql: GraphQL, make_user: UserFactory) -> None:
    viewer = await make_user(Role.VIEWER)
    staff = await make_user(Role.STAFF)

    denied = await gql(CREATE_COMMUNITY, {"name": "Hillside"}, user=viewer)
    created = await gql(CREATE_COMMUNITY, {"name": "Hillside"}, user=staff)

    assert denied["data"]["createCommunity"] == {
        "community": None,
        "errors": [{"code": "PERMISSION_DENIED", "field": None, "message": "Viewers have read-only access."}],
    }
    assert created["data"]["createCommunity"]["community"]["name"] == "Hillside"
    assert created["data"]["createCommunity"]["errors"] == []


async def test_duplicate_name_is_a_conflict_not_a_500(gql: GraphQL, make_user: UserFactory) -> None:
    staff = await make_user(Role.STAFF)
    await gql(CREATE_COMMUNITY, {"name": "Lakeside"}, user=staff)

    again = await gql(CREATE_COMMUNITY, {"name": "Lakeside"}, user=staff)

    errors = again["data"]["createCommunity"]["errors"]
    assert [e["code"] for e in errors] == ["CONFLICT"]


async def test_login_attempts_per_email_are_rate_limited(gql: GraphQL, make_user: UserFactory) -> None:
    await make_user(email="carol@example.org", password="right-password")
    codes = []
    for _ in range(11):  # ALMANAC_LOGIN_RATE_LIMIT defaults to 10/minute per email
        body = await gql(LOGIN, {"email": "carol@example.org", "password": "guess"})
        codes.append([e["code"] for e in body["data"]["login"]["errors"]])

    assert codes[:10] == [["INVALID_CREDENTIALS"]] * 10
    assert codes[10] == ["RATE_LIMITED"]

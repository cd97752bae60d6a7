"""Webhooks: signed, at least once across a crash, retried with backoff, dead-lettered, and
never carrying a change the key may not see."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Visibility
from db.models import User, WebhookDelivery
from db.rules.webhook_signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verify
from jobs.webhooks import LEASE, MAX_ATTEMPTS, deliver_webhooks, http_sender
from schema.core.ids import to_global_id
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.partner.conftest import CREATE_HOOK, MakeKey, Receiver, number_changes
from tests.policy.leaks import secret_marker, seen

CREATE_TASK = """mutation($title: String!) { createTask(input: {title: $title}) { task { id } errors { code } } }"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def job(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> dict[str, Any]:
    return {"sessionmaker": sessionmaker, "clock": clock}


async def subscribe(gql: GraphQL, admin: User, make_key: MakeKey, receiver: Receiver, session: AsyncSession) -> str:
    # Rows other tests committed without a relay to number them get their positions now, so they
    # fall below the new webhook's starting point (a webhook starts from the present).
    await number_changes(session)
    key = await make_key(["TASKS"])
    body = await gql(CREATE_HOOK, {"input": {"apiKeyId": key.id, "url": receiver.url, "entityTypes": ["Task"]}},
                     user=admin)
    payload = body["data"]["createWebhook"]
    assert payload["errors"] == [], payload
    return str(payload["signingSecret"])


async def make_tasks(gql: GraphQL, user: User, titles: list[str]) -> set[str]:
    ids = set()
    for title in titles:
        body = await gql(CREATE_TASK, {"title": title}, user=user)
        ids.add(body["data"]["createTask"]["task"]["id"])
    return ids


def delivered_ids(receiver: Receiver, secret: str, clock: Clock) -> list[str]:
    """Entity ids of the deliveries received, each one's signature checked."""
    ids = []
    for headers, body in receiver.received:
        assert verify(secret, headers[SIGNATURE_HEADER.lower()], body, now=int(clock.now.timestamp())), headers
        payload = json.loads(body)
        assert headers[IDEMPOTENCY_HEADER.lower()] == payload["id"]
        ids.append(payload["entityId"])
    return ids


async def test_changes_arrive_signed_and_a_crash_mid_delivery_loses_nothing(
    gql: GraphQL, admin: User, make_key: MakeKey, make_user: UserFactory, receiver: Receiver,
    session: AsyncSession, job: dict[str, Any], clock: Clock,
) -> None:
    secret = await subscribe(gql, admin, make_key, receiver, session)
    staff = await make_user()
    created = await make_tasks(gql, staff, ["Survey the barangay road", "Order culverts", "Brief the council"])
    await number_changes(session)

    sent = 0

    async def crashing_sender(url: str, body: bytes, headers: dict[str, str]) -> int:
        nonlocal sent
        status = await http_sender(url, body, headers)  # the partner receives it...
        sent += 1
        if sent == 2:
            raise SystemExit("worker killed")  # ...and the worker dies before recording it
        return status

    with pytest.raises(SystemExit):
        await deliver_webhooks({**job, "webhook_sender": crashing_sender})
    assert len(receiver.received) == 2

    clock.now += LEASE + timedelta(seconds=1)  # the crashed worker's lease runs out
    assert await deliver_webhooks(job) == 2  # the unrecorded one again, and the third
    ids = delivered_ids(receiver, secret, clock)
    assert len(ids) == 4 and set(ids) == created  # at least once: one duplicate, nothing lost
    keys = [json.loads(body)["id"] for _, body in receiver.received]
    assert len(set(keys)) == 3  # the duplicate carries the same idempotency key
    assert await deliver_webhooks(job) == 0  # nothing left to send


async def test_a_private_events_task_is_never_sent(
    gql: GraphQL, admin: User, make_key: MakeKey, make_user: UserFactory, receiver: Receiver,
    session: AsyncSession, job: dict[str, Any], clock: Clock,
) -> None:
    secret = await subscribe(gql, admin, make_key, receiver, session)
    owner = await make_user()
    marker = secret_marker()
    hearing = await f.event(session, clock.now, owner_id=owner.id, visibility=Visibility.PRIVATE, title=marker)
    body = await gql("""mutation($event: ID!, $title: String!) { createTask(input: {title: $title, linkId: $event}) {
        task { id } errors { code } } }""", {"event": to_global_id("Event", hearing.id), "title": f"{marker} notes"},
                     user=owner)
    hidden = body["data"]["createTask"]["task"]["id"]
    visible = await make_tasks(gql, owner, ["Public road works"])
    await number_changes(session)

    await deliver_webhooks(job)
    ids = delivered_ids(receiver, secret, clock)
    assert set(ids) == visible and hidden not in ids
    assert not any(seen(marker, body) for _, body in receiver.received)


async def test_failures_back_off_then_dead_letter_then_retry_by_hand(
    gql: GraphQL, admin: User, make_key: MakeKey, make_user: UserFactory, receiver: Receiver,
    session: AsyncSession, job: dict[str, Any], clock: Clock,
) -> None:
    secret = await subscribe(gql, admin, make_key, receiver, session)
    [task_id] = await make_tasks(gql, await make_user(), ["Fix the water pump"])
    await number_changes(session)
    receiver.fail_with = 503

    waits = []
    for _ in range(MAX_ATTEMPTS):
        assert await deliver_webhooks(job) == 0
        delivery = await session.scalar(select(WebhookDelivery).execution_options(populate_existing=True))
        assert delivery is not None
        waits.append(delivery.next_attempt_at - clock.now)
        clock.now = max(clock.now, delivery.next_attempt_at)  # sleep until it is due again
    assert len(receiver.received) == MAX_ATTEMPTS
    assert waits[1] == 2 * waits[0] and waits[4] == 16 * waits[0]  # exponential backoff

    dead = await gql("{ webhookDeliveries(status: DEAD) { edges { node { id attempts lastError } } } }", user=admin)
    [edge] = dead["data"]["webhookDeliveries"]["edges"]
    assert edge["node"]["attempts"] == MAX_ATTEMPTS and edge["node"]["lastError"] == "HTTP 503"

    receiver.fail_with = None
    retried = await gql("mutation($id: ID!) { retryWebhookDelivery(input: {id: $id}) { errors { code } } }",
                        {"id": edge["node"]["id"]}, user=admin)
    assert retried["data"]["retryWebhookDelivery"]["errors"] == []
    clock.now = datetime.now(UTC) + timedelta(seconds=1)
    assert await deliver_webhooks(job) == 1
    last = Receiver(receiver.url, receiver.received[-1:])  # signed just now, at the job's clock
    assert delivered_ids(last, secret, clock) == [task_id]


async def test_a_deleted_task_arrives_as_deleted_and_a_task_turned_private_as_a_removal(
    gql: GraphQL, admin: User, make_key: MakeKey, make_user: UserFactory, receiver: Receiver,
    session: AsyncSession, job: dict[str, Any], clock: Clock,
) -> None:
    secret = await subscribe(gql, admin, make_key, receiver, session)
    owner = await make_user()
    gone = await make_tasks(gql, owner, ["Cancelled survey"])
    gone_id = next(iter(gone))
    body = await gql("""mutation($id: ID!) { deleteTask(input: {id: $id}) { errors { code } } }""",
                     {"id": gone_id}, user=owner)
    assert body["data"]["deleteTask"]["errors"] == [], body
    hearing = await f.event(session, clock.now, owner_id=owner.id, visibility=Visibility.PRIVATE,
                            title=secret_marker())
    hidden = next(iter(await make_tasks(gql, owner, ["Notes"])))
    version = (await gql("query($id: ID!) { node(id: $id) { ... on Task { version } } }", {"id": hidden},
                         user=owner))["data"]["node"]["version"]
    body = await gql("""mutation($id: ID!, $v: Int!, $event: ID!) {
        updateTask(input: {id: $id, expectedVersion: $v, linkId: $event}) { errors { code } } }""",
                     {"id": hidden, "v": version, "event": to_global_id("Event", hearing.id)}, user=owner)
    assert body["data"]["updateTask"]["errors"] == [], body
    await number_changes(session)

    await deliver_webhooks(job)
    delivered_ids(receiver, secret, clock)  # every delivery signed
    ops = [(json.loads(b)["entityId"], json.loads(b)["op"]) for _, b in receiver.received]
    assert sorted(ops) == sorted([(gone_id, "CREATED"), (gone_id, "DELETED"), (hidden, "CREATED"), (hidden, "DELETED")])
    assert all(json.loads(b)["type"].endswith(json.loads(b)["op"]) for _, b in receiver.received)

"""Files on service requests: attached by the staff handling the request and read by whoever
may read the request (MANAGER, ADMIN, the service's owner team, its last handler), never by
another STAFF, a VIEWER, an anonymous caller or through the public tracking code."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, ServiceStatus, TeamRole
from db.models import Attachment, Service, ServiceRequest, Team, TeamMembership, User
from db.policies import Viewer
from db.policies.attachment import AttachmentPolicy
from db.policies.service import ServiceRequestPolicy
from jobs.attachments import GRACE, sweep_orphan_files
from server.settings import Settings
from tests.attachment.conftest import Upload, age, files_in, png_bytes
from tests.conftest import GraphQL, UserFactory
from tests.policy.leaks import PATHS as MATRIX_PATHS
from tests.policy.leaks import secret_marker, seen
from tests.task.conftest import gid

FILE_PATHS = {
    "node(Attachment)": "query($id: ID!) { node(id: $id) { ... on Attachment { filename url } } }",
    "nodes(Attachment)": "query($id: ID!) { nodes(ids: [$id]) { ... on Attachment { filename url } } }",
    "ServiceRequest.attachments": """query($request: ID!) { node(id: $request) { ... on ServiceRequest {
        attachments { totalCount nodes { filename url thumbnailUrl } } } } }""",
    "serviceRequests.attachments": """{ serviceRequests(first: 50) { edges { node {
        attachments { nodes { filename } } } } } }""",
}
REQUEST_PATHS = {
    "serviceRequests": "{ serviceRequests(first: 50) { edges { node { requesterName details } } } }",
    "node(ServiceRequest)": "query($request: ID!) { node(id: $request) { ... on ServiceRequest { requesterName } } }",
}
HANDLE = """mutation($input: HandleServiceRequestInput!) { handleServiceRequest(input: $input) {
    errors { code } } }"""
TRACK = """query($code: String!) { trackServiceRequest(trackingCode: $code) {
    trackingCode serviceName status submittedAt updatedAt } }"""
READERS = ("manager", "lead", "handler")
NON_READERS = ("other_staff", "viewer", "anonymous")
MATRIX_PATHS.extend((path, "ServiceRequest attachment", len(READERS + NON_READERS)) for path in FILE_PATHS)
MATRIX_PATHS.extend((path, "ServiceRequest", len(READERS + NON_READERS)) for path in REQUEST_PATHS)


@dataclass
class Desk:
    users: dict[str, User | None]
    request: ServiceRequest
    member_viewer: User


async def a_request(session: AsyncSession, make_user: UserFactory, requester: str) -> Desk:
    """A published service of a team with a lead (STAFF) and a VIEWER member; a request handled
    last by a STAFF who has since left the team."""
    users: dict[str, User | None] = {
        "manager": await make_user(Role.MANAGER), "lead": await make_user(), "handler": await make_user(),
        "other_staff": await make_user(), "viewer": await make_user(Role.VIEWER), "anonymous": None,
    }
    member_viewer = await make_user(Role.VIEWER)
    team = Team(name=f"MAO {secret_marker()}")
    session.add(team)
    await session.flush()
    lead = users["lead"]
    assert lead is not None
    session.add_all([TeamMembership(team_id=team.id, user_id=lead.id, role=TeamRole.LEAD),
                     TeamMembership(team_id=team.id, user_id=member_viewer.id)])
    service = Service(name=f"Burial assistance {secret_marker()}", owner_team_id=team.id,
                      status=ServiceStatus.PUBLISHED, contact="mswd@office.example")
    session.add(service)
    await session.flush()
    handler = users["handler"]
    assert handler is not None
    request = ServiceRequest(service_id=service.id, tracking_code=secret_marker()[-12:].upper(),
                             requester_name=requester, contact="+63 917 555 0101", details="for my father",
                             handled_by_id=handler.id)
    session.add(request)
    await session.flush()
    return Desk(users, request, member_viewer)


async def test_request_files_reach_its_handlers_only(
    upload: Upload, gql: GraphQL, client: httpx.AsyncClient, make_user: UserFactory, session: AsyncSession,
) -> None:
    desk = await a_request(session, make_user, requester=f"Juan {secret_marker()}")
    requester_marker = desk.request.requester_name.split()[1]
    file_marker = secret_marker()
    request_id = gid("ServiceRequest", desk.request.id)

    body = await upload(desk.users["lead"], request_id, png_bytes(), filename=f"{file_marker}-id.png")
    payload = body["data"]["uploadAttachment"]
    assert payload["errors"] == [] and payload["attachment"]["isPhoto"] is True
    variables = {"id": payload["attachment"]["id"], "request": request_id, "code": desk.request.tracking_code}

    for role, user in desk.users.items():
        for path, query in FILE_PATHS.items():
            assert seen(file_marker, await gql(query, variables, user=user)) is (role in READERS), (path, role)
        for path, query in REQUEST_PATHS.items():
            assert seen(requester_marker, await gql(query, variables, user=user)) is (role in READERS), (path, role)

    # The requester's capability shows the status only: no file, name, count or link.
    tracked = await gql(TRACK, variables)
    assert tracked["data"]["trackServiceRequest"]["status"] == "SUBMITTED"
    assert not seen(file_marker, tracked) and not seen("/attachments/", tracked)

    # A reader's signed URL downloads the bytes.
    node = await gql(FILE_PATHS["node(Attachment)"], variables, user=desk.users["manager"])
    url = urlsplit(node["data"]["node"]["url"])
    download = await client.get(f"{url.path}?{url.query}")
    assert download.status_code == 200 and download.content == png_bytes()


async def test_only_staff_who_read_the_request_may_attach_or_handle_it(
    upload: Upload, gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    desk = await a_request(session, make_user, requester="Ana")
    request_id = gid("ServiceRequest", desk.request.id)
    missing_id = gid("ServiceRequest", desk.request.id + 10_000)

    outsider = await upload(desk.users["other_staff"], request_id, b"minutes", filename="notes.txt")
    missing = await upload(desk.users["other_staff"], missing_id, b"minutes", filename="notes.txt")
    team_viewer = await upload(desk.member_viewer, request_id, b"minutes", filename="notes.txt")
    manager = await upload(desk.users["manager"], request_id, b"minutes", filename="notes.txt")

    # another STAFF cannot tell the request exists
    assert outsider["data"]["uploadAttachment"]["errors"] == missing["data"]["uploadAttachment"]["errors"]
    assert [e["code"] for e in outsider["data"]["uploadAttachment"]["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in team_viewer["data"]["uploadAttachment"]["errors"]] == ["PERMISSION_DENIED"]
    assert manager["data"]["uploadAttachment"]["errors"] == []
    handled = await gql(HANDLE, {"input": {"id": request_id, "expectedVersion": 1, "status": "IN_REVIEW"}},
                        user=desk.users["other_staff"])
    assert [e["code"] for e in handled["data"]["handleServiceRequest"]["errors"]] == ["NOT_FOUND"]


async def test_audiences_of_request_files_agree_with_the_read_rule(
    upload: Upload, make_user: UserFactory, session: AsyncSession
) -> None:
    desk = await a_request(session, make_user, requester="Pedro")
    body = await upload(desk.users["lead"], gid("ServiceRequest", desk.request.id), b"form", filename="form.txt")
    assert body["data"]["uploadAttachment"]["errors"] == []
    attachment_id = await session.scalar(select(Attachment.id).where(Attachment.service_request_id == desk.request.id))
    assert attachment_id is not None
    everyone: dict[str, User | None] = {**desk.users, "member_viewer": desk.member_viewer,
                                        "admin": await make_user(Role.ADMIN)}

    for policy, pk in ((AttachmentPolicy(), attachment_id), (ServiceRequestPolicy(), desk.request.id)):
        audience = await policy.audience(session, pk)
        for name, user in everyone.items():
            viewer = Viewer.of(user)
            by_sql = await session.scalar(policy.select(viewer).where(policy.model.id == pk)) is not None
            assert audience.includes(viewer) is by_sql, (policy.entity_type, name)
            assert by_sql is (name in {*READERS, "member_viewer", "admin"}), (policy.entity_type, name)


async def test_removing_the_request_removes_its_files(
    upload: Upload, make_user: UserFactory, session: AsyncSession, settings: Settings, job_ctx: dict[str, Any]
) -> None:
    desk = await a_request(session, make_user, requester="Maria")
    await upload(desk.users["lead"], gid("ServiceRequest", desk.request.id), png_bytes(), filename="id.png")
    assert len(files_in(settings)) == 2  # the photo and its thumbnail

    await session.execute(delete(ServiceRequest).where(ServiceRequest.id == desk.request.id))
    await session.flush()
    age(settings, GRACE)

    assert await sweep_orphan_files(job_ctx) == 2
    assert files_in(settings) == set()

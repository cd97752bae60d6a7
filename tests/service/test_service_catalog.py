"""The public service catalog and community portal through the API: curated services read
without signing in, public requests with tracking codes, staff handling, the public calendar."""
from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, ServiceStatus
from db.models import Service, Team
from db.statements import counting
from server.settings import Settings
from tests.conftest import GraphQL, UserFactory
from tests.mutations import call, codes, mutation

CREATE_TEAM = mutation("createTeam", "CreateTeamInput", "team { id }")
SET_MEMBER = mutation("setTeamMember", "SetTeamMemberInput", "team { id }")
CREATE_PPA = mutation("createPpa", "CreatePpaInput", "ppa { id }")
CREATE_SERVICE = mutation("createService", "CreateServiceInput", "service { id status version }")
UPDATE_SERVICE = mutation("updateService", "UpdateServiceInput", "service { status version }")
SUBMIT = mutation("submitServiceRequest", "SubmitServiceRequestInput", "trackingCode")
HANDLE = mutation("handleServiceRequest", "HandleServiceRequestInput", "request { status version staffNote "
                                                                       "handledBy { name } }")
CREATE_EVENT = mutation("createEvent", "CreateEventInput", "event { id }")
CATALOG = """{ serviceCatalog(first: 50) { totalCount edges { node { id name eligibility requirements procedure
  contact status ownerMao ppas { title } } } } }"""
TRACK = "query($code: String!) { trackServiceRequest(trackingCode: $code) { serviceName status } }"
REQUESTS = "{ serviceRequests(first: 10) { edges { node { id status version requesterName service { name } } } } }"
PUBLIC_CALENDAR = """{ publicCalendar(start: "2031-06-01T00:00:00Z", end: "2031-07-01T00:00:00Z") {
  entries { title module } } }"""
NOTIFICATIONS = "{ notifications(first: 10) { edges { node { kind title } } } }"


async def me(gql: GraphQL, user: Any) -> str:
    return str((await gql("{ me { id } }", user=user))["data"]["me"]["id"])


async def published_service(gql: GraphQL, manager: Any, lead: Any) -> str:
    team = (await call(gql, CREATE_TEAM, {"name": "MAO Social Welfare"}, manager))["team"]["id"]
    await call(gql, SET_MEMBER, {"teamId": team, "userId": await me(gql, lead), "role": "LEAD"}, manager)
    ppa = (await call(gql, CREATE_PPA, {"title": "Senior pension drive", "category": "PROGRAM"}, manager))["ppa"]["id"]
    created = await call(gql, CREATE_SERVICE, {
        "name": "Social pension", "ownerTeamId": team, "description": "Monthly pension for indigent seniors.",
        "eligibility": "60 years or older", "requirements": "Valid ID", "procedure": "Apply at the MSWD office",
        "ppaIds": [ppa]}, manager)
    service = created["service"]
    assert (service["status"], service["version"]) == ("DRAFT", 1)
    no_contact = await call(gql, UPDATE_SERVICE, {"id": service["id"], "expectedVersion": 1, "status": "PUBLISHED"},
                            manager)
    assert codes(no_contact) == [("VALIDATION", "input.contact")]
    published = await call(gql, UPDATE_SERVICE, {"id": service["id"], "expectedVersion": 1, "status": "PUBLISHED",
                                                 "contact": "mswd@office.example"}, manager)
    assert published["service"] == {"status": "PUBLISHED", "version": 2}
    return str(service["id"])


async def test_published_services_are_read_without_signing_in(gql: GraphQL, make_user: UserFactory) -> None:
    manager, lead = await make_user(Role.MANAGER), await make_user()
    draft = await call(gql, CREATE_SERVICE, {"name": "Not yet"}, manager)
    assert draft["errors"] == []
    await published_service(gql, manager, lead)
    body = await gql(CATALOG)
    assert "errors" not in body, body
    anonymous = body["data"]["serviceCatalog"]
    assert anonymous["totalCount"] == 1
    node = anonymous["edges"][0]["node"]
    assert {k: node[k] for k in ("name", "eligibility", "contact", "status", "ownerMao", "ppas")} == {
        "name": "Social pension", "eligibility": "60 years or older", "contact": "mswd@office.example",
        "status": "PUBLISHED", "ownerMao": "MAO Social Welfare", "ppas": []}  # PPAs are for signed-in readers
    staff = (await gql(CATALOG, user=lead))["data"]["serviceCatalog"]["edges"][0]["node"]
    assert staff["ppas"] == [{"title": "Senior pension drive"}]
    drafts = await gql("{ services(statuses: [DRAFT]) { edges { node { name } } } }", user=lead)
    assert drafts["data"]["services"]["edges"] == [{"node": {"name": "Not yet"}}]
    hidden = await gql("{ services { totalCount } }")
    assert hidden["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    denied = await call(gql, CREATE_SERVICE, {"name": "Mine"}, lead)
    assert [c for c, _ in codes(denied)] == ["PERMISSION_DENIED"]


async def test_public_request_tracking_and_staff_workflow(gql: GraphQL, make_user: UserFactory) -> None:
    manager, lead = await make_user(Role.MANAGER), await make_user(name="Lita Lead")
    service = await published_service(gql, manager, lead)
    bad = await call(gql, SUBMIT, {"serviceId": service, "requesterName": "Juan", "contact": "call me"}, None)
    assert codes(bad) == [("VALIDATION", "input.contact")]
    submitted = await call(gql, SUBMIT, {"serviceId": service, "requesterName": "Juan dela Cruz",
                                         "contact": "+63 917 555 0101", "details": "For my mother, 72."}, None)
    code = submitted["trackingCode"]
    assert submitted["errors"] == [] and len(code) == 12
    assert (await gql(TRACK, {"code": code.lower()}))["data"]["trackServiceRequest"] == {
        "serviceName": "Social pension", "status": "SUBMITTED"}
    assert (await gql(TRACK, {"code": "ABCDEFGHJKLM"}))["data"]["trackServiceRequest"] is None
    kinds = [e["node"] for e in (await gql(NOTIFICATIONS, user=lead))["data"]["notifications"]["edges"]]
    assert {"kind": "service_request_submitted", "title": "New request: Social pension"} in kinds

    [request] = [e["node"] for e in (await gql(REQUESTS, user=lead))["data"]["serviceRequests"]["edges"]]
    assert (request["status"], request["requesterName"], request["service"]) == (
        "SUBMITTED", "Juan dela Cruz", {"name": "Social pension"})
    skip = await call(gql, HANDLE, {"id": request["id"], "expectedVersion": 1, "status": "COMPLETED"}, lead)
    assert codes(skip) == [("INVALID_TRANSITION", "input.status")]
    version = 1
    for status in ("IN_REVIEW", "APPROVED", "COMPLETED"):
        moved = await call(gql, HANDLE, {"id": request["id"], "expectedVersion": version, "status": status,
                                         "staffNote": f"{status.lower()} by Lita"}, lead)
        assert moved["errors"] == [] and moved["request"]["handledBy"] == {"name": "Lita Lead"}
        version = moved["request"]["version"]
    stale = await call(gql, HANDLE, {"id": request["id"], "expectedVersion": 1, "status": "REJECTED"}, lead)
    assert codes(stale) == [("CONFLICT", "input.expectedVersion")]
    assert (await gql(TRACK, {"code": code}))["data"]["trackServiceRequest"]["status"] == "COMPLETED"
    assert (await gql(REQUESTS))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    draft = (await call(gql, CREATE_SERVICE, {"name": "Draft only"}, manager))["service"]["id"]
    refused = await call(gql, SUBMIT, {"serviceId": draft, "requesterName": "Ana", "contact": "ana@x.example"}, None)
    assert codes(refused) == [("NOT_FOUND", "input.serviceId")]


async def test_public_requests_are_rate_limited_per_client(
    gql: GraphQL, make_user: UserFactory, settings: Settings
) -> None:
    settings.service_request_rate_limit = "2/hour"
    manager, lead = await make_user(Role.MANAGER), await make_user()
    service = await published_service(gql, manager, lead)
    request = {"serviceId": service, "requesterName": "Pedro", "contact": "pedro@mail.example"}
    answers = [await call(gql, SUBMIT, request, None) for _ in range(3)]
    assert [bool(a["trackingCode"]) for a in answers] == [True, True, False]
    assert [c for c, _ in codes(answers[2])] == ["RATE_LIMITED"]


async def test_public_events_and_service_schedules_without_signing_in(gql: GraphQL, make_user: UserFactory) -> None:
    user = await make_user()
    for title, visibility, module in (("Mobile clinic at Poblacion", "PUBLIC", "SERVICES"),
                                      ("Town fiesta", "PUBLIC", "COMMUNITY"),
                                      ("Staff planning", "INTERNAL", "SERVICES")):
        await call(gql, CREATE_EVENT, {"title": title, "start": "2031-06-10T01:00:00Z", "end": "2031-06-10T03:00:00Z",
                                       "visibility": visibility, "module": module}, user)
    entries = (await gql(PUBLIC_CALENDAR))["data"]["publicCalendar"]["entries"]
    assert sorted((e["title"], e["module"]) for e in entries) == [("Mobile clinic at Poblacion", "SERVICES"),
                                                                   ("Town fiesta", "COMMUNITY")]
    services_only = await gql(PUBLIC_CALENDAR.replace('end: "2031-07-01T00:00:00Z"',
                                                      'end: "2031-07-01T00:00:00Z", modules: [SERVICES]'))
    assert [e["title"] for e in services_only["data"]["publicCalendar"]["entries"]] == ["Mobile clinic at Poblacion"]


async def test_catalog_statements_do_not_grow_with_services(gql: GraphQL, session: AsyncSession) -> None:
    async def seed(tag: str, count: int) -> None:
        await session.execute(insert(Team), [{"name": f"{tag} MAO"}])
        team = (await session.scalars(select(Team.id).where(Team.name == f"{tag} MAO"))).one()
        await session.execute(insert(Service), [
            {"name": f"{tag} service {i}", "owner_team_id": team, "contact": "x@y.example",
             "status": ServiceStatus.PUBLISHED} for i in range(count)])

    async def measure() -> tuple[int, int]:
        with counting() as counter:
            body = await gql(CATALOG.replace("first: 50", "first: 100"))
        assert "errors" not in body, body
        return body["data"]["serviceCatalog"]["totalCount"], counter.count

    await seed("small", 10)
    small = await measure()
    await seed("large", 1000)
    large = await measure()
    assert (small[0], large[0]) == (10, 1010)
    assert small[1] == large[1], (small, large)

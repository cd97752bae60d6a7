"""Meetings (minutes, decisions, action items as tasks) and the quarterly MAO report, through the API;
the report's files come from its job and are announced by a notification."""
from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.rules.quarters import quarter_of
from jobs.reports import generate_quarterly_report
from schema.core.ids import decode_id
from tests.conftest import GraphQL, UserFactory
from tests.mutations import call, codes, mutation

CREATE_TEAM = mutation("createTeam", "CreateTeamInput", "team { id }")
SET_MEMBER = mutation("setTeamMember", "SetTeamMemberInput", "team { id }")
CREATE_EVENT = mutation("createEvent", "CreateEventInput", "event { id }")
ATTENDANCE = mutation("recordAttendance", "RecordAttendanceInput", "event { id }")
MINUTES = mutation("recordMeetingMinutes", "RecordMeetingMinutesInput", "minutes { body version recordedBy { name } }")
DECISION = mutation("addMeetingDecision", "AddMeetingDecisionInput",
                    "decision { kind text dueOn assignee { name } task { id } } task { title dueAt domain "
                    "assignees { name } }")
CREATE_PPA = mutation("createPpa", "CreatePpaInput", "ppa { id }")
CREATE_NEED = mutation("createNeed", "CreateNeedInput", "need { id }")
UPDATE_NEED = mutation("updateNeed", "UpdateNeedInput", "need { version }")
LINK_NEEDS = mutation("linkNeedsToPpa", "LinkNeedsToPpaInput", "linkedCount")
REQUEST = mutation("requestQuarterlyReport", "RequestQuarterlyReportInput", "report { id status fiscalYear quarter }")
RECORD = """query($id: ID!) { meetingRecord(eventId: $id) {
  minutes { body version } decisions { kind text task { title } } } }"""
REPORT = """query($team: ID!, $year: Int!, $q: Int!) { quarterlyReport(teamId: $team, fiscalYear: $year, quarter: $q) {
  teamName startsOn endsOn averageProgress attendanceRate budgetAllocated
  ppas { title stage progress budgetStatus budgetAllocated }
  meetings { title invited attended decisions actionItems }
  needsAddressed { title community addressedBy } } }"""
FILE = """query($team: ID!, $year: Int!, $q: Int!) { quarterlyReportFile(teamId: $team, fiscalYear: $year, quarter: $q) {
  status generatedAt csv html xlsxBase64 team { name } } }"""
NOTIFICATIONS = "{ notifications(first: 10) { edges { node { kind title } } } }"


async def me(gql: GraphQL, user: Any) -> str:
    return str((await gql("{ me { id } }", user=user))["data"]["me"]["id"])


async def meeting(gql: GraphQL, manager: Any, team: str, members: list[str], start: datetime) -> str:
    event = await call(gql, CREATE_EVENT, {"title": "Q coordination <MAO>", "start": start.isoformat(),
                                           "end": (start + timedelta(hours=2)).isoformat(), "teamId": team,
                                           "participantIds": members}, manager)
    return str(event["event"]["id"])


async def test_minutes_decisions_and_action_items_as_tasks(gql: GraphQL, make_user: UserFactory) -> None:
    manager, lead = await make_user(Role.MANAGER, name="Maria Manager"), await make_user(name="Lino Lead")
    team = (await call(gql, CREATE_TEAM, {"name": "MAO Agriculture"}, manager))["team"]["id"]
    event = await meeting(gql, manager, team, [await me(gql, lead)], datetime(2031, 1, 13, 1, tzinfo=UTC))

    first = await call(gql, MINUTES, {"eventId": event, "body": "Opened 09:05. Budget reviewed."}, manager)
    assert first["minutes"] == {"body": "Opened 09:05. Budget reviewed.", "version": 1,
                                "recordedBy": {"name": "Maria Manager"}}
    must_say_version = await call(gql, MINUTES, {"eventId": event, "body": "x"}, manager)
    assert codes(must_say_version) == [("VALIDATION", "input.expectedVersion")]
    edited = await call(gql, MINUTES, {"eventId": event, "body": "Opened 09:05. Budget approved.",
                                       "expectedVersion": 1}, manager)
    stale = await call(gql, MINUTES, {"eventId": event, "body": "late", "expectedVersion": 1}, manager)
    assert (edited["minutes"]["version"], codes(stale)) == (2, [("CONFLICT", "input.expectedVersion")])

    decided = await call(gql, DECISION, {"eventId": event, "kind": "DECISION", "text": "Adopt the seed plan."},
                         manager)
    assert (decided["decision"]["kind"], decided["task"]) == ("DECISION", None)
    action = await call(gql, DECISION, {"eventId": event, "kind": "ACTION_ITEM", "text": "Send seed inventory",
                                        "assigneeId": await me(gql, lead), "dueOn": "2031-01-20"}, manager)
    assert action["task"] == {"title": "Send seed inventory", "dueAt": "2031-01-20T17:00:00+00:00",
                              "domain": "COORDINATION", "assignees": [{"name": "Lino Lead"}]}
    assert action["decision"]["task"]["id"] and action["decision"]["assignee"] == {"name": "Lino Lead"}
    wrong = await call(gql, DECISION, {"eventId": event, "kind": "DECISION", "text": "x", "dueOn": "2031-01-20"},
                       manager)
    assert codes(wrong) == [("VALIDATION", "input.kind")]

    record = (await gql(RECORD, {"id": event}, user=lead))["data"]["meetingRecord"]
    assert record == {"minutes": {"body": "Opened 09:05. Budget approved.", "version": 2}, "decisions": [
        {"kind": "DECISION", "text": "Adopt the seed plan.", "task": None},
        {"kind": "ACTION_ITEM", "text": "Send seed inventory", "task": {"title": "Send seed inventory"}}]}
    anonymous = await gql(RECORD, {"id": event})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_quarterly_report_as_query_and_as_generated_files(
    gql: GraphQL, make_user: UserFactory, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    manager, lead = await make_user(Role.MANAGER, name="Maria Manager"), await make_user(name="Lino Lead")
    lead_id = await me(gql, lead)
    team = (await call(gql, CREATE_TEAM, {"name": "MAO Health"}, manager))["team"]["id"]
    await call(gql, SET_MEMBER, {"teamId": team, "userId": lead_id, "role": "LEAD"}, manager)
    today = datetime.now(UTC).date()
    period = quarter_of(today)
    event = await meeting(gql, manager, team, [lead_id], datetime.combine(today, datetime.min.time(), UTC))
    await call(gql, ATTENDANCE, {"eventId": event, "attendance": [{"userId": lead_id, "attended": True}]}, manager)
    await call(gql, DECISION, {"eventId": event, "kind": "ACTION_ITEM", "text": "Order vaccines"}, manager)
    ppa = await call(gql, CREATE_PPA, {"title": "=Clinic <b>upgrade</b>", "category": "PROJECT", "leadTeamId": team,
                                       "budgetAllocated": "2500.50"}, manager)
    need = (await call(gql, CREATE_NEED, {"title": "No vaccine fridge"}, manager))["need"]["id"]
    await call(gql, LINK_NEEDS, {"ppaId": ppa["ppa"]["id"], "needIds": [need]}, manager)
    for version, status, extra in ((1, "VALIDATED", {}), (2, "PRIORITIZED", {"priorityScore": 90}),
                                   (3, "ADDRESSED", {})):
        await call(gql, UPDATE_NEED, {"id": need, "expectedVersion": version, "status": status, **extra}, manager)

    variables = {"team": team, "year": period.fiscal_year, "q": period.quarter}
    live = (await gql(REPORT, variables, user=lead))["data"]["quarterlyReport"]
    assert live["teamName"] == "MAO Health" and live["startsOn"] == period.first_day.isoformat()
    assert live["ppas"] == [{"title": "=Clinic <b>upgrade</b>", "stage": "NEED_IDENTIFICATION",
                             "progress": live["ppas"][0]["progress"], "budgetStatus": "NOT_SUBMITTED",
                             "budgetAllocated": "2500.50"}]
    assert live["meetings"] == [{"title": "Q coordination <MAO>", "invited": 1, "attended": 1, "decisions": 0,
                                 "actionItems": 1}]
    assert (live["attendanceRate"], live["budgetAllocated"]) == (100.0, "2500.50")
    assert live["needsAddressed"] == [{"title": "No vaccine fridge", "community": None,
                                       "addressedBy": "=Clinic <b>upgrade</b>"}]
    bad = await gql(REPORT, {**variables, "q": 5}, user=lead)
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION"

    requested = await call(gql, REQUEST, {"teamId": team, "fiscalYear": period.fiscal_year,
                                          "quarter": period.quarter}, manager)
    assert requested["report"]["status"] == "PENDING"
    # the job (what the worker runs) generates the files and notifies the requester and the MAO's lead
    report_id = decode_id(requested["report"]["id"], "QuarterlyReportFile", field="id")
    assert await generate_quarterly_report({"sessionmaker": sessionmaker}, report_id) == "READY"
    files = (await gql(FILE, variables, user=lead))["data"]["quarterlyReportFile"]
    assert (files["status"], files["team"]) == ("READY", {"name": "MAO Health"})
    rows = list(csv.reader(io.StringIO(files["csv"])))
    assert rows[0] == [f"MAO Health: Q{period.quarter} {period.fiscal_year} report"]
    assert rows[rows.index(["PPAs"]) + 2][:3] == ["'=Clinic <b>upgrade</b>", "", "NEED_IDENTIFICATION"]
    assert "&lt;b&gt;upgrade&lt;/b&gt;" in files["html"] and "<b>upgrade" not in files["html"]
    assert "@media print" in files["html"]
    book = load_workbook(io.BytesIO(base64.b64decode(files["xlsxBase64"])))
    assert book.sheetnames == ["Summary", "PPAs", "Meetings", "Needs addressed"]
    assert [c.value for c in book["PPAs"][2]][:1] == ["'=Clinic <b>upgrade</b>"]
    assert [c.value for c in book["Needs addressed"][2]] == ["No vaccine fridge", None, "'=Clinic <b>upgrade</b>"]
    for user in (manager, lead):
        kinds = [e["node"]["kind"] for e in (await gql(NOTIFICATIONS, user=user))["data"]["notifications"]["edges"]]
        assert "quarterly_report_ready" in kinds


def test_quarter_bounds_are_inclusive_calendar_quarters() -> None:
    from db.queries.quarterly_report import quarter_bounds
    from db.rules.quarters import Quarter

    assert quarter_bounds(Quarter(2031, 1)) == (date(2031, 1, 1), date(2031, 3, 31))
    assert quarter_bounds(Quarter(2031, 4)) == (date(2031, 10, 1), date(2031, 12, 31))

"""Meeting records (minutes, decisions, action items) and quarterly MAO reports."""
from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Self

import strawberry
from strawberry import relay

from db.models import MeetingDecision, MeetingMinutes, QuarterlyReport
from db.models.meeting import DecisionKind, ReportStatus
from db.queries.quarterly_report import MeetingLine, NeedLine, PpaLine, ReportData
from schema.core.node import ModelNode, load_node
from schema.task.types import TaskType
from schema.user.types import TeamType, UserType

DecisionKindEnum = strawberry.enum(DecisionKind, name="DecisionKind")
ReportStatusEnum = strawberry.enum(ReportStatus, name="ReportStatus")


@strawberry.type(name="MeetingMinutes")
class MeetingMinutesType(ModelNode):
    model = MeetingMinutes
    id: relay.NodeID[int]
    body: str
    version: int = strawberry.field(description="Pass it back as expectedVersion when editing.")
    updated_at: datetime
    _row: strawberry.Private[MeetingMinutes]

    @classmethod
    def from_model(cls, row: MeetingMinutes) -> Self:
        return cls(id=row.id, body=row.body, version=row.version, updated_at=row.updated_at, _row=row)

    @strawberry.field
    async def recorded_by(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._row.recorded_by_id)


@strawberry.type(name="MeetingDecision", description="A decision, or an action item (which became a task).")
class MeetingDecisionType(ModelNode):
    model = MeetingDecision
    id: relay.NodeID[int]
    kind: DecisionKindEnum  # type: ignore[valid-type]
    text: str
    due_on: date | None
    created_at: datetime
    _row: strawberry.Private[MeetingDecision]

    @classmethod
    def from_model(cls, row: MeetingDecision) -> Self:
        return cls(id=row.id, kind=row.kind, text=row.text, due_on=row.due_on, created_at=row.created_at, _row=row)

    @strawberry.field
    async def assignee(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._row.assignee_id)

    @strawberry.field(description="The task an action item became.")
    async def task(self, info: strawberry.Info) -> TaskType | None:
        return await load_node(info, TaskType, self._row.task_id)


@strawberry.type(name="MeetingRecord", description="What a meeting decided: minutes, decisions, action items.")
class MeetingRecordType:
    minutes: MeetingMinutesType | None
    decisions: list[MeetingDecisionType]


@strawberry.type(name="ReportPpaLine")
class ReportPpaLineType:
    title: str
    code: str | None
    stage: str
    status: str
    progress: int
    budget_status: str
    budget_allocated: Decimal
    budget_approved: Decimal | None

    @classmethod
    def of(cls, p: PpaLine) -> Self:
        return cls(title=p.title, code=p.code, stage=p.stage, status=p.status, progress=p.progress,
                   budget_status=p.budget_status, budget_allocated=p.budget_allocated,
                   budget_approved=p.budget_approved)


@strawberry.type(name="ReportMeetingLine")
class ReportMeetingLineType:
    title: str
    starts_at: datetime
    invited: int
    attended: int
    decisions: int
    action_items: int

    @classmethod
    def of(cls, m: MeetingLine) -> Self:
        return cls(title=m.title, starts_at=m.starts_at, invited=m.invited, attended=m.attended,
                   decisions=m.decisions, action_items=m.action_items)


@strawberry.type(name="ReportNeedLine")
class ReportNeedLineType:
    title: str
    community: str | None
    addressed_by: str

    @classmethod
    def of(cls, n: NeedLine) -> Self:
        return cls(title=n.title, community=n.community, addressed_by=n.ppas)


@strawberry.type(name="QuarterlyMaoReport", description="A quarter of one MAO, assembled live.")
class QuarterlyMaoReportType:
    team_name: str
    fiscal_year: int
    quarter: int
    starts_on: date
    ends_on: date
    ppas: list[ReportPpaLineType]
    meetings: list[ReportMeetingLineType]
    needs_addressed: list[ReportNeedLineType]
    budget_allocated: Decimal
    budget_approved: Decimal
    average_progress: float
    attendance_rate: float | None = strawberry.field(description="Percent of invitations attended; null if none.")

    @classmethod
    def of(cls, d: ReportData) -> Self:
        return cls(team_name=d.team_name, fiscal_year=d.fiscal_year, quarter=d.quarter, starts_on=d.starts_on,
                   ends_on=d.ends_on, ppas=[ReportPpaLineType.of(p) for p in d.ppas],
                   meetings=[ReportMeetingLineType.of(m) for m in d.meetings],
                   needs_addressed=[ReportNeedLineType.of(n) for n in d.needs_addressed],
                   budget_allocated=d.budget_allocated, budget_approved=d.budget_approved,
                   average_progress=d.average_progress, attendance_rate=d.attendance_rate)


@strawberry.type(name="QuarterlyReportFile", description="A generated report: CSV, XLSX and printable HTML.")
class QuarterlyReportFileType(ModelNode):
    model = QuarterlyReport
    id: relay.NodeID[int]
    fiscal_year: int
    quarter: int
    status: ReportStatusEnum  # type: ignore[valid-type]
    generated_at: datetime | None
    error: str | None
    csv: str | None
    html: str | None = strawberry.field(description="Printable HTML (print it to PDF from a browser).")
    _row: strawberry.Private[QuarterlyReport]

    @classmethod
    def from_model(cls, row: QuarterlyReport) -> Self:
        return cls(id=row.id, fiscal_year=row.fiscal_year, quarter=row.quarter, status=row.status,
                   generated_at=row.generated_at, error=row.error, csv=row.csv, html=row.html, _row=row)

    @strawberry.field(description="The XLSX workbook, base64-encoded.")
    def xlsx_base64(self) -> str | None:
        return base64.b64encode(self._row.xlsx).decode() if self._row.xlsx is not None else None

    @strawberry.field
    async def team(self, info: strawberry.Info) -> TeamType | None:
        return await load_node(info, TeamType, self._row.team_id)

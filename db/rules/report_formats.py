"""The quarterly MAO report rendered as CSV, XLSX (openpyxl) and printable HTML (no I/O).

All three carry the same sections: a summary, the PPAs, the meetings, the needs
addressed. HTML escapes every value; CSV and XLSX cells that a spreadsheet would run
as a formula (leading ``= + - @``) are prefixed with a quote.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from db.queries.quarterly_report import ReportData

Cell = str | int | float | Decimal | None
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

PPA_HEADER = ("PPA", "Code", "Stage", "Status", "Progress %", "Budget status", "Allocated", "Approved")
MEETING_HEADER = ("Meeting", "Starts (UTC)", "Invited", "Attended", "Decisions", "Action items")
NEED_HEADER = ("Need", "Community", "Addressed by")


def title(data: ReportData) -> str:
    return f"{data.team_name}: Q{data.quarter} {data.fiscal_year} report"


def summary(data: ReportData) -> list[tuple[str, Cell]]:
    rate = data.attendance_rate
    return [
        ("MAO", data.team_name), ("Period", f"{data.starts_on.isoformat()} to {data.ends_on.isoformat()}"),
        ("PPAs", len(data.ppas)), ("Average progress %", data.average_progress),
        ("Budget allocated", data.budget_allocated), ("Budget approved", data.budget_approved),
        ("Meetings", len(data.meetings)), ("Attendance %", rate if rate is not None else "n/a"),
        ("Needs addressed", len(data.needs_addressed)),
    ]


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def sections(data: ReportData) -> list[tuple[str, Sequence[str], list[Sequence[Cell]]]]:
    return [
        ("PPAs", PPA_HEADER, [(p.title, p.code, p.stage, p.status, p.progress, p.budget_status, p.budget_allocated,
                               p.budget_approved) for p in data.ppas]),
        ("Meetings", MEETING_HEADER, [(m.title, when(m.starts_at), m.invited, m.attended, m.decisions,
                                       m.action_items) for m in data.meetings]),
        ("Needs addressed", NEED_HEADER, [(n.title, n.community, n.ppas) for n in data.needs_addressed]),
    ]


def safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(data: ReportData) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title(data)])
    writer.writerows([label, safe(value)] for label, value in summary(data))
    for name, header, rows in sections(data):
        writer.writerow([])
        writer.writerow([name])
        writer.writerow(header)
        writer.writerows([safe(c) if c is not None else "" for c in row] for row in rows)
    return out.getvalue()


def to_xlsx(data: ReportData) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Summary"
    sheet.append([title(data)])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in summary(data):
        sheet.append([label, cell(value)])
    for name, header, rows in sections(data):
        page = book.create_sheet(name)
        page.append(list(header))
        for column in page[1]:
            column.font = Font(bold=True)
        for row in rows:
            page.append([cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell(value: Cell) -> Any:
    """Money stays exact as text-free numbers; strings are formula-safe."""
    if isinstance(value, Decimal):
        return float(value)
    return safe(value)


def table(header: Iterable[str], rows: Iterable[Sequence[Cell]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(data: ReportData) -> str:
    name = escape(title(data))
    parts = [f"<h1>{name}</h1>", table(("", ""), summary(data))]
    for section, header, rows in sections(data):
        parts.append(f"<h2>{escape(section)}</h2>")
        parts.append(table(header, rows) if rows else "<p>None this quarter.</p>")
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%;margin-bottom:1em}"
             "th,td{border:1px solid #999;padding:4px 6px;text-align:left}th{background:#eee}"
             "@media print{body{margin:0}h2{page-break-after:avoid}tr{page-break-inside:avoid}}")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")

"""Template items into task fields: placeholders and due-date offsets (pure).

Titles and descriptions may name placeholders in braces, e.g.
``"Draft the work plan for {ppa_title}"``. A known placeholder is replaced by the
target object's value; an unknown one is rejected when the template is saved
(``unknown_placeholders``) and left as written if it slips through.

An item is due ``offset_days`` after the start date, at ``DUE_TIME`` UTC (the
end of the office day). It starts on the start date, or on its due date when the
offset is negative (preparation before an event), so it never starts after it is due.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

from db.enums import TemplateKind

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
DUE_TIME = time(17, 0)
MAX_OFFSET_DAYS = 3650

# The values each kind of target offers; GENERIC templates may target any of them.
PLACEHOLDERS_BY_KIND: dict[TemplateKind, frozenset[str]] = {
    TemplateKind.PPA: frozenset({"ppa_title", "ppa_code", "start_date", "title"}),
    TemplateKind.ASSESSMENT: frozenset({"assessment_title", "start_date", "title"}),
    TemplateKind.POLICY: frozenset({"policy_title", "start_date", "title"}),
    TemplateKind.COORDINATION_EVENT: frozenset({"event_title", "start_date", "title"}),
}
PLACEHOLDERS_BY_KIND[TemplateKind.GENERIC] = frozenset().union(
    *PLACEHOLDERS_BY_KIND.values(), {"need_title", "community_name"}
)


def placeholders_in(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def unknown_placeholders(kind: TemplateKind, texts: Iterable[str]) -> list[str]:
    allowed = PLACEHOLDERS_BY_KIND[kind]
    found: set[str] = set()
    for text in texts:
        found |= placeholders_in(text)
    return sorted(found - allowed)


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace known placeholders; leave unknown ones as written (no format-string surprises)."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def schedule(start: date, offset_days: int) -> tuple[date, datetime]:
    """(starts_on, due_at) of an item instantiated from ``start``."""
    due_on = start + timedelta(days=offset_days)
    return min(start, due_on), datetime.combine(due_on, DUE_TIME, tzinfo=UTC)

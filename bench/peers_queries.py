"""The same work asked of Almanac and of PostGraphile (whose schema is derived from Almanac's tables)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

BOARD_STATUSES = ("TODO", "IN_PROGRESS", "BLOCKED", "REVIEW", "DONE")
CARDS_PER_COLUMN = 200  # five columns of 200: a board of 1,000 cards

ALMANAC_TASKS = """{ tasks(first: 100) { nodes {
  id title status dueAt
  assignees { id name }
  ppa { id title owner { id name } }
  teams { id name }
  event { id title }
} } }"""

POSTGRAPHILE_TASKS = """{ allTasks(first: 100, orderBy: [DUE_AT_ASC, ID_ASC]) { nodes {
  id title status dueAt
  taskAssigneesByTaskId { nodes { userByUserId { id name } } }
  ppaByPpaId { id title userByOwnerId { id name } }
  taskTeamsByTaskId { nodes { teamByTeamId { id name } } }
  eventByEventId { id title }
} } }"""

_CARD = "id title priority dueAt position"

ALMANAC_BOARD = (
    f"{{ board(filter: {{status: [{', '.join(BOARD_STATUSES)}]}}, cardsPerColumn: {CARDS_PER_COLUMN}) {{"
    f" columns {{ status totalCount tasks {{ {_CARD} assignees {{ id name }} }} }} }} }}"
)

POSTGRAPHILE_BOARD = "{ " + " ".join(
    f"{status.lower()}: allTasks(condition: {{status: \"{status}\"}}, orderBy: [POSITION_ASC, ID_ASC],"
    f" first: {CARDS_PER_COLUMN}) {{ totalCount nodes {{ {_CARD}"
    " taskAssigneesByTaskId { nodes { userByUserId { id name } } } } }"
    for status in BOARD_STATUSES
) + " }"

ALMANAC_CALENDAR = """query Window($start: DateTime!, $end: DateTime!) {
  calendar(start: $start, end: $end) {
    entries { id kind module title start end allDay timezone recurrenceId }
  }
}"""

TYPENAME = "{ __typename }"
ALMANAC_ME = "{ me { id } }"


def postgraphile_me(user_id: int) -> str:
    """PostGraphile has no viewer: the same one-row primary-key lookup."""
    return f"{{ userById(id: \"{user_id}\") {{ id }} }}"


def body(query: str, variables: dict[str, object] | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}})


def calendar_variables(start: datetime, end: datetime) -> dict[str, object]:
    return {"start": start.isoformat(), "end": end.isoformat()}


@dataclass(frozen=True)
class Expected:
    """What a correct answer holds, checked once before any load (a wrong answer is not a fast one)."""

    tasks: int = 100
    cards: int = len(BOARD_STATUSES) * CARDS_PER_COLUMN


def count_tasks(data: dict[str, object]) -> int:
    root = data.get("tasks") or data.get("allTasks")
    return len(root["nodes"])  # type: ignore[index]


def count_cards(data: dict[str, object]) -> int:
    if "board" in data:
        return sum(len(c["tasks"]) for c in data["board"]["columns"])  # type: ignore[index]
    return sum(len(column["nodes"]) for column in data.values())  # type: ignore[index]

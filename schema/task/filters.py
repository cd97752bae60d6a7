"""TaskFilter (GraphQL) to TaskCriteria (plain ids and values for db/queries)."""
from __future__ import annotations

from db.enums import TaskDomain, TaskPriority, TaskStatus
from db.policies import Viewer
from db.queries.task import TaskCriteria
from resolvers import validation as v
from schema.core.ids import decode_ids, decode_optional_id
from schema.task.inputs import TaskFilter


def criteria_from_filter(flt: TaskFilter | None, viewer: Viewer) -> TaskCriteria:
    """Decode ids (wrong types answer VALIDATION) and check the values of a filter.

    The criteria read only what ``viewer`` may (``db.policies.task``): an ``eventId``
    of an event the viewer may not read answers exactly like one that does not exist.
    """
    if flt is None:
        return TaskCriteria(viewer=viewer)
    if flt.due_before is not None:
        v.aware(flt.due_before, "filter.dueBefore")
    if flt.due_after is not None:
        v.aware(flt.due_after, "filter.dueAfter")
    if flt.search is not None:
        v.text(flt.search, "filter.search", max_length=200, required=False)
    return TaskCriteria(
        viewer=viewer,
        statuses=[TaskStatus(s) for s in flt.status] if flt.status else None,
        priorities=[TaskPriority(p) for p in flt.priority] if flt.priority else None,
        domains=[TaskDomain(d) for d in flt.domain] if flt.domain else None,
        assignee_ids=decode_ids(flt.assignee_ids, "User", field="filter.assigneeIds"),
        team_ids=decode_ids(flt.team_ids, "Team", field="filter.teamIds"),
        ppa_id=decode_optional_id(flt.ppa_id, "Ppa", field="filter.ppaId"),
        event_id=decode_optional_id(flt.event_id, "Event", field="filter.eventId"),
        due_before=flt.due_before,
        due_after=flt.due_after,
        overdue=flt.overdue,
        search=flt.search,
    )

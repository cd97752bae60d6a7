"""Due-soon and overdue task notices, one bounded batch of tasks per statement.

Each call handles the open tasks with ``id > after`` (at most ``size`` of them,
in id order) in ONE set-based statement: pick the batch, find its recipients
(assignees, or the creator when nobody is assigned), insert the notices with
``ON CONFLICT (dedupe_key) DO NOTHING``, and report the batch's last id as the
cursor for the next call. The statement has the same handful of parameters
whatever the batch holds, so it can never reach the driver's 32,767-parameter
limit, and no row ever travels to Python.

Dedupe keys and payloads spell the due time exactly as ``datetime.isoformat()``
does for a UTC value, so keys written before this module existed still match.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TaskStatus

DUE_SOON_KIND = "task_due_soon"
OVERDUE_KIND = "task_overdue"
CLOSED = f"'{TaskStatus.DONE.value}', '{TaskStatus.CANCELLED.value}'"

# ``datetime.isoformat()`` of a UTC timestamp: microseconds only when non-zero.
DUE_ISO = """
    to_char(t.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN date_part('microseconds', t.due_at AT TIME ZONE 'UTC')::bigint % 1000000 <> 0
            THEN to_char(t.due_at AT TIME ZONE 'UTC', '.US') ELSE '' END
    || '+00:00'
"""

NOTIFY_BATCH = """
recipients AS (
    SELECT b.id AS task_id, a.user_id FROM batch b JOIN task_assignees a ON a.task_id = b.id
    UNION
    SELECT b.id, b.created_by_id FROM batch b
    WHERE b.created_by_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM task_assignees a WHERE a.task_id = b.id)
),
inserted AS (
    INSERT INTO notifications
        (user_id, kind, title, body, subject_type, subject_id, payload, dedupe_key, deliver_at)
    SELECT r.user_id, :kind, left(:title_prefix || b.title, 300), b.title || ' is due ' || b.due || '.',
           'Task', b.id, jsonb_build_object('task_id', b.id, 'due_at', b.due),
           :kind || ':' || b.id || ':' || b.due || ':' || r.user_id, :moment
    FROM batch b JOIN recipients r ON r.task_id = b.id
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING 1
)
SELECT (SELECT max(id) FROM batch) AS last_id,
       (SELECT count(*) FROM batch) AS tasks,
       (SELECT count(*) FROM inserted) AS inserted
"""

DUE_SOON = text(f"""
WITH batch AS (
    SELECT t.id, t.title, t.created_by_id, {DUE_ISO} AS due
    FROM tasks t
    WHERE t.status NOT IN ({CLOSED}) AND t.due_at > :moment AND t.due_at <= :until AND t.id > :after
    ORDER BY t.id
    LIMIT :size
),
{NOTIFY_BATCH}
""").bindparams(bindparam("kind", type_=String), bindparam("title_prefix", type_=String))

# Claimed with SKIP LOCKED and marked in the same statement: concurrent scans split the work
# and a task is announced overdue once.
OVERDUE = text(f"""
WITH batch AS (
    UPDATE tasks t SET overdue_notified_at = :moment, updated_at = now()
    WHERE t.id IN (
        SELECT id FROM tasks
        WHERE status NOT IN ({CLOSED}) AND due_at <= :moment AND overdue_notified_at IS NULL AND id > :after
        ORDER BY id
        LIMIT :size
        FOR UPDATE SKIP LOCKED
    )
    RETURNING t.id, t.title, t.created_by_id, {DUE_ISO} AS due
),
{NOTIFY_BATCH}
""").bindparams(bindparam("kind", type_=String), bindparam("title_prefix", type_=String))


@dataclass(frozen=True, slots=True)
class BatchResult:
    last_id: int | None  # the cursor for the next batch; None when no task was left
    tasks: int
    inserted: int


async def _run(session: AsyncSession, statement: object, params: dict[str, object]) -> BatchResult:
    row = (await session.execute(statement, params)).one()  # type: ignore[call-overload]
    return BatchResult(last_id=row.last_id, tasks=int(row.tasks), inserted=int(row.inserted))


async def notify_due_soon_batch(
    session: AsyncSession, *, moment: datetime, until: datetime, after: int, size: int
) -> BatchResult:
    """Due-soon notices for the next ``size`` open tasks due in ``(moment, until]``."""
    return await _run(session, DUE_SOON, {
        "kind": DUE_SOON_KIND, "title_prefix": "Due soon: ", "moment": moment, "until": until,
        "after": after, "size": size,
    })


async def notify_overdue_batch(session: AsyncSession, *, moment: datetime, after: int, size: int) -> BatchResult:
    """Claim the next ``size`` overdue, not yet announced open tasks and announce them."""
    return await _run(session, OVERDUE, {
        "kind": OVERDUE_KIND, "title_prefix": "Overdue: ", "moment": moment, "after": after, "size": size,
    })

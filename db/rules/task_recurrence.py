"""Recurring tasks: the next instance of a series (pure, RFC 5545 RRULE via python-dateutil).

Choice: a task with an RRULE spawns its next instance when it is completed (not
instances up to a horizon): the board never fills with future copies, and a
late completion does not pile up missed ones. The series is anchored at the due
time of its first task (DTSTART), so COUNT and UNTIL keep their meaning; the
next instance is the first occurrence strictly after the completed one's due
time. Every instance carries the rule and ``recurrence_parent_id`` = the first
task; the generation key ``recur:{first task id}:{due date}`` makes spawning
idempotent in the database.
"""
from __future__ import annotations

from datetime import UTC, datetime

from dateutil.rrule import rrule, rrulestr

MAX_RULE_LENGTH = 1000


class InvalidRule(ValueError):
    pass


def parse_rule(text: str, dtstart: datetime) -> rrule:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:"):]
    if not body or "\n" in body or len(body) > MAX_RULE_LENGTH:
        raise InvalidRule("Must be one RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO.")
    if "DTSTART" in body.upper():
        raise InvalidRule("Give the rule without DTSTART; the task's due time anchors it.")
    try:
        rule = rrulestr(body, dtstart=dtstart)
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidRule(f"Not a valid RRULE: {error}.") from None
    if not isinstance(rule, rrule):
        raise InvalidRule("Must be a single RRULE.")
    return rule


def normalized_rule(text: str) -> str:
    """The rule as stored (without an ``RRULE:`` prefix); raises InvalidRule."""
    parse_rule(text, datetime(2000, 1, 1, tzinfo=UTC))
    body = text.strip()
    return body[len("RRULE:"):] if body.upper().startswith("RRULE:") else body


def next_due(rule_text: str, series_start: datetime, completed_due: datetime) -> datetime | None:
    """The due time of the instance after the one due at ``completed_due``; None when the series ends."""
    rule = parse_rule(rule_text, series_start)
    following: datetime | None = rule.after(completed_due, inc=False)
    return following

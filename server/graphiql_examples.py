"""Example operations preloaded as GraphiQL tabs: one per module, a subscription, a share feed.

Kept in Python so tests/foundation/test_graphiql.py validates every one against the schema.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Example:
    title: str
    query: str
    variables: str = ""  # JSON; $TODAY and $IN_14_DAYS are filled in when the page is served


SIGN_IN = Example("Sign in", '''# Sign in with the form above (it fills the Authorization header for you),
# or run this and put the token in the Headers tab: {"Authorization": "Bearer <token>"}
# Demo accounts (password almanac-demo): admin@, manager@, staff@, viewer@almanac.local
mutation SignIn($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    token
    user { name role email }
    errors { code message }
  }
}
''', '{"email": "admin@almanac.local", "password": "almanac-demo"}')

EXAMPLES: tuple[Example, ...] = (
    SIGN_IN,
    Example("My work", '''# Calendar of the next 14 days across modules, and your open tasks.
query MyWork($start: DateTime!, $end: DateTime!) {
  me { name role email teams { name } }
  calendar(start: $start, end: $end) {
    entries { kind module title start end allDay }
  }
  tasks(filter: {status: [TODO, IN_PROGRESS, BLOCKED, REVIEW]}, orderBy: DUE_AT_ASC, first: 10) {
    totalCount
    nodes { title status priority dueAt isOverdue ppa { code title } }
  }
}
''', '{"start": "$TODAY", "end": "$IN_14_DAYS"}'),
    Example("Portfolio", '''# The PPA dashboard: stages, budgets, progress and what is at risk (and why).
{
  portfolio {
    ppaCount budgetAllocated budgetApproved averageProgress atRiskCount
    byStage { stage count averageProgress }
    byBudgetStatus { budgetStatus count }
    atRisk(first: 5) {
      nodes {
        ppa { code title stage progress community { name province } }
        reasons overdueMilestones overdueTasks daysInStage
      }
    }
  }
}
'''),
    Example("Projects", '''# PPAs in implementation, with their tasks, milestones and the needs they answer.
{
  ppas(filter: {stages: [IMPLEMENTATION]}, first: 5) {
    totalCount
    nodes {
      code title stage budgetStatus progress allowedStages
      leadTeam { name }
      community { name municipality province }
      needs { title category }
      milestones { title dueOn completedAt }
      tasks(first: 5) { nodes { title status } }
    }
  }
}
'''),
    Example("Task board", '''# The kanban board: one column per status.
{
  board(cardsPerColumn: 5) {
    columns { status totalCount tasks { title priority dueAt assignees { name } } }
  }
}
'''),
    Example("Resources", '''# Vehicles and rooms, and when they are free for a field visit.
# Pass resource ids from the first list to resourceAvailability(resourceIds:, start:, end:).
{
  resources(first: 10) { nodes { id name kind capacity requiresApproval } }
  bookings(first: 5) { nodes { purpose status startsAt endsAt resource { name } requestedBy { name } } }
}
'''),
    Example("Needs and assessments", '''# Community needs, the assessments that found them, the PPAs that answer them.
{
  assessments(first: 5) { nodes { title status planningOn reportOn community { name } } }
  needs(first: 10) { nodes { title category status priority community { name } ppas { code stage } } }
  communities(first: 10) { nodes { name region province municipality population } }
}
'''),
    Example("Live changes", '''# A subscription (GraphiQL opens a websocket with your token): run it, then change a
# task in another tab or with updateTask, and watch the change arrive.
subscription {
  taskChanged { op taskId task { title status } }
}
'''),
    Example("Share feed", '''# A calendar feed for phones and desktop calendars: open the returned url as
# webcal://host/calendar/feed/<token>.ics (the token is shown only once).
mutation {
  createShareLink(input: {name: "Coordination meetings", modules: [COORDINATION]}) {
    url token shareLink { name modules active }
    errors { code message }
  }
}
'''),
)

"""The built-in default task templates, one per automatically generated kind (data only)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from db.enums import TaskPriority, TemplateKind


@dataclass(frozen=True, slots=True)
class ItemSpec:
    title: str
    offset_days: int
    role: str = ""
    phase: str = ""
    priority: TaskPriority = TaskPriority.MEDIUM
    estimated_hours: Decimal | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    name: str
    description: str
    items: tuple[ItemSpec, ...]


H = Decimal
DEFAULT_TEMPLATES: dict[TemplateKind, TemplateSpec] = {
    TemplateKind.PPA: TemplateSpec("Default PPA tasks", "Generated for every new PPA.", (
        ItemSpec("Draft the work and financial plan for {ppa_title}", 7, "Project officer", "Planning", TaskPriority.HIGH, H(16)),
        ItemSpec("Prepare the budget proposal for {ppa_title}", 14, "Budget officer", "Budget", TaskPriority.HIGH, H(12)),
        ItemSpec("Prepare the procurement plan for {ppa_title}", 30, "Procurement officer", "Procurement", TaskPriority.MEDIUM, H(8)),
        ItemSpec("Mobilize implementation of {ppa_title}", 45, "Project officer", "Implementation", TaskPriority.MEDIUM, H(24)),
        ItemSpec("Write the monitoring report for {ppa_title}", 90, "M&E officer", "Monitoring", TaskPriority.MEDIUM, H(8)),
    )),
    TemplateKind.ASSESSMENT: TemplateSpec("Default assessment tasks", "Generated for every new assessment.", (
        ItemSpec("Plan the assessment: {assessment_title}", 0, "Research officer", "Planning", TaskPriority.HIGH, H(8)),
        ItemSpec("Collect data for {assessment_title}", 14, "Field officer", "Data collection", TaskPriority.MEDIUM, H(40)),
        ItemSpec("Analyze the findings of {assessment_title}", 30, "Research officer", "Analysis", TaskPriority.MEDIUM, H(24)),
        ItemSpec("Write the report of {assessment_title}", 45, "Research officer", "Reporting", TaskPriority.HIGH, H(16)),
    )),
    TemplateKind.COORDINATION_EVENT: TemplateSpec(
        "Default coordination meeting tasks", "Generated for every new coordination event.", (
            ItemSpec("Draft the agenda for {event_title}", -7, "Secretariat", "Preparation", TaskPriority.HIGH, H(4)),
            ItemSpec("Send the invitations for {event_title}", -5, "Secretariat", "Preparation", TaskPriority.MEDIUM, H(2)),
            ItemSpec("Prepare the venue and materials for {event_title}", -1, "Logistics", "Preparation", TaskPriority.MEDIUM, H(4)),
            ItemSpec("Circulate the minutes of {event_title}", 2, "Secretariat", "Follow-up", TaskPriority.MEDIUM, H(3)),
        )),
    TemplateKind.POLICY: TemplateSpec("Default policy tasks", "Generated for every new policy.", (
        ItemSpec("Draft {policy_title}", 0, "Policy officer", "Drafting", TaskPriority.HIGH, H(24)),
        ItemSpec("Consult stakeholders on {policy_title}", 14, "Policy officer", "Consultation", TaskPriority.MEDIUM, H(16)),
        ItemSpec("Legal review of {policy_title}", 30, "Legal officer", "Review", TaskPriority.MEDIUM, H(8)),
        ItemSpec("Submit {policy_title} for adoption", 45, "Policy officer", "Adoption", TaskPriority.HIGH, H(4)),
    )),
}

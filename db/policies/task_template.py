"""Task templates and their items: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.models import TaskTemplate, TaskTemplateItem
from db.policies.base import OfficeWidePolicy


class TaskTemplatePolicy(OfficeWidePolicy[TaskTemplate]):
    model = TaskTemplate
    entity_type = "TaskTemplate"


class TaskTemplateItemPolicy(OfficeWidePolicy[TaskTemplateItem]):
    model = TaskTemplateItem
    entity_type = "TaskTemplateItem"

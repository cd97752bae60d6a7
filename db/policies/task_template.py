"""Task templates and their items: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.models import TaskTemplate, TaskTemplateItem
from db.policies.base import CataloguePolicy


class TaskTemplatePolicy(CataloguePolicy[TaskTemplate]):
    model = TaskTemplate
    entity_type = "TaskTemplate"


class TaskTemplateItemPolicy(CataloguePolicy[TaskTemplateItem]):
    model = TaskTemplateItem
    entity_type = "TaskTemplateItem"

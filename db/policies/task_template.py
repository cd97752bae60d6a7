"""Task templates and their items: office-wide, every signed-in user reads them."""
from __future__ import annotations

from db.enums import Role
from db.models import TaskTemplate, TaskTemplateItem
from db.policies.base import CataloguePolicy
from db.policies.write import RoleEditable


class TaskTemplatePolicy(RoleEditable, CataloguePolicy[TaskTemplate]):
    """Created, edited and retired by MANAGER and ADMIN; instantiated by any writer."""

    model = TaskTemplate
    entity_type = "TaskTemplate"
    editor_roles = (Role.MANAGER, Role.ADMIN)


class TaskTemplateItemPolicy(CataloguePolicy[TaskTemplateItem]):
    model = TaskTemplateItem
    entity_type = "TaskTemplateItem"


TEMPLATES = TaskTemplatePolicy()

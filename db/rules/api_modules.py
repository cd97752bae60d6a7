"""Which module (of an API key's scope) a GraphQL type or change-log entity belongs to."""
from __future__ import annotations

from db.models.partner import ApiModule

# Prefix match on the type name (GraphQL type or change-log entity type), first module wins.
MODULE_TYPES: dict[ApiModule, tuple[str, ...]] = {
    ApiModule.CALENDAR: ("Calendar", "Event"),
    ApiModule.TASKS: ("Task", "Board", "AssigneeWorkload", "DomainWorkload", "PriorityWorkload", "StatusWorkload",
                      "TeamWorkload"),
    ApiModule.PROJECTS: ("Ppa", "Portfolio"),
    ApiModule.MANA: ("Need", "Assessment", "Policy", "Community"),
    ApiModule.RESOURCES: ("Resource", "Booking", "BusyInterval", "FreeInterval"),
    ApiModule.DIRECTORY: ("User", "Team"),
}


def module_of(type_name: str) -> ApiModule | None:
    base = type_name.removesuffix("Connection").removesuffix("Edge")
    for module, prefixes in MODULE_TYPES.items():
        if base.startswith(prefixes):
            return module
    return None

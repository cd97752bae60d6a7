"""What an API key's request may select: read-only operations on the types of its modules.

Checked once per operation on the validated document (graphql-core's TypeInfo follows
fragments, unions and interfaces), so requests without a key pay nothing per field.
"""
from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

from db.models.partner import ApiModule
from db.rules.api_modules import module_of

# Plumbing every module uses: the root, pages, the Node interface.
NEUTRAL = frozenset({"Query", "PageInfo", "Node"})


class _Scope(Visitor):
    def __init__(self, type_info: TypeInfo, modules: frozenset[ApiModule]) -> None:
        super().__init__()
        self.type_info = type_info
        self.modules = modules
        self.refusal: str | None = None

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
        if node.operation is not OperationType.QUERY:
            self.refuse("API keys are read-only: only queries are allowed.")

    def enter_field(self, node: FieldNode, *_: object) -> None:
        # The field's own type, and the type it is selected on (covers fragments on union members).
        for candidate in (self.type_info.get_type(), self.type_info.get_parent_type()):
            if candidate is None:
                continue
            named = get_named_type(candidate)
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                self.check(named.name)

    def check(self, type_name: str) -> None:
        if type_name.startswith("__") or type_name in NEUTRAL:
            return
        module = module_of(type_name)
        if module is None or module not in self.modules:
            allowed = ", ".join(sorted(m.value for m in self.modules)) or "none"
            self.refuse(f"This API key may not read {type_name} ({module.value if module else 'no module'}); "
                        f"its modules: {allowed}.")

    def refuse(self, message: str) -> None:
        if self.refusal is None:
            self.refusal = message


def refusal(schema: GraphQLSchema, document: DocumentNode, modules: frozenset[ApiModule]) -> str | None:
    """Why this document is outside the key's scope, or None when it is inside."""
    type_info = TypeInfo(schema)
    scope = _Scope(type_info, modules)
    visit(document, TypeInfoVisitor(type_info, scope))
    return scope.refusal

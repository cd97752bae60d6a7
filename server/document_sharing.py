"""Whether subscription groups that differ only in variables may share one execution's payload.

Groups are keyed by document AND variables. When the variables only feed the root field's
arguments (``calendarChanged(start: $start, end: $end)``), they decide which values the
field produces, not how a value is executed: two groups handed the same value (and class)
produce the same payload. A variable anywhere else (a nested field's argument, a directive,
a fragment) may change the execution, so such a document never shares across groups.
"""
from __future__ import annotations

from typing import Any

from graphql import DocumentNode, FieldNode, Node, OperationDefinitionNode, VariableNode


def variables_in(node: Any) -> int:
    """How many variable references ``node`` holds (recursively)."""
    if isinstance(node, VariableNode):
        return 1
    if isinstance(node, Node):
        return sum(variables_in(getattr(node, key, None)) for key in node.keys if key != "loc")
    if isinstance(node, list | tuple):
        return sum(variables_in(item) for item in node)
    return 0


def variables_only_in_root_arguments(document: DocumentNode) -> bool:
    used = 0
    in_root_arguments = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            used += variables_in(definition.directives) + variables_in(definition.selection_set)
            in_root_arguments += sum(variables_in(s.arguments) for s in definition.selection_set.selections
                                     if isinstance(s, FieldNode))
        else:
            used += variables_in(definition)
    return used == in_root_arguments

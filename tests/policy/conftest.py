"""Print the leak matrix's size after a run that collected the leak-matrix modules."""
from __future__ import annotations

from typing import Any

from tests.policy.leaks import PATHS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not PATHS:
        return
    paths = {path for path, _, _ in PATHS}
    entities = {entity for _, entity, _ in PATHS}
    cells = sum(roles for _, _, roles in PATHS)
    terminalreporter.write_line(
        f"leak matrix: {len(paths)} paths x {len(entities)} entities, {len(PATHS)} (path, entity) rows, "
        f"{cells} (path, entity, role) cells"
    )

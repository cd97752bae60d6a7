"""Print the leak matrix's size after a run that collected the leak-matrix modules."""
from __future__ import annotations

from typing import Any

from tests.policy.leaks import PATHS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not PATHS:
        return
    entities = {entity for _, entity, _ in PATHS}
    cells = sum(roles for _, _, roles in PATHS)
    terminalreporter.write_line(
        f"leak matrix: {len(PATHS)} paths over {len(entities)} entities, {cells} (path, role) cells"
    )

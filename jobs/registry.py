"""Every job function by name: the arq worker and the in-process queue share it."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

JOBS: dict[str, Callable[..., Awaitable[Any]]] = {}

from jobs.prune_change_log import prune_change_log  # noqa: E402

JOBS["prune_change_log"] = prune_change_log

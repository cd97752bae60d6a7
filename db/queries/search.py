"""Substring search: one ILIKE helper, so ``%``, ``_`` and ``\\`` in a search are literal.

An unescaped ``%`` or ``_`` is a wildcard: ``a_b`` would match ``axb``, and a search of
``_`` one character at a time rebuilds a hidden value from which searches match.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_

ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """``%text%`` with the LIKE metacharacters of ``text`` escaped."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def search_terms(text: str | None) -> str | None:
    """The stripped search, or None when there is nothing to search for."""
    if text is None or not text.strip():
        return None
    return text.strip()


def contains(text: str, *columns: Any) -> ColumnElement[bool]:
    """SQL: any of ``columns`` contains ``text`` literally, ignoring case."""
    pattern = contains_pattern(text)
    return or_(false(), *(column.ilike(pattern, escape=ESCAPE) for column in columns))

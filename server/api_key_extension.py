"""Moved to ``server/api_key_check.py`` (it has not been a Strawberry extension since
``server/operation.py`` runs it as a step). Only ``schema/core/limits.py`` still imports this
name; change that import and delete this module."""
from server.api_key_check import api_key_steps

__all__ = ["api_key_steps"]

"""The README documents every setting the server reads."""
from __future__ import annotations

from pathlib import Path

from server.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text()
    aliases = {field.alias for field in Settings.model_fields.values() if field.alias}

    assert aliases and sorted(a for a in aliases if f"`{a}`" not in text) == []

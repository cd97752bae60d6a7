"""The image's runtime user can write everywhere Almanac writes by default, and the build context
leaves out the local virtualenv and secrets. Checked on the files (no Docker daemon needed)."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_env_and_owned() -> tuple[dict[str, str], set[str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    owned: set[str] = set()
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["ENV"]:
            env.update(word.split("=", 1) for word in words[1:] if "=" in word)
        for chown in re.finditer(r"chown\s+almanac\s+([^&;]+)", line):
            owned |= set(chown.group(1).split())
    return env, owned


def test_the_runtime_user_owns_the_data_and_attachment_directories() -> None:
    # given the image's environment and the directories it hands to the almanac user
    env, owned = dockerfile_env_and_owned()
    # then the data dir (default ~/.almanac, under root's /app) and the attachment dir are set and its own
    assert env.get("ALMANAC_DATA_DIR") in owned, (env, owned)
    assert env.get("ALMANAC_STORAGE_DIR") in owned, (env, owned)


def test_the_build_context_leaves_out_the_virtualenv_and_secrets() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", ".env", ".git"} <= ignored

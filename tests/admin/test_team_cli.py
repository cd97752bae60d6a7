"""``almanac team``: create a team, add a lead, list, and the errors an operator sees."""
from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import make_url

from tests.foundation.test_cli import _admin_in, almanac


def test_team_create_member_and_list(database_url: str) -> None:
    team = f"MAO Cli {uuid.uuid4().hex[:6]}"
    email = f"cli-lead-{uuid.uuid4().hex[:8]}@example.org"
    database = str(make_url(database_url).database)
    try:
        assert almanac(database_url, "user", "create", "--email", email, "--name", "Lead", "--role", "STAFF",
                       "--password", "long-enough-password").returncode == 0
        created = almanac(database_url, "team", "create", team, "--description", "From the shell")
        assert created.returncode == 0, created.stderr
        assert f"{team!r} (with quarterly coordination)" in created.stdout
        duplicate = almanac(database_url, "team", "create", team.upper())
        assert (duplicate.returncode, "already exists" in duplicate.stderr) == (1, True)

        added = almanac(database_url, "team", "member", team, email, "--role", "lead")
        assert (added.returncode, added.stdout.strip()) == (0, f"{email} is LEAD of {team!r}"), added.stderr
        listed = almanac(database_url, "team", "list")
        assert f"{team}\t1 member\tquarterly" in listed.stdout.splitlines()

        unknown = almanac(database_url, "team", "member", "No Such Team", email)
        assert (unknown.returncode, unknown.stderr.strip()) == (1, "almanac: no team named 'No Such Team'")
        bad_role = almanac(database_url, "team", "member", team, email, "--role", "boss")
        assert (bad_role.returncode, "use LEAD or MEMBER" in bad_role.stderr) == (1, True)
        removed = almanac(database_url, "team", "member", team, email, "--remove")
        assert removed.returncode == 0, removed.stderr
        assert f"{team}\t0 members\tquarterly" in almanac(database_url, "team", "list").stdout.splitlines()
    finally:  # the change log too: other tests read every change row of the run's database
        asyncio.run(_admin_in(database, "DELETE FROM change_log WHERE entity_type = 'Team' AND entity_id IN "
                                        f"(SELECT id FROM teams WHERE name = '{team}')"))
        asyncio.run(_admin_in(database, f"DELETE FROM teams WHERE name = '{team}'"))
        asyncio.run(_admin_in(database, f"DELETE FROM users WHERE email = '{email}'"))


def test_job_run_runs_a_scheduled_job_now(database_url: str) -> None:
    database = str(make_url(database_url).database)
    try:
        ran = almanac(database_url, "job", "run", "snapshot_dashboard")
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.startswith("snapshot_dashboard: ")
        unknown = almanac(database_url, "job", "run", "generate_quarterly_report")  # needs an argument
        assert unknown.returncode == 1 and "unknown job 'generate_quarterly_report'" in unknown.stderr
        assert "schedule_quarterly_meetings" in unknown.stderr
    finally:
        asyncio.run(_admin_in(database, "DELETE FROM dashboard_snapshots"))

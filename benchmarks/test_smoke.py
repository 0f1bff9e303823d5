"""Every benchmark scenario runs end to end in smoke mode: a tiny municipality, a second of load each.

Only the shape of the answer and the absence of errors are checked; no figure is asserted (they
depend on the machine). The run uses the database kind of the test run: PostgreSQL when the suite
runs on PostgreSQL, SQLite otherwise, in a database of its own that is dropped afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.db import connection

from benchmarks.report import RESULT_KEYS, SCENARIOS
from benchmarks.stack import CPU_GROUPS, REPO


def test_every_scenario_runs_in_smoke_mode() -> None:
    on_postgresql = connection.vendor == "postgresql"
    command = [sys.executable, "-m", "benchmarks", "--smoke", "--json", "--drop"]
    command += ["--database", f"kinabog_bench_smoke_{os.getpid()}"]
    if not on_postgresql:
        command.append("--sqlite")
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "CELERY_BROKER_URL")}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    report = f"exit {done.returncode}\nstdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    assert [row["scenario"] for row in rows] == list(SCENARIOS), report
    for row in rows:
        assert set(RESULT_KEYS) <= set(row), report
        assert row["errors"] == 0, f"{row['scenario']}: {row['detail']}\n{report}"
        assert row["detail"]["run"]["database"] == ("postgresql" if on_postgresql else "sqlite"), report
        assert 0 <= row["detail"]["run"]["waiting_for_disk_during"] <= 1, report
    by_name = {row["scenario"]: row for row in rows}
    assert by_name["ceiling"]["requests_per_s"] > 0, report
    assert by_name["messages"]["messages_per_s"] > 0, report
    assert by_name["broadcast"]["broadcast_visible_s"] is not None, report
    assert by_name["broadcast"]["raw_insert_s"] is not None, report
    assert by_name["overview"]["growth_ratio"] is not None, report
    # The morning rush with the guardians' app, and again with the guardians in the browser.
    checkin = by_name["checkin"]["detail"]
    assert {"check_in", "daily_overview"} <= set(checkin["by_request"]), checkin
    on_the_web = checkin["guardians_on_the_web"]
    assert "guardian_day" in on_the_web["by_request"] and on_the_web["errors"] == 0, on_the_web
    assert on_the_web["ratio_to_ceiling"] is not None, on_the_web
    # Both rushes are measured in turns with the ceiling, and their ratios are to those turns.
    for rush in (checkin, on_the_web):
        beside = rush["ceiling_beside"]
        assert beside["requests_per_s"] > 0 and beside["errors"] == 0, beside
        assert beside["cpu_ms_per_request"]["web"] > 0, beside
    row = by_name["checkin"]
    beside_rps = checkin["ceiling_beside"]["requests_per_s"]
    assert abs(row["ratio_to_ceiling"] - row["requests_per_s"] / beside_rps) < 0.01, checkin  # figures are rounded
    # The loads say where their CPU went, by process.
    for name in ("ceiling", "checkin", "messages", "inbox"):
        split = by_name[name]["detail"]["cpu_ms_per_request"]
        assert set(CPU_GROUPS) < set(split) and split["web"] > 0, (name, split)
    # Feed, day view and calendar cost the same queries in the larger municipality as in Havnby.
    assert by_name["overview"]["detail"]["queries_equal_at_both_scales"], by_name["overview"]["detail"]
    assert done.returncode == 0, report

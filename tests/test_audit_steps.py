"""The rows' `step` column and the summary's step lines, on a small hand-made history through the CLI:
a schedule's three steps, a restart that numbers its own run from 1, and the steps adding up to the duty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_samples import kitchen_sink_policy, write_policy

from compiler.cli.main import main

EVENTS = """child_id,event,date
C1,became_looked_after,2024-01-01
C1,cla_review,2024-01-20
C1,cla_review,2024-04-10
C1,placement_change,2024-06-03
C1,cla_review,2024-06-20
C1,cla_review,2024-09-10
"""

#: cla_reviews (first within 20 working days of became_looked_after, then within 3 months, then every
#: 6 months, restart within 20 working days of placement_change), read by hand:
#: (trigger date, done date, outcome, step)
WANT = [
    ("2024-01-01", "2024-01-20", "met", 1),
    ("2024-01-20", "2024-04-10", "met", 2),
    ("2024-04-10", None, "discharged", 3),  # due 2024-10-10, after the restart closed the first run
    ("2024-06-03", "2024-06-20", "met", 1),  # the restart's run starts again at step 1
    ("2024-06-20", "2024-09-10", "met", 2),
    ("2024-09-10", None, "overdue", 3),  # due 2025-03-10
    ("2025-03-10", None, "pending", 3),  # the last step repeats: due 2025-09-10
]


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_step_column_and_step_lines(tmp_path: Path, engine: str) -> None:
    policy = write_policy(tmp_path / "p.policy", kitchen_sink_policy())
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    out = tmp_path / "a.json"
    assert main(["audit", "--policy", str(policy), "--events", str(events), "--as-of", "2025-06-01",
                 "--engine", engine, "--out", str(out), "--no-progress"]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    got = [(r["trigger_date"], r["done_date"], r["outcome"], r["step"]) for r in doc["rows"]
           if r["obligation"] == "cla_reviews"]
    assert got == WANT
    # forms without steps leave the column empty
    form = {o["obligation"]: o["form"] for o in doc["summary"]}
    assert {form[r["obligation"]] for r in doc["rows"] if r["step"] is not None} == {"schedule", "recurrence"}
    line = next(o for o in doc["summary"] if o["obligation"] == "cla_reviews")
    steps = line["steps"]
    assert [s["label"] for s in steps] == [
        "first within 20 working days of became_looked_after (or of restart placement_change)",
        "then within 3 months", "then every 6 months"]
    assert [(s["occurrences"], s["on_time"], s["overdue"], s["pending"], s["discharged"]) for s in steps] == [
        (2, 2, 0, 0, 0), (2, 2, 0, 0, 0), (3, 0, 1, 1, 1)]
    for column in ("occurrences", "on_time", "late", "overdue", "pending", "discharged"):
        assert sum(s[column] for s in steps) == line[column], column

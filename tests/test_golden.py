"""Golden files for the emitters: DOT process map, SVG timeline, Markdown pages.

To accept an intended change: `UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py`,
then review the diff of tests/golden/expected/ before committing it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.analyses.check import check_paths
from compiler.emitters import pages, process_map, timeline
from compiler.emitters.findings import findings_markdown

HERE = Path(__file__).parent / "golden"
EXPECTED = HERE / "expected"


@pytest.fixture(scope="module")
def fixture_policy():
    result = check_paths([HERE / "fixture.policy"], [])
    assert result.policies, result.diagnostics
    return result.policies[0], result


def outputs(policy, result) -> dict[str, str]:
    svg = timeline.timeline_svg(policy, "child_protection")
    assert svg is not None
    return {
        "process-map.dot": process_map.process_map_dot(policy),
        "timeline-child_protection.svg": svg,
        "obligations.md": pages.obligations_page(policy),
        "principles.md": pages.principles_page(policy),
        "findings.md": findings_markdown("Fixture Council", result.diagnostics, [policy]),
    }


@pytest.mark.parametrize("name", ["process-map.dot", "timeline-child_protection.svg", "obligations.md",
                                  "principles.md", "findings.md"])
def test_golden(name, fixture_policy):
    policy, result = fixture_policy
    actual = outputs(policy, result)[name]
    path = EXPECTED / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file (see module docstring)"


def test_hostile_text_is_escaped_everywhere(fixture_policy):
    policy, result = fixture_policy
    out = outputs(policy, result)
    for name, text in out.items():
        if name != "process-map.dot":  # a quoted DOT string is plain text; Graphviz escapes it in SVG
            assert "<script>" not in text, name
    # Markdown tables keep their shape: every row of the obligations table has 5 unescaped pipes
    for line in out["obligations.md"].splitlines():
        if line.startswith("| ") and "---" not in line:
            assert line.count("|") - line.count("\\|") == 5, line
    # the DOT file is valid for Graphviz and the label survives as text
    if shutil.which("dot"):
        r = subprocess.run(["dot", "-Tsvg"], input=out["process-map.dot"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "&lt;script&gt;" in r.stdout
    assert 'label="Golden fixture: child protection | \\"quoted\\" <script>' in out["process-map.dot"]


def test_timeline_is_drawn_to_the_real_calendar(fixture_policy):
    policy, _ = fixture_policy
    rows = {r.obligation.id: r for r in timeline.rows_for(policy, "child_protection")}
    # start Monday 2024-03-04: 10 working days end on Monday 18 March (day 14)
    assert rows["core_group"].marks[0] == 14
    assert rows["core_group"].marks[1] - rows["core_group"].marks[0] == 28
    assert rows["cp_visits"].marks[:3] == (14, 28, 42)
    start = timeline.REFERENCE_START
    # 3 months after Monday 4 March 2024 is 4 June; 6 months after that, 4 December
    assert rows["rcpc"].marks[:2] == ((dt.date(2024, 6, 4) - start).days, (dt.date(2024, 12, 4) - start).days)
    assert "minutes" not in rows  # vague timing: nothing to draw

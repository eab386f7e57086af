"""The judged findings of docs/findings-judged.md hold on the shipped policies: each row is a
finding of `policyc check policies/ --against policies/national/`, identified by its code, file and
the obligations its notes name. A finding judged false or duplicate ("Judged false or duplicate, no
longer reported") that is reported again fails; so does a finding judged real ("Reported today",
"Timing findings") that is no longer reported, since a re-encoding that changes it must be judged
again. The tables' real shares are the targets of issue 12."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
from conftest import ROOT

from compiler.cli.main import main

TABLE = ROOT / "docs" / "findings-judged.md"
TODAY, TIMING, GONE = "Reported today", "Timing findings", "Judged false or duplicate, no longer reported"


def judged(section: str) -> list[dict]:
    rows, inside = [], False
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == section
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if inside and len(cells) == 6 and cells[0].isdigit():
            rows.append({"code": cells[1], "file": cells[2], "obligations": cells[3], "verdict": cells[4]})
    return rows


def key(r: dict) -> tuple[str, str, str]:
    return r["code"], r["file"], r["obligations"]


def identity(d: dict) -> tuple[str, str, str]:
    ids: list[str] = []
    for r in d.get("related", []):
        m = re.match(r"(?:statute: |local: )?((?:`[A-Za-z0-9_]+`(?:, )?)+)", r["message"])
        for name in re.findall(r"`([A-Za-z0-9_]+)`", m.group(1)) if m else []:
            if name not in ids:
                ids.append(name)
    return d["code"], d["file"].replace("\\", "/").split("policies/", 1)[-1], ", ".join(sorted(ids))


@pytest.fixture(scope="module")
def reported() -> set[tuple[str, str, str]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", str(ROOT / "policies"), "--against", str(ROOT / "policies" / "national"),
                     "--format", "json", "--select", "conflict,floor,timing"])
    assert code in (0, 1)
    return {identity(d) for d in json.loads(out.getvalue())["diagnostics"]}


def test_the_tables_are_well_formed():
    today, timing, gone = judged(TODAY), judged(TIMING), judged(GONE)
    assert len(today) >= 40 and len(timing) >= 30 and len(gone) >= 20
    assert {r["verdict"] for r in today + timing} <= {"real", "false", "duplicate"}
    assert {r["verdict"] for r in gone} <= {"false", "duplicate"}


def test_the_judged_shares_meet_the_targets():
    """At least 90% of the conflict and floor findings and 80% of all document findings are real."""
    today, timing = judged(TODAY), judged(TIMING)
    real = lambda rows: sum(r["verdict"] == "real" for r in rows) / len(rows)  # noqa: E731
    assert real(today) >= 0.9
    assert real(today + timing) >= 0.8


def test_no_finding_judged_false_comes_back(reported):
    back = [r for r in judged(GONE) if key(r) in reported]
    assert not back, f"findings judged false in {TABLE.name} are reported again: {back}"


def test_every_finding_judged_real_is_still_reported(reported):
    lost = [r for r in judged(TODAY) + judged(TIMING) if r["verdict"] == "real" and key(r) not in reported]
    assert not lost, f"findings judged real in {TABLE.name} are no longer reported (judge them again): {lost}"


def test_the_measured_table_is_the_count_of_the_judged_rows():
    """The figures of the "Measured" table are the tables below it, counted (not typed in apart)."""
    measured: dict[str, list[str]] = {}
    inside = False
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == "Measured"
            continue
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if inside and len(cells) == 5 and cells[1].isdigit():
            measured[cells[0]] = cells[1:]
    today, timing = judged(TODAY), judged(TIMING)
    for name, rows in (("all conflict and floor findings", today), ("all document findings", today + timing)):
        real = sum(r["verdict"] == "real" for r in rows)
        assert measured[name][:3] == [str(len(rows)), str(real), str(len(rows) - real)], name
        assert measured[name][3] == f"{round(100 * real / len(rows))}%", name

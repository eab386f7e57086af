"""The findings judged false in docs/findings-judged.md stay gone: each row of its table "Judged
false or duplicate, no longer reported" is a finding of `policyc check policies/ --against
policies/national/`, identified by its code, file and the obligations it names; reported again, it
fails this test. The table "Reported today" must name only real, false or duplicate verdicts."""

from __future__ import annotations

import json
import re

from conftest import ROOT

TABLE = ROOT / "docs" / "findings-judged.md"


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


def identity(d: dict) -> tuple[str, str, str]:
    ids: list[str] = []
    for r in d.get("related", []):
        m = re.match(r"(?:statute: |local: )?((?:`[A-Za-z0-9_]+`(?:, )?)+)", r["message"])
        for name in re.findall(r"`([A-Za-z0-9_]+)`", m.group(1)) if m else []:
            if name not in ids:
                ids.append(name)
    return d["code"], d["file"].replace("\\", "/").split("policies/", 1)[-1], ", ".join(sorted(ids))


def test_the_tables_are_well_formed():
    today, gone = judged("Reported today"), judged("Judged false or duplicate, no longer reported")
    assert len(today) >= 40 and len(gone) >= 20
    assert {r["verdict"] for r in today} <= {"real", "false", "duplicate"}
    assert {r["verdict"] for r in gone} <= {"false", "duplicate"}


def test_no_finding_judged_false_comes_back(policyc):
    run = policyc(f"check {ROOT / 'policies'} --against {ROOT / 'policies' / 'national'} --format json "
                  "--select conflict,floor")
    assert run.code in (0, 1), run.err
    found = {identity(d) for d in json.loads(run.out)["diagnostics"]}
    back = [r for r in judged("Judged false or duplicate, no longer reported")
            if (r["code"], r["file"], r["obligations"]) in found]
    assert not back, f"findings judged false in {TABLE.name} are reported again: {back}"

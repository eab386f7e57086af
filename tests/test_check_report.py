"""The report of `policyc check`: document findings before lint, selection by code, family and
category, statistics, the summary (text and JSON), `--fail-on`, and the floor's own remarks left out."""

from __future__ import annotations

import json

from test_analyses import JOURNEY, VISITS

# a conflict (W501), a vague timing (W406) and lint (W405: no role; I409: prose condition)
MIXED = JOURNEY + VISITS + '''
obligation cp_visits_2 "Visits again"
  cite "2" "seen every three weeks"
  while child_protection
  social_worker must do statutory_visit every 3 weeks

obligation notes "Notes"
  cite "3" "notes as soon as possible"
  when "the family agrees"
  while child_protection
  must do case_note_recorded as soon as possible
'''


def report(policyc, path, *extra) -> tuple[int, dict]:
    run = policyc(f"check {path} --format json " + " ".join(extra))
    assert run.code in (0, 1), run.err
    return run.code, json.loads(run.out)


def found(out: dict) -> list[str]:
    return [d["code"] for d in out["diagnostics"]]


def test_document_findings_by_default_lint_on_request(policyc, write_policy):
    path = write_policy(MIXED)
    _, out = report(policyc, path)
    assert "W501" in found(out) and "W406" in found(out)
    assert "W405" not in found(out) and "I409" not in found(out)
    assert out["summary"]["not_shown"] >= 2
    _, out = report(policyc, path, "--lint")
    assert {"W405", "I409"} <= set(found(out))
    # document findings come before lint, the conflict before the timing finding
    codes = found(out)
    assert codes.index("W501") < codes.index("W406") < codes.index("W405")


def test_select_and_ignore_by_code_family_and_category(policyc, write_policy):
    path = write_policy(MIXED)
    assert set(found(report(policyc, path, "--select", "W5")[1])) == {"W501"}
    assert set(found(report(policyc, path, "--select", "W405")[1])) == {"W405"}  # lint picked by name
    assert set(found(report(policyc, path, "--select", "lint")[1])) >= {"W405", "I409"}
    assert set(found(report(policyc, path, "--select", "conflict,timing")[1])) == {"W501", "W406"}
    assert "W501" not in found(report(policyc, path, "--ignore", "conflict")[1])
    assert "W406" not in found(report(policyc, path, "--ignore", "W40")[1])
    bad = policyc(f"check {path} --select W9")
    assert bad.code == 2 and "unknown code, family or category `W9`" in bad.err


def test_statistics_and_summary(policyc, write_policy):
    path = write_policy(MIXED)
    text = policyc(f"check {path} --statistics --lint").out
    assert "W501" in text and "same duty, different timings" in text
    assert "warning[W501]" not in text  # counts, not the findings themselves
    assert "summary by document:" in text and "summary by category:" in text
    _, out = report(policyc, path, "--lint")
    s = out["summary"]
    assert s["by_category"]["conflict"] == 1 and s["by_category"]["timing"] == 1
    assert s["by_code"]["W501"] == 1 and s["document_findings"] == 2
    assert list(s["by_document"].values())[0]["conflict"] == 1
    opening = policyc(f"check {path}").out.splitlines()[0]
    assert opening.startswith("policyc check: 1 file, 0 errors; document findings: 1 conflict, 1 timing")


def test_fail_on(policyc, write_policy):
    path = write_policy(MIXED)
    assert policyc(f"check {path}").code == 0
    assert policyc(f"check {path} --fail-on warning").code == 1
    assert policyc(f"check {path} --fail-on warning --select I409 --lint").code == 0  # only a note shown
    assert policyc(f"check {path} --fail-on info --select I409").code == 1
    broken = write_policy("obligation bad\n  must do nothing_known\n", "broken.policy")
    assert policyc(f"check {broken}").code == 1
    assert policyc(f"check {broken} --fail-on never").code == 0


def test_the_floor_is_not_reported_as_a_document(policyc, write_policy, write_floor, tmp_path):
    # the statute has lint (no role) and a coverage gap of its own
    floor = write_floor('obligation visits "Visits"\n  cite "reg 1" "visit every 2 weeks"\n  while child_protection\n'
                        '  must do statutory_visit every 2 weeks\n')
    write_policy(JOURNEY + VISITS, "local.policy")
    _, alone = report(policyc, floor, "--lint")
    assert "W405" in found(alone)  # checked on its own, the statute's encoding is reviewed
    _, out = report(policyc, tmp_path, f"--against {floor}", "--lint")
    assert not [d for d in out["diagnostics"] if "national" in d["file"]]
    assert all("national" not in f for f in out["summary"]["by_document"])


def test_sarif_tags_rules_with_their_category(policyc, write_policy):
    path = write_policy(MIXED)
    log = json.loads(policyc(f"check {path} --format sarif --lint").out)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["W501"]["properties"]["tags"] == ["conflict", "document"]
    assert rules["W405"]["properties"]["tags"] == ["lint", "encoding"]
    results = [r["ruleId"] for r in log["runs"][0]["results"]]
    assert results.index("W501") < results.index("W405")

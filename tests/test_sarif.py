"""`policyc check --format sarif` is SARIF 2.1.0 that validates against the OASIS schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_validates_and_carries_rules_locations_and_related(policyc, write_policy):
    visits = ('obligation v{n} "Visits"\n  cite "{n}" "seen {k} weekly"\n  while child_protection\n'
              '  social_worker must do statutory_visit every {k} weeks\n')
    broken = write_policy("obligation bad\n  must do nothing_known\n", "broken.policy")
    errors = json.loads(policyc(f"check {broken} --format sarif").out)
    jsonschema.validate(errors, SCHEMA)
    assert errors["runs"][0]["results"][0]["level"] == "error"
    path = write_policy(visits.format(n=1, k=2) + visits.format(n=2, k=3))
    run = policyc(f"check {path} --format sarif")
    assert run.code == 0
    log = json.loads(run.out)
    jsonschema.validate(log, SCHEMA)
    results = log["runs"][0]["results"]
    rule_ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert "W501" in rule_ids
    conflict = next(r for r in results if r["ruleId"] == "W501")
    assert conflict["level"] == "warning" and len(conflict["relatedLocations"]) == 2
    region = conflict["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1
    assert rule_ids[conflict["ruleIndex"]] == "W501"


def test_sarif_of_a_clean_policy_is_valid_and_empty(policyc, write_policy):
    path = write_policy("")
    log = json.loads(policyc(f"check {path} --format sarif").out)
    jsonschema.validate(log, SCHEMA)
    assert log["runs"][0]["results"] == []

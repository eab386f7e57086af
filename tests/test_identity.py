"""A duty's identity is data (compiler.model.identity): which statements line up never depends on
the English that describes them."""

from __future__ import annotations

import json

from compiler.model import describe
from compiler.model.ir import AttributeIs
from dsl.ast import Span

BODY = '''
obligation fortnightly "Visits"
  cite "1" "seen every fortnight"
  while child_protection
  when legal_status is interim_care_order or care_order
  social_worker must do statutory_visit every 2 weeks

obligation monthly "Visits again"
  cite "2" "seen every month"
  while child_protection
  when legal_status is care_order or interim_care_order
  social_worker must do statutory_visit every 4 weeks
'''


def _codes(policyc, path) -> list[tuple[str, str]]:
    run = policyc(f"check {path} --format json")
    return sorted((d["code"], d["message"]) for d in json.loads(run.out)["diagnostics"])


def test_conditions_in_another_order_are_the_same_duty(policyc, write_policy):
    found = [c for c, _ in _codes(policyc, write_policy(BODY))]
    assert "W501" in found


def test_rewording_the_english_changes_no_finding(policyc, write_policy, monkeypatch):
    path = write_policy(BODY + BODY.replace("fortnightly", "f2").replace("monthly", "m2")
                        .replace("interim_care_order or care_order", "care_order").replace("care_order or interim_care_order", "interim_care_order"))
    before = _codes(policyc, path)
    monkeypatch.setattr(describe, "condition", lambda c: "the same words for every condition")
    monkeypatch.setattr(describe, "timing", lambda t, policy=None: "the same words for every timing")
    assert _codes(policyc, path) == before


def test_condition_identity_ignores_position_and_value_order():
    from compiler.model import identity

    a = AttributeIs("placement_type", False, ("foster", "kinship"), Span(1, 1, 1, 9))
    b = AttributeIs("placement_type", False, ("kinship", "foster"), Span(7, 3, 7, 30))
    c = AttributeIs("placement_type", False, ("kinship",), Span(7, 3, 7, 30))
    assert identity.condition(a) == identity.condition(b) != identity.condition(c)

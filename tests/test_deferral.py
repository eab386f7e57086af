"""Deferrals: `as set by statute` and `as set by "DOCUMENT"`, a timescale given by reference
("within the statutory timescales", "as outlined in the Supervision Policy"). Through the CLI:
not vague (no W406), I410 for a document that is not encoded, W604 (lint) where the statutory
floor has no timescale for the duty, quiet where it has one; the formatter keeps it, the export
and `compare` say it."""

from __future__ import annotations

import json

STATUTE = '''obligation reviews "First review"
  cite "reg 33" "within 20 working days of the date on which C becomes looked after"
  while looked_after
  iro must hold cla_review within 20 working days of became_looked_after
'''

LOCAL = '''obligation reviews_statutory "Reviews within the statutory timescales"
  cite "7.5.3" "these reviews are completed within the statutory timescales"
  while looked_after
  social_worker must hold cla_review as set by statute

obligation plans_statutory "Plans reviewed in line with statutory requirements"
  cite "7.5.2" "To review personal education plans in line with statutory requirements"
  while looked_after
  social_worker must review pep_review as set by statute

obligation supervision "Supervision as the Supervision Policy says"
  cite "1.14" "regular high quality supervision, as outlined in the Supervision Policy"
  team_manager must hold supervision as set by "the Supervision Policy"
'''


def _codes(policyc, command: str) -> list[dict]:
    run = policyc(command + " --format json")
    assert run.code in (0, 1), run.err
    return json.loads(run.out)["diagnostics"]


def test_a_deferral_is_not_vague_and_names_where_the_number_is(policyc, write_policy):
    path = write_policy(LOCAL)
    found = _codes(policyc, f"check {path} --lint")
    assert not [d for d in found if d["code"] == "W406"]
    notes = [d for d in found if d["code"] == "I410"]
    assert len(notes) == 1 and "the Supervision Policy" in notes[0]["message"] and "`supervision`" in notes[0]["message"]


def test_a_statutory_deferral_the_floor_cannot_hold_is_lint(policyc, write_policy, write_floor):
    floor = write_floor(STATUTE)
    path = write_policy(LOCAL)
    found = _codes(policyc, f"check {path} --against {floor} --lint")
    w604 = [d for d in found if d["code"] == "W604"]
    # reviews are timed by the floor: quiet; PEP reviews are not: pointed out
    assert len(w604) == 1 and "`plans_statutory`" in w604[0]["message"]
    assert "`reviews_statutory`" not in w604[0]["message"]
    shown = _codes(policyc, f"check {path} --against {floor}")
    assert not [d for d in shown if d["code"] == "W604"]  # lint: not a document finding


def test_the_formatter_keeps_a_deferral_and_the_export_says_it(policyc, write_policy):
    path = write_policy(LOCAL)
    text = path.read_text(encoding="utf-8")
    assert policyc(f"fmt --check {path}").code == 0  # already in the canonical layout
    assert path.read_text(encoding="utf-8") == text
    run = policyc(f"export {path}")
    assert run.code == 0, run.err
    timings = {o["id"]: o["timing"] for o in json.loads(run.out)["obligations"]}
    assert timings["reviews_statutory"]["kind"] == "vague"
    assert timings["reviews_statutory"]["defers_to"] == "statute"
    assert timings["supervision"]["defers_to"] == "the Supervision Policy"
    assert timings["reviews_statutory"]["text"] == "as the statute sets"


def test_a_deferral_to_nothing_is_a_parse_error(policyc, write_policy):
    path = write_policy(LOCAL.replace('as set by "the Supervision Policy"', "as set by"))
    run = policyc(f"check {path}")
    assert run.code == 1
    assert "error[E1" in run.err or "error[E1" in run.out

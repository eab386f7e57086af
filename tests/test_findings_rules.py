"""Rules fixed while re-judging the findings (issue 12), each through the CLI with a case that
triggers it and one that keeps it quiet:

- a local interval that runs from the start of a placement is held to every phase of the statute:
  the most lenient statutory exception still asks for six-weekly visits in the first year, so a
  local "every 12 weeks" exception falls short there (BCP section 24 bullet 5 against reg 28);
- clock hours that fit inside N whole days are certainly stricter than N working days, so "48 hours"
  against "3 working days" for one duty is a conflict (Swindon 11.1), not a calendar note;
- vague or untimed duties split from one sentence are one W406/W408 finding, even when they are
  different duties (the Permanence Panel's groups of children)."""

from __future__ import annotations

import json

STATUTE = '''obligation visits "Visits (general rule)"
  cite "reg 28(2)" "at intervals of not more than six weeks"
  while looked_after
  representative must visit statutory_visit
    first within 1 week of placement_start
    then every 6 weeks

obligation visits_agreed "Visits after a year, where C agrees"
  cite "reg 28(3A)" "after a year, at intervals of not more than six months"
  while looked_after
  instead of visits
  when placement_type is long_term_foster_other
  when "C agrees"
  representative must visit statutory_visit
    first within 1 week of placement_start
    then every 6 weeks for 1 year from placement_start
    then every 6 months
'''

LOCAL_RULE = '''obligation cla_visits "Visits every six weeks"
  cite "1" "children are visited every six weeks"
  while looked_after
  must visit statutory_visit every 6 weeks
'''


def _findings(policyc, path, floor) -> list[dict]:
    run = policyc(f"check {path} --against {floor} --format json")
    assert run.code in (0, 1), run.err
    return json.loads(run.out)["diagnostics"]


def test_a_local_exception_from_the_start_falls_short_of_the_statutes_first_year(policyc, write_policy, write_floor):
    floor = write_floor(STATUTE)
    path = write_policy(LOCAL_RULE + '''
obligation cla_visits_permanence "Visits may reduce to every 12 weeks"
  cite "2" "visits may reduce to every 12 weeks once the child is settled for six months"
  while looked_after
  instead of cla_visits
  when "the child is settled for six months"
  must visit statutory_visit every 12 weeks
''')
    [e601] = [d for d in _findings(policyc, path, floor) if d["code"] == "E601"]
    assert "`cla_visits_permanence`" in e601["message"]
    assert "every 6 weeks for 1 year from placement start" in e601["message"]
    assert "most lenient statutory exception `visits_agreed`" in e601["hint"]


def test_a_local_exception_that_keeps_the_first_year_meets_the_floor(policyc, write_policy, write_floor):
    floor = write_floor(STATUTE)
    path = write_policy(LOCAL_RULE + '''
obligation cla_visits_long_term "After the first year, visits may reduce to every 3 months"
  cite "2" "six weekly for the first year and three monthly thereafter"
  while looked_after
  instead of cla_visits
  when "the placement is long term"
  must visit statutory_visit
    first within 1 week of placement_start
    then every 6 weeks for 1 year from placement_start
    then every 3 months
''')
    assert not [d for d in _findings(policyc, path, floor) if d["code"] in ("E601", "I603")]


DUTY = 'obligation {id} "{id}"\n  cite "{n}" "{quote}"\n  while referral\n' \
       '  must hold strategy_discussion within {timing} of referral\n'


def test_hours_inside_working_days_are_two_rival_timescales(policyc, write_policy):
    path = write_policy(DUTY.format(id="strategy_48_hours", n="11.1", quote="a maximum of 48 hours", timing="48 hours")
                        + DUTY.format(id="strategy_3_days", n="11.1 description", quote="three working days",
                                      timing="3 working days"))
    run = policyc(f"check {path} --format json")
    codes = {d["code"]: d for d in json.loads(run.out)["diagnostics"]}
    assert "within 48 hours against within 3 working days" in codes["W501"]["message"]
    assert "I507" not in codes


def test_hours_beyond_the_working_days_depend_on_the_calendar(policyc, write_policy):
    path = write_policy(DUTY.format(id="strategy_48_hours", n="11.1", quote="a maximum of 48 hours", timing="48 hours")
                        + DUTY.format(id="strategy_1_day", n="11.2", quote="one working day", timing="1 working day"))
    run = policyc(f"check {path} --lint --format json")
    codes = {d["code"]: d for d in json.loads(run.out)["diagnostics"]}
    assert "W501" not in codes and "W502" not in codes
    assert "clock hours against working days" in codes["I507"]["message"]


SHARED = "Permanence Panel regularly reviews a range of children and young people including:"


def test_vague_parts_of_one_sentence_are_one_finding(policyc, write_policy):
    """Two duties split from one sentence (the panel reviews looked-after children and children
    placed for adoption "regularly") share the sentence's quote: one W406 naming both."""
    path = write_policy(f'''obligation panel_cla "Panel reviews looked-after children"
  cite "Permanence Panel (i)" "CLA not permanently matched with the same carer."
  cite "Permanence Panel" "{SHARED}"
  while looked_after
  panel should review permanence_planning_meeting regularly

obligation panel_adoption "Panel reviews children placed for adoption"
  cite "Permanence Panel (x)" "Children placed in adoption placements for 3 months."
  cite "Permanence Panel" "{SHARED}"
  while adoption
  panel should review permanence_planning_meeting regularly
''')
    run = policyc(f"check {path} --format json --select W406")
    [w406] = json.loads(run.out)["diagnostics"]
    assert "`panel_cla`, `panel_adoption` (parts of one sentence" in w406["message"]


def test_vague_duties_of_different_sentences_stay_apart(policyc, write_policy):
    path = write_policy('''obligation panel_cla "Panel reviews looked-after children"
  cite "1" "The panel regularly reviews looked-after children."
  while looked_after
  panel should review permanence_planning_meeting regularly

obligation panel_adoption "Panel reviews children placed for adoption"
  cite "2" "Children placed for adoption are regularly reviewed by the panel."
  while adoption
  panel should review permanence_planning_meeting regularly
''')
    run = policyc(f"check {path} --format json --select W406")
    assert len(json.loads(run.out)["diagnostics"]) == 2

"""Each analysis: a small policy written to trigger it, and one written to keep it quiet."""

from __future__ import annotations

import json

import pytest

JOURNEY = '''
transition from contact to referral on referral
transition from referral to child_protection on cp_plan_start
transition from child_protection to closed on closure
'''
VISITS = '''
obligation cp_visits "Visits"
  cite "1" "seen fortnightly"
  while child_protection
  social_worker must do statutory_visit every 2 weeks
'''


def variant(name: str, timing: str = "every 2 weeks", quote: str | None = None) -> str:
    """Another statement of the visiting duty, citing its own sentence (statements split from one
    sentence are parts of it, not a contradiction)."""
    return VISITS.replace("cp_visits", name).replace("every 2 weeks", timing).replace(
        "seen fortnightly", quote or f"seen as {name} says")


def codes(policyc, path, *extra) -> list[dict]:
    run = policyc(f"check {path} --format json --lint " + " ".join(str(e) for e in extra))
    assert run.code in (0, 1), run.err
    return json.loads(run.out)["diagnostics"]


def only(diags, code):
    return [d for d in diags if d["code"] == code]


CASES = {
    # code: (triggering body, quiet body)
    "W401": (JOURNEY + VISITS + "transition from looked_after to closed on ceased_looked_after\n", JOURNEY + VISITS),
    "W402": ("transition from contact to referral on referral\ntransition from referral to child_protection on cp_plan_start\n"
             + VISITS, JOURNEY + VISITS),
    "W403": (JOURNEY + VISITS + 'obligation x "X"\n  cite "1" "two words"\n  while child_protection\n'
             '  social_worker must do core_group_meeting within 10 working days of never_happens\n'
             'event never_happens "Never"\n',
             JOURNEY + VISITS + 'obligation x "X"\n  cite "1" "two words"\n  while child_protection\n'
             '  social_worker must do core_group_meeting within 10 working days of icpc\n'),
    "W404": (JOURNEY, JOURNEY + VISITS),
    "W405": (JOURNEY + VISITS.replace("social_worker must", "must"), JOURNEY + VISITS),
    "W406": (JOURNEY + VISITS.replace("every 2 weeks", "regularly"), JOURNEY + VISITS),
    "W407": (JOURNEY + VISITS.replace('  cite "1" "seen fortnightly"\n', ""), JOURNEY + VISITS),
    "W408": (JOURNEY + VISITS.replace(" every 2 weeks", ""), JOURNEY + VISITS),
    "I420": (JOURNEY + VISITS.replace("every 2 weeks", "every 336 hours"), JOURNEY + VISITS),
    "I409": (JOURNEY + VISITS.replace("  while", '  when "the child agrees"\n  while'),
             JOURNEY + VISITS.replace("  while", "  when placement_type is foster_other\n  while")),
    "W410": (JOURNEY + VISITS.replace("every 2 weeks", "every 2 weeks\n    restart within 1 week of cp_plan_end"),
             JOURNEY + VISITS.replace("every 2 weeks", "every 2 weeks\n    restart within 1 week of placement_change")),
    "W501": (JOURNEY + VISITS + variant("cp_visits_2", "every 3 weeks"),
             JOURNEY + VISITS + variant("cp_visits_2")),
    "W502": (JOURNEY + VISITS + variant("v2", "every 10 working days") + variant("v3", "every 10 days"),
             JOURNEY + VISITS + variant("v2", "every 10 working days") + variant("v3", "every 10 working days")),
    "W503": (JOURNEY + VISITS.replace("every 2 weeks", "first within 1 week of cp_plan_start then every 6 weeks for 4 weeks"
                                      " then every 3 months"),
             JOURNEY + VISITS.replace("every 2 weeks", "first within 1 week of cp_plan_start then every 6 weeks for 1 year"
                                      " then every 3 months")),
    "W504": (JOURNEY + VISITS + 'obligation icpc_due "ICPC"\n  cite "1" "two words"\n'
             '  cp_chair must hold icpc within 3 working days of strategy_discussion\n'
             'obligation report "Report"\n  cite "2" "two words"\n'
             '  social_worker must do conference_report_shared at least 5 working days before icpc\n',
             JOURNEY + VISITS + 'obligation icpc_due "ICPC"\n  cite "1" "two words"\n'
             '  cp_chair must hold icpc within 15 working days of strategy_discussion\n'
             'obligation report "Report"\n  cite "2" "two words"\n'
             '  social_worker must do conference_report_shared at least 2 working days before icpc\n'),
    "W505": (JOURNEY + VISITS.replace("every 2 weeks", "first within 1 week of cp_plan_start then every 2 weeks for 1 year"
                                      " then every 2 weeks"),
             JOURNEY + VISITS.replace("every 2 weeks", "first within 1 week of cp_plan_start then every 2 weeks for 1 year"
                                      " then every 4 weeks")),
    "W506": (JOURNEY + VISITS + VISITS.replace("cp_visits", "young").replace("  while", "  when age under 5 years\n  while")
             .replace("2 weeks", "3 weeks"),
             JOURNEY + VISITS + VISITS.replace("cp_visits", "young").replace("  while", "  when age under 5 years\n  while")
             .replace("2 weeks", "1 week")),
    "I507": (JOURNEY + VISITS.replace("every 2 weeks", "every 4 weeks") + variant("v2", "every 20 working days"),
             JOURNEY + VISITS.replace("every 2 weeks", "every 4 weeks") + variant("v2", "every 28 days")),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_analysis_triggers_and_stays_quiet(code, policyc, write_policy):
    loud, quiet = CASES[code]
    found = only(codes(policyc, write_policy(loud, "loud.policy")), code)
    assert found, f"{code} not reported"
    assert found[0]["severity"] in ("warning", "info")
    assert not only(codes(policyc, write_policy(quiet, "quiet.policy")), code)


def test_conflicts_carry_both_places_and_quotes(policyc, write_policy):
    loud = JOURNEY + VISITS + VISITS.replace("cp_visits", "cp_visits_2").replace("2 weeks", "3 weeks").replace(
        "seen fortnightly", "seen every three weeks")
    d = only(codes(policyc, write_policy(loud)), "W501")[0]
    assert len(d["related"]) == 2
    notes = " ".join(r["message"] for r in d["related"])
    assert '"seen fortnightly"' in notes and '"seen every three weeks"' in notes
    text = policyc(f"check {write_policy(loud)}").out
    assert "= note:" in text and "-->" in text


def test_suppression_requires_a_reason_and_is_counted(policyc, write_policy):
    body = JOURNEY + VISITS.replace("social_worker must", "must") + '  allow W405 because "the document names nobody"\n'
    path = write_policy(body)
    assert not only(codes(policyc, path), "W405")
    assert "1 suppressed by `allow`" in policyc(f"check {path}").out
    broken = write_policy(JOURNEY + VISITS + "  allow W405\n", "b.policy")
    assert only(codes(policyc, broken), "E104") or only(codes(policyc, broken), "E101")


def test_across_documents_of_one_authority(policyc, write_policy, tmp_path):
    write_policy(JOURNEY + VISITS, "a.policy")
    write_policy(JOURNEY + VISITS.replace("2 weeks", "4 weeks").replace("seen fortnightly", "seen monthly"), "b.policy")
    diags = only(codes(policyc, tmp_path), "W508")
    assert diags and "Test policy" in diags[0]["message"]
    assert {r["file"].split("/")[-1] for r in diags[0]["related"]} == {"a.policy", "b.policy"}


STATUTE_VISITS = ('obligation visits "Visits"\n  cite "reg 1" "visit every 2 weeks"\n  while child_protection\n'
                  '  social_worker must do statutory_visit every 2 weeks\n\n')


def statute(tmp_path, body: str):
    """A folder `national/` holding the vocabulary and a statute with these obligations."""
    floor = tmp_path / "national"
    floor.mkdir()
    (floor / "vocabulary.policy").write_text((tmp_path / "vocabulary.policy").read_text())
    (floor / "statute.policy").write_text(
        'policy "Statute"\n  authority "Parliament"\n  uses "vocabulary.policy"\n\n' + body)
    return floor


def test_statutory_floor(policyc, write_policy, tmp_path):
    floor = statute(tmp_path, STATUTE_VISITS + 'obligation assessment "Assessment"\n  cite "reg 2" "45 working days"\n'
                    '  social_worker must do assessment_completed within 45 working days of referral\n')
    weak = write_policy(JOURNEY + VISITS.replace("every 2 weeks", "every 3 weeks"), "weak.policy")
    run = policyc(f"check {weak} --against {floor} --format json")
    diags = json.loads(run.out)["diagnostics"]
    assert run.code == 1
    e = only(diags, "E601")[0]
    assert "every 3 weeks" in e["message"] and "every 2 weeks" in e["message"]
    assert only(diags, "I602") and "assessment" in only(diags, "I602")[0]["message"]
    ok = write_policy(JOURNEY + VISITS.replace("every 2 weeks", "every 1 week"), "ok.policy")
    assert policyc(f"check {ok} --against {floor}").code == 0
    depends = write_policy(JOURNEY + VISITS.replace("every 2 weeks", "every 10 working days"), "d.policy")
    assert only(codes(policyc, depends, "--against", floor), "I603")


def test_show_suppressed_lists_them_with_the_reason(policyc, write_policy):
    body = JOURNEY + VISITS.replace("social_worker must", "must") + '  allow W405 because "the document names nobody"\n'
    path = write_policy(body)
    diags = codes(policyc, path, "--show-suppressed")
    note = only(diags, "I701")[0]
    assert note["message"].startswith("W405 suppressed:") and note["hint"] == "accepted because: the document names nobody"


LOCAL_VISITS = '''
event home_visit "Home visit by the social worker"
  oversight

obligation cp_home_visits "Visits"
  cite "1" "seen fortnightly"
  while child_protection
  social_worker must do home_visit every 2 weeks
'''


def test_w404_counts_a_local_event_marked_oversight_without_same_as(policyc, write_policy):
    """Roles of terms are declared in the vocabulary language, so a policy's own event counts."""
    quiet = write_policy(JOURNEY + LOCAL_VISITS)
    assert not only(codes(policyc, quiet), "W404")
    loud = write_policy(JOURNEY + LOCAL_VISITS.replace("  oversight\n", ""), name="loud.policy")
    assert only(codes(policyc, loud), "W404")


def test_w404_counts_a_local_status_marked_open(policyc, write_policy):
    body = JOURNEY + '''
status private_arrangement "Private arrangement"
  entered on referral
  left on closure
  open

transition from referral to private_arrangement on referral_decision
transition from private_arrangement to closed on closure
''' + VISITS
    found = only(codes(policyc, write_policy(body)), "W404")
    assert [d["message"] for d in found] == ["children in `private_arrangement` have no visiting, review, recording "
                                             "or supervision duty"]


def test_every_gap_code_has_one_registered_check_and_a_catalogue_entry():
    from compiler.analyses.gaps import CHECKS
    from dsl.codes import CODES

    assert sorted(CHECKS) == ["I409", "I410", "I420", "W401", "W402", "W403", "W404", "W405", "W406", "W407", "W408",
                            "W410"]
    assert all(code in CODES for code in CHECKS)


RELAXED = '''
obligation cp_visits_reduced "Visits reduce by agreement"
  cite "2" "may reduce"
  while child_protection
  instead of cp_visits
  when "the manager agrees"
  social_worker must do statutory_visit every {every}
'''


def test_a_stated_exception_is_not_a_conflict(policyc, write_policy):
    variant = RELAXED.replace("  instead of cp_visits\n", "").format(every="4 weeks")
    assert only(codes(policyc, write_policy(JOURNEY + VISITS + variant, "v.policy")), "W501")
    diags = codes(policyc, write_policy(JOURNEY + VISITS + RELAXED.format(every="4 weeks"), "x.policy"))
    assert not [d for d in diags if d["code"] in ("W501", "W502", "W506")], diags
    stricter = RELAXED.replace('"the manager agrees"', "placement_type is foster").format(every="2 weeks")
    diags = codes(policyc, write_policy(JOURNEY + VISITS + stricter, "s.policy"))
    assert not only(diags, "W506"), diags


def test_a_local_relaxation_is_compared_with_the_statutory_relaxation(policyc, write_policy, tmp_path):
    floor = statute(
        tmp_path, STATUTE_VISITS +
        'obligation visits_3_monthly "Visits after a year"\n  cite "reg 2" "three months"\n  while child_protection\n'
        '  instead of visits\n  when placement_type is long_term_foster_other\n  social_worker must do statutory_visit every 3 months\n\n'
        'obligation visits_agreed "Visits where the child agrees"\n  cite "reg 3" "six months"\n'
        '  while child_protection\n  instead of visits\n  when "the child agrees"\n'
        '  social_worker must do statutory_visit every 6 months\n')
    within = write_policy(JOURNEY + VISITS + RELAXED.format(every="4 months"), "within.policy")
    diags = codes(policyc, within, "--against", floor)
    assert not only(diags, "E601"), diags  # 4 months is no weaker than the statute's 6-monthly relaxation
    assert not [d for d in only(diags, "I602") if "visits_agreed" in d["message"]]  # exceptions are not duties to mention
    too_weak = write_policy(JOURNEY + VISITS + RELAXED.format(every="1 year"), "weak.policy")
    e = only(codes(policyc, too_weak, "--against", floor), "E601")
    assert len(e) == 1 and "every 1 year" in e[0]["message"] and "every 6 months" in e[0]["message"], e
    same_case = write_policy(JOURNEY + VISITS + RELAXED.replace('"the manager agrees"', "placement_type is long_term_foster_other")
                             .format(every="4 months"), "case.policy")
    e = only(codes(policyc, same_case, "--against", floor), "E601")
    assert len(e) == 1 and "every 3 months" in e[0]["message"], e  # the statute's exception for the same case

"""The rules of issue 12 through the CLI, each with a policy that triggers it and one that keeps it
quiet: W509 timed here and vague there, W511 dependent step, W512 two triggers, W513 summary table
against clause; and the fixes: bounded recurrences against the floor, W506 over every step, `should`
beside `must`, one finding per split sentence, every statement compared across documents."""

from __future__ import annotations

import pytest
from test_analyses import JOURNEY, codes, only


def duty(name: str, timing: str, quote: str, clause: str = "1", modality: str = "must",
         action: str = "do statutory_visit", extra: str = "") -> str:
    return (f'\nobligation {name} "{name}"\n  cite "{clause}" "{quote}"\n{extra}  while child_protection\n'
            f'  social_worker {modality} {action} {timing}\n')


CASES = {
    "W509": (JOURNEY + duty("a", "every 2 weeks", "seen every two weeks")
             + duty("b", "regularly", "seen regularly by the worker", "2"),
             JOURNEY + duty("a", "every 2 weeks", "seen every two weeks, and regularly")
             + duty("b", "regularly", "seen every two weeks, and regularly")),
    "W511": (JOURNEY
             + duty("x_notice", "at least 3 working days before rcpc", "report 3 working days before",
                    action="do review_report_shared")
             + duty("x_after", "within 1 day of conference_report_shared", "report a day after the papers", "2",
                    action="do review_report_shared")
             + duty("e_notice", "at least 2 days before rcpc", "papers 2 days before", "3",
                    action="do conference_report_shared"),
             JOURNEY
             + duty("x_notice", "at least 3 working days before rcpc", "report 3 working days before",
                    action="do review_report_shared")
             + duty("x_after", "within 1 day of conference_report_shared", "report a day after the papers", "2",
                    action="do review_report_shared")
             + duty("e_notice", "at least 5 working days before rcpc", "papers 5 working days before", "3",
                    action="do conference_report_shared")),
    "W512": (JOURNEY + "transition from referral to child_protection on icpc\n"
             + duty("r1", "within 3 months of icpc", "review 3 months after the conference", action="hold rcpc")
             + duty("r2", "within 6 months of cp_plan_start", "review 6 months after the plan", "2", action="hold rcpc"),
             JOURNEY + "transition from referral to child_protection on icpc\n"
             + duty("r1", "within 3 months of icpc", "review 3 months after the conference", action="hold rcpc")
             + duty("r2", "within 3 months of cp_plan_start", "review 3 months after the plan", "2",
                    action="hold rcpc")),
    "W513": (JOURNEY + duty("table", "every 2 weeks", "Seen fortnightly by the worker", "Minimum standards at a glance: CP")
             + duty("clause", "every 3 weeks", "seen every three weeks", "3.1"),
             JOURNEY + duty("table", "every 2 weeks", "Seen fortnightly by the worker", "Minimum standards at a glance: CP")
             + duty("clause", "every 2 weeks", "seen every two weeks", "3.1")),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_new_rule_triggers_and_stays_quiet(code, policyc, write_policy):
    loud, quiet = CASES[code]
    found = only(codes(policyc, write_policy(loud, "loud.policy")), code)
    assert found, f"{code} not reported"
    assert len(found[0]["related"]) >= 2 and all('"' in r["message"] for r in found[0]["related"])
    assert not only(codes(policyc, write_policy(quiet, "quiet.policy")), code)


def test_w509_replaces_the_plain_vague_finding(policyc, write_policy):
    loud = CASES["W509"][0]
    diags = codes(policyc, write_policy(loud))
    assert only(diags, "W509") and not only(diags, "W406")


def test_w513_replaces_w501(policyc, write_policy):
    diags = codes(policyc, write_policy(CASES["W513"][0]))
    assert not only(diags, "W501")
    assert "the summary table says every 2 weeks, clause 3.1 says every 3 weeks" in only(diags, "W513")[0]["message"]


@pytest.fixture
def floor(write_floor):
    return write_floor(
        'obligation visits "Visits"\n  cite "reg 1" "visit within a week, then every 2 weeks"\n'
        '  cite "reg 2" "the first visit within a week"\n  while child_protection\n'
        '  social_worker must do statutory_visit\n    first within 1 week of cp_plan_start\n'
        '    then every 2 weeks\n')


def test_a_recurrence_that_ends_is_held_to_the_floor(policyc, write_policy, floor):
    loud = write_policy(JOURNEY + duty("v", "first within 1 week of cp_plan_start then every 3 weeks for 1 year "
                                           "then every 2 weeks", "every three weeks for the first year"), "loud.policy")
    e = only(codes(policyc, loud, f"--against {floor}"), "E601")
    assert e and "every 3 weeks for 1 year" in e[0]["message"]
    quiet = write_policy(JOURNEY + duty("v", "first within 1 week of cp_plan_start then every 1 week for 1 year "
                                            "then every 2 weeks", "weekly for the first year"), "quiet.policy")
    assert not only(codes(policyc, quiet, f"--against {floor}"), "E601")


def test_floor_note_quotes_the_citation_with_the_number(policyc, write_policy, floor):
    loud = write_policy(JOURNEY + duty("v", "every 3 weeks", "every three weeks"))
    e = only(codes(policyc, loud, f"--against {floor}"), "E601")[0]
    statute = next(r for r in e["related"] if r["message"].startswith("statute:"))
    assert "reg 1" in statute["message"] and "every 2 weeks" in statute["message"]


def test_floor_note_says_a_prose_condition_fell_back_to_the_general_rule(policyc, write_policy, floor):
    loud = write_policy(JOURNEY + duty("v", "every 3 weeks", "every three weeks where agreed",
                                       extra='  when "the family agrees"\n'))
    e = only(codes(policyc, loud, f"--against {floor}"), "E601")[0]
    assert "the local condition is prose" in e["hint"] and "general rule `visits`" in e["hint"]
    plain = write_policy(JOURNEY + duty("v", "every 3 weeks", "every three weeks"), "plain.policy")
    assert "prose" not in only(codes(policyc, plain, f"--against {floor}"), "E601")[0]["hint"]


def test_w506_compares_every_step(policyc, write_policy):
    general = duty("general", "first within 1 week of cp_plan_start then every 4 weeks", "within a week, then monthly")
    looser = duty("young", "first within 1 week of cp_plan_start then every 6 weeks", "young children six weekly", "2",
                  extra="  when age under 5 years\n")
    tighter = duty("young", "first within 1 week of cp_plan_start then every 1 week", "young children weekly", "2",
                   extra="  when age under 5 years\n")
    assert only(codes(policyc, write_policy(JOURNEY + general + looser, "a.policy")), "W506")
    assert not only(codes(policyc, write_policy(JOURNEY + general + tighter, "b.policy")), "W506")


def test_should_beside_must_is_not_a_conflict(policyc, write_policy):
    aim = duty("aim", "every 1 week", "ideally weekly", modality="should")
    minimum = duty("minimum", "every 3 weeks", "at least three weekly", "2")
    assert not only(codes(policyc, write_policy(JOURNEY + aim + minimum)), "W501")
    rival = duty("rival", "every 1 week", "seen weekly by the worker", "3")
    assert only(codes(policyc, write_policy(JOURNEY + rival + minimum, "b.policy")), "W501")


def test_one_finding_per_contradiction_between_split_sentences(policyc, write_policy):
    sentence = "recorded within 48 hours/two working days"
    body = (JOURNEY + duty("one_day", "within 1 working day of statutory_visit", "recorded within one working day",
                           action="do case_note_recorded")
            + duty("hours", "within 48 hours of statutory_visit", sentence, "2", action="do case_note_recorded")
            + duty("days", "within 2 working days of statutory_visit", sentence, "2", action="do case_note_recorded"))
    diags = [d for d in codes(policyc, write_policy(body)) if d["category"] == "conflict"]
    assert len(diags) == 1
    assert "`hours`" in diags[0]["message"] and "`days`" in diags[0]["message"]
    assert len(diags[0]["related"]) == 2  # one note per sentence, naming its parts
    assert "`hours`, `days`" in diags[0]["related"][1]["message"] or "`days`, `hours`" in diags[0]["related"][1]["message"]
    # the two parts of the one sentence are never compared with each other
    alone = JOURNEY + duty("hours", "within 48 hours of statutory_visit", sentence, action="do case_note_recorded") \
        + duty("days", "within 2 working days of statutory_visit", sentence, action="do case_note_recorded")
    assert not [d for d in codes(policyc, write_policy(alone, "b.policy")) if d["category"] == "conflict"]


def test_across_documents_every_statement_takes_part(policyc, write_policy, tmp_path):
    write_policy(JOURNEY + duty("default", "within 10 working days of referral", "10 working days by default",
                                action="do assessment_completed")
                 + duty("maximum", "within 45 days of referral", "a maximum of 45 days", "2",
                        action="do assessment_completed"), "a.policy")
    write_policy(JOURNEY + duty("table", "within 45 working days of referral", "45 working days",
                                action="do assessment_completed"), "b.policy")
    across = only(codes(policyc, tmp_path), "W508")
    assert any("within 45 days against within 45 working days" in d["message"] for d in across)
    # a document that says the same twice gives one finding, not two
    write_policy(JOURNEY + duty("table", "within 45 working days of referral", "45 working days",
                                action="do assessment_completed")
                 + duty("again", "within 45 working days of referral", "once more, forty-five working days", "2",
                        action="do assessment_completed"), "b.policy")
    again = only(codes(policyc, tmp_path), "W508")
    assert len([d for d in again if "45 days against" in d["message"]]) == 1


def test_without_delay_is_a_standard_not_a_vague_timing(policyc, write_policy):
    now = duty("now", "without delay", "seen without delay by the worker")
    assert not only(codes(policyc, write_policy(JOURNEY + now)), "W406")
    soon = duty("soon", "as soon as possible", "seen as soon as possible by the worker")
    assert only(codes(policyc, write_policy(JOURNEY + soon, "b.policy")), "W406")

"""`immediately after` and `on the same day as` are measurable deadlines of day 0; hours are a unit
of their own: compared exactly with clock time, as "depends" with working days, and stated as an
approximation wherever the audit counts them on dates."""

from __future__ import annotations

import json

from compiler.analyses.check import check_paths
from compiler.model import describe
from compiler.model.ir import Deadline
from compiler.model.semantics import timing_approximations
from compiler.model.timescales import Duration, Ordering, Unit, clock_compare
from dsl import ast as A
from dsl.formatter import format_file
from dsl.parser import parse
from dsl.source import SourceFile

OB = 'obligation o "O"\n  cite "1" "some words"\n'


def _policy(write_policy, duty: str):
    path = write_policy(OB + duty + "\n")
    result = check_paths([path], [], analyse=False)
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    return result.policies[0]


def test_immediately_and_same_day_are_deadlines_of_day_zero(write_policy):
    for duty, said, text in (
        ("social_worker must do strategy_outcome_recorded immediately after strategy_discussion", "immediately",
         "immediately after strategy discussion (the same day)"),
        ("social_worker must do strategy_outcome_recorded on the same day as strategy_discussion", "same day",
         "on the same day as strategy discussion"),
    ):
        policy = _policy(write_policy, "  " + duty)
        t = policy.obligations[0].timing
        assert isinstance(t, Deadline) and t.duration == Duration(0, Unit.DAYS) and t.said == said
        assert t.trigger == "strategy_discussion"
        assert describe.timing(t, policy).lower() == text


def test_fmt_keeps_the_words():
    text = ('policy "P"\n\nobligation o "O"\n  social_worker must do a   immediately after b\n\n'
            'obligation p "P"\n  social_worker must do a on the same day as   b\n    restart within 2 days of c\n')
    tree, diags = parse(SourceFile("p.policy", text))
    assert tree is not None and not diags
    out = format_file(tree, text)
    assert "  social_worker must do a immediately after b\n" in out
    assert "  social_worker must do a\n    on the same day as b\n    restart within 2 days of c\n" in out
    again, _ = parse(SourceFile("p.policy", out))
    assert again is not None and A.strip_spans(again) == A.strip_spans(tree)


def test_export_says_which_words_and_the_approximation(write_policy, policyc):
    path = write_policy(OB + "  social_worker must do strategy_outcome_recorded on the same day as strategy_discussion\n"
                        'obligation h "H"\n  cite "2" "more words"\n'
                        "  front_door_worker must do contact_decision within 30 hours of contact_received\n")
    run = policyc(f"export {path}")
    assert run.code == 0, run.err
    timings = {o["id"]: o["timing"] for o in json.loads(run.out)["obligations"]}
    assert timings["o"]["kind"] == "deadline" and timings["o"]["amount"] == 0 and timings["o"]["said"] == "same day"
    assert timings["o"]["approximations"] == []
    assert timings["h"]["said"] is None and timings["h"]["approximations"] == ["30 hours counted as 2 days"]


def test_hours_compare_exactly_with_clock_time_and_depend_on_working_days():
    h = lambda n: Duration(n, Unit.HOURS)  # noqa: E731
    assert clock_compare(h(25), h(30)) is Ordering.STRICTER  # both are 2 days on dates, but not on the clock
    assert clock_compare(h(48), Duration(2, Unit.DAYS)) is Ordering.EQUAL
    assert clock_compare(h(36), Duration(1, Unit.DAYS)) is Ordering.WEAKER
    assert clock_compare(Duration(90, Unit.MINUTES), h(1)) is Ordering.WEAKER
    assert clock_compare(h(48), Duration(1, Unit.WEEKS)) is Ordering.STRICTER
    # hours that fit inside N whole days never allow more than N working days; more hours depend
    assert clock_compare(h(48), Duration(2, Unit.WORKING_DAYS)) is Ordering.STRICTER
    assert clock_compare(Duration(3, Unit.WORKING_DAYS), h(24)) is Ordering.WEAKER
    assert clock_compare(h(49), Duration(2, Unit.WORKING_DAYS)) is Ordering.DEPENDS
    assert clock_compare(Duration(1, Unit.WORKING_DAYS), h(48)) is Ordering.DEPENDS
    assert clock_compare(h(48), Duration(1, Unit.MONTHS)) is None  # decided on dates
    assert clock_compare(Duration(2, Unit.DAYS), Duration(2, Unit.WORKING_DAYS)) is None


def test_two_statements_in_hours_conflict_on_the_clock(write_policy):
    path = write_policy(OB + "  front_door_worker must do contact_decision within 25 hours of contact_received\n"
                        'obligation p "P"\n  cite "2" "more words"\n'
                        "  front_door_worker must do contact_decision within 30 hours of contact_received\n")
    result = check_paths([path], [], analyse=True)
    [w501] = [d for d in result.diagnostics if d.code == "W501"]
    assert "within 25 hours against within 30 hours" in w501.message


def test_hours_against_working_days_is_a_note_when_the_order_depends(write_policy):
    path = write_policy(OB + "  front_door_worker must do contact_decision within 48 hours of contact_received\n"
                        'obligation p "P"\n  cite "2" "more words"\n'
                        "  front_door_worker must do contact_decision within 1 working day of contact_received\n")
    result = check_paths([path], [], analyse=True)
    codes = {d.code: d for d in result.diagnostics}
    assert "W501" not in codes and "W502" not in codes
    assert "clock hours against working days" in codes["I507"].message


def test_hours_inside_the_working_days_are_a_conflict(write_policy):
    """48 hours is never later than 3 working days (Swindon 11.1's standard against its description):
    two timescales for one duty, not a note that depends on the calendar."""
    path = write_policy(OB + "  front_door_worker must do contact_decision within 48 hours of contact_received\n"
                        'obligation p "P"\n  cite "2" "more words"\n'
                        "  front_door_worker must do contact_decision within 3 working days of contact_received\n")
    result = check_paths([path], [], analyse=True)
    codes = {d.code: d for d in result.diagnostics}
    assert "I507" not in codes
    assert "within 48 hours against within 3 working days" in codes["W501"].message


def test_check_states_how_hours_are_audited(write_policy):
    path = write_policy(OB + "  front_door_worker must do contact_decision within 30 hours of contact_received\n")
    result = check_paths([path], [], analyse=True)
    [note] = [d for d in result.diagnostics if d.code == "I420"]
    assert note.message == "`o` is audited on dates: 30 hours counted as 2 days"


def test_approximation_texts():
    policy_free = [Duration(1, Unit.HOURS), Duration(24, Unit.HOURS), Duration(90, Unit.MINUTES)]
    t = Deadline(duration=policy_free[0], trigger="x", span=A.NO_SPAN)
    assert timing_approximations(t) == ["1 hour counted as 1 day"]
    t = Deadline(duration=policy_free[1], trigger="x", span=A.NO_SPAN)
    assert timing_approximations(t) == ["24 hours counted as 1 day"]
    t = Deadline(duration=policy_free[2], trigger="x", span=A.NO_SPAN)
    assert timing_approximations(t) == ["90 minutes counted as 1 day"]

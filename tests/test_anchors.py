"""Timing anchors: what a step counts from, periods from an event, count-based recurrences, notice from the
Nth occurrence. Grammar and spans, formatter, resolution, export, analyses, and property tests of the audit's
time arithmetic against independent statements of the rules (the three engines' agreement is
tests/test_audit_differential.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.analyses.check import check_paths
from compiler.audit.reference import evaluate
from compiler.model.ir import Policy
from compiler.model.semantics import Child, Record
from compiler.model.timescales import Duration, Unit, add
from dsl import ast as A
from dsl.ast import strip_spans
from dsl.formatter import format_file
from dsl.parser import parse
from dsl.source import SourceFile

VOCABULARY = Path(__file__).resolve().parent.parent / "policies" / "vocabulary.policy"
HEADER = 'policy "Anchors"\n  authority "Test"\n  uses "vocabulary.policy"\n\n'
ANCHORED = '''obligation checks "Assessment checked at 10 and again at 20 working days from its start"
  cite "1" "again at 20 working days from the start of the assessment"
  team_manager must do management_oversight
    first within 10 working days of assessment_start
    then within 20 working days of assessment_start
    then within 1 month

obligation bedroom "Bedroom seen on every other visit"
  cite "2" "every other visit"
  while child_protection
  social_worker must see child_seen every 2nd statutory_visit

obligation notice "Report before every review from the 2nd"
  cite "3" "before each review after the first"
  social_worker must share review_report_shared at least 5 working days before every cla_review from the 2nd

obligation response "A decision within 3 working days of the contact or the referral, whichever is sooner"
  cite "5" "within 3 working days of the contact or referral, whichever is sooner"
  front_door_worker must do contact_decision within 3 working days of contact_received or referral whichever is sooner

obligation fostering "Six weekly for the first year of the arrangement"
  cite "4" "six weekly for the first year"
  while looked_after
  supervising_social_worker must do supervisory_visit
    first within 1 week of became_looked_after
    then every 6 weeks for 1 year from became_looked_after
    then every 12 weeks
'''


def _tree(text: str) -> A.PolicyFile:
    tree, diags = parse(SourceFile("a.policy", text))
    assert tree is not None and not diags, diags
    return tree


def _timings(text: str) -> dict[str, A.Timing]:
    out = {}
    for d in _tree(text).declarations:
        if isinstance(d, A.ObligationDecl):
            timing = d.duties[0].timing
            assert timing is not None
            out[d.name.text] = timing
    return out


def _load(tmp: Path, body: str, name: str = "a.policy") -> tuple[Policy | None, list]:
    path = tmp / name
    path.write_text(HEADER + body, encoding="utf-8")
    (tmp / "vocabulary.policy").write_text(VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")  # beside it
    result = check_paths([path], [], analyse=True)
    return (result.policies[0] if result.policies else None), result.diagnostics


# ---- grammar, spans, formatter -------------------------------------------------------------------------
def test_each_anchor_parses_into_its_node_with_positions():
    t = _timings(HEADER + ANCHORED)
    checks, bedroom, notice, fostering = t["checks"], t["bedroom"], t["notice"], t["fostering"]
    assert isinstance(checks, A.ScheduleForm) and isinstance(fostering, A.ScheduleForm)
    step = checks.steps[0]
    assert isinstance(step, A.ThenWithin) and step.anchor is not None and step.anchor.text == "assessment_start"
    assert (step.anchor.span.line, step.anchor.span.column) == (9, 36)
    assert isinstance(checks.steps[1], A.ThenWithin) and checks.steps[1].anchor is None
    assert isinstance(bedroom, A.CountForm) and (bedroom.ordinal, bedroom.event.text) == (2, "statutory_visit")
    assert isinstance(notice, A.NoticeForm) and notice.from_ordinal == 2
    every = fostering.steps[0]
    assert isinstance(every, A.ThenEvery)
    bound = every.bound
    response = t["response"]
    assert isinstance(response, A.DeadlineForm) and response.whichever == "sooner"
    assert [n.text for n in (response.event, *response.others)] == ["contact_received", "referral"]
    assert isinstance(bound, A.ForBound) and bound.start is not None
    assert bound.start.text == "became_looked_after" and bound.start.span.line == 30


def test_every_before_an_event_without_an_ordinal_is_the_plain_notice():
    plain = _timings(HEADER + ANCHORED.replace("before every cla_review from the 2nd", "before cla_review"))
    every = _timings(HEADER + ANCHORED.replace("before every cla_review from the 2nd", "before every cla_review"))
    assert strip_spans(plain["notice"]) == strip_spans(every["notice"])
    notice = plain["notice"]
    assert isinstance(notice, A.NoticeForm) and notice.from_ordinal is None


def test_formatter_round_trips_every_anchor_and_is_idempotent():
    messy = HEADER + ANCHORED.replace("\n    then", " then").replace("      ", " ")
    once = format_file(_tree(messy), messy)
    assert format_file(_tree(once), once) == once
    assert strip_spans(_tree(once)) == strip_spans(_tree(messy))
    for line in ("    then within 20 working days of assessment_start\n",
                 "  social_worker must see child_seen every 2nd statutory_visit\n",
                 "at least 5 working days before every cla_review from the 2nd\n",
                 "    then every 6 weeks for 1 year from became_looked_after\n",
                 "within 3 working days of contact_received or referral whichever is sooner\n"):
        assert line in once


# ---- resolution, export, description ----------------------------------------------------------------------
def test_anchors_resolve_and_export(tmp_path, policyc):
    policy, diags = _load(tmp_path, ANCHORED)
    assert policy is not None and not [d for d in diags if d.severity.value == "error"], diags
    run = policyc(f"export {tmp_path / 'a.policy'} --format json")
    assert run.code == 0, run.err
    obligations = {o["id"]: o["timing"] for o in json.loads(run.out)["obligations"]}
    assert obligations["checks"]["then"][0]["of"] == "assessment_start"
    assert obligations["checks"]["then"][1]["of"] is None
    assert obligations["fostering"]["then"][0]["for_from"] == "became_looked_after"
    assert obligations["bedroom"]["kind"] == "count_recurrence" and obligations["bedroom"]["ordinal"] == 2
    assert obligations["notice"]["from_ordinal"] == 2
    assert obligations["response"]["trigger"] == "contact_received"
    assert obligations["response"]["or_triggers"] == ["referral"] and obligations["response"]["whichever"] == "sooner"
    assert obligations["response"]["text"].endswith(", whichever is sooner")
    assert "then within 20 working days of assessment start" in obligations["checks"]["text"]
    assert obligations["bedroom"]["text"].startswith("at every 2nd statutory visit")
    assert obligations["notice"]["text"] == "at least 5 working days before every looked-after review from the 2nd"


def test_an_unknown_anchor_is_an_error_with_its_position(tmp_path):
    _, diags = _load(tmp_path, ANCHORED.replace("20 working days of assessment_start", "20 working days of assesment_start"))
    errors = [d for d in diags if d.code == "E201"]
    assert errors and "assesment_start" in errors[0].message and errors[0].span.line == 9


def test_a_count_based_recurrence_cannot_restart(tmp_path):
    body = ANCHORED.replace("every 2nd statutory_visit", "every 2nd statutory_visit\n    restart within 1 week of placement_change")
    _, diags = _load(tmp_path, body)
    assert [d for d in diags if d.code == "E220"], diags


@pytest.mark.parametrize("text", ["referral whichever is later", "referral whichever is sooner"])
def test_whichever_that_cannot_be_measured_is_an_error(tmp_path, text):
    _, diags = _load(tmp_path, ANCHORED.replace("contact_received or referral whichever is sooner", text))
    assert [d for d in diags if d.code == "E221"], diags


def test_anchored_steps_are_compared_only_with_steps_anchored_alike(tmp_path):
    """`then within 20 working days of assessment_start` is not the second step of a schedule counted from the
    previous occurrence: it is not compared with one (no W501), but is with another step of the same anchor."""
    other = ANCHORED.replace("obligation checks", "obligation checks_2").replace(
        "then within 20 working days of assessment_start", "then within 20 working days").replace(
        "obligation bedroom", "obligation bedroom_2").replace("obligation notice", "obligation notice_2").replace(
        "obligation fostering", "obligation fostering_2").replace("obligation response", "obligation response_2").replace('cite "1" "again', 'cite "11" "once more')
    _, diags = _load(tmp_path, ANCHORED + "\n" + other)
    assert not [d for d in diags if d.code in ("W501", "I507", "W502") and "then within" in d.message], diags
    same = other.replace("then within 20 working days\n", "then within 25 working days of assessment_start\n")
    _, diags = _load(tmp_path, ANCHORED + "\n" + same, "b.policy")
    found = [d for d in diags if d.code == "W501" and "of assessment_start" in d.message]
    assert found, diags


# ---- property tests of the audit's arithmetic ------------------------------------------------------------------
START = dt.date(2024, 1, 1)
_DAY = st.integers(0, 200).map(lambda n: START + dt.timedelta(days=n))


@pytest.fixture(scope="module")
def anchored(tmp_path_factory) -> Policy:
    policy, diags = _load(tmp_path_factory.mktemp("anchors"), ANCHORED)
    assert policy is not None and not [d for d in diags if d.severity.value == "error"]
    return policy


def _child(events: list[tuple[str, dt.date]]) -> Child:
    records = sorted((Record(i + 1, e, d) for i, (e, d) in enumerate(events)), key=lambda r: (r.date, r.row))
    return Child("C1", None, tuple(records))


@settings(max_examples=150, deadline=None)
@given(visits=st.lists(_DAY, max_size=12), actions=st.lists(_DAY, max_size=6))
def test_every_nth_visit_is_met_exactly_when_no_more_than_n_visits_pass_between_actions(anchored, visits, actions):
    """`every 2nd statutory_visit`: an action is on time iff it is no later than the 2nd visit day after the
    previous action (or from the start of the episode): at most one visit day before it. An occurrence is
    overdue for each 2 visit days that pass with no action at all; the last one waits, with no due date."""
    start = START
    events = [("cp_plan_start", start)] + [("statutory_visit", d) for d in visits] + [("child_seen", d) for d in actions]
    as_of = START + dt.timedelta(days=220)
    rows = [r for r in evaluate(anchored, [_child(events)], as_of) if r.obligation == "bedroom"]
    v = sorted(set(visits))
    a = sorted(set(actions))
    previous: dt.date | None = None
    for done, row in zip(a, rows, strict=False):
        counted = [d for d in v if (d >= start if previous is None else d > previous) and d < done]
        assert row.done_date == done
        assert (row.outcome == "met") == (len(counted) <= 1), (row, counted)
        previous = done
    after = [d for d in v if (d >= start if previous is None else d > previous)]
    overdue = [r for r in rows if r.outcome == "overdue"]
    assert len(overdue) == len(after) // 2
    assert rows[-1].outcome == "pending" and rows[-1].due_date is None


@settings(max_examples=150, deadline=None)
@given(start=_DAY, done=st.lists(_DAY, max_size=3))
def test_an_anchored_step_counts_from_the_trigger_whatever_the_first_step_did(anchored, start, done):
    """`then within 20 working days of assessment_start` is due 20 working days after the start, however early or
    late the first check was; the unanchored step after it counts from the previous occurrence."""
    events = [("assessment_start", start)] + [("management_oversight", d) for d in done]
    rows = [r for r in evaluate(anchored, [_child(events)], START + dt.timedelta(days=400)) if r.obligation == "checks"]
    assert rows[0].trigger_date == start
    assert rows[0].due_date == add(start, Duration(10, Unit.WORKING_DAYS)) or rows[0].outcome == "extended"
    if len(rows) > 1:
        assert rows[1].trigger_date == start
        assert rows[1].due_date == add(start, Duration(20, Unit.WORKING_DAYS))
    if len(rows) > 2:
        base = rows[1].done_date or rows[1].due_date
        assert rows[2].trigger_date == base and rows[2].due_date == add(base, Duration(1, Unit.MONTHS))


@settings(max_examples=100, deadline=None)
@given(entered=_DAY, visits=st.lists(_DAY, max_size=10))
def test_a_period_from_the_trigger_ends_a_year_after_it(anchored, entered, visits):
    """`then every 6 weeks for 1 year from became_looked_after`: no 6-weekly occurrence falls due later than a year
    after the child became looked after, and every later occurrence is 12-weekly."""
    events = [("became_looked_after", entered)] + [("supervisory_visit", d) for d in visits]
    rows = [r for r in evaluate(anchored, [_child(events)], entered + dt.timedelta(days=800)) if r.obligation == "fostering"]
    year_end = add(entered, Duration(1, Unit.YEARS))
    for r in rows[1:]:
        assert r.trigger_date is not None and r.due_date is not None
        gap = (r.due_date - r.trigger_date).days
        assert gap in (42, 84)
        if gap == 42:
            assert r.due_date <= year_end
        else:
            assert add(r.trigger_date, Duration(6, Unit.WEEKS)) > year_end


@settings(max_examples=100, deadline=None)
@given(reviews=st.lists(_DAY, min_size=1, max_size=6), shared=st.lists(_DAY, max_size=6))
def test_notice_from_the_2nd_skips_only_the_1st_occurrence(anchored, reviews, shared):
    events = [("cla_review", d) for d in reviews] + [("review_report_shared", d) for d in shared]
    first = min(events, key=lambda e: e[1])[1]
    rows = [r for r in evaluate(anchored, [_child(events)], START + dt.timedelta(days=300)) if r.obligation == "notice"]
    days = sorted({d for d in reviews if d >= first})
    assert [r.trigger_date for r in rows] == days[1:]


@settings(max_examples=150, deadline=None)
@given(contacts=st.lists(_DAY, max_size=5), referrals=st.lists(_DAY, max_size=5), decisions=st.lists(_DAY, max_size=5))
def test_whichever_is_sooner_runs_one_clock_until_the_action(anchored, contacts, referrals, decisions):
    """`within 3 working days of contact_received or referral whichever is sooner`: every contact or referral
    day falls under a clock that was running then (started on or before it, not yet answered before it); each
    clock starts on a contact or referral day; and a clock starts only once the one before has been answered."""
    events = ([("contact_received", d) for d in contacts] + [("referral", d) for d in referrals]
              + [("contact_decision", d) for d in decisions])
    rows = [r for r in evaluate(anchored, [_child(events)], START + dt.timedelta(days=300)) if r.obligation == "response"]
    triggers = sorted(set(contacts) | set(referrals))
    assert all(r.trigger_date in triggers for r in rows)
    for d in triggers:
        assert any(r.trigger_date is not None and r.trigger_date <= d and (r.done_date is None or r.done_date >= d)
                   for r in rows), d
    for a, b in zip(rows, rows[1:], strict=False):
        assert a.done_date is not None and b.trigger_date is not None and a.done_date < b.trigger_date
    for r in rows:
        assert r.trigger_date is not None
        assert r.due_date == add(r.trigger_date, Duration(3, Unit.WORKING_DAYS)) or r.outcome == "pending"


@settings(max_examples=150, deadline=None)
@given(contacts=st.lists(_DAY, max_size=5), referrals=st.lists(_DAY, max_size=5), decisions=st.lists(_DAY, max_size=5))
def test_whichever_is_later_waits_for_every_event_of_the_round(anchored, contacts, referrals, decisions):
    """`within 3 working days of contact_received or referral whichever is later`: a clock starts on the day by
    which both a contact and a referral have been recorded since the previous clock was answered (or the start);
    a clock not yet answered is the last."""
    later = dataclasses.replace(anchored, obligations=[
        dataclasses.replace(o, timing=dataclasses.replace(o.timing, sooner=False, later=True))
        if o.id == "response" else o for o in anchored.obligations])
    events = ([("contact_received", d) for d in contacts] + [("referral", d) for d in referrals]
              + [("contact_decision", d) for d in decisions])
    rows = [r for r in evaluate(later, [_child(events)], START + dt.timedelta(days=300)) if r.obligation == "response"]
    first = min((d for _, d in events), default=START)
    lo = first
    for r in rows:
        assert r.trigger_date is not None
        c = min((d for d in contacts if d >= lo), default=None)
        f = min((d for d in referrals if d >= lo), default=None)
        assert c is not None and f is not None and r.trigger_date == max(c, f)
        assert r.due_date == add(r.trigger_date, Duration(3, Unit.WORKING_DAYS))
        if r.done_date is None:
            assert r is rows[-1]
            break
        lo = r.done_date + dt.timedelta(days=1)
    else:  # no clock left open: the round after the last answer lacks one of the events
        assert not (any(d >= lo for d in contacts) and any(d >= lo for d in referrals))

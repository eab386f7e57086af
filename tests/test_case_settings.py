"""Timescales set per child (`every ATTRIBUTE as set at EVENT`, `within ATTRIBUTE as set at EVENT`): the
value recorded on the decision's record picks the timescale. Worked by hand from docs/audit.md and checked
in every engine (reference, generated Python, generated SQL); then the errors, the formatter, the export,
the statutory floor and the audit summary, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from compiler.analyses.check import check_paths
from compiler.audit.engines import run_all
from compiler.model.ir import Policy
from compiler.model.semantics import Child, Record, Row, Unrecorded
from tests.audit_samples import cli_audit
from tests.audit_samples import write_policy as write_with_vocabulary
from tests.test_fmt import fmt

BODY = '''attribute visit_frequency "Visiting frequency set at the initial conference"
  value weekly "Weekly" is 1 week
  value fortnightly "Fortnightly" is 2 weeks
  value six_weekly "Six-weekly" is 6 weeks
  value not_decided "Not decided"

obligation cp_visits "Visits at the frequency set at the initial conference"
  cite "1" "at a frequency set at the initial child protection conference"
  while child_protection
  social_worker must do statutory_visit every visit_frequency as set at icpc

obligation assessment "An assessment by the date agreed at allocation"
  cite "2" "completed by the date agreed at allocation"
  social_worker must do assessment_completed within assessment_timescale as set at allocation
'''

D = dt.date
ATTRS = ["assessment_timescale", "visit_frequency"]


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    path = tmp_path_factory.mktemp("set") / "set.policy"
    write_with_vocabulary(path, 'policy "Set"\n  authority "Test"\n  uses "vocabulary.policy"\n\n' + BODY)
    result = check_paths([path], [], analyse=False)
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    return result.policies[0]


def _rows(policy: Policy, events: list[tuple], as_of: dt.date, unrecorded: Unrecorded | None = None) -> list[Row]:
    """Events as (event, date) or (event, date, attribute, value)."""
    records = tuple(Record(i, e[0], e[1], None, ((e[2], e[3]),) if len(e) > 2 else ())
                    for i, e in enumerate(events, 1))
    child = Child("C1", D(2012, 1, 1), tuple(sorted(records, key=lambda r: (r.date, r.row))))
    results = run_all(policy, [child], as_of, ATTRS, *([unrecorded] if unrecorded else []))
    assert results["python"] == results["reference"]
    assert results["duckdb"] == results["reference"]
    return results["reference"]


def _of(rows: list[Row], obligation: str) -> list[tuple]:
    return [(r.trigger_date, r.due_date, r.done_date, r.outcome) for r in rows if r.obligation == obligation]


def test_the_value_set_at_the_conference_picks_the_interval(policy: Policy) -> None:
    events = [("cp_plan_start", D(2024, 1, 2)), ("icpc", D(2024, 1, 3), "visit_frequency", "fortnightly"),
              ("statutory_visit", D(2024, 1, 10)), ("statutory_visit", D(2024, 2, 20)),
              ("icpc", D(2024, 2, 21), "visit_frequency", "six_weekly")]  # a later conference: not read
    # fortnightly from 3 January: due 17 January, met on 10; then due 24 January, done 20 February (late);
    # then due 5 March, pending on 1 March
    assert _of(_rows(policy, events, D(2024, 3, 1)), "cp_visits") == [
        (D(2024, 1, 3), D(2024, 1, 17), D(2024, 1, 10), "met"),
        (D(2024, 1, 10), D(2024, 1, 24), D(2024, 2, 20), "met_late"),
        (D(2024, 2, 20), D(2024, 3, 5), None, "pending")]


def test_weekly_children_are_held_to_a_week(policy: Policy) -> None:
    events = [("cp_plan_start", D(2024, 1, 2)), ("icpc", D(2024, 1, 3), "visit_frequency", "weekly")]
    assert _of(_rows(policy, events, D(2024, 1, 15)), "cp_visits") == [
        (D(2024, 1, 3), D(2024, 1, 10), None, "overdue"),
        (D(2024, 1, 10), D(2024, 1, 17), None, "pending")]


@pytest.mark.parametrize("value", [None, "", "not_decided"])
def test_no_value_recorded_is_one_no_data_row(policy: Policy, value: str | None) -> None:
    events = [("cp_plan_start", D(2024, 1, 2)), ("icpc", D(2024, 1, 3), "visit_frequency", value),
              ("statutory_visit", D(2024, 1, 10))]
    assert _of(_rows(policy, events, D(2024, 3, 1)), "cp_visits") == [(D(2024, 1, 3), None, None, "no_data")]


def test_a_source_that_never_records_the_value_is_no_data(policy: Policy) -> None:
    events = [("cp_plan_start", D(2024, 1, 2)), ("icpc", D(2024, 1, 3), "visit_frequency", "weekly")]
    blind = Unrecorded(frozenset(), frozenset({"visit_frequency"}))
    assert _of(_rows(policy, events, D(2024, 3, 1), blind), "cp_visits") == [(D(2024, 1, 3), None, None, "no_data")]


def test_nothing_falls_due_before_the_decision(policy: Policy) -> None:
    assert _of(_rows(policy, [("cp_plan_start", D(2024, 1, 2))], D(2024, 3, 1)), "cp_visits") == []


def test_a_time_limit_agreed_at_allocation(policy: Policy) -> None:
    events = [("allocation", D(2024, 3, 4), "assessment_timescale", "ten_working_days"),
              ("assessment_completed", D(2024, 3, 20))]
    # 10 working days from Monday 4 March is Monday 18 March; done on the 20th: two working days late
    rows = _rows(policy, events, D(2024, 3, 31))
    assert _of(rows, "assessment") == [(D(2024, 3, 4), D(2024, 3, 18), D(2024, 3, 20), "met_late")]
    assert [r.working_days_late for r in rows if r.obligation == "assessment"] == [2]


def _check(policyc, path: Path, *extra: str) -> list[dict]:
    run = policyc(f"check {path} --format json " + " ".join(extra))
    assert run.code in (0, 1), run.err
    return json.loads(run.out)["diagnostics"]


def test_unknown_attributes_and_attributes_without_timescales_are_errors(policyc, write_policy) -> None:
    path = write_policy('''obligation a "A"
  cite "1" "some words"
  social_worker must do statutory_visit every visit_frequncy as set at icpc

obligation b "B"
  cite "1" "some words"
  social_worker must do statutory_visit every legal_status as set at icpc
''')
    found = {d["code"]: d for d in _check(policyc, path)}
    assert found["E240"]["line"] == 7 and found["E240"]["column"] == 47
    assert "cin_visit_frequency" in found["E240"]["hint"]  # the nearest attribute that sets a timescale
    assert found["E243"]["line"] == 11 and "`legal_status` sets no timescale" in found["E243"]["message"]
    assert "is 1 week" in found["E243"]["hint"]


def test_fmt_round_trip_and_export(policyc, write_policy, tmp_path: Path) -> None:
    text = 'policy "Set"\n  authority "Test"\n  uses "vocabulary.policy"\n\n' + BODY
    assert fmt(text) == text
    path = write_policy(BODY)
    out = tmp_path / "export.json"
    assert policyc(f"export {path} --out {out}").code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    timing = next(o for o in doc["obligations"] if o["id"] == "cp_visits")["timing"]
    assert (timing["kind"], timing["amount"], timing["unit"], timing["trigger"]) == ("recurrence", 6, "weeks", "icpc")
    assert timing["set_at"] == {"attribute": "visit_frequency", "event": "icpc", "values": [
        {"value": "weekly", "amount": 1, "unit": "weeks"}, {"value": "fortnightly", "amount": 2, "unit": "weeks"},
        {"value": "six_weekly", "amount": 6, "unit": "weeks"}]}
    attribute = next(a for a in doc["attributes"] if a["id"] == "visit_frequency")
    assert [v["duration"] for v in attribute["values"]] == [
        {"amount": 1, "unit": "weeks"}, {"amount": 2, "unit": "weeks"}, {"amount": 6, "unit": "weeks"}, None]


def test_the_floor_compares_the_most_lenient_value_and_names_it(policyc, write_policy, write_floor) -> None:
    floor = write_floor('''obligation cp_visits "Visits at least every 4 weeks"
  cite "1" "at least every four weeks"
  while child_protection
  social_worker must do statutory_visit every 4 weeks
''')
    path = write_policy(BODY)
    e601 = [d for d in _check(policyc, path, f"--against {floor}") if d["code"] == "E601"]
    assert len(e601) == 1
    assert "every 6 weeks" in e601[0]["message"] and "`six_weekly`" in e601[0]["message"]
    assert "`fortnightly`" not in e601[0]["message"]


def test_the_audit_through_the_cli(policyc, write_policy, tmp_path: Path) -> None:
    path = write_policy(BODY)
    events = tmp_path / "events.csv"
    events.write_text("child_id,event,date,visit_frequency\n"
                      "A,cp_plan_start,2024-01-02,\nA,icpc,2024-01-03,weekly\nA,statutory_visit,2024-01-09,\n"
                      "B,cp_plan_start,2024-01-02,\nB,icpc,2024-01-03,\n", encoding="utf-8")
    assert cli_audit(policyc, path, events, "2024-01-20", "cp_visits") == [
        ("A", "2024-01-10", "2024-01-09", "met", "0"), ("A", "2024-01-16", "", "overdue", "3"),
        ("A", "2024-01-23", "", "pending", ""), ("B", "", "", "no_data", "")]

"""The closed form of unbounded `every` steps in the generated SQL (checker_sql `every_closed`): the same
rows as the reference interpreter and the generated Python checker.

The policy here has unbounded `every` steps in days, weeks, working days and months (a recurrence, a
schedule's last step, the step after a bounded one, with and without restarts). Months are where
adding a step twice is not adding two steps (31 January, 29 February, 29 March), so episodes often start
and actions often fall on the 29th to the 31st. Histories run over two years with few or many actions, so that chains have one
occurrence per action, then long runs of overdue occurrences, late and missing actions, restarts, and
episodes that close in the middle of a chain.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import duckdb
import pytest
from audit_samples import write_policy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.analyses.check import check_paths
from compiler.audit.engines import events_table_from_children, fetch_rows, run_all, run_duckdb, run_reference
from compiler.emitters.checker_sql import generate_sql
from compiler.model.semantics import Child, Record, Unrecorded

FIRST = dt.date(2023, 12, 1)
DAYS = 730

_BODY = '''
obligation wd_visits "Visits every three working days while on a plan"
  cite "1.1" "every three working days"
  while child_protection
  social_worker must do statutory_visit every 3 working days
    restart within 2 working days of transfer

obligation weekly_core "Core groups weekly after the first"
  cite "1.2" "then weekly"
  while child_protection
  social_worker must hold core_group_meeting
    first within 10 working days of icpc
    then every 1 week

obligation ten_days "Case notes every ten days"
  cite "1.3" "every ten days"
  while looked_after
  social_worker must do case_note_recorded every 10 days
    restart within 5 days of placement_change

obligation after_bound "Weekly until the first review, then every five working days"
  cite "1.4" "then every five working days"
  while looked_after
  supervising_social_worker must do supervisory_visit
    first within 1 week of became_looked_after
    then every 1 week until the 1st cla_review
    then every 5 working days

obligation from_trigger "Fortnightly from the placement"
  cite "1.5" "fortnightly from the placement"
  while looked_after
  social_worker must do case_activity every 2 weeks from placement_start

obligation monthly "Reviews every month"
  cite "1.6" "every month"
  while child_in_need
  social_worker must hold cin_review every 1 month

obligation quarterly "Health checks within a month, then every three months"
  cite "1.7" "then every three months"
  while looked_after
  health_professional must do health_assessment
    first within 1 month of became_looked_after
    then every 3 months
    restart within 1 month of placement_change

obligation ended "Plans every 2 months until the plan ends"
  cite "1.8" "every two months"
  while child_in_need
  social_worker must do plan_distributed every 2 months
    restart within 10 days of transfer
'''

#: closed-form tables the policy's SQL has: wd_visits, ten_days, quarterly and ended twice (the first run
#: and the run after a restart), weekly_core, after_bound's last step, from_trigger and monthly once
CLOSED_FORMS = 12

STARTS = ("cp_plan_start", "became_looked_after", "cin_plan_start")
STATUS = ("cp_plan_start", "cp_plan_end", "became_looked_after", "ceased_looked_after", "cin_plan_start", "cin_plan_end")
ACTIONS = ("statutory_visit", "core_group_meeting", "case_note_recorded", "supervisory_visit", "case_activity",
           "cin_review", "health_assessment", "plan_distributed")
OTHER = ("transfer", "icpc", "placement_change", "cla_review", "placement_start")
HOLIDAYS = tuple((d - FIRST).days for d in (
    dt.date(2023, 12, 22), dt.date(2023, 12, 25), dt.date(2023, 12, 26), dt.date(2024, 3, 29), dt.date(2024, 4, 1),
    dt.date(2024, 5, 6), dt.date(2024, 8, 26), dt.date(2024, 12, 24), dt.date(2024, 12, 27), dt.date(2025, 4, 18)))
#: the 29th, 30th and 31st of every month in the histories' span
MONTH_ENDS = tuple(d for d in range(DAYS) if (FIRST + dt.timedelta(days=d)).day >= 29)


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> dict[int, object]:
    out = {}
    for trigger_day in (0, 1):
        path = tmp_path_factory.mktemp(f"every{trigger_day}") / "every.policy"
        head = 'policy "Every in closed form"\n  authority "Test"\n  uses "vocabulary.policy"\n'
        head += "  trigger day is day 1\n" if trigger_day else ""
        write_policy(path, head + _BODY)
        result = check_paths([path], [], analyse=False)
        assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
        out[trigger_day] = result.policies[0]
    return out


def test_closed_form_is_used_where_it_applies(policies: dict[int, object]) -> None:
    sql = generate_sql(policies[0])  # type: ignore[arg-type]
    assert sql.count("an unbounded `every` in closed form") == CLOSED_FORMS
    assert "WITH RECURSIVE" in sql  # the bounded weekly step, the schedules' `within` steps


@st.composite
def history(draw: st.DrawFn, i: int) -> Child:
    """A child with a few status changes and actions either dense (a run of steps, some late) or sparse."""
    row = i * 1000
    opened = draw(st.one_of(st.integers(0, 300), st.sampled_from(MONTH_ENDS[:30])))
    records = [(draw(st.sampled_from(STARTS)), opened)]
    for _ in range(draw(st.integers(0, 3))):
        records.append((draw(st.sampled_from(STATUS)), draw(st.integers(0, DAYS - 1))))
    for _ in range(draw(st.integers(0, 5))):
        records.append((draw(st.sampled_from(OTHER)), draw(st.integers(0, DAYS - 1))))
    for action in draw(st.lists(st.sampled_from(ACTIONS), max_size=4, unique=True)):
        day = draw(st.one_of(st.integers(0, DAYS - 1), st.integers(opened, opened + 20), st.sampled_from(MONTH_ENDS)))
        for _ in range(draw(st.integers(0, 25))):  # a run of actions a few days to a few weeks apart
            records.append((action, day))
            day += draw(st.one_of(st.integers(1, 8), st.integers(9, 40), st.sampled_from((0, 7, 14)),
                                  st.sampled_from(HOLIDAYS).map(lambda h, d=day: max(h - d, 1))))
            if day >= DAYS:
                break
    out = []
    for event, day in sorted(records, key=lambda r: (r[1], r[0])):
        row += 1
        out.append(Record(row, event, FIRST + dt.timedelta(days=day), None, ()))
    return Child(f"E{i:03d}", None, tuple(out))


@st.composite
def batch(draw: st.DrawFn) -> tuple[list[Child], dt.date, int]:
    children = [draw(history(i)) for i in range(draw(st.integers(6, 10)))]
    as_of = FIRST + dt.timedelta(days=draw(st.integers(30, DAYS + 400)))
    return children, as_of, draw(st.sampled_from((0, 1)))


def test_closed_form_agrees_with_the_reference(policies: dict[int, object]) -> None:
    seen = {"histories": 0, "overdue": 0, "met": 0, "late": 0}

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(batch())
    def check(data: tuple[list[Child], dt.date, int]) -> None:
        children, as_of, trigger_day = data
        results = run_all(policies[trigger_day], children, as_of, [])  # type: ignore[arg-type]
        assert results["python"] == results["reference"]
        assert results["duckdb"] == results["reference"], _diff(results["duckdb"], results["reference"])
        seen["histories"] += len(children)
        outcomes = [r.outcome for r in results["reference"]]
        seen["overdue"] += outcomes.count("overdue")
        seen["met"] += outcomes.count("met")
        seen["late"] += outcomes.count("met_late")

    check()
    assert seen["histories"] >= 240, seen
    assert min(seen["overdue"], seen["met"], seen["late"]) >= 50, seen  # long chains of every kind of occurrence


def test_month_ends_clip_once_and_stay(policies: dict[int, object]) -> None:
    """Children in need from 31 January and 31 May 2024 with no reviews: monthly reviews fall due on 29
    February, then on the 29th of each month (not the 31st again in March); and on 30 June, then the 30th."""
    children = [Child("M01", None, (Record(1, "cin_plan_start", dt.date(2024, 1, 31), None, ()),)),
                Child("M02", None, (Record(2, "cin_plan_start", dt.date(2024, 5, 31), None, ()),))]
    results = run_all(policies[0], children, dt.date(2024, 8, 15), [])  # type: ignore[arg-type]
    assert results["duckdb"] == results["reference"] == results["python"]
    due = {c.child_id: [r.due_date for r in results["duckdb"] if r.obligation == "monthly" and r.child_id == c.child_id]
           for c in children}
    assert due["M01"] == [dt.date(2024, m, 29) for m in range(2, 9)]
    assert due["M02"] == [dt.date(2024, m, 30) for m in range(6, 9)]


def _diff(got: list, want: list) -> str:
    extra = sorted(set(got) - set(want), key=repr)[:5]
    missing = sorted(set(want) - set(got), key=repr)[:5]
    return f"duckdb differs from the reference: extra {extra}, missing {missing}"


def _children(seed: int, n: int) -> list[Child]:
    """`n` histories of the shape `history` draws, from a seeded generator (one PostgreSQL run for all)."""
    import random

    rnd = random.Random(seed)
    children = []
    for i in range(n):
        opened = rnd.choice((rnd.randrange(300), rnd.choice(MONTH_ENDS[:30])))
        records = [(rnd.choice(STARTS), opened)]
        records += [(rnd.choice(STATUS), rnd.randrange(DAYS)) for _ in range(rnd.randint(0, 3))]
        records += [(rnd.choice(OTHER), rnd.randrange(DAYS)) for _ in range(rnd.randint(0, 5))]
        for action in rnd.sample(ACTIONS, rnd.randint(0, 4)):
            day = rnd.choice((rnd.randrange(DAYS), opened + rnd.randrange(20), rnd.choice(MONTH_ENDS)))
            for _ in range(rnd.randint(0, 25)):
                records.append((action, day))
                day += rnd.choice((rnd.randint(1, 8), rnd.randint(9, 40), 7, 14))
        records = [r for r in records if r[1] < DAYS]
        out = [Record(j + 1, e, FIRST + dt.timedelta(days=d), None, ())
               for j, (e, d) in enumerate(sorted(records, key=lambda r: (r[1], r[0])))]
        children.append(Child(f"P{i:03d}", None, tuple(out)))
    return children


def _warehouse_agrees(policy: object, trigger_day: int, as_of: dt.date, run: Callable[..., list]) -> None:
    """DuckDB's rows (checked against the reference) and `run`'s, given the DuckDB connection holding the
    events, are the same, and many."""
    children = _children(trigger_day, 200)
    con = duckdb.connect()
    try:
        events_table_from_children(con, children, [])
        run_duckdb(con, policy, as_of, unrecorded=Unrecorded())  # type: ignore[arg-type]
        want = fetch_rows(con, policy)  # type: ignore[arg-type]
        assert want == run_reference(policy, children, as_of, Unrecorded())  # type: ignore[arg-type]
        got = run(con, policy, as_of, [], Unrecorded())
    finally:
        con.close()
    assert got == want, _diff(got, want)
    assert len(want) > 2000


def test_postgres_closed_form_agrees(policies: dict[int, object], postgres_dsn: str) -> None:
    """The closed form in PostgreSQL's dialect (generate_series in the select list) gives the same rows."""
    from compiler.audit.warehouse import audit_postgres

    for trigger_day, as_of in ((0, dt.date(2025, 6, 30)), (1, dt.date(2026, 3, 1))):
        _warehouse_agrees(policies[trigger_day], trigger_day, as_of, functools.partial(audit_postgres, postgres_dsn))


def test_spark_closed_form_agrees(policies: dict[int, object], spark: object) -> None:
    """The closed form in Spark's dialect (explode(sequence(...)) in the select list, months by intervals)
    gives the same rows. One of PostgreSQL's two runs: Spark's fixed cost is seconds a statement."""
    from compiler.audit.warehouse import audit_spark

    _warehouse_agrees(policies[1], 1, dt.date(2026, 3, 1), functools.partial(audit_spark, None))


def test_a_decision_on_the_day_one_episode_ends_and_the_next_starts(tmp_path) -> None:
    """A child protection plan ends and a new one starts on 21 May 2024, the day the service manager
    decides to reduce visits (the kitchen sink's `cp_visits_reduced`, `decided by ... on visits_reduced`):
    both episodes narrow to start that day, the one-day end of the first and the second. The SQL told the
    two apart by child and start only, so its segments paired each with the other's end and the closed
    form counted one episode's start as the other's visit: three `met` rows with no visit recorded."""
    from audit_samples import ATTRIBUTES, kitchen_sink_policy

    path = tmp_path / "k.policy"
    write_policy(path, kitchen_sink_policy(trigger_day=0))
    policy = check_paths([path], [], analyse=False).policies[0]
    day = dt.date(2024, 5, 21)
    child = Child("B01", None, (Record(1, "cp_plan_start", dt.date(2023, 12, 25), None, ()),
                                Record(2, "cp_plan_end", day, None, ()), Record(3, "cp_plan_start", day, None, ()),
                                Record(4, "visits_reduced", day, None, ())))
    results = run_all(policy, [child], dt.date(2024, 6, 29), sorted(ATTRIBUTES))  # type: ignore[arg-type]
    assert results["duckdb"] == results["reference"] == results["python"], _diff(results["duckdb"], results["reference"])
    reduced = [r for r in results["duckdb"] if r.obligation == "cp_visits_reduced"]
    assert reduced and all(r.done_date is None and r.outcome != "met" for r in reduced), reduced

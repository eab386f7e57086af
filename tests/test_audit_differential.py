"""Differential property test: the reference interpreter, the generated Python checker and the generated
DuckDB SQL give identical rows on generated case histories.

Each example is a batch of 8 to 10 children (one DuckDB run per batch keeps the test fast); at least
500 histories are checked in all. Histories are drawn over December 2023 to June 2024, which has
Christmas, New Year, Easter and two May bank holidays, weekends, the leap day and month ends; days
are often drawn from a few per child, bank holidays and month ends, so that events coincide. Each
uses the events, attributes and extensions of the kitchen-sink policy, which has every timing form.
Both trigger-day conventions are tested. The SQL date arithmetic on dates outside this range (31
January + 1 month in a common year...) is tested exhaustively in test_audit_codegen.py.

The generated SQL also runs inside PostgreSQL (a private server for the test session,
tests/pg_server.py) on 2 x 240 histories drawn the same way, and in Spark (local[2], one session for
the test session) on the first 240 of them as one events table; and `policyc audit --engine
duckdb|postgres|spark` runs on the fake SSDA903 return; every engine must give DuckDB's rows, which
are the reference interpreter's. Spark runs the whole kitchen-sink policy, so every construct of its
dialect is exercised; its cost is per statement and per round of a recursive query, not per row
(docs/performance.md, "Spark in local mode"), hence one run of 240 histories rather than one per
batch, and not the second configuration, which PostgreSQL and DuckDB cover.

Set AUDIT_NO_SHRINK=1 to report a failure at once, without Hypothesis shrinking it (each shrinking
step is a DuckDB run).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from audit_samples import ATTRIBUTES, CLOCK_EVENTS, EVENTS, EXTENDABLE, clock_policy, kitchen_sink_policy, write_policy
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from compiler.analyses.check import check_paths
from compiler.audit.engines import run_all
from compiler.model.semantics import Child, Record, Unrecorded

FIRST = dt.date(2023, 12, 1)
DAYS = 213  # to 2024-06-30
EXAMPLES = 64
MIN_CHILDREN = 8
HISTORIES_NEEDED = 500
PHASES = (Phase.explicit, Phase.reuse, Phase.generate) if os.environ.get("AUDIT_NO_SHRINK") else tuple(Phase)


def _both_conventions(factory: pytest.TempPathFactory, name: str, text: Callable[..., str]) -> dict[int, object]:
    """The policy `text(trigger_day=...)` loaded with each trigger-day convention."""
    out = {}
    for trigger_day in (0, 1):
        path = factory.mktemp(f"{name}{trigger_day}") / f"{name}.policy"
        write_policy(path, text(trigger_day=trigger_day))
        result = check_paths([path], [], analyse=False)
        assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
        out[trigger_day] = result.policies[0]
    return out


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> dict[int, object]:
    return _both_conventions(tmp_path_factory, "kitchen", kitchen_sink_policy)


# events that open and close statuses are drawn more often, so that episodes come and go
_STATUS_EVENTS = ("cp_plan_start", "cp_plan_end", "closure", "became_looked_after", "ceased_looked_after",
                  "cin_plan_start", "cin_plan_end", "step_down", "placement_change", "placement_start")
_EVENT = st.one_of(st.sampled_from(EVENTS), st.sampled_from(_STATUS_EVENTS),
                   st.sampled_from(tuple("extension:" + e for e in EXTENDABLE)))


# bank holidays and the days around them, month ends (and the leap day)
_HOT = tuple((d - FIRST).days for d in (
    dt.date(2023, 12, 22), dt.date(2023, 12, 25), dt.date(2023, 12, 26), dt.date(2023, 12, 29), dt.date(2024, 1, 1),
    dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 28), dt.date(2024, 3, 29), dt.date(2024, 4, 1),
    dt.date(2024, 4, 30), dt.date(2024, 5, 6), dt.date(2024, 5, 27), dt.date(2024, 5, 31)))


@st.composite
def record(draw: st.DrawFn, pool: list[int]) -> tuple[str, int, int | None, tuple[tuple[str, str | None], ...]]:
    """One record; its day is often one of the child's few `pool` days, so that events coincide."""
    event = draw(_EVENT)
    day = draw(st.one_of(st.sampled_from(pool), st.integers(0, DAYS - 1), st.sampled_from(_HOT)))
    until = draw(st.integers(0, 80)) if event.startswith("extension:") else None
    attrs = tuple((name, draw(st.sampled_from((*values, None)))) for name, values in sorted(ATTRIBUTES.items()))
    return event, day, until, attrs


#: times of day for records: equal times, a minute apart, either side of midnight
_TIMES = tuple(dt.time(h, m) for h, m in ((0, 0), (8, 0), (9, 30), (10, 0), (11, 29), (11, 30), (22, 45), (23, 59)))
_TIME = st.one_of(st.none(), st.sampled_from(_TIMES))


def time_for(row: int, day: int) -> dt.time | None:
    """A record's time of day, from its row and day (None one time in three): the histories of the
    kitchen-sink policy get times without drawing anything more, so they are the same draws as before."""
    k = (row * 5 + day) % (len(_TIMES) + 4)
    return _TIMES[k] if k < len(_TIMES) else None


#: what a data source might not record: sometimes nothing, sometimes an action, a trigger or an attribute
_UNRECORDED = st.one_of(
    st.just(Unrecorded()),
    st.builds(lambda e, a: Unrecorded(frozenset(e), frozenset(a)),
              st.sets(st.sampled_from(tuple(EVENTS) + _STATUS_EVENTS), max_size=3),
              st.sets(st.sampled_from(sorted(ATTRIBUTES)), max_size=2)))


@st.composite
def batch(draw: st.DrawFn) -> tuple[list[Child], dt.date, int, Unrecorded]:
    n = draw(st.integers(MIN_CHILDREN, MIN_CHILDREN + 2))
    children = []
    row = 0
    for i in range(n):
        size = draw(st.integers(0, 28))
        pool = draw(st.lists(st.integers(0, DAYS - 1), min_size=1, max_size=6))
        raw = draw(st.lists(record(pool), min_size=size, max_size=size))
        records = []
        for event, day, until, attrs in raw:
            row += 1
            date = FIRST + dt.timedelta(days=day)
            records.append(Record(row, event, date, None if until is None else date + dt.timedelta(days=until), attrs,
                                  time_for(row, day)))
        records.sort(key=lambda r: (r.date, r.row))
        birth = draw(st.one_of(st.none(), st.integers(0, 1100).map(lambda d: dt.date(2007, 1, 1) + dt.timedelta(days=d))))
        children.append(Child(f"C{i:02d}", birth, tuple(records)))
    last = max((r.date for c in children for r in c.records), default=FIRST)
    as_of = draw(st.one_of(st.just(last), st.integers(0, DAYS + 30).map(lambda d: FIRST + dt.timedelta(days=d))))
    trigger_day = draw(st.sampled_from((0, 1)))
    return children, as_of, trigger_day, draw(_UNRECORDED)


def test_engines_agree_on_generated_histories(policies: dict[int, object]) -> None:
    seen = {"histories": 0, "rows": 0}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=PHASES,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(batch())
    def check(data: tuple[list[Child], dt.date, int, Unrecorded]) -> None:
        children, as_of, trigger_day, unrecorded = data
        results = run_all(policies[trigger_day], children, as_of, sorted(ATTRIBUTES),  # type: ignore[arg-type]
                          unrecorded)
        reference = results["reference"]
        assert results["python"] == reference, _diff("python", results["python"], reference)
        assert results["duckdb"] == reference, _diff("duckdb", results["duckdb"], reference)
        seen["histories"] += len(children)
        seen["rows"] += len(reference)

    check()
    assert seen["histories"] >= HISTORIES_NEEDED, seen
    assert seen["rows"] > 5 * HISTORIES_NEEDED, seen  # the histories do produce occurrences


@pytest.fixture(scope="module")
def clock_policies(tmp_path_factory: pytest.TempPathFactory) -> dict[int, object]:
    return _both_conventions(tmp_path_factory, "clock", clock_policy)


@st.composite
def clock_batch(draw: st.DrawFn) -> tuple[list[Child], dt.date, int, Unrecorded]:
    """Histories of the clock policy's events over a few consecutive days, so that deadlines in hours fall
    both sides of midnight: a child's records all carry a time, none does, or some do."""
    children, row = [], 0
    for i in range(draw(st.integers(6, 8))):
        mode = draw(st.sampled_from(("times", "dates", "mixed")))
        first = draw(st.integers(0, DAYS - 10))
        records = []
        for _ in range(draw(st.integers(0, 16))):
            row += 1
            event = draw(st.sampled_from(CLOCK_EVENTS))
            date = FIRST + dt.timedelta(days=first + draw(st.integers(0, 5)))
            time = {"times": draw(st.sampled_from(_TIMES)), "dates": None, "mixed": draw(_TIME)}[mode]
            until = date + dt.timedelta(days=draw(st.integers(0, 4))) if event.startswith("extension:") else None
            records.append(Record(row, event, date, until, (), time))
        records.sort(key=lambda r: (r.date, r.row))
        children.append(Child(f"T{i:02d}", None, tuple(records)))
    last = max((r.date for c in children for r in c.records), default=FIRST)
    as_of = draw(st.one_of(st.just(last), st.builds(lambda d: last - dt.timedelta(days=d), st.integers(0, 3))))
    unrecorded = draw(st.sampled_from((Unrecorded(), Unrecorded(frozenset({"contact_decision"})))))
    return children, as_of, draw(st.sampled_from((0, 1))), unrecorded


def test_engines_agree_on_histories_with_times(clock_policies: dict[int, object]) -> None:
    """Deadlines in hours and minutes judged on timestamps (and on dates where a record has no time): the
    three engines give the same rows, and say alike which way each was judged."""
    seen: dict[object, int] = {True: 0, False: 0, None: 0}

    @settings(max_examples=40, deadline=None, derandomize=True, database=None, phases=PHASES,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(clock_batch())
    def check(data: tuple[list[Child], dt.date, int, Unrecorded]) -> None:
        children, as_of, trigger_day, unrecorded = data
        results = run_all(clock_policies[trigger_day], children, as_of, [], unrecorded)  # type: ignore[arg-type]
        reference = results["reference"]
        assert results["python"] == reference, _diff("python", results["python"], reference)
        assert results["duckdb"] == reference, _diff("duckdb", results["duckdb"], reference)
        for r in reference:
            seen[r.on_times] += 1

    check()
    assert seen[True] > 50 and seen[False] > 50 and seen[None] > 50, seen


def _diff(name: str, got: list, want: list) -> str:
    extra = sorted(set(got) - set(want), key=repr)[:5]
    missing = sorted(set(want) - set(got), key=repr)[:5]
    return f"{name} differs from the reference: extra {extra}, missing {missing}"


def test_every_outcome_and_form_occurs(policies: dict[int, object], tmp_path: Path) -> None:
    """A fixed large batch covers every outcome, so the property test is not vacuous."""
    import random

    rnd = random.Random(9)
    settings_rnd = random.Random(10)  # the timescales set per child: drawn apart, so the rest of the batch stays as it was
    children = []
    row = 0
    for i in range(60):
        records = []
        for _ in range(rnd.randint(5, 40)):
            row += 1
            event = rnd.choice(EVENTS + _STATUS_EVENTS + tuple("extension:" + e for e in EXTENDABLE))
            date = FIRST + dt.timedelta(days=rnd.randrange(DAYS))
            until = date + dt.timedelta(days=rnd.randint(0, 80)) if event.startswith("extension:") else None
            attrs = tuple((n, (rnd if n in ("legal_status", "placement_type") else settings_rnd).choice(v))
                          for n, v in sorted(ATTRIBUTES.items()))
            records.append(Record(row, event, date, until, attrs))
        records.sort(key=lambda r: (r.date, r.row))
        children.append(Child(f"K{i:02d}", dt.date(2007, 6, 1) + dt.timedelta(days=rnd.randrange(900)), tuple(records)))
    as_of = max(r.date for c in children for r in c.records)
    results = run_all(policies[0], children, as_of, sorted(ATTRIBUTES))  # type: ignore[arg-type]
    assert results["duckdb"] == results["reference"] == results["python"]
    outcomes = {r.outcome for r in results["reference"]}
    # every outcome (no_data here only from the exceptions in prose and the timescales set per child with no
    # value recorded: the source records everything)
    assert outcomes == {"pending", "met", "met_late", "overdue", "discharged", "not_applicable", "extended", "no_data"}
    in_prose = {r.obligation for r in results["reference"] if r.outcome == "no_data"}
    assert {"placement_plans", "health_unless", "review_minutes"} <= in_prose <= {
        "placement_plans", "health_unless", "short_minimum", "review_minutes",
        "cp_visits_set", "assessment_set", "placement_visits_set"}
    # an exception in prose with an attribute condition excuses only the children whose attribute holds: the
    # others' review minutes are judged overdue or late (placement_type is drawn from all its values)
    judged = [r for r in results["reference"] if r.obligation == "review_minutes"]
    assert {"overdue", "met_late"} & {r.outcome for r in judged}
    assert "no_data" in {r.outcome for r in judged}
    # a minimum duration is met, cut short (overdue) and still running (pending)
    assert {"met", "overdue", "pending"} <= {r.outcome for r in results["reference"] if r.obligation == "cin_before_closure"}
    # a source that records neither the visits nor the attribute `placement_type`: those duties are no_data
    unrecorded = Unrecorded(frozenset({"statutory_visit"}), frozenset({"placement_type"}))
    blind = run_all(policies[0], children, as_of, sorted(ATTRIBUTES), unrecorded)  # type: ignore[arg-type]
    assert blind["duckdb"] == blind["reference"] == blind["python"]
    assert "no_data" in {r.outcome for r in blind["reference"]}
    assert all(r.done_date is None and r.working_days_late is None for r in blind["reference"]
               if r.outcome == "no_data")
    obligations = {r.obligation for r in results["reference"]}
    assert {"assessment", "core_group", "cp_visits", "rcpc_report", "cla_reviews", "cla_visits", "weekly_until",
            "settling_in", "pathway", "permanence", "cin_reviews", "pep", "kinship", "bedroom_seen", "review_notice",
            "assessment_checks", "supervisory_visits", "settling_from", "first_response", "either_plan"} <= obligations
    # exceptions and aims are exercised, not only found not applicable
    applied = {r.obligation for r in results["reference"] if r.outcome != "not_applicable"}
    assert {"cp_visits_reduced", "contact_decision_teams", "acknowledge:aim",
            "cin_visits_aim:aim", "core_group_aim:aim", "both_known", "review_window",
            "seen_window", "placement_plans", "health_unless", "cin_before_closure", "short_minimum",
            "seen_alone", "reviews_attended"} <= applied
    # a share not reached (overdue), and not yet counted (pending); met shares: tests/test_timing_forms.py
    assert {"overdue", "pending"} <= {r.outcome for r in results["reference"] if r.obligation == "seen_alone"}
    # timescales set per child: judged with each child's value, one no_data row where none was recorded (met and
    # late ones: tests/test_case_settings.py)
    set_rows = {r.outcome for r in results["reference"]
                if r.obligation in ("cp_visits_set", "assessment_set", "placement_visits_set")}
    assert {"pending", "overdue", "no_data"} <= set_rows, set_rows
    # exceptions in prose: what would be overdue or late is no_data, and the rest is judged
    prose = [r for r in results["reference"] if r.obligation in ("placement_plans", "health_unless")]
    assert {"no_data", "met"} <= {r.outcome for r in prose} and not {"overdue", "met_late"} & {r.outcome for r in prose}


REAL_POLICIES = sorted((Path(__file__).resolve().parents[1] / "policies").glob("*/*.policy"))


@pytest.mark.parametrize("path", REAL_POLICIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_engines_agree_on_the_real_policies(path: Path) -> None:
    """Random histories shaped by each shipped policy: its statuses, duties, triggers and attribute values."""
    import random

    from compiler.model.ir import AttributeIs
    from compiler.model.semantics import attributes_used, events_used, not_measurable, status_events

    result = check_paths([path], [], analyse=False)
    assert result.policies and not any(d.severity.value == "error" for d in result.diagnostics), \
        f"{path.name} does not load without errors"
    policy = result.policies[0]
    statuses = {ob.status for ob in policy.obligations if ob.status and not_measurable(policy, ob) is None}
    edges = sorted({e for s in statuses for side in (status_events(policy, s) or ((), ())) for e in side})
    events = sorted(events_used(policy)) or ["referral"]
    extensions = ["extension:" + ob.id for ob in policy.obligations if ob.extension is not None]
    values: dict[str, list[str]] = {a: ["", "other"] for a in attributes_used(policy)}
    for ob in policy.obligations:
        for c in ob.conditions:
            if isinstance(c, AttributeIs) and c.attribute in values:
                values[c.attribute] += list(c.values)
    rnd = random.Random(path.name)
    children, row = [], 0
    for i in range(80):
        records = []
        for _ in range(rnd.randint(0, 45)):
            row += 1
            event = rnd.choice(edges) if edges and rnd.random() < 0.2 else rnd.choice(events + extensions)
            date = FIRST + dt.timedelta(days=rnd.randrange(DAYS))
            until = date + dt.timedelta(days=rnd.randint(0, 60)) if event.startswith("extension:") else None
            attrs = tuple((a, rnd.choice(v)) for a, v in sorted(values.items()))
            records.append(Record(row, event, date, until, attrs))
        records.sort(key=lambda r: (r.date, r.row))
        birth = None if rnd.random() < 0.2 else dt.date(2007, 1, 1) + dt.timedelta(days=rnd.randrange(1000))
        children.append(Child(f"R{i:03d}", birth, tuple(records)))
    as_of = max(r.date for c in children for r in c.records)
    results = run_all(policy, children, as_of, sorted(values))
    assert results["python"] == results["reference"], _diff("python", results["python"], results["reference"])
    assert results["duckdb"] == results["reference"], _diff("duckdb", results["duckdb"], results["reference"])


# ---- the generated SQL on every engine: DuckDB, PostgreSQL, Spark -------------------------------------------
#: each run checks this many histories at once (one engine run per configuration: Spark's fixed cost is seconds)
WAREHOUSE_HISTORIES = 240
#: Spark runs the first configuration only (>= 200 histories); each run is minutes of Spark's per-statement cost
SPARK_RUNS = 1
#: (trigger-day convention, as-of date, what the source does not record) of each run
WAREHOUSE_RUNS = (
    (0, dt.date(2024, 6, 30), Unrecorded()),
    (1, dt.date(2024, 4, 15), Unrecorded(frozenset({"statutory_visit"}), frozenset({"placement_type"}))),
)


def generated_histories(seed: int, n: int) -> list[Child]:
    """`n` histories drawn as `batch` draws them (few days per child, hot days, status events often)."""
    import random

    rnd = random.Random(seed)
    events = (tuple(EVENTS), _STATUS_EVENTS, tuple("extension:" + e for e in EXTENDABLE))
    children, row = [], 0
    for i in range(n):
        pool = [rnd.randrange(DAYS) for _ in range(rnd.randint(1, 6))]
        records = []
        for _ in range(rnd.randint(0, 28)):
            row += 1
            event = rnd.choice(rnd.choice(events))
            day = rnd.choice((rnd.choice(pool), rnd.randrange(DAYS), rnd.choice(_HOT)))
            date = FIRST + dt.timedelta(days=day)
            until = date + dt.timedelta(days=rnd.randint(0, 80)) if event.startswith("extension:") else None
            attrs = tuple((name, rnd.choice((*values, None))) for name, values in sorted(ATTRIBUTES.items()))
            records.append(Record(row, event, date, until, attrs, time_for(row, day)))
        records.sort(key=lambda r: (r.date, r.row))
        birth = None if rnd.random() < 0.2 else dt.date(2007, 1, 1) + dt.timedelta(days=rnd.randrange(1100))
        children.append(Child(f"W{i:03d}", birth, tuple(records)))
    return children


@pytest.fixture(scope="module")
def warehouse_runs(policies: dict[int, object]) -> list[tuple]:
    """Each run's histories in a DuckDB database, and DuckDB's rows (checked against the reference)."""
    import duckdb

    from compiler.audit.engines import events_table_from_children, fetch_rows, run_duckdb, run_reference

    runs = []
    for seed, (trigger_day, as_of, unrecorded) in enumerate(WAREHOUSE_RUNS):
        policy = policies[trigger_day]
        children = generated_histories(seed, WAREHOUSE_HISTORIES)
        con = duckdb.connect()
        events_table_from_children(con, children, sorted(ATTRIBUTES))
        run_duckdb(con, policy, as_of, unrecorded=unrecorded)  # type: ignore[arg-type]
        rows = fetch_rows(con, policy)  # type: ignore[arg-type]
        assert rows == run_reference(policy, children, as_of, unrecorded), "duckdb differs from the reference"  # type: ignore[arg-type]
        assert len({r.outcome for r in rows}) >= 6, {r.outcome for r in rows}  # not a vacuous comparison
        runs.append((policy, as_of, unrecorded, con, rows))
    yield runs
    for run in runs:
        run[3].close()


def test_postgres_agrees_on_generated_histories(warehouse_runs: list[tuple], postgres_dsn: str) -> None:
    """The generated SQL for PostgreSQL, run inside a server, gives DuckDB's rows (the reference's)."""
    from compiler.audit.warehouse import audit_postgres

    for policy, as_of, unrecorded, con, want in warehouse_runs:
        got = audit_postgres(postgres_dsn, con, policy, as_of, sorted(ATTRIBUTES), unrecorded)
        assert got == want, _diff("postgres", got, want)
    assert len(warehouse_runs) * WAREHOUSE_HISTORIES >= 200



QLAC = Path(__file__).resolve().parents[2] / "shared" / "data" / "qlac-903-fake"
SSDA903_POLICY = Path(__file__).resolve().parents[1] / "policies" / "national" / "care-planning-regulations-2010.policy"


def test_sql_engines_agree_on_the_fake_ssda903_return(tmp_path: Path, postgres_dsn: str, spark: object) -> None:
    """`policyc import ssda903` then `policyc audit` with each engine, as a user types it: the same rows."""
    import csv
    import shlex

    from compiler.cli.main import main

    if not QLAC.is_dir():
        pytest.fail(f"the shared fake SSDA903 return is not on this machine ({QLAC})")
    events = tmp_path / "events.csv"
    assert main(shlex.split(f"import ssda903 {shlex.quote(str(QLAC))} --out {shlex.quote(str(events))}")) == 0
    rows = {}
    # --engine spark joins the test session's SparkSession (local[2]; spark_session returns the active one)
    for engine, extra in (("duckdb", ""), ("postgres", f"--dsn {shlex.quote(postgres_dsn)}"), ("spark", "")):
        out = tmp_path / f"{engine}.csv"
        assert main(shlex.split(f"audit --policy {shlex.quote(str(SSDA903_POLICY))} --events {shlex.quote(str(events))} "
                                f"--engine {engine} {extra} --include-not-applicable --no-progress "
                                f"--out {shlex.quote(str(out))}")) == 0, engine
        with open(out, newline="", encoding="utf-8") as fh:
            rows[engine] = list(csv.DictReader(fh))
    assert len(rows["duckdb"]) > 100 and len({r["obligation"] for r in rows["duckdb"]}) >= 3
    assert rows["postgres"] == rows["duckdb"]
    assert rows["spark"] == rows["duckdb"]


def test_spark_agrees_on_generated_histories(warehouse_runs: list[tuple], spark: object) -> None:
    """The generated SQL for Spark, run in local mode, gives DuckDB's rows (the reference's, and PostgreSQL's)."""
    from compiler.audit.warehouse import audit_spark

    for policy, as_of, unrecorded, con, want in warehouse_runs[:SPARK_RUNS]:
        got = audit_spark(None, con, policy, as_of, sorted(ATTRIBUTES), unrecorded)
        assert got == want, _diff("spark", got, want)
    assert SPARK_RUNS * WAREHOUSE_HISTORIES >= 200


def test_exported_postgres_script_gives_the_same_rows(warehouse_runs: list[tuple], postgres_dsn: str,
                                                      tmp_path: Path) -> None:
    """`policyc export --format sql --dialect postgres --as-of DATE`, as a user types it, run as one script
    in a PostgreSQL session that holds `events` and `children`: DuckDB's rows."""
    import shlex

    from compiler.audit.warehouse import RESULT, pg_connect, pg_load
    from compiler.cli.main import main
    from compiler.model.semantics import Row

    policy, as_of, unrecorded, con, want = warehouse_runs[0]
    assert not unrecorded.events and not unrecorded.attributes  # --as-of writes an empty audit_unrecorded
    source = tmp_path / "kitchen.policy"
    write_policy(source, kitchen_sink_policy(trigger_day=0))
    script = tmp_path / "checks.sql"
    assert main(shlex.split(f"export {shlex.quote(str(source))} --format sql --dialect postgres "
                            f"--as-of {as_of.isoformat()} --out {shlex.quote(str(script))}")) == 0
    pg = pg_connect(postgres_dsn)
    try:
        pg_load(pg, con, sorted(ATTRIBUTES))
        with pg.cursor() as cur:
            cur.execute(script.read_text(encoding="utf-8"))  # the whole file, as psql -f runs it
            cur.execute(RESULT)
            got = [Row(*t) for t in cur.fetchall()]
    finally:
        pg.close()
    assert sorted(got, key=repr) == sorted(want, key=repr), _diff("the exported script", got, want)

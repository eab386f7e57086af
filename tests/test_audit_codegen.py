"""The generated checkers: policy text is data, output is deterministic, modules and scripts stand alone,
and the SQL date arithmetic is exactly `compiler.model.timescales`."""

from __future__ import annotations

import ast
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from audit_samples import kitchen_sink_policy, write_policy

from compiler.analyses.check import check_paths
from compiler.audit.engines import events_table_from_children, fetch_rows, python_checker, run_duckdb
from compiler.audit.runtime import latest_notice_day
from compiler.emitters.checker_python import generate_python
from compiler.emitters.checker_sql import (
    SqlPlan,
    add_sql,
    due_sql,
    generate_sql,
    latest_notice_sql,
    parameters,
    sql_plan,
)
from compiler.emitters.sqltext import DUCKDB, Joins
from compiler.model.semantics import Child, Record, audited
from compiler.model.timescales import Duration, Unit, add

HOSTILE = 'x""" + __import__(\'os\').system(\'echo pwned\') + """\'; DROP TABLE events; -- \\\n-- obligation #1\n{}%s\t\x7f'

SMALL = """policy "{title}"
  authority "Test"
  uses "{vocab}"

attribute placement_note "A free-text note on the placement"
  type text

obligation assessment "{title}"
  cite "{clause}" "{quote}"
  social_worker must complete assessment_completed within 10 working days of referral

obligation visits "Visits for one kind of placement"
  cite "2" "visits every two weeks"
  when placement_note is "{value}"
  social_worker must do statutory_visit every 2 weeks from referral
"""


#: the kitchen-sink obligations the audit cannot measure (no timing, or a condition in prose)
UNMEASURED = ("minutes", "agreed", "placement_plans_respite", "review_minutes_agreed")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def _load(path: Path, text: str):
    """The policy as resolved. `check` refuses the control characters in HOSTILE (E004); the code
    generators are tested as if that refusal were bypassed, as a second line of defence."""
    write_policy(path, text)
    result = check_paths([path], [], analyse=False)
    errors = [d for d in result.diagnostics if d.severity.value == "error" and d.code != "E004"]
    assert not errors, errors
    return result.policies[0]


@pytest.fixture
def pair(tmp_path: Path):
    """The same policy twice: with plain text, and with hostile text in every string."""
    plain = _load(tmp_path / "plain.policy", SMALL.format(title="Plain", clause="1", quote="a plain quote here",
                                                          value="long_term", vocab="vocabulary.policy"))
    hostile = _load(tmp_path / "hostile.policy", SMALL.format(
        title=_escape(HOSTILE), clause=_escape(HOSTILE), quote=_escape(HOSTILE), value=_escape(HOSTILE),
        vocab="vocabulary.policy"))
    return plain, hostile


def _children(value: str) -> list[Child]:
    def rec(row: int, event: str, day: str, attr: str | None = None) -> Record:
        return Record(row, event, dt.date.fromisoformat(day), None, (("placement_note", attr),))
    return [
        Child("A", None, (rec(1, "referral", "2024-03-25", value), rec(2, "assessment_completed", "2024-04-12"),
                          rec(3, "statutory_visit", "2024-04-01"))),
        Child("B", None, (rec(4, "referral", "2024-05-01", "other"),)),
    ]


def test_hostile_text_is_data_in_python(pair) -> None:
    plain, hostile = pair
    source = generate_python(hostile)
    assert HOSTILE in hostile.obligations[0].citations[0].quote  # the policy really holds the text
    tree = ast.parse(source)  # it is valid Python
    functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
    doc = ast.get_docstring(functions["check_assessment"], clean=False)
    assert doc is not None and HOSTILE in doc
    module = python_checker(hostile)
    assert module.TITLE == HOSTILE
    as_of = dt.date(2024, 6, 28)
    got = module.run(_children(HOSTILE), as_of)
    want = python_checker(plain).run(_children("long_term"), as_of)
    assert [r._replace(clause="") for r in got] == [r._replace(clause="") for r in want]
    assert {r.clause for r in got if r.obligation == "assessment"} == {HOSTILE}
    assert any(r.obligation == "visits" and r.outcome != "not_applicable" for r in got)


def test_hostile_text_is_data_in_sql(pair) -> None:
    plain, hostile = pair
    as_of = dt.date(2024, 6, 28)
    rows = {}
    for name, policy, value in (("plain", plain, "long_term"), ("hostile", hostile, HOSTILE)):
        con = duckdb.connect()
        events_table_from_children(con, _children(value), ["placement_note"])
        run_duckdb(con, policy, as_of)
        rows[name] = fetch_rows(con, policy)
        assert con.execute("SELECT count(*) FROM events").fetchall() == [(4,)]  # nothing dropped
        if name == "hostile":
            assert con.execute("SELECT title, clause, quote FROM audit_obligations WHERE ob_order = 0").fetchall() == [
                (HOSTILE, HOSTILE, HOSTILE)]
        con.close()
    assert [r._replace(clause="") for r in rows["hostile"]] == [r._replace(clause="") for r in rows["plain"]]
    # and the whole script, run as one, does the same
    con = duckdb.connect()
    events_table_from_children(con, _children(HOSTILE), ["placement_note"])
    con.execute(SqlPlan.text(tuple(parameters(DUCKDB, as_of)))).fetchall()
    con.execute(generate_sql(hostile)).fetchall()
    assert fetch_rows(con, hostile) == rows["hostile"]


def test_generated_python_imports_only_the_runtime(tmp_path: Path) -> None:
    policy = _load(tmp_path / "k.policy", kitchen_sink_policy())
    tree = ast.parse(generate_python(policy))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported == {"__future__", "datetime", "compiler.audit", "compiler.model.timescales"}
    functions = [f.name for f in tree.body if isinstance(f, ast.FunctionDef)]
    measurable = [ob.id.replace(":aim", "_aim") for ob in audited(policy) if ob.id not in UNMEASURED]
    assert functions == [f"check_{i}" for i in measurable] + ["run"]
    for f in tree.body:
        if isinstance(f, ast.FunctionDef) and f.name != "run":
            doc = ast.get_docstring(f)
            ob = next(o for o in audited(policy) if f"check_{o.id.replace(':aim', '_aim')}" == f.name)
            assert doc and ob.citations[0].clause in doc and ob.citations[0].quote in doc


def test_output_is_deterministic_and_independent_of_the_folder(tmp_path: Path) -> None:
    first = _load(tmp_path / "k.policy", kitchen_sink_policy())
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(tmp_path / "k.policy", other / "k.policy")
    shutil.copy(tmp_path / "vocabulary.policy", other / "vocabulary.policy")
    second = check_paths([other / "k.policy"], [], analyse=False).policies[0]
    assert generate_python(first) == generate_python(first) == generate_python(second)
    assert generate_sql(first) == generate_sql(first) == generate_sql(second)
    assert str(tmp_path) not in generate_python(first) and str(tmp_path) not in generate_sql(first)


def test_sql_plan_is_the_script(tmp_path: Path) -> None:
    policy = _load(tmp_path / "k.policy", kitchen_sink_policy())
    plan = sql_plan(policy)
    assert plan.script() == generate_sql(policy)
    assert len(plan.obligations) == len([ob for ob in audited(policy) if ob.id not in UNMEASURED])
    empty = sql_plan(_policy_without_obligations())  # a policy with no obligations: a valid, empty plan
    assert empty.obligations == () and empty.shared == ()
    con = duckdb.connect()
    con.execute("CREATE TABLE events(row BIGINT, child_id VARCHAR, event VARCHAR, date DATE, extended_until DATE)")
    con.execute("CREATE TABLE children(child_id VARCHAR, date_of_birth DATE)")
    con.execute(SqlPlan.text(tuple(parameters(DUCKDB, dt.date(2024, 1, 1))))).fetchall()
    con.execute(empty.script()).fetchall()
    assert con.execute("SELECT count(*) FROM audit_result").fetchall() == [(0,)]


def _policy_without_obligations():
    from compiler.model.ir import Policy

    return Policy(path="empty.policy", kind="policy", title="Empty")


# ---- SQL dates are timescales ------------------------------------------------------------------------------
DURATIONS = [Duration(0, Unit.DAYS), Duration(1, Unit.DAYS), Duration(10, Unit.DAYS), Duration(4, Unit.WEEKS),
             Duration(24, Unit.HOURS), Duration(25, Unit.HOURS), Duration(90, Unit.MINUTES),
             Duration(0, Unit.WORKING_DAYS), Duration(1, Unit.WORKING_DAYS), Duration(5, Unit.WORKING_DAYS),
             Duration(20, Unit.WORKING_DAYS), Duration(45, Unit.WORKING_DAYS), Duration(1, Unit.MONTHS),
             Duration(3, Unit.MONTHS), Duration(6, Unit.MONTHS), Duration(1, Unit.YEARS), Duration(16, Unit.YEARS),
             Duration(1, Unit.SCHOOL_TERMS)]


@pytest.fixture(scope="module")
def calendar_con():
    con = duckdb.connect()
    con.execute("CREATE TABLE events(row BIGINT, child_id VARCHAR, event VARCHAR, date DATE, extended_until DATE)")
    con.execute("CREATE TABLE children(child_id VARCHAR, date_of_birth DATE)")
    con.execute(SqlPlan.text(tuple(parameters(DUCKDB, dt.date(2024, 1, 1))))).fetchall()
    con.execute(SqlPlan.text(sql_plan(_policy_without_obligations()).setup)).fetchall()
    first, last = dt.date(2019, 1, 1), dt.date(2026, 12, 31)
    con.execute(f"CREATE TABLE days AS SELECT CAST(range AS DATE) AS d FROM range(DATE '{first}', DATE '{last}' + 1, "
                "INTERVAL 1 DAY)").fetchall()
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    yield con, days
    con.close()


def _run(con, expr: str, joins: Joins) -> list[dt.date]:
    return [r[0] for r in con.execute(f"SELECT {expr} FROM days t{joins.sql()} ORDER BY t.d").fetchall()]


@pytest.mark.parametrize("duration", DURATIONS, ids=str)
def test_sql_add_is_timescales_add(calendar_con, duration: Duration) -> None:
    con, days = calendar_con
    joins = Joins("c")
    assert _run(con, add_sql("t.d", duration, joins), joins) == [add(d, duration) for d in days]
    joins = Joins("c")
    shifted = [max(d, add(d, duration) - dt.timedelta(days=1)) for d in days]
    assert _run(con, due_sql("t.d", duration, 1, joins), joins) == shifted


@pytest.mark.parametrize("duration", DURATIONS, ids=str)
def test_sql_latest_notice_day_is_the_last_day_with_enough_notice(calendar_con, duration: Duration) -> None:
    con, days = calendar_con
    joins = Joins("c")
    got = _run(con, latest_notice_sql("t.d", duration, joins), joins)
    want = [latest_notice_day(d, duration) for d in days]
    assert got == want
    for d, x in zip(days[::97], want[::97], strict=True):  # and it is what it says it is
        assert add(x, duration) <= d < add(x + dt.timedelta(days=1), duration) or add(x, duration) == d


def test_working_days_late_counts_like_timescales(calendar_con) -> None:
    from compiler.model.timescales import working_days_between

    con, days = calendar_con
    rng = np.random.default_rng(1)
    pairs = [(days[int(i)], days[int(j)]) for i, j in rng.integers(0, len(days), size=(300, 2))]
    values = ", ".join(f"(DATE '{a}', DATE '{b}')" for a, b in pairs)
    got = con.execute(f"SELECT cb.n - ca.n FROM (VALUES {values}) p(a, b) JOIN _cal ca ON ca.d = p.a "
                      "JOIN _cal cb ON cb.d = p.b").fetchall()
    assert sorted(g[0] for g in got) == sorted(working_days_between(a, b) for a, b in pairs)

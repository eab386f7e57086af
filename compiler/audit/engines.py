"""The three audit engines behind one interface: DuckDB SQL, generated Python, the reference.

All three read the same normalised input, the DuckDB table `events` (see `checker_sql`'s header)
or the same rows as `Child` histories, and give the same sorted `Row`s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import duckdb
import pyarrow as pa

from compiler.emitters.checker_python import generate_python
from compiler.emitters.checker_sql import SqlPlan, ordered_result_sql, parameters, sql_plan
from compiler.emitters.sqltext import DUCKDB, sql_ident
from compiler.model.ir import Policy
from compiler.model.semantics import (
    ALL_RECORDED,
    ATTRIBUTE_PREFIX,
    COLUMNS,
    Child,
    Record,
    Row,
    Unrecorded,
    seconds_of,
    time_of,
)


def events_table_from_children(con: duckdb.DuckDBPyConnection, children: Sequence[Child], attributes: Sequence[str]) -> None:
    """Create the normalised `events` and `children` tables from histories (attributes on the records)."""
    cols: dict[str, list] = {"row": [], "child_id": [], "event": [], "date": [], "extended_until": [], "time_of_day": []}
    for name in attributes:
        cols[ATTRIBUTE_PREFIX + name] = []
    for c in children:
        for r in c.records:
            cols["row"].append(r.row)
            cols["child_id"].append(c.child_id)
            cols["event"].append(r.event)
            cols["date"].append(r.date)
            cols["extended_until"].append(r.extended_until)
            cols["time_of_day"].append(None if r.time is None else seconds_of(r.time))
            for name in attributes:
                cols[ATTRIBUTE_PREFIX + name].append(r.attr(name))
    types_ = {"row": pa.int64(), "child_id": pa.string(), "event": pa.string(), "date": pa.date32(),
              "extended_until": pa.date32(), "time_of_day": pa.int32()}
    events = pa.table({k: pa.array(v, type=types_.get(k, pa.string())) for k, v in cols.items()})
    kids = {"child_id": pa.array([c.child_id for c in children], type=pa.string()),
            "date_of_birth": pa.array([c.date_of_birth for c in children], type=pa.date32())}
    for name in attributes:
        kids[ATTRIBUTE_PREFIX + name] = pa.array([None] * len(children), type=pa.string())
    for name, table in (("events", events), ("children", pa.table(kids))):
        con.register(f"_{name}_arrow", table)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _{name}_arrow").fetchall()
        con.unregister(f"_{name}_arrow")


def children_from_events(con: duckdb.DuckDBPyConnection, attributes: Sequence[str], batch: int = 200_000) -> Iterator[Child]:
    """Read the `events` and `children` tables back as histories, one child at a time (sorted by child id).

    A record's attribute is the events column, or else the child's (the loader fills one side only).
    The connection is busy until the iterator is exhausted (DuckDB 2.0: fetch a result to the end).
    """
    attr_sql = "".join(f", coalesce(e.{sql_ident(ATTRIBUTE_PREFIX + a)}, c.{sql_ident(ATTRIBUTE_PREFIX + a)})"
                       for a in attributes)
    cur = con.execute(f"SELECT e.child_id, e.row, CAST(e.event AS VARCHAR), e.date, e.extended_until, c.date_of_birth, "
                      f"e.time_of_day{attr_sql} "
                      "FROM events e LEFT JOIN children c ON c.child_id = e.child_id ORDER BY e.child_id, e.date, e.row")
    current: str | None = None
    birth: dt.date | None = None
    records: list[Record] = []
    while True:
        chunk = cur.fetchmany(batch)
        if not chunk:
            break
        for t in chunk:
            if t[0] != current:
                if current is not None:
                    yield Child(current, birth, tuple(records))
                current, birth, records = t[0], t[5], []
            attrs = tuple((a, t[7 + i]) for i, a in enumerate(attributes))
            records.append(Record(t[1], t[2], t[3], t[4], attrs, None if t[6] is None else time_of(t[6])))
    if current is not None:
        yield Child(current, birth, tuple(records))


@lru_cache(maxsize=16)
def _module(source: str) -> types.ModuleType:
    name = "policyc_checker_" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - our own generated code
    return module


def python_checker(policy: Policy) -> types.ModuleType:
    """The generated Python checker module of `policy`, compiled in memory."""
    return _module(generate_python(policy))


def run_python(policy: Policy, children: Sequence[Child], as_of: dt.date,
               unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    rows: list[Row] = python_checker(policy).run(list(children), as_of, unrecorded)
    return rows


def run_reference(policy: Policy, children: Sequence[Child], as_of: dt.date,
                  unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    from compiler.audit.reference import evaluate

    return evaluate(policy, children, as_of, unrecorded)


def run_duckdb(con: duckdb.DuckDBPyConnection, policy: Policy, as_of: dt.date,
               progress: Callable[[int], None] | None = None, workers: int | None = None,
               unrecorded: Unrecorded = ALL_RECORDED) -> None:
    """Run the generated SQL on `con` (which holds `events` and `children`); the result is `audit_rows`.

    The set-up runs first; then the shared tables, then the obligations, each on `workers`
    connections to the same database at once (DuckDB leaves a core idle in many small statements).
    """
    plan = sql_plan(policy, DUCKDB)
    con.execute(SqlPlan.text(tuple(parameters(DUCKDB, as_of, unrecorded.events, unrecorded.attributes)))).fetchall()
    con.execute(SqlPlan.text(plan.setup)).fetchall()
    workers = workers if workers is not None else min(4, (os.cpu_count() or 1) + 1)
    if workers <= 1:
        for piece in plan.shared:
            con.execute(SqlPlan.text(piece)).fetchall()
        for piece in plan.obligations:
            con.execute(SqlPlan.text(piece)).fetchall()
            if progress is not None:
                progress(1)
    else:
        local = threading.local()

        def run(piece: tuple[str, ...]) -> None:
            cursor = getattr(local, "cursor", None)
            if cursor is None:
                cursor = local.cursor = con.cursor()
            cursor.execute(SqlPlan.text(piece)).fetchall()

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, plan.shared))
            for _ in pool.map(run, plan.obligations):
                if progress is not None:
                    progress(1)
    con.execute(SqlPlan.text(plan.final)).fetchall()


def fetch_rows(con: duckdb.DuckDBPyConnection, policy: Policy) -> list[Row]:
    result = con.execute(
        f"SELECT {', '.join(COLUMNS)}, on_times FROM ({ordered_result_sql(policy)})").fetchall()
    return [Row(*t) for t in result]


def run_all(policy: Policy, children: Sequence[Child], as_of: dt.date, attributes: Sequence[str],
            unrecorded: Unrecorded = ALL_RECORDED) -> dict[str, list[Row]]:
    """Every engine's rows for the same histories (the differential test)."""
    con = duckdb.connect()
    try:
        events_table_from_children(con, children, attributes)
        run_duckdb(con, policy, as_of, unrecorded=unrecorded)
        sql_rows = fetch_rows(con, policy)
    finally:
        con.close()
    return {
        "duckdb": sql_rows,
        "python": run_python(policy, children, as_of, unrecorded),
        "reference": run_reference(policy, children, as_of, unrecorded),
    }

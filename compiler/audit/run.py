"""Run an audit end to end: load and check the input, evaluate with one engine, summarise."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from compiler.audit import engines, warehouse
from compiler.audit.inputs import LOAD_STEPS, InputError, Loaded, Progress, load, with_child_text
from compiler.audit.report import ROWS, Summary, add_steps, count_clock, count_rows, rows_relation, summarise
from compiler.audit.versions import evaluate_versions, merged_policy, published, version_notes
from compiler.emitters.checker_sql import OUTCOME_CODES, ordered_result_sql
from compiler.emitters.escape import csv_cell, csv_cell_sql
from compiler.emitters.sqltext import sql_string
from compiler.model.ir import Policy, everies
from compiler.model.semantics import (
    ALL_RECORDED,
    COLUMNS,
    Child,
    Row,
    SourceRecords,
    Unrecorded,
    attributes_used,
    audited,
    clause_of,
    not_measurable,
    row_sort_key,
)
from compiler.model.timescales import bounds_in_days
from compiler.model.versions import Series

#: the engines that run the generated SQL outside DuckDB, on the normalised input copied to them
WAREHOUSES = {"postgres": lambda dsn, *a: warehouse.audit_postgres(dsn or "", *a),
              "spark": warehouse.audit_spark}


@dataclass
class AuditResult:
    loaded: Loaded
    summary: Summary
    rows: list[Row] | None  # None: the rows are in the DuckDB table `audit_rows`


def steps(policy: Policy) -> int:
    """Progress steps of a DuckDB audit: reading and checking the input, one per measurable obligation."""
    return LOAD_STEPS + sum(not_measurable(policy, ob) is None for ob in audited(policy))


def default_as_of(records: SourceRecords | None) -> dt.date | None:
    """The end of the return's collection year, where its import declared one."""
    end = records.facts.get("collection_year_end") if records is not None else None
    try:
        return dt.date.fromisoformat(end) if isinstance(end, str) else None
    except ValueError:
        return None


def audit(policy: Policy, events: Path, children: Path | None, as_of: dt.date | None, engine: str = "duckdb",
          progress: Progress | None = None, on_loaded: Callable[[Loaded], None] | None = None,
          memory_limit: str | None = None, records: SourceRecords | None = None,
          target: str | None = None) -> AuditResult:
    """`records`: what the data's source records (`EVENTS_STEM.source.json`): duties that need anything
    else are `no_data`, and without `as_of` the audit is as at the end of its collection year.
    `target`: the DSN of `engine` postgres, the master URL of `engine` spark (`compiler.audit.warehouse`)."""
    as_of_from = "given" if as_of is not None else None
    if as_of is None and default_as_of(records) is not None:
        as_of, as_of_from = default_as_of(records), "collection_year"
    unrecorded = Unrecorded.of(policy, records) if records is not None else ALL_RECORDED
    loaded = load(policy, events, children, as_of, memory_limit=memory_limit,
                  unrecorded_attributes=unrecorded.attributes, progress=progress, child_keys=engine == "duckdb")
    loaded.as_of_from = as_of_from or "latest_event"
    problem = occurrence_problem(policy, loaded)
    if problem:
        raise InputError(problem)
    if on_loaded:
        on_loaded(loaded)
    rows: list[Row] | None
    counts: Counter[tuple[str, str, bool]]
    clock: Counter[tuple[str, bool]] | None = None
    if loaded.as_of is None:  # no usable events: nothing to audit
        rows, counts = [], Counter()
    elif engine == "duckdb":
        engines.run_duckdb(loaded.con, policy, loaded.as_of, progress, unrecorded=unrecorded)
        counts = duckdb_counts(loaded, policy)
        clock = duckdb_clock_counts(loaded, policy) if loaded.timed else None
        rows = None
    elif engine in WAREHOUSES:
        rows = WAREHOUSES[engine](target, loaded.con, policy, loaded.as_of, loaded.attributes, unrecorded)
        counts = count_rows(rows)
    else:
        order = {ob.id: i for i, ob in enumerate(audited(policy))}
        histories = engines.children_from_events(loaded.con, loaded.attributes)
        if engine == "reference":
            rows = engines.run_reference(policy, list(histories), loaded.as_of, unrecorded)
        else:
            rows = python_rows(policy, histories, loaded.as_of, progress, unrecorded)
        rows.sort(key=lambda r: row_sort_key(r, order))
        counts = count_rows(rows)
    if rows is not None and loaded.timed:
        clock = count_clock(rows)
    summary = summarise(policy, loaded, engine, counts, records, unrecorded, clock)
    add_steps(summary, policy, loaded.con, rows_relation(loaded.con, rows, loaded.child_keys))
    return AuditResult(loaded, summary, rows)


def audit_versions(series: Series, events: Path, children: Path | None, as_of: dt.date | None,
                   engine: str = "duckdb", memory_limit: str | None = None,
                   records: SourceRecords | None = None, target: str | None = None) -> AuditResult:
    """Audit against every published version of one document, each occurrence judged by the version in
    force on its trigger date (`compiler.audit.versions`); the summary says which version judged how many."""
    merged = merged_policy(series)
    as_of_from = "given" if as_of is not None else None
    if as_of is None and default_as_of(records) is not None:
        as_of, as_of_from = default_as_of(records), "collection_year"
    unrecorded = Unrecorded.of(merged, records) if records is not None else ALL_RECORDED
    loaded = load(merged, events, children, as_of, memory_limit=memory_limit,
                  unrecorded_attributes=unrecorded.attributes,
                  attributes=sorted({a for v in published(series) for a in attributes_used(v)}))
    loaded.as_of_from = as_of_from or "latest_event"
    problem = occurrence_problem(merged, loaded)
    if problem:
        raise InputError(problem)
    if loaded.as_of is None:
        rows_relation(loaded.con, [])
        return AuditResult(loaded, summarise(merged, loaded, engine, Counter(), records, unrecorded), [])
    day: dt.date = loaded.as_of

    def run(version: Policy) -> list[Row]:
        if engine == "duckdb":
            engines.run_duckdb(loaded.con, version, day, unrecorded=unrecorded)
            return engines.fetch_rows(loaded.con, version)
        if engine in WAREHOUSES:
            return WAREHOUSES[engine](target, loaded.con, version, day, loaded.attributes, unrecorded)
        histories = engines.children_from_events(loaded.con, loaded.attributes)
        if engine == "reference":
            return engines.run_reference(version, list(histories), day, unrecorded)
        return python_rows(version, histories, day, None, unrecorded)

    rows, counts = evaluate_versions(series, run, day)
    summary = summarise(merged, loaded, engine, count_rows(rows), records, unrecorded,
                        count_clock(rows) if loaded.timed else None)
    summary.versions = [c.to_json() for c in counts]
    summary.notes = version_notes(counts) + summary.notes
    add_steps(summary, merged, loaded.con, rows_relation(loaded.con, rows))
    return AuditResult(loaded, summary, rows)


def duckdb_counts(loaded: Loaded, policy: Policy) -> Counter[tuple[str, str, bool]]:
    """The summary's counts from `audit_rows`, grouped on the codes (obligation number, outcome number)
    and named afterwards: no string is made per row."""
    ids = [ob.id for ob in audited(policy)]
    names = {code: outcome for outcome, code in OUTCOME_CODES.items()}
    got = loaded.con.execute("SELECT ob_order, outcome, done_date IS NOT NULL, count(*) FROM audit_rows GROUP BY ALL")
    return Counter({(ids[o], names[out], bool(d)): int(n) for o, out, d, n in got.fetchall()})


def duckdb_clock_counts(loaded: Loaded, policy: Policy) -> Counter[tuple[str, bool]]:
    """`count_clock` from `audit_rows`: the rows of duties in hours judged on timestamps and on dates."""
    ids = [ob.id for ob in audited(policy)]
    got = loaded.con.execute("SELECT ob_order, on_times, count(*) FROM audit_rows WHERE on_times IS NOT NULL GROUP BY ALL")
    return Counter({(ids[o], bool(t)): int(n) for o, t, n in got.fetchall()})


MAX_OCCURRENCES = 10_000  # of one recurring obligation for one child: 27 years of a daily duty


def occurrence_problem(policy: Policy, loaded: Loaded) -> str | None:
    """Why the audit would be too large to run, or None: a recurring duty whose interval fits more than
    MAX_OCCURRENCES times between the earliest event and the as-of date (an upper bound for every child)."""
    if loaded.as_of is None:
        return None
    first = loaded.con.execute("SELECT min(date) FROM events").fetchall()[0][0]
    if first is None:
        return None
    span = (loaded.as_of - first).days
    for ob in policy.obligations:
        if ob.timing is None or not_measurable(policy, ob) is not None:
            continue
        for dur in (e.duration for e in everies(ob.timing)):
            most = span // max(1, bounds_in_days(dur)[0]) + 1
            if most > MAX_OCCURRENCES:
                return (f"obligation `{ob.id}` (every {dur}) would have up to {most:,} occurrences for a child "
                        f"whose history starts {first.isoformat()} (as of {loaded.as_of.isoformat()}); the limit "
                        f"is {MAX_OCCURRENCES:,} a child: audit a shorter period (--as-of, or drop older events)")
    return None


def python_rows(policy: Policy, children: Iterable[Child], as_of: dt.date, progress: Progress | None,
                unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    """The generated Python checker, one child at a time as they are read (a progress step per child)."""
    module = engines.python_checker(policy)
    checks = [check for _, check in module.CHECKS]
    rows: list[Row] = []
    pending = 0
    for child in children:
        h = module.rt.History(child, as_of, unrecorded)
        for check in checks:
            rows.extend(check(h))
        pending += 1
        if progress and pending == 1000:
            progress(pending)
            pending = 0
    if progress and pending:
        progress(pending)
    return rows


def named_rows_sql(result: AuditResult, policy: Policy, include_not_applicable: bool, sort: bool = True,
                   enums: bool = False) -> str:
    """The DuckDB engine's `audit_rows` named (obligation, clause, outcome, as ENUMs if `enums`; the child's
    id where the audit used integer keys, `compiler.audit.inputs`), sorted in the audit's order if `sort`:
    the lean rows are sorted first (by key, whose order is the ids'), then named."""
    if not result.loaded.child_keys:
        return ordered_result_sql(policy, include_not_applicable, sort, enums=enums)
    return ordered_result_sql(policy, include_not_applicable, sort, rows=with_child_text("audit_rows"),
                              child_id="child_text", enums=enums)


def output_rows(result: AuditResult, policy: Policy, include_not_applicable: bool) -> list[Row]:
    """The rows to write (not_applicable ones only if asked for)."""
    if result.rows is None:
        fetched = result.loaded.con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM ({named_rows_sql(result, policy, include_not_applicable)})").fetchall()
        return [Row(*t) for t in fetched]
    return [r for r in result.rows if include_not_applicable or r.outcome != "not_applicable"]


#: the columns written, with the same types from either engine
ROW_COLUMNS = ("child_id, obligation, clause, trigger_date, due_date, done_date, outcome, "
               "CAST(working_days_late AS INTEGER) AS working_days_late, CAST(step AS INTEGER) AS step")


def rows_select(result: AuditResult, policy: Policy, include_not_applicable: bool, sort: bool,
                enums: bool = False) -> str:
    """A SELECT of the rows to write, run on the audit's connection: the DuckDB engine's `audit_rows`
    named by their codes (sorted in the audit's order only if `sort`), else the table `ROWS`
    (`report_rows`) of the Python engine's rows, which are sorted already."""
    if result.rows is not None:
        where = "" if include_not_applicable else " WHERE outcome <> 'not_applicable'"
        return f"SELECT {ROW_COLUMNS} FROM {ROWS}{where}"
    return f"SELECT {ROW_COLUMNS} FROM ({named_rows_sql(result, policy, include_not_applicable, sort, enums)})"


def write_rows_parquet(result: AuditResult, policy: Policy, path: str, include_not_applicable: bool,
                       sort: bool) -> None:
    """The rows as Parquet, written by DuckDB from its columns (zstd at level 1: on Somerset's 14 million rows
    0.9 s less CPU than the default level 3 for a file 1% larger): nothing per row in Python. The
    obligation, clause and outcome are ENUMs, which DuckDB writes as a column dictionary and codes
    (Parquet text columns, read back as text) without making a string a row. The other columns are
    written plain (`DICTIONARY_SIZE_LIMIT 1`): by default DuckDB builds a dictionary of each row group's
    child ids (and abandons it: 200,000 children are too many) and of its dates, which cost 0.4-0.7 s of
    CPU on Somerset's rows and made the file 10% larger (60 MB against 54) than plain values under zstd.

    Unsorted, the rows' order is unspecified anyway (the obligations are evaluated in parallel), so DuckDB
    is told not to keep it while writing: keeping it buffers the row groups of every thread, which took the
    peak memory of a 10M-event audit from 2.4 GB to 5.2 GB (docs/performance.md)."""
    select = rows_select(result, policy, include_not_applicable, sort, enums=True)
    con = result.loaded.con
    if not sort:
        con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(f"COPY ({select}) TO {sql_string(path)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, "
                    "DICTIONARY_SIZE_LIMIT 1)").fetchall()
    finally:
        con.execute("RESET preserve_insertion_order")


def copy_rows_csv(result: AuditResult, policy: Policy, path: str, include_not_applicable: bool) -> bool:
    """Write the rows as CSV straight from DuckDB (fast); False if the rows are not in DuckDB. Each line is
    built in SQL by the project's CSV rule (compiler.emitters.escape), so the bytes are those that
    `report.write_rows_csv` writes from the Python engine; DuckDB then writes the lines as they are."""
    if result.rows is not None:
        return False
    prefixes = "[" + ", ".join(sql_string(csv_cell(ob.id) + "," + csv_cell(clause_of(ob)))
                               for ob in policy.obligations) + "]"

    def text(col: str) -> str:
        return f"coalesce(CAST({col} AS VARCHAR), '')"

    line = " || ',' || ".join([csv_cell_sql("child_id"), f"{prefixes}[ob_order + 1]", text("trigger_date"),
                                text("due_date"), text("done_date"), "outcome", text("working_days_late"), text("step")])
    header = ",".join(COLUMNS).replace('"', '""')
    result.loaded.con.execute(
        f'COPY (SELECT {line} AS "{header}" FROM ({named_rows_sql(result, policy, include_not_applicable)})) '
        f"TO {sql_string(path)} (FORMAT csv, HEADER true, QUOTE '', ESCAPE '', DELIMITER '\x1f')"
    ).fetchall()
    return True

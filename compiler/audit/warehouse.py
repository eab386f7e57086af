"""Run the generated checks where the data is: inside PostgreSQL, or in Spark.

Both take the normalised input the audit loaded into DuckDB (`events`, `children`; see
`checker_sql`'s header), copy it into the engine (PostgreSQL: temporary tables of the session, so
nothing is written to the database; Spark: temporary views), run the same script that DuckDB runs,
written for that engine (`sqltext.Dialect`), and read the named rows back. A problem with the engine
itself (no server, no driver, no Java) is an `EngineError` with a one-line message.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from compiler.emitters.checker_sql import OUTCOME_CODES, parameters, sql_plan
from compiler.emitters.sqltext import POSTGRES, SPARK, sql_ident
from compiler.model.ir import Policy
from compiler.model.semantics import (
    ALL_RECORDED,
    ATTRIBUTE_PREFIX,
    COLUMNS,
    Row,
    Unrecorded,
    audited,
    clause_of,
    row_sort_key,
)

RESULT = f"SELECT {', '.join(COLUMNS)}, on_times FROM audit_result"


class EngineError(Exception):
    """The engine cannot be used: not installed, not reachable, or it refused the checks."""


def _columns(attributes: Sequence[str]) -> list[str]:
    return [ATTRIBUTE_PREFIX + a for a in attributes]


def _sorted(policy: Policy, rows: list[Row]) -> list[Row]:
    order = {ob.id: i for i, ob in enumerate(audited(policy))}
    return sorted(rows, key=lambda r: row_sort_key(r, order))


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# ---- PostgreSQL -------------------------------------------------------------------------------------
def redact(dsn: str) -> str:
    """The DSN without its password, for messages."""
    dsn = re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", dsn)
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", dsn)


def pg_connect(dsn: str) -> Any:
    """A psycopg connection (autocommit) to `dsn`, or EngineError."""
    try:
        import psycopg
    except ImportError:
        raise EngineError("--engine postgres needs the PostgreSQL driver: pip install 'policyc[postgres]'") from None
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as err:
        raise EngineError(f"cannot connect to PostgreSQL at {redact(dsn)!r}: {_first_line(err)}") from None


def pg_load(pg: Any, con: duckdb.DuckDBPyConnection, attributes: Sequence[str]) -> None:
    """Copy DuckDB's `events` and `children` into temporary tables of the PostgreSQL session."""
    attrs = _columns(attributes)
    tables = {
        "events": [("row", "BIGINT"), ("child_id", "TEXT"), ("event", "TEXT"), ("date", "DATE"),
                   ("extended_until", "DATE"), ("time_of_day", "INTEGER"), *((a, "TEXT") for a in attrs)],
        "children": [("child_id", "TEXT"), ("date_of_birth", "DATE"), *((a, "TEXT") for a in attrs)],
    }
    with tempfile.TemporaryDirectory(prefix="policyc-pg-") as tmp:
        for name, cols in tables.items():
            path = str(Path(tmp) / f"{name}.csv")
            select = ", ".join(f"CAST({sql_ident(c)} AS VARCHAR)" if t == "TEXT" else sql_ident(c) for c, t in cols)
            con.execute(f"COPY (SELECT {select} FROM {name}) TO '{path}' (FORMAT csv, HEADER false)").fetchall()
            with pg.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
                cur.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{sql_ident(c)} {t}' for c, t in cols)})")
                with cur.copy(f"COPY {name} FROM STDIN (FORMAT csv)") as copy, open(path, "rb") as fh:
                    while block := fh.read(1 << 20):
                        copy.write(block)
                cur.execute(f"ANALYZE {name}")


def run_postgres(pg: Any, policy: Policy, as_of: dt.date, unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    """Run the checks in the session of `pg` (which sees `events` and `children`); the sorted rows."""
    import psycopg

    statements = parameters(POSTGRES, as_of, unrecorded.events, unrecorded.attributes) + sql_plan(policy, POSTGRES).statements()
    try:
        with pg.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
            cur.execute(RESULT)
            rows = [Row(*t) for t in cur.fetchall()]
    except psycopg.Error as err:
        raise EngineError(f"PostgreSQL refused the checks: {_first_line(err)}") from None
    return _sorted(policy, rows)


def audit_postgres(dsn: str, con: duckdb.DuckDBPyConnection, policy: Policy, as_of: dt.date,
                   attributes: Sequence[str], unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    pg = pg_connect(dsn)
    try:
        pg_load(pg, con, attributes)
        return run_postgres(pg, policy, as_of, unrecorded)
    finally:
        pg.close()


# ---- Spark ------------------------------------------------------------------------------------------
#: Spark settings the checks need on any master: recursion as deep as the longest chain of occurrences,
#: no limit on the rows a recursive query makes, the dates in UTC, and no console progress bars.
SPARK_CONF = {
    "spark.sql.cteRecursionLevelLimit": "-1",
    "spark.sql.cteRecursionRowLimit": "-1",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    # a view keeps its analysed plan: the views of a schedule's steps nest, and re-analysing each one
    # inside every view that reads it took seconds a statement
    "spark.sql.legacy.storeAnalyzedPlanForView": "true",
}
#: and in local mode (one machine, the data of one authority): few shuffle partitions instead of 200
#: (adaptive execution, on by default, merges them further), no web UI, and the driver's memory (which
#: is the executors' in local mode) set, since Spark's default of 1 GiB is small for a large return.
#: On a cluster the cluster's own settings apply (docs/audit.md, "On a Spark cluster").
SPARK_LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "4",
    # no broadcast joins: no faster here (docs/performance.md), and with the cached result tables of a
    # whole audit in the driver's memory, a broadcast of a step ran out of it (the differential test)
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    "spark.ui.enabled": "false",
    # 2 GiB ran out in an aggregation when one session audited the fake SSDA903 return and then 240
    # generated histories (the test suite's run; each passes alone): 4 GiB is a ceiling, not an allocation
    "spark.driver.memory": "4g",
}


def spark_session(master: str | None = None) -> Any:
    """The active SparkSession, or a new one (`master`: a Spark master URL; default `local[*]`)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("--engine spark needs pyspark: pip install 'policyc[spark]' (and a Java 17+ runtime)") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise EngineError("--engine spark needs a Java runtime (17 or newer): install one, or set JAVA_HOME")
    master = master or "local[*]"
    builder = SparkSession.builder.master(master).appName("policyc audit")
    local = master == "local" or master.startswith("local[")
    for key, value in {**SPARK_CONF, **(SPARK_LOCAL_CONF if local else {})}.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as err:  # noqa: BLE001 - py4j and the JVM raise many kinds: all mean no Spark
        raise EngineError(f"cannot start Spark ({master}): {_first_line(err)}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_load(spark: Any, con: duckdb.DuckDBPyConnection, attributes: Sequence[str]) -> None:
    """DuckDB's `events` and `children` as Spark temporary views."""
    attrs = "".join(f", CAST({sql_ident(a)} AS VARCHAR) AS {sql_ident(a)}" for a in _columns(attributes))
    selects = {"events": f"SELECT row, child_id, CAST(event AS VARCHAR) AS event, date, extended_until, time_of_day{attrs} "
                         "FROM events",
               "children": f"SELECT child_id, date_of_birth{attrs} FROM children"}
    for name, select in selects.items():
        table = con.sql(select).to_arrow_table()
        spark.createDataFrame(table).createOrReplaceTempView(name)


def run_spark(spark: Any, policy: Policy, as_of: dt.date, unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    """Run the checks in `spark` (which has the views `events` and `children`); the sorted rows.

    The result tables are read one by one and named here: the script's last statement, the view
    `audit_rows` over all of them, fails in Spark 4.3's analyser (an internal error in
    DeduplicateRelations on a union of cached tables), so it is not run."""
    plan = sql_plan(policy, SPARK)
    statements = [*parameters(SPARK, as_of, unrecorded.events, unrecorded.attributes), *plan.setup,
                  *(s for piece in plan.shared for s in piece), *(s for piece in plan.obligations for s in piece)]
    cached = [m.group(1) for s in statements for m in re.finditer(r"^CACHE (?:LAZY )?TABLE (\S+)", s, re.M)]
    obligations = list(audited(policy))
    outcomes = {code: name for name, code in OUTCOME_CODES.items()}
    rows: list[Row] = []
    try:
        for statement in statements:
            spark.sql(statement)
        for name in (n for n in cached if n.startswith("_r")):
            for r in spark.sql(f"SELECT child_id, ob_order, trigger_date, due_date, done_date, outcome, "
                               f"working_days_late, step, on_times FROM {name}").collect():
                ob = obligations[r[1]]
                rows.append(Row(r[0], ob.id, clause_of(ob), r[2], r[3], r[4], outcomes[r[5]], r[6], r[7], r[8]))
    except Exception as err:  # noqa: BLE001 - Spark's analysis and execution errors come through py4j
        raise EngineError(f"Spark refused the checks: {_spark_message(err)}") from None
    finally:
        for name in cached:  # free the executors' memory
            spark.sql(f"UNCACHE TABLE IF EXISTS {name}")
            spark.sql(f"DROP VIEW IF EXISTS {name}")
    return _sorted(policy, rows)


def _spark_message(err: BaseException) -> str:
    """The first line that says what went wrong (py4j's first line only names the call)."""
    lines = [line.strip(": ") for line in str(err).splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith("An error occurred while calling") and not line.startswith("at ")]
    return (useful or lines or [type(err).__name__])[0]


def audit_spark(master: str | None, con: duckdb.DuckDBPyConnection, policy: Policy, as_of: dt.date,
                attributes: Sequence[str], unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    spark = spark_session(master)
    spark_load(spark, con, attributes)
    return run_spark(spark, policy, as_of, unrecorded)

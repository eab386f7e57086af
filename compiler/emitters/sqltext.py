"""SQL text for the generated checks: quoting, the SQL dialects, and `timescales` in SQL.

Policy text enters SQL only through `sql_string` (a literal, quotes doubled) and `sql_ident` (a quoted
identifier), or their `Dialect` forms (Spark quotes with backslashes and backticks). The checks are
written in a portable subset of SQL (CREATE TABLE AS, views, window functions, recursive CTEs); the few
constructs that differ between DuckDB, PostgreSQL and Spark SQL are the methods of `Dialect`. The date arithmetic is `compiler.model.timescales.add` written as SQL over a calendar table
`_cal(d, n)` (n: the running number of working days up to d) and `_wd(n, d)` (the working days): a sum
of working days is two equality joins; days and months are DuckDB date arithmetic, which keeps the
end-of-month rule. `tests/test_audit_codegen.py` checks every function here against `timescales`
on every date from 2019 to 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from compiler.model.semantics import ATTRIBUTE_PREFIX
from compiler.model.timescales import Duration, Unit, add, bounds_in_days


def sql_string(text: str) -> str:
    """A SQL string literal: the only way policy text enters the SQL."""
    if "\x00" in text:
        raise ValueError("text with a NUL character cannot be a SQL string")
    return "'" + text.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    """A quoted SQL identifier."""
    if "\x00" in name:
        raise ValueError("a name with a NUL character cannot be a SQL identifier")
    return '"' + name.replace('"', '""') + '"'


def sql_date(d: dt.date) -> str:
    return f"DATE '{d.isoformat()}'"


def attribute_column(name: str) -> str:
    return sql_ident(ATTRIBUTE_PREFIX + name)


# ---- dialects ----------------------------------------------------------------------------------------
ASOF_OPS = {">=": ("prev", "<"), ">": ("prev", "<="), "<=": ("next", ">"), "<": ("next", ">=")}


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines the checks run on; everything else is one SQL text.

    `name`: "duckdb" (the embedded default), "postgres" or "spark". DuckDB keeps its ASOF join (the
    fastest plan there); the others find the nearest day by a range join on the day tables'
    neighbour columns (`prev_date`, `next_date`), which an ordinary LEFT JOIN can do, even in the
    recursive part of a query.
    """

    name: str

    @property
    def text(self) -> str:
        return "STRING" if self.name == "spark" else "VARCHAR"

    @property
    def neighbours(self) -> bool:
        """Whether day tables carry `prev_date`/`next_date` (the range-join form of ASOF)."""
        return self.name != "duckdb"

    @property
    def materialized(self) -> str:
        return "" if self.name == "spark" else "MATERIALIZED "

    @property
    def calendar_list(self) -> bool:
        """Whether the outcome reads working-day numbers from one list of the calendar (`_cal_list`: its first
        day `d0` and the numbers `ns`, one per day) instead of by joins to `_cal`. DuckDB reads a list element
        in constant time, where a hash join of every result row cost more than the rest of the outcome;
        PostgreSQL would detoast the array for each row, so it and Spark keep the joins."""
        return self.name == "duckdb"

    @property
    def inline_views(self) -> bool:
        """Whether an obligation's views are written as common table expressions (`NOT MATERIALIZED`, so
        read exactly as a view is) of the statements that read them, instead of `CREATE VIEW` and `DROP
        VIEW`. DuckDB binds a view's query when it is created and again in every statement that reads it:
        Somerset's 239 views cost 0.65-0.7 s of CPU to create, on 1,000 events as on 10 million
        (docs/performance.md). PostgreSQL and Spark keep their views."""
        return self.name == "duckdb"

    @property
    def wide_integer(self) -> str:
        """An exact integer type of at least 88 bits (a day number and a BIGINT side by side)."""
        return "HUGEINT" if self.name == "duckdb" else "DECIMAL(38, 0)"

    def string(self, text: str) -> str:
        if self.name != "spark":
            return sql_string(text)
        if "\x00" in text:
            raise ValueError("text with a NUL character cannot be a SQL string")
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def ident(self, name: str) -> str:
        if self.name != "spark":
            return sql_ident(name)
        if "\x00" in name:
            raise ValueError("a name with a NUL character cannot be a SQL identifier")
        return "`" + name.replace("`", "``") + "`"

    def attribute(self, name: str) -> str:
        return self.ident(ATTRIBUTE_PREFIX + name)

    def create_table(self, name: str, select: str, step: bool = False, result: bool = False) -> list[str]:
        """Statements that make table `name` from `select` (replacing one of the same name).

        On Spark a table shared by the obligations is a lazily cached view (computed once, when first
        read), a `step` of one obligation a plain view (Spark compares every plan with every cached
        one, so caching the hundreds of steps made each statement slower than the last), and a
        `result` table an eagerly cached one: one Spark job per obligation, where one job for the whole
        audit ran out of the driver's memory broadcasting its hundreds of joins."""
        if self.name == "spark" and step and not result:
            return self.create_view(name, select)
        if self.name == "spark" and result:
            return [f"DROP VIEW IF EXISTS {name}", f"CACHE TABLE {name} AS\n{select}"]
        if self.name == "duckdb":
            return [f"CREATE OR REPLACE TABLE {name} AS\n{select}"]
        if self.name == "postgres":  # a session's temporary table, with statistics for the planner
            return [f"DROP TABLE IF EXISTS {name}", f"CREATE TEMP TABLE {name} AS\n{select}", f"ANALYZE {name}"]
        return [f"DROP VIEW IF EXISTS {name}", f"CACHE LAZY TABLE {name} AS\n{select}"]  # kept once computed

    def create_view(self, name: str, select: str) -> list[str]:
        if self.name == "duckdb":
            return [f"CREATE OR REPLACE VIEW {name} AS\n{select}"]
        if self.name == "postgres":
            return [f"DROP VIEW IF EXISTS {name}", f"CREATE TEMP VIEW {name} AS\n{select}"]
        return [f"CREATE OR REPLACE TEMP VIEW {name} AS\n{select}"]

    def drop(self, kind: str, name: str) -> list[str]:
        """Statements that drop a table or view of one obligation's steps (none on Spark: they are
        computed when the result is read; the runner drops them after)."""
        return [] if self.name == "spark" else [f"DROP {kind} IF EXISTS {name}"]

    def day_number(self, day: str) -> str:
        """The number of days from 1800-01-01 to `day`."""
        if self.name == "spark":
            return f"datediff({day}, DATE '1800-01-01')"
        return f"({day} - DATE '1800-01-01')"

    def dates(self, first: dt.date, last: dt.date) -> str:
        """A FROM item `c` of every date from `first` to `last`, in column `d`."""
        a, b = sql_date(first), sql_date(last)
        if self.name == "duckdb":
            return f"(SELECT CAST(range AS DATE) AS d FROM range({a}, {b} + 1, INTERVAL 1 DAY)) c"
        if self.name == "postgres":
            return f"(SELECT CAST(g AS DATE) AS d FROM generate_series({a}, {b}, INTERVAL '1 day') AS s(g)) c"
        return f"(SELECT explode(sequence({a}, {b})) AS d) c"

    def series(self, count: str) -> str:
        """A select-list item that makes one row per number 1, 2, ..., `count` (for `count` >= 1), an INTEGER."""
        if self.name == "duckdb":
            return f"CAST(unnest(generate_series(1, {count})) AS INTEGER)"
        if self.name == "postgres":
            return f"generate_series(1, {count})"
        return f"explode(sequence(1, {count}))"

    def weekday(self, day: str) -> str:
        """True on Monday to Friday."""
        return {"duckdb": f"isodow({day}) <= 5", "postgres": f"extract(isodow FROM {day}) <= 5"}.get(
            self.name, f"weekday({day}) <= 4")

    def asof(self, table: str, alias: str, child: str, op: str, key: str, left: bool = True,
             column: str = "date") -> str:
        """A join clause: the row of `table` (one per child and `column` value) for child `child` whose
        `column` is nearest to `key` with `column op key` (`>=`, `>`: the first; `<=`, `<`: the last)."""
        join = "LEFT JOIN" if left else "JOIN"
        if self.name == "duckdb":
            return f"ASOF {join} {table} {alias} ON {alias}.child_id = {child} AND {alias}.{column} {op} {key}"
        side, other = ASOF_OPS[op]
        neighbour = f"{alias}.{side}_{column}"
        return (f"{join} {table} {alias} ON {alias}.child_id = {child} AND {alias}.{column} {op} {key}"
                f" AND ({neighbour} IS NULL OR {neighbour} {other} {key})")

    def neighbour_columns(self, column: str, partition: str = "child_id") -> str:
        """`, prev_COLUMN, next_COLUMN` for a table that `asof` joins (nothing on DuckDB)."""
        if not self.neighbours:
            return ""
        w = f"OVER (PARTITION BY {partition} ORDER BY {column})"
        return f", lag({column}) {w} AS prev_{column}, lead({column}) {w} AS next_{column}"


DUCKDB = Dialect("duckdb")
POSTGRES = Dialect("postgres")
SPARK = Dialect("spark")
DIALECTS = {d.name: d for d in (DUCKDB, POSTGRES, SPARK)}


# ---- date arithmetic ---------------------------------------------------------------------------------
def unit_shape(d: Duration) -> tuple[str, int]:
    """("days", n), ("months", n) or ("working_days", n): how `timescales.add` moves a date by `d`."""
    if d.unit is Unit.WORKING_DAYS:
        return ("working_days", d.amount)
    low, high = bounds_in_days(d)
    if low == high:
        return ("days", low)
    start = dt.date(2000, 1, 1)
    moved = add(start, d)
    months = (moved.year - start.year) * 12 + moved.month - start.month
    assert moved.day == 1, f"unexpected duration shape {d}"
    return ("months", months)


class Joins:
    """LEFT JOINs to the calendar that a SELECT needs, with unique aliases."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.clauses: list[str] = []

    def _alias(self) -> str:
        return f"{self.prefix}{len(self.clauses) + 1}"

    def number(self, day: str) -> str:
        """The running working-day number of `day`."""
        a = self._alias()
        self.clauses.append(f"LEFT JOIN _cal {a} ON {a}.d = {day}")
        return f"{a}.n"

    def working_day(self, number: str) -> str:
        """The working day with running number `number`."""
        a = self._alias()
        self.clauses.append(f"LEFT JOIN _wd {a} ON {a}.n = {number}")
        return f"{a}.d"

    def sql(self, indent: str = "  ") -> str:
        return "".join(f"\n{indent}{c}" for c in self.clauses)


def add_sql(day: str, d: Duration, joins: Joins) -> str:
    """SQL for `timescales.add(day, d)`."""
    kind, n = unit_shape(d)
    if n == 0:
        return day
    if kind == "days":
        return f"({day} + {n})"
    if kind == "months":
        return f"CAST({day} + INTERVAL '{n}' MONTH AS DATE)"
    return joins.working_day(f"{joins.number(day)} + {n}")


def add_many_sql(day: str, ds: tuple[Duration, ...], joins: Joins) -> str:
    for d in ds:
        day = add_sql(day, d, joins)
    return day


def due_sql(base: str, d: Duration, trigger_day: int, joins: Joins) -> str:
    """A due date `d` after `base`; with `trigger day is day 1`, one day earlier but never before `base`."""
    due = add_sql(base, d, joins)
    if trigger_day == 1:
        return f"(CASE WHEN {due} > {base} THEN {due} - 1 ELSE {due} END)"
    return due


def latest_notice_sql(day: str, d: Duration, joins: Joins) -> str:
    """The last date x with add(x, d) <= day."""
    kind, n = unit_shape(d)
    if n == 0:
        return day
    if kind == "days":
        return f"({day} - {n})"
    if kind == "months":
        c0 = f"CAST({day} - INTERVAL '{n}' MONTH AS DATE)"
        cases = " ".join(f"WHEN CAST({c0} + {k} + INTERVAL '{n}' MONTH AS DATE) <= {day} THEN {c0} + {k}"
                         for k in (3, 2, 1))
        return f"(CASE {cases} ELSE {c0} END)"
    return f"({joins.working_day(f'{joins.number(day)} - {n} + 1')} - 1)"

"""SQL text for the generated DuckDB checks: the one quoting function, and `timescales` in SQL.

Policy text enters SQL only through `sql_string` (a literal, quotes doubled) and `sql_ident` (a quoted
identifier). The date arithmetic is `compiler.model.timescales.add` written as SQL over a calendar table
`_cal(d, n)` (n: the running number of working days up to d) and `_wd(n, d)` (the working days): a sum
of working days is two equality joins; days and months are DuckDB date arithmetic, which keeps the
end-of-month rule. `tests/test_audit_codegen.py` checks every function here against `timescales`
on every date from 2019 to 2026.
"""

from __future__ import annotations

import datetime as dt

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
        return f"CAST({day} + INTERVAL {n} MONTH AS DATE)"
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
        c0 = f"CAST({day} - INTERVAL {n} MONTH AS DATE)"
        cases = " ".join(f"WHEN CAST({c0} + {k} + INTERVAL {n} MONTH AS DATE) <= {day} THEN {c0} + {k}"
                         for k in (3, 2, 1))
        return f"(CASE {cases} ELSE {c0} END)"
    return f"({joins.working_day(f'{joins.number(day)} - {n} + 1')} - 1)"

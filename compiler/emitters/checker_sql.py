"""Generate the DuckDB SQL checks of a policy: the same occurrences as the Python checker.

The script reads a table `events` and a variable `as_of`, and fills `audit_rows` and
`audit_obligations` (see the header it writes). Policy text is data: every string literal goes
through `sql_string` (quotes doubled) and every identifier through `sql_ident`; comments carry only
text that the generator writes itself. Dates use a calendar table with a running working-day
number, so working days are two equality joins (never a date-range join). The output is
deterministic: the same policy gives the same bytes.
"""

from __future__ import annotations

import datetime as dt

from compiler.audit.spec import (
    ATTRIBUTE_PREFIX,
    clause_of,
    events_used,
    extension_event,
    not_measurable,
    status_events,
)
from compiler.model import Condition, Obligation, Policy, Step
from compiler.timescales import Duration, Unit, add, bank_holidays, bounds_in_days

AS_OF = "getvariable('as_of')"
FIRST_YEAR, LAST_YEAR = 1900, 2099  # the loader refuses dates outside these years


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


# ---- the script -------------------------------------------------------------------------------------
class _Script:
    def __init__(self, policy: Policy):
        self.p = policy
        self.out: list[str] = []
        self.chunks: list[list[str]] = [self.out]
        self.episodes: dict[tuple[frozenset[str], frozenset[str]] | None, str] = {}

    def emit(self, *statements: str) -> None:
        for s in statements:
            self.out.append(s.rstrip() + ";\n")

    def ev(self, name: str | None) -> str:
        assert name is not None
        return sql_string(self.p.canonical_event(name))

    def days_of(self, event: str | None, columns: str = "child_id, date") -> str:
        return f"(SELECT {columns} FROM _days WHERE event = {self.ev(event)})"

    # ---- calendar and episodes ----
    def calendar(self) -> None:
        span = 0
        for ob in self.p.obligations:
            if not_measurable(self.p, ob) is not None:
                continue
            for d in _durations(ob):
                span += bounds_in_days(d)[1]
        first = dt.date(FIRST_YEAR, 1, 1) - dt.timedelta(days=span + 400)
        last = dt.date(LAST_YEAR, 12, 31) + dt.timedelta(days=span + 400)
        last = min(last, dt.date(9999, 12, 31))
        hols = [str(d) for d in bank_holidays()]
        rows = ",\n".join("  " + ", ".join(f"(DATE '{h}')" for h in hols[i:i + 6]) for i in range(0, len(hols), 6))
        self.emit(
            "-- the calendar: England and Wales working days (Monday to Friday, not a bank holiday of\n"
            "-- `holidays.country_holidays('GB', subdiv='ENG')`), with a running number of working days\n"
            "CREATE OR REPLACE TEMP TABLE _bank_holidays(d DATE)",
            f"INSERT INTO _bank_holidays VALUES\n{rows}",
            "CREATE OR REPLACE TEMP TABLE _cal AS\n"
            "SELECT c.d, (isodow(c.d) <= 5 AND h.d IS NULL) AS wd,\n"
            "       CAST(sum(CASE WHEN isodow(c.d) <= 5 AND h.d IS NULL THEN 1 ELSE 0 END) OVER (ORDER BY c.d) AS INTEGER) AS n\n"
            f"FROM (SELECT CAST(range AS DATE) AS d FROM range({sql_date(first)}, {sql_date(last)} + 1, INTERVAL 1 DAY)) c\n"
            "LEFT JOIN _bank_holidays h ON h.d = c.d",
            "CREATE OR REPLACE TEMP TABLE _wd AS SELECT n, d FROM _cal WHERE wd",
        )

    def inputs(self) -> None:
        used = sorted(events_used(self.p))
        in_list = ", ".join(sql_string(e) for e in used) or "NULL"
        self.emit(
            f"CREATE OR REPLACE TEMP TABLE _ev AS SELECT * FROM events WHERE date <= {AS_OF}",
            "-- the distinct days of each event, numbered per child and event\n"
            "CREATE OR REPLACE TEMP TABLE _days AS\n"
            "SELECT child_id, event, date, CAST(row_number() OVER (PARTITION BY child_id, event ORDER BY date) AS INTEGER) AS idx\n"
            f"FROM (SELECT DISTINCT child_id, event, date FROM _ev WHERE event IN ({in_list}))",
            "CREATE OR REPLACE TEMP TABLE _child AS SELECT child_id, max(date_of_birth) AS birth FROM _ev GROUP BY child_id",
        )

    def episode_table(self, ob: Obligation) -> str:
        key = status_events(self.p, ob.status)
        if key in self.episodes:
            return self.episodes[key]
        name = f"_ep{len(self.episodes)}"
        self.episodes[key] = name
        if key is None:
            self.emit(
                "-- episodes of obligations that apply always: from the child's first record, never closed\n"
                f"CREATE OR REPLACE TEMP TABLE {name} AS\n"
                "SELECT child_id, min(date) AS ep_start, CAST(NULL AS DATE) AS ep_last, first(row ORDER BY date, row) AS opening_row\n"
                "FROM _ev GROUP BY child_id")
            return name
        enter, leave = key
        e_list = ", ".join(sql_string(e) for e in sorted(enter)) or "NULL"
        l_list = ", ".join(sql_string(e) for e in sorted(leave)) or "NULL"
        self.emit(
            "-- episodes of a status: a day with only entering events opens one (if none is open), a day with\n"
            "-- only leaving events closes it; a day with both ends the open episode and starts another, or is\n"
            "-- an episode of one day. `prev` is the kind of the last one-kind day before (1 open, 0 closed).\n"
            f"CREATE OR REPLACE TEMP TABLE {name} AS\n"
            "WITH day AS (\n"
            f"  SELECT child_id, date, bool_or(event IN ({e_list})) AS e, bool_or(event IN ({l_list})) AS l,\n"
            f"         min(CASE WHEN event IN ({e_list}) THEN row END) AS erow\n"
            f"  FROM _ev WHERE event IN ({e_list}) OR event IN ({l_list}) GROUP BY child_id, date\n"
            "), st AS (\n"
            "  SELECT *, coalesce(last_value(CASE WHEN e AND NOT l THEN 1 WHEN l AND NOT e THEN 0 END IGNORE NULLS)\n"
            "    OVER (PARTITION BY child_id ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prev\n"
            "  FROM day\n"
            "), tok AS (\n"
            "  SELECT child_id, date, erow, TRUE AS is_start FROM st WHERE e AND (l OR prev = 0)\n"
            "  UNION ALL\n"
            "  SELECT child_id, date, NULL, FALSE FROM st WHERE l AND (e OR prev = 1)\n"
            "), num AS (\n"
            "  SELECT *, row_number() OVER (PARTITION BY child_id, is_start ORDER BY date) AS k FROM tok\n"
            ")\n"
            "SELECT s.child_id, s.date AS ep_start, e.date AS ep_last, s.erow AS opening_row\n"
            "FROM num s LEFT JOIN num e ON e.child_id = s.child_id AND NOT e.is_start AND e.k = s.k\n"
            "WHERE s.is_start")
        return name

    # ---- one obligation ----
    def obligation(self, ob: Obligation, index: int) -> None:
        t = ob.timing
        assert t is not None
        self.out = []
        self.chunks.append(self.out)
        self.out.append(f"-- obligation #{index + 1} ({t.kind})\n")
        ep = self.episode_table(ob)
        occ = f"_o{index}"
        getattr(self, "_" + t.kind)(ob, ep, occ)
        if ob.extension is not None and t.kind != "advance_notice" and t.kind not in ("schedule", "recurrence"):
            self.extensions(ob, occ, index)
        self.finish(ob, occ, index)

    def extension_table(self, ob: Obligation, index: int) -> str:
        name = f"_x{index}"
        self.emit(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT child_id, date AS x, max(extended_until) AS u\n"
            f"FROM _ev WHERE event = {sql_string(extension_event(ob.id))} AND extended_until IS NOT NULL "
            "GROUP BY child_id, date")
        return name

    def effective_sql(self, ob: Obligation, q: str, joins: Joins) -> str:
        """The due date after the extension found by the ASOF join `e` (window start `window`)."""
        assert ob.extension is not None
        cap = add_sql(f"{q}.due", ob.extension.duration, joins)
        return (f"CASE WHEN e.x IS NOT NULL AND e.x >= {q}.window_start AND {q}.due IS NOT NULL "
                f"THEN greatest({q}.due, least(e.u, {cap})) ELSE {q}.due END")

    def extensions(self, ob: Obligation, occ: str, index: int) -> None:
        x = self.extension_table(ob, index)
        joins = Joins("k")
        eff = self.effective_sql(ob, "o", joins)
        self.emit(
            f"CREATE OR REPLACE TEMP TABLE {occ} AS\n"
            f"SELECT o.* EXCLUDE (eff, ext_hi), {eff} AS eff\n"
            f"FROM (SELECT *, least(due, end_day, coalesce(done, due)) AS ext_hi FROM {occ}) o\n"
            f"ASOF LEFT JOIN {x} e ON e.child_id = o.child_id AND e.x <= o.ext_hi{joins.sql()}")

    def _deadline(self, ob: Obligation, ep: str, occ: str) -> None:
        t = ob.timing
        assert t is not None and t.duration is not None and t.trigger
        parts = []
        for event, duration in [(t.trigger, t.duration), *((r.event, r.duration) for r in t.restarts)]:
            joins = Joins("c")
            due = due_sql("d.date", duration, self.p.trigger_day, joins)
            parts.append(
                f"  SELECT p.child_id, p.opening_row, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day,\n"
                f"         d.date AS trigger, {due} AS due\n"
                f"  FROM {ep} p JOIN _days d ON d.child_id = p.child_id AND d.event = {self.ev(event)}\n"
                f"    AND d.date BETWEEN p.ep_start AND coalesce(p.ep_last, {AS_OF}){joins.sql('    ')}")
        union = "\n  UNION ALL\n".join(parts)
        self.emit(
            f"CREATE OR REPLACE TEMP TABLE {occ} AS\n"
            f"WITH t AS (\n{union}\n)\n"
            "SELECT t.child_id, t.opening_row, t.trigger, t.due, CASE WHEN a.date <= t.end_day THEN a.date END AS done,\n"
            "       t.trigger AS window_start, t.end_day, t.ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day,\n"
            "       t.due AS eff, FALSE AS na_birth\n"
            f"FROM t ASOF LEFT JOIN {self.days_of(ob.action)} a ON a.child_id = t.child_id AND a.date >= t.trigger")

    def _advance_notice(self, ob: Obligation, ep: str, occ: str) -> None:
        t = ob.timing
        assert t is not None and t.duration is not None
        joins = Joins("c")
        due = latest_notice_sql("t.trigger", t.duration, joins)
        acts = self.days_of(ob.action)
        self.emit(
            f"CREATE OR REPLACE TEMP TABLE {occ} AS\n"
            "WITH t AS (\n"
            f"  SELECT p.child_id, p.opening_row, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day, d.date AS trigger,\n"
            "         coalesce(lag(d.date) OVER (PARTITION BY p.child_id, p.ep_start ORDER BY d.date) + 1, p.ep_start) AS lo\n"
            f"  FROM {ep} p JOIN _days d ON d.child_id = p.child_id AND d.event = {self.ev(t.trigger)}\n"
            f"    AND d.date BETWEEN p.ep_start AND coalesce(p.ep_last, {AS_OF})\n"
            f"), u AS (\n  SELECT t.*, {due} AS due FROM t{joins.sql('  ')}\n"
            "), v AS (\n  SELECT u.*, greatest(u.lo, u.due + 1) AS lo_after FROM u\n"
            f"), w AS (\n  SELECT v.*, b.date AS before_day FROM v ASOF LEFT JOIN {acts} b ON b.child_id = v.child_id AND b.date <= v.due\n"
            f"), z AS (\n  SELECT w.*, a.date AS after_day FROM w ASOF LEFT JOIN {acts} a ON a.child_id = w.child_id AND a.date >= w.lo_after\n"
            ")\n"
            "SELECT child_id, opening_row, trigger, due,\n"
            "       CASE WHEN before_day >= lo THEN before_day WHEN after_day <= trigger THEN after_day END AS done,\n"
            "       lo AS window_start, end_day, ep_last IS NOT NULL AS closed, trigger AS close_day, due AS eff, FALSE AS na_birth\n"
            "FROM z")

    def _age_milestone(self, ob: Obligation, ep: str, occ: str) -> None:
        t = ob.timing
        assert t is not None
        joins = Joins("c")
        due = add_many_sql("c.birth", t.age, joins)
        self.emit(
            f"CREATE OR REPLACE TEMP TABLE {occ} AS\n"
            "WITH t AS (\n"
            f"  SELECT p.child_id, p.opening_row, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day,\n"
            f"         c.birth IS NULL AS na_birth, {due} AS due\n"
            f"  FROM {ep} p JOIN _child c ON c.child_id = p.child_id{joins.sql('  ')}\n"
            "), u AS (SELECT * FROM t WHERE na_birth OR ep_start <= due)\n"
            "SELECT u.child_id, u.opening_row, u.ep_start AS trigger, u.due,\n"
            "       CASE WHEN NOT u.na_birth AND a.date <= u.end_day THEN a.date END AS done,\n"
            "       u.ep_start AS window_start, u.end_day, u.ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day,\n"
            "       u.due AS eff, u.na_birth\n"
            f"FROM u ASOF LEFT JOIN {self.days_of(ob.action)} a ON a.child_id = u.child_id AND a.date >= u.ep_start")

    def _ordinal_milestone(self, ob: Obligation, ep: str, occ: str) -> None:
        t = ob.timing
        assert t is not None and t.ordinal is not None
        self.emit(
            f"CREATE OR REPLACE TEMP TABLE {occ} AS\n"
            "WITH t AS (\n"
            f"  SELECT p.*, coalesce(p.ep_last, {AS_OF}) AS end_day, f.idx AS first_idx\n"
            f"  FROM {ep} p ASOF LEFT JOIN {self.days_of(t.trigger, 'child_id, date, idx')} f\n"
            "    ON f.child_id = p.child_id AND f.date >= p.ep_start\n"
            "), u AS (\n"
            "  SELECT t.*, CASE WHEN n.date <= t.end_day THEN n.date END AS due FROM t\n"
            f"  LEFT JOIN _days n ON n.child_id = t.child_id AND n.event = {self.ev(t.trigger)} AND n.idx = t.first_idx + {int(t.ordinal) - 1}\n"
            ")\n"
            "SELECT u.child_id, u.opening_row, u.ep_start AS trigger, u.due, CASE WHEN a.date <= u.end_day THEN a.date END AS done,\n"
            "       u.ep_start AS window_start, u.end_day, u.ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day,\n"
            "       u.due AS eff, FALSE AS na_birth\n"
            f"FROM u ASOF LEFT JOIN {self.days_of(ob.action)} a ON a.child_id = u.child_id AND a.date >= u.ep_start")

    # ---- schedules and recurrences ----
    def _schedule(self, ob: Obligation, ep: str, occ: str) -> None:
        t = ob.timing
        assert t is not None and t.duration is not None
        self.chain(ob, ep, occ, t.trigger, [Step("within", t.duration), *t.steps], list(t.steps))

    def _recurrence(self, ob: Obligation, ep: str, occ: str) -> None:
        t = ob.timing
        assert t is not None and t.duration is not None
        every = Step("every", t.duration, t.until_event, t.until_ordinal, t.for_duration)
        self.chain(ob, ep, occ, t.trigger, [every], [every])

    def chain(self, ob: Obligation, ep: str, occ: str, trigger: str | None, first: list[Step],
              later: list[Step]) -> None:
        t = ob.timing
        assert t is not None
        if trigger:
            start = (f"  SELECT p.*, coalesce(p.ep_last, {AS_OF}) AS ep_end, d.date AS start\n"
                     f"  FROM {ep} p ASOF JOIN {self.days_of(trigger)} d ON d.child_id = p.child_id AND d.date >= p.ep_start\n"
                     f"  WHERE d.date <= coalesce(p.ep_last, {AS_OF})")
        else:
            start = f"  SELECT p.*, coalesce(p.ep_last, {AS_OF}) AS ep_end, p.ep_start AS start FROM {ep} p"
        restart_events: list[str] = []
        for r in t.restarts:
            e = self.p.canonical_event(r.event)
            if e not in restart_events:
                restart_events.append(e)
        spec_of = " ".join(f"WHEN {sql_string(e)} THEN {min(j for j, r in enumerate(t.restarts) if self.p.canonical_event(r.event) == e)}"
                           for e in restart_events)
        restarts = ""
        if restart_events:
            in_list = ", ".join(sql_string(e) for e in restart_events)
            restarts = (
                "  UNION ALL\n"
                f"  SELECT s.child_id, s.ep_start, d.date, min(CASE d.event {spec_of} END)\n"
                f"  FROM st s JOIN _days d ON d.child_id = s.child_id AND d.event IN ({in_list})\n"
                "    AND d.date > s.start AND d.date <= s.ep_end\n"
                "  GROUP BY s.child_id, s.ep_start, d.date\n")
        seg = f"{occ}_seg"
        self.emit(
            "-- segments: the chain starts at `start`; each restart day starts a new segment, and the one\n"
            "-- before it ends the day before\n"
            f"CREATE OR REPLACE TEMP TABLE {seg} AS\n"
            f"WITH st AS (\n{start}\n), g AS (\n"
            "  SELECT child_id, ep_start, start AS seg_start, -1 AS spec FROM st\n"
            f"{restarts}"
            ")\n"
            "SELECT g.child_id, g.ep_start, s.ep_last, s.ep_end, s.opening_row, g.seg_start, g.spec,\n"
            "       coalesce(lead(g.seg_start) OVER w - 1, s.ep_end) AS seg_last,\n"
            "       (lead(g.seg_start) OVER w IS NOT NULL OR s.ep_last IS NOT NULL) AS closed\n"
            "FROM g JOIN st s ON s.child_id = g.child_id AND s.ep_start = g.ep_start\n"
            "WINDOW w AS (PARTITION BY g.child_id, g.ep_start ORDER BY g.seg_start)")
        x = self.extension_table(ob, int(occ[2:])) if ob.extension is not None else None
        phases: list[str] = []
        pipelines = [(-1, first)] + [(j, [Step("within", r.duration), *later]) for j, r in enumerate(t.restarts)]
        for j, steps in pipelines:
            seed = (f"SELECT s.child_id, s.ep_start, s.ep_last, s.ep_end, s.opening_row, s.seg_last, s.closed,\n"
                    "         s.seg_start AS base, a.idx AS nxt\n"
                    f"  FROM {seg} s ASOF LEFT JOIN {self.days_of(ob.action, 'child_id, date, idx')} a\n"
                    f"    ON a.child_id = s.child_id AND a.date >= s.seg_start\n  WHERE s.spec = {j}")
            for k, step in enumerate(steps):
                name = f"{occ}_p{j + 1}_{k}"
                self.phase(ob, name, seed, step, x)
                phases.append(name)
                seed = (f"SELECT child_id, ep_start, ep_last, ep_end, opening_row, seg_last, closed, base, nxt\n"
                        f"  FROM {name} WHERE NOT go AND alive")
        union = "\nUNION ALL\n".join(
            "SELECT child_id, opening_row, o_trigger AS trigger, o_due AS due, o_done AS done, o_trigger AS window_start,\n"
            "       seg_last AS end_day, closed, CAST(NULL AS DATE) AS close_day, o_eff AS eff, FALSE AS na_birth\n"
            f"FROM {name} WHERE o_trigger IS NOT NULL" for name in phases)
        self.emit(f"CREATE OR REPLACE TEMP TABLE {occ} AS\n{union}")

    def phase(self, ob: Obligation, name: str, seed: str, step: Step, x: str | None) -> None:
        """One step of a chain as a recursive query: each round makes the next occurrence of every live chain.

        A row either stops the step (a bounded `every` whose next due date passes its bound: no
        occurrence, the chain goes on to the next step) or makes an occurrence. The chain stops
        (`alive` false) after an occurrence that is not done and falls due after the segment's last day.
        """
        bound_joins = Joins("b")
        if step.until_event:
            n = (step.until_ordinal or 1) - 1
            bound = "CASE WHEN u2.date <= q.ep_end THEN u2.date END"
            bound_from = (f"\n  ASOF LEFT JOIN {self.days_of(step.until_event, 'child_id, date, idx')} u1\n"
                          "    ON u1.child_id = q.child_id AND u1.date >= q.ep_start\n"
                          f"  LEFT JOIN _days u2 ON u2.child_id = q.child_id AND u2.event = {self.ev(step.until_event)}"
                          f" AND u2.idx = u1.idx + {n}")
        elif step.for_duration is not None:
            bound = add_sql("q.base", step.for_duration, bound_joins)
            bound_from = bound_joins.sql()
        else:
            bound, bound_from = "CAST(NULL AS DATE)", ""
        joins = Joins("c")
        trigger_day = self.p.trigger_day if step.kind == "within" else 0
        due = due_sql("r.base", step.duration, trigger_day, joins)
        done = "CASE WHEN a.date <= r.seg_last THEN a.date END"
        again = "TRUE" if step.kind == "every" else "FALSE"
        if x is not None:
            ejoins = Joins("k")
            eff = self.effective_sql(ob, "q", ejoins)
            ext_hi = f",\n             least({due}, r.seg_last, coalesce({done}, {due})) AS ext_hi"
            extension = (f"\n      ASOF LEFT JOIN {x} e ON e.child_id = q.child_id AND e.x <= q.ext_hi"
                         f"{ejoins.sql('      ')}")
        else:
            eff, ext_hi, extension = "q.due", "", ""
        self.emit(
            f"CREATE OR REPLACE TEMP TABLE {name} AS\n"
            "WITH RECURSIVE r AS (\n"
            "  SELECT q.child_id, q.ep_start, q.ep_last, q.ep_end, q.opening_row, q.seg_last, q.closed, q.base,\n"
            f"         q.base AS step_base, q.nxt, {bound} AS bound, TRUE AS go, TRUE AS alive,\n"
            "         CAST(NULL AS DATE) AS o_trigger, CAST(NULL AS DATE) AS o_due, CAST(NULL AS DATE) AS o_done,\n"
            "         CAST(NULL AS DATE) AS o_eff\n"
            f"  FROM ({seed}) q{bound_from}\n"
            "  UNION ALL\n"
            "  SELECT z.child_id, z.ep_start, z.ep_last, z.ep_end, z.opening_row, z.seg_last, z.closed,\n"
            "         CASE WHEN z.stop THEN z.base ELSE coalesce(z.done, z.eff) END,\n"
            "         z.step_base,\n"
            "         CASE WHEN NOT z.stop AND z.done IS NOT NULL THEN z.nxt + 1 ELSE z.nxt END,\n"
            "         z.bound,\n"
            f"         CASE WHEN z.stop THEN FALSE ELSE {again} AND (z.done IS NOT NULL OR z.eff <= z.seg_last) END,\n"
            "         CASE WHEN z.stop THEN TRUE ELSE (z.done IS NOT NULL OR z.eff <= z.seg_last) END,\n"
            "         CASE WHEN z.stop THEN NULL ELSE z.base END,\n"
            "         CASE WHEN z.stop THEN NULL ELSE z.due END,\n"
            "         CASE WHEN z.stop THEN NULL ELSE z.done END,\n"
            "         CASE WHEN z.stop THEN NULL ELSE z.eff END\n"
            "  FROM (\n"
            f"    SELECT q.*, (q.bound IS NOT NULL AND q.due > q.bound) AS stop, {eff} AS eff\n"
            "    FROM (\n"
            "      SELECT r.child_id, r.ep_start, r.ep_last, r.ep_end, r.opening_row, r.seg_last, r.closed, r.base,\n"
            f"             r.step_base, r.nxt, r.bound, {due} AS due,\n"
            f"             {done} AS done, r.base AS window_start{ext_hi}\n"
            f"      FROM r{joins.sql('      ')}\n"
            f"      LEFT JOIN _days a ON a.child_id = r.child_id AND a.event = {self.ev(ob.action)} AND a.idx = r.nxt\n"
            "      WHERE r.go\n"
            f"    ) q{extension}\n"
            "  ) z\n"
            ")\n"
            "SELECT * FROM r WHERE NOT go OR o_trigger IS NOT NULL")

    # ---- outcome ----
    def finish(self, ob: Obligation, occ: str, index: int) -> None:
        conds = ["NOT o.na_birth"]
        joins = Joins("g")
        needs_row = False
        for c in ob.conditions:
            conds.append(self.condition(c, joins))
            needs_row = needs_row or c.kind == "attribute"
        needs_child = any(c.kind == "age" for c in ob.conditions)
        cond = "(" + " AND ".join(conds) + ")"
        met = "o.done IS NOT NULL AND (o.due IS NULL OR o.done <= o.due)"
        extended = "o.done IS NOT NULL AND o.eff > o.due AND o.done <= o.eff"
        row_join = "\nLEFT JOIN _ev r ON r.row = o.opening_row" if needs_row else ""
        child_join = "\nLEFT JOIN _child ch ON ch.child_id = o.child_id" if needs_child else ""
        self.emit(
            "INSERT INTO audit_rows\n"
            f"SELECT o.child_id, {sql_string(ob.id)}, {sql_string(clause_of(ob))}, o.trigger,\n"
            f"  CASE WHEN {met} THEN o.due ELSE o.eff END,\n"
            f"  CASE WHEN {cond} THEN o.done END,\n"
            f"  CASE WHEN NOT {cond} THEN 'not_applicable'\n"
            f"       WHEN {met} THEN 'met'\n"
            f"       WHEN {extended} THEN 'extended'\n"
            "       WHEN o.done IS NOT NULL THEN 'met_late'\n"
            "       WHEN o.eff IS NULL THEN CASE WHEN o.closed THEN 'discharged' ELSE 'pending' END\n"
            "       WHEN o.eff > o.end_day THEN CASE WHEN o.closed THEN 'discharged' WHEN o.eff > o.due THEN 'extended' ELSE 'pending' END\n"
            "       ELSE 'overdue' END,\n"
            f"  CASE WHEN NOT {cond} THEN NULL\n"
            f"       WHEN {met} THEN 0\n"
            f"       WHEN {extended} THEN 0\n"
            "       WHEN o.done IS NOT NULL THEN w2.n - w1.n\n"
            "       WHEN o.eff IS NULL OR o.eff > o.end_day THEN NULL\n"
            "       ELSE w3.n - w1.n END,\n"
            f"  {index}\n"
            f"FROM {occ} o{row_join}{child_join}\n"
            "LEFT JOIN _cal w1 ON w1.d = o.eff\n"
            "LEFT JOIN _cal w2 ON w2.d = o.done\n"
            f"LEFT JOIN _cal w3 ON w3.d = coalesce(o.close_day, o.end_day){joins.sql('')}")

    def condition(self, c: Condition, joins: Joins) -> str:
        if c.kind == "attribute":
            col = f"r.{attribute_column(c.attribute or '')}"
            values = ", ".join(sql_string(v) for v in sorted(set(c.values))) or "NULL"
            op = "NOT IN" if c.negated else "IN"
            return f"({col} IS NOT NULL AND {col} <> '' AND {col} {op} ({values}))"
        threshold = add_many_sql("ch.birth", c.age, joins)
        op = {"under": "<", "over": ">"}.get(c.comparison or "", ">=")
        return f"(ch.birth IS NOT NULL AND o.trigger {op} {threshold})"


def _durations(ob: Obligation) -> list[Duration]:
    t = ob.timing
    if t is None:
        return []
    out = [d for d in (t.duration, t.for_duration) if d is not None]
    out += [s.duration for s in t.steps] + [s.for_duration for s in t.steps if s.for_duration is not None]
    out += [r.duration for r in t.restarts] + list(t.age)
    if ob.extension is not None:
        out.append(ob.extension.duration)
    for c in ob.conditions:
        out += list(c.age)
    return out


def generate_sql(policy: Policy) -> str:
    """The DuckDB audit script for `policy` as text."""
    return "".join(sql_chunks(policy))


def sql_chunks(policy: Policy) -> list[str]:
    """The script in pieces: the set-up, then one piece per measurable obligation (for progress)."""
    s = _Script(policy)
    s.out.append(
        "-- Generated by policyc (compiler/emitters/checker_sql.py). Do not edit: edit the policy and rebuild.\n"
        "-- Audit checks for DuckDB; the semantics are in docs/audit.md.\n"
        "-- Input:  table events(row BIGINT, child_id VARCHAR, event VARCHAR, date DATE, extended_until DATE,\n"
        "--         date_of_birth DATE, and one VARCHAR column attr_NAME for each attribute a condition reads),\n"
        "--         accepted rows only, events under their canonical ids; dates between 1900 and 2099;\n"
        "--         SET VARIABLE as_of = DATE 'YYYY-MM-DD' (records after it are ignored).\n"
        "-- Output: audit_obligations (one row per obligation) and audit_rows (one row per occurrence;\n"
        "--         ORDER BY child_id, ob_order, trigger_date, due_date, done_date, outcome, working_days_late).\n\n")
    s.emit(
        "CREATE OR REPLACE TEMP TABLE audit_obligations(ob_order INTEGER, obligation VARCHAR, title VARCHAR, "
        "clause VARCHAR, quote VARCHAR, form VARCHAR, not_measurable VARCHAR)")
    values = []
    for i, ob in enumerate(policy.obligations):
        reason = not_measurable(policy, ob)
        quote = ob.citations[0].quote if ob.citations else ""
        form = ob.timing.kind if ob.timing else "none"
        values.append(f"  ({i}, {sql_string(ob.id)}, {sql_string(ob.title)}, {sql_string(clause_of(ob))}, "
                      f"{sql_string(quote)}, {sql_string(form)}, {sql_string(reason) if reason else 'NULL'})")
    if values:
        s.emit("INSERT INTO audit_obligations VALUES\n" + ",\n".join(values))
    s.emit(
        "CREATE OR REPLACE TEMP TABLE audit_rows(child_id VARCHAR, obligation VARCHAR, clause VARCHAR, "
        "trigger_date DATE, due_date DATE, done_date DATE, outcome VARCHAR, working_days_late INTEGER, ob_order INTEGER)")
    s.inputs()
    s.calendar()
    for i, ob in enumerate(policy.obligations):
        if not_measurable(policy, ob) is None:
            s.obligation(ob, i)
    return ["".join(chunk) for chunk in s.chunks]

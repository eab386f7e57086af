"""Generate the SQL checks of a policy: the same occurrences as the Python checker.

The script reads the tables `events`, `children`, `audit_params` (the as-of date) and
`audit_unrecorded`, and makes `audit_obligations` and the view `audit_rows` (see the header it
writes). It is one text for DuckDB (the embedded default), PostgreSQL and Spark SQL, but for the few
constructs that `sqltext.Dialect` writes per engine (docs/decisions.md, "Portable checkers"). Policy text is data: every string literal goes
through `sql_string` (quotes doubled) and every identifier through `sql_ident`; comments carry only
text that the generator writes itself. Dates use a calendar table with a running working-day
number, so working days are two equality joins (never a date-range join). The output is
deterministic: the same policy gives the same bytes.

An episode is told apart by child and episode number (`ep_no`, numbered from 1 per child and status),
never by its days: a status that ends and starts again on one day, with an obligation that applies
from a decision made that day, gives two episodes that start on the same day, and an `unless` event
that day too makes them both one day long, with the same start and last day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import assert_never

from compiler.emitters.sqltext import (
    DUCKDB,
    Dialect,
    Joins,
    add_many_sql,
    add_sql,
    due_sql,
    latest_notice_sql,
    sql_ident,
    sql_string,
    unit_shape,
)
from compiler.model.ir import (
    AdvanceNotice,
    AgeLimit,
    AgeMilestone,
    AttributeIs,
    Bound,
    Condition,
    CountRecurrence,
    Deadline,
    Every,
    For,
    InProse,
    MinimumPeriod,
    Obligation,
    OrdinalMilestone,
    Policy,
    Recurrence,
    Schedule,
    Setting,
    Share,
    Step,
    Timing,
    Until,
    Vague,
    Within,
    durations_of,
    form_of,
    setting_of,
)
from compiler.model.semantics import (
    FIRST_YEAR,
    LAST_YEAR,
    OUTCOMES,
    attributes_used,
    audited,
    clause_of,
    clock_deadline,
    clock_seconds,
    extension_event,
    fixed,
    has_clock,
    narrowing,
    not_measurable,
    status_events,
)
from compiler.model.timescales import Duration, bank_holidays, bounds_in_days

__all__ = [
    "AS_OF", "FIRST_YEAR", "LAST_YEAR", "OUTCOME_CODES", "RESULT_COLUMNS", "ROW_ORDER", "Joins", "SqlPlan", "add_sql",
    "due_sql", "generate_sql", "latest_notice_sql", "ordered_result_sql", "parameters", "result_select", "sql_ident",
    "sql_plan", "sql_string", "unit_shape",
]

#: the as-of date: the one row of the parameters table
AS_OF = "(SELECT as_of FROM audit_params)"
#: the columns of an occurrence view (what `finish` reads)
OCC_COLUMNS = ("child_id", "trigger", "due", "done", "window_start", "end_day", "closed", "close_day", "eff", "na_birth")
#: the letters of the occurrence views of an obligation's parts (`_o3`, `_p3`...): none that names another table
PART_LETTERS = "opqtuvwyzabcfghijklm"
#: the further columns of the occurrence view of a deadline in hours (`clock_deadline`)
CLOCK_COLUMNS = ("on_times", "on_time")
#: the named result (the view audit_result), in this order
RESULT_COLUMNS = ("child_id", "obligation", "clause", "trigger_date", "due_date", "done_date", "outcome",
                  "working_days_late", "step", "ob_order")
#: audit_rows stores each outcome as a small code; the view audit_result shows the name
#: (numbered in alphabetical order, so that sorting by code sorts by name)
OUTCOME_CODES = {outcome: code for code, outcome in enumerate(sorted(OUTCOMES), start=1)}
#: the order of the audit's rows
ROW_ORDER = ("child_id, ob_order, trigger_date, due_date NULLS LAST, done_date NULLS LAST, outcome, "
             "working_days_late NULLS LAST, step NULLS LAST")


# ---- the script -------------------------------------------------------------------------------------
class _Script:
    def __init__(self, policy: Policy, dialect: Dialect):
        self.p = policy
        self.d = dialect
        self.out: list[str] = []  # where emit() writes: the set-up, then each obligation's piece
        self.setup = self.out
        self.chunks: list[list[str]] = []
        self.shared: list[list[str]] = []  # episode and day tables: independent of each other
        self.episodes: dict[tuple[frozenset[str], frozenset[str]] | None, str] = {}
        self.attributes = attributes_used(policy)
        self.days: dict[str, str] = {}  # event (canonical) -> its day table
        self.day_pieces: dict[str, list[str]] = {}  # event -> the shared piece that makes its day table
        self.numbered: set[str] = set()  # the events whose day tables are read by number (`idx`)
        self.times: dict[str, str] = {}
        self.child_at: int | None = None  # where in the set-up `_child` goes, if a statement reads it
        self.child_read = False
        self.scratch: list[tuple[str, str]] = []  # tables and views of the current obligation
        self.views: dict[str, tuple[str, str]] = {}  # the obligation's views to inline: name -> (comment, select)
        self.inlining = False  # whether `view` keeps views to inline (in an obligation, where the dialect does)
        self.results: list[str] = []  # the tables of result rows, in order (audit_rows is their union)
        self.comment = ""  # text put before the next statement

    def emit(self, *statements: str) -> None:
        for s in statements:
            self.out.append(self.comment + s.rstrip())
            self.comment = ""

    def table(self, name: str, select: str, comment: str = "", result: bool = False) -> None:
        self.comment += comment
        self.emit(*self.d.create_table(name, self.with_views(select), step=self.out is not self.setup, result=result))

    def view(self, name: str, select: str, comment: str = "") -> None:
        """A view of the set-up, or of an obligation: where the dialect inlines views (`inline_views`), an
        obligation's view is kept here and written into each statement that reads it (`with_views`)."""
        if self.inlining:
            self.views[name] = (comment, select)
            return
        self.comment += comment
        self.emit(*self.d.create_view(name, select))

    def with_views(self, select: str) -> str:
        """`select` with the obligation's inlined views that it reads, directly or through another of them,
        as common table expressions before its own (in the order they were made: a view reads only
        earlier ones)."""
        def reads(text: str, name: str) -> bool:
            return re.search(rf"\b{re.escape(name)}\b", text) is not None

        needed: set[str] = set()
        for name in reversed(self.views):
            if reads(select, name) or any(reads(self.views[later][1], name) for later in needed):
                needed.add(name)
        if not needed:
            return select
        ctes = ",\n".join(f"{comment}{name} AS NOT MATERIALIZED (\n{body}\n)"
                          for name, (comment, body) in self.views.items() if name in needed)
        head = select.lstrip()
        for keyword in ("WITH RECURSIVE ", "WITH "):
            if head.startswith(keyword):
                return f"{keyword.rstrip()}\n{ctes},\n{head[len(keyword):]}"
        return f"WITH\n{ctes}\n{select}"

    def share(self, name: str, select: str, comment: str = "") -> None:
        statements = self.d.create_table(name, select)
        self.shared.append([comment + statements[0], *statements[1:]])

    def s(self, text: str) -> str:
        return self.d.string(text)

    def ev(self, name: str | None) -> str:
        assert name is not None
        return self.s(self.p.canonical_event(name))

    def col(self, attribute: str) -> str:
        return self.d.attribute(attribute)

    def day_table(self, event: str | None, numbered: bool = False) -> str:
        """The table of an event's distinct days per child, made when first needed; numbered from 1 (`idx`)
        if a statement asks for the numbers (`numbered`): the window that numbers them costs as much as the
        DISTINCT, and two in three day tables are read only by date. Its statement is written at the end
        (`day_statements`), once every reader has said whether it needs `idx`."""
        assert event is not None
        canonical = self.p.canonical_event(event)
        if canonical not in self.days:
            self.days[canonical] = f"_d{len(self.days)}"
            self.day_pieces[canonical] = []  # filled by `day_statements`
            self.shared.append(self.day_pieces[canonical])
        if numbered:
            self.numbered.add(canonical)
        return self.days[canonical]

    def day_statements(self) -> None:
        """Write the statement of each day table into its place among the shared pieces."""
        for canonical, piece in self.day_pieces.items():
            idx = (", CAST(row_number() OVER (PARTITION BY child_id ORDER BY date) AS INTEGER) AS idx"
                   if canonical in self.numbered else "")
            if idx or self.d.neighbours:
                select = (f"SELECT child_id, date{idx}{self.d.neighbour_columns('date')}\n"
                          f"FROM (SELECT DISTINCT child_id, date FROM _ev WHERE event = {self.s(canonical)}) e")
            else:
                select = f"SELECT DISTINCT child_id, date FROM _ev WHERE event = {self.s(canonical)}"
            piece[:] = self.d.create_table(self.days[canonical], select)

    def time_table(self, event: str) -> str:
        """The table of an event's days per child with the earliest time of day of its records that day in
        seconds (`secs`; NULL if one of them has no time), made when first needed."""
        return self._per_event(self.times, "_t", event,
                               "SELECT child_id, date, CASE WHEN count(time_of_day) = count(*) THEN min(time_of_day) END AS secs"
                               f"{self.d.neighbour_columns('date')}\n"
                               "FROM _ev WHERE event = {event} GROUP BY child_id, date",
                               "-- an event's days with its earliest time of day (seconds after midnight), if every record has one\n")

    def _per_event(self, made: dict[str, str], prefix: str, event: str, select: str, comment: str = "") -> str:
        """The shared table `prefix`N of `event` (its canonical id in `select`'s `{event}`), made when first needed."""
        canonical = self.p.canonical_event(event)
        if canonical not in made:
            made[canonical] = f"{prefix}{len(made)}"
            self.share(made[canonical], select.replace("{event}", self.s(canonical)), comment)
        return made[canonical]

    def result(self, index: int, select: str) -> None:
        """A table of result rows: `select` gives child_id, trigger, due, done, outcome (a code), late, step,
        on_times."""
        name = f"_r{index}_{sum(r.startswith(f'_r{index}_') for r in self.results)}"
        self.results.append(name)
        # DuckDB keeps the child's key as the input has it (the audit's integer key, named when written)
        child = "child_id" if self.d.name == "duckdb" else f"CAST(child_id AS {self.d.text})"
        self.table(name, f"SELECT {child} AS child_id, CAST({index} AS SMALLINT) AS ob_order, "
                   "CAST(trigger AS DATE) AS trigger_date, CAST(due AS DATE) AS due_date, "
                   "CAST(done AS DATE) AS done_date, CAST(outcome AS SMALLINT) AS outcome, "
                   f"CAST(late AS INTEGER) AS working_days_late, CAST(step AS SMALLINT) AS step, "
                   f"CAST(on_times AS BOOLEAN) AS on_times\nFROM (\n{select}\n) res", result=True)

    def not_applicable(self, index: int, start: str, source: str, where: str) -> None:
        self.result(index, f"SELECT child_id, {start} AS trigger, NULL AS due, NULL AS done, "
                           f"{OUTCOME_CODES['not_applicable']} AS outcome, NULL AS late, NULL AS step, NULL AS on_times "
                           f"FROM {source} WHERE {where}")

    def unrecorded(self, kind: str, name: str) -> str:
        """True if the data's source never records event or attribute `name` (table audit_unrecorded)."""
        return f"{self.s(name)} IN (SELECT name FROM audit_unrecorded WHERE kind = {self.s(kind)})"

    # ---- calendar and episodes ----
    def calendar(self) -> None:
        span = 0
        for ob in self.p.obligations:
            if not_measurable(self.p, ob) is not None:
                continue
            for d in _durations(ob):
                span += bounds_in_days(d)[1]
        # every date the checks can reach: input dates, plus or minus all the policy's durations at once
        first = dt.date.fromordinal(max(1, dt.date(FIRST_YEAR, 1, 1).toordinal() - span - 400))
        last = dt.date.fromordinal(min(dt.date.max.toordinal(), dt.date(LAST_YEAR, 12, 31).toordinal() + span + 400))
        hols = [str(d) for d in bank_holidays()]
        rows = ",\n".join("  " + ", ".join(f"(DATE '{h}')" for h in hols[i:i + 6]) for i in range(0, len(hols), 6))
        workday = f"{self.d.weekday('c.d')} AND h.d IS NULL"
        self.table("_bank_holidays", f"SELECT CAST(d AS DATE) AS d FROM (VALUES\n{rows}\n) AS v(d)",
                   "-- the calendar: England and Wales working days (Monday to Friday, not a bank holiday of\n"
                   "-- `holidays.country_holidays('GB', subdiv='ENG')`), with a running number of working days\n")
        self.table("_cal",
                   f"SELECT c.d, ({workday}) AS wd,\n"
                   f"       CAST(sum(CASE WHEN {workday} THEN 1 ELSE 0 END) OVER (ORDER BY c.d) AS INTEGER) AS n\n"
                   f"FROM {self.d.dates(first, last)}\n"
                   "LEFT JOIN _bank_holidays h ON h.d = c.d")
        self.table("_wd", "SELECT n, d FROM _cal WHERE wd")
        if self.d.calendar_list:
            self.table("_cal_list", "SELECT min(d) AS d0, list(n ORDER BY d) AS ns FROM _cal")

    def inputs(self) -> None:
        self.view("_ev", f"SELECT * FROM events WHERE date <= {AS_OF}",
                  "-- the records up to the as-of date (the loader stores `events` sorted by event, so that reading\n"
                  "-- one event skips the rest; any order gives the same result)\n")
        self.child_at = len(self.setup)  # `_child` goes here if a statement reads it (`child_table`)

    def child_table(self) -> str:
        """The table `_child`, put in the set-up by `sql_plan` once the script is written, and only if a statement
        reads it (this says one does): it scans every record, and a policy without episodes that apply always,
        age conditions or age milestones (the benchmark's three rules) reads it nowhere."""
        self.child_read = True
        return "_child"

    def child_statements(self) -> list[str]:
        """The statements that make `_child`: per child, the date of birth and the first record."""
        attrs = "".join(f", coalesce(r.{self.col(a)}, c.{self.col(a)}) AS {self.col(a)}" for a in self.attributes)
        first_record = "\nLEFT JOIN _ev r ON r.row = f.first_row" if self.attributes else ""
        # the first record is the least (day, row): one aggregate of day number * 2^64 + row + 2^63, exact for
        # every BIGINT row in a 128-bit integer or DECIMAL(38, 0)
        wide = self.d.wide_integer
        statements = self.d.create_table(
            "_child",
            f"SELECT f.child_id, c.date_of_birth AS birth, f.first_day, f.first_row{attrs}\n"
            f"FROM (SELECT child_id, first_day,\n"
            f"             CAST(m - CAST({self.d.day_number('first_day')} AS {wide}) * {2 ** 64} - {2 ** 63} AS BIGINT) AS first_row\n"
            f"      FROM (SELECT child_id, min(date) AS first_day,\n"
            f"                   min(CAST({self.d.day_number('date')} AS {wide}) * {2 ** 64} + CAST(row AS {wide}) + {2 ** 63}) AS m\n"
            "            FROM _ev GROUP BY child_id) g) f\n"
            f"LEFT JOIN children c ON c.child_id = f.child_id{first_record}")
        comment = "-- per child: the date of birth, and the first record (where obligations that apply always start)\n"
        return [comment + statements[0], *statements[1:]]

    @property
    def ep_columns(self) -> str:
        """The columns of an episode table."""
        return ", ".join(["child_id", "ep_no", "ep_start", "ep_last", "opening_row", *(self.col(a) for a in self.attributes)])

    def episode_table(self, ob: Obligation) -> str:
        key = status_events(self.p, ob.status)
        if key in self.episodes:
            return self.episodes[key]
        name = f"_ep{len(self.episodes)}"
        self.episodes[key] = name
        if key is None:
            attrs = "".join(f", {self.col(a)}" for a in self.attributes)
            self.share(name,
                       f"SELECT child_id, 1 AS ep_no, first_day AS ep_start, CAST(NULL AS DATE) AS ep_last, first_row AS opening_row{attrs}\n"
                       f"FROM {self.child_table()}",
                       "-- episodes of obligations that apply always: from the child's first record, never closed\n")
            return name
        enter, leave = key
        e_list = ", ".join(self.s(e) for e in sorted(enter))  # never empty: see not_measurable
        attrs = "".join(f", coalesce(r.{self.col(a)}, ch.{self.col(a)}) AS {self.col(a)}" for a in self.attributes)
        columns = "".join(f", {self.col(a)}" for a in self.attributes)
        opening = (f"\nLEFT JOIN (SELECT row{columns} FROM _ev WHERE event IN ({e_list})) r ON r.row = s.opening_row"
                   "\nLEFT JOIN children ch ON ch.child_id = s.child_id" if self.attributes else "")
        day_number = self.d.day_number("date")
        w = "OVER (PARTITION BY child_id ORDER BY date"
        entering = f"SELECT child_id, date, min(row) AS opening_row FROM _ev WHERE event IN ({e_list}) GROUP BY child_id, date"
        if leave:
            # each entering day with the leaving records from it up to the next entering day (`next_start`):
            # whether one is that day (`b`), and the first leaving day after it (`nl`), NULL if there is none
            # before the next entering day (then it is no gap). Bounded so, a leaving record meets one entering
            # day, not every one before it: the join and the GROUP BY after it have a third fewer rows
            entering = (f"SELECT e.*, lead(date) {w}) AS next_start\n"
                        f"  FROM ({entering}) e")
            leaving = (
                "  SELECT s.child_id, s.date, min(s.opening_row) AS opening_row,\n"
                "         coalesce(bool_or(v.date = s.date), FALSE) AS b, min(CASE WHEN v.date > s.date THEN v.date END) AS nl\n"
                f"  FROM en s LEFT JOIN (SELECT child_id, date FROM _ev WHERE event IN ({', '.join(self.s(e) for e in sorted(leave))})) v\n"
                "    ON v.child_id = s.child_id AND v.date >= s.date AND (s.next_start IS NULL OR v.date < s.next_start)\n"
                "  GROUP BY s.child_id, s.date")
        else:  # a final status: nothing leaves it
            leaving = "  SELECT child_id, date, opening_row, FALSE AS b, CAST(NULL AS DATE) AS nl FROM en"
        self.share(name,
                   "WITH en AS (\n"
                   f"  {entering}\n"
                   f"), g AS (\n{leaving}\n"
                   "), h AS (\n"
                   "  SELECT g.*, nl IS NOT NULL AS gap FROM g\n"
                   "), p AS (\n"
                   f"  SELECT h.*, coalesce(max(CASE WHEN gap THEN {day_number} * 2 WHEN NOT b THEN {day_number} * 2 + 1 END)\n"
                   f"    {w} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) % 2, 0) AS prev\n"
                   "  FROM h\n"
                   "), q AS (\n"
                   "  SELECT p.*, (b OR prev = 0) AS is_start, CASE WHEN b THEN date END AS b_end,\n"
                   "         CASE WHEN gap AND (NOT b OR prev = 1) THEN nl END AS gap_end\n"
                   "  FROM p\n"
                   "), n AS (\n"
                   f"  SELECT q.*, min(coalesce(b_end, gap_end)) {w} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later_end,\n"
                   f"         CAST(sum(CASE WHEN is_start THEN 1 ELSE 0 END) {w} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS INTEGER) AS ep_no\n"
                   "  FROM q\n"
                   ")\n"
                   "SELECT s.child_id, s.ep_no, s.date AS ep_start,\n"
                   "       CASE WHEN s.b AND s.prev = 0 THEN s.date ELSE coalesce(s.gap_end, s.later_end) END AS ep_last,\n"
                   f"       s.opening_row{attrs}\n"
                   f"FROM n s{opening}\n"
                   "WHERE s.is_start",
                   "-- episodes of a status: a day with only entering events opens one (if none is open), a day with\n"
                   "-- only leaving events closes it; a day with both ends the open episode and starts another, or is\n"
                   "-- an episode of one day. Only the entering days and, for each, the first leaving day after it\n"
                   "-- (before the next entering day: the `gap`) matter. `prev` is the kind of the last one-kind day\n"
                   "-- before (1 open, 0 closed): the running maximum of (day number * 2 + kind) over the days before,\n"
                   "-- modulo 2, where a gap counts as closed (0) and an entering-only day as open (1). An episode\n"
                   "-- ends on its own day (one day long: a day with both, none open), or at the first closing after\n"
                   "-- it: a gap's first leaving day while open, or a later day with both. `ep_no` numbers the\n"
                   "-- child's episodes from 1: with child_id, the key of an episode.\n")
        return name

    # ---- one obligation ----
    def obligation(self, ob: Obligation, index: int) -> None:
        t = ob.timing
        assert t is not None
        self.out = []
        self.chunks.append(self.out)
        self.comment = f"-- obligation #{index + 1} ({form_of(t)})\n"
        self.inlining = self.d.inline_views
        ep = self.episode_table(ob)
        attribute_conditions = [f"({self.unrecorded('attribute', c.attribute)} OR "
                                f"{self.condition(c, Joins('a'))})" for c in ob.conditions if isinstance(c, AttributeIs)]
        n = narrowing(self.p, ob)
        if attribute_conditions or n.excluded:
            applies = " AND ".join([f"coalesce({' AND '.join(attribute_conditions)}, FALSE)"] if attribute_conditions
                                   else ["TRUE"])
            for cs in n.excluded:
                applies += f" AND NOT coalesce({' AND '.join(self.condition(c, Joins('a')) for c in cs)}, FALSE)"
            self.table(f"_e{index}", f"SELECT r.*, {applies} AS applies FROM {ep} r",
                       "-- attribute conditions, read once per episode from the record that opened it (and no exception\n"
                       "-- `instead of` this obligation covering it): an episode where they are not met gives one\n"
                       "-- not_applicable row and no occurrences\n")
            self.not_applicable(index, "ep_start", f"_e{index}", "NOT applies")
            self.scratch.append(("TABLE", f"_e{index}"))
            ep = f"(SELECT {self.ep_columns} FROM _e{index} WHERE applies)"
        if n.starts or n.cuts:
            ep = self.narrow(ep, n.starts, n.cuts, index)
        # the occurrence views of the obligation's parts: `_oN` first; each name is `_` and a letter before the
        # index, which the chains read back
        names = iter(f"_{letter}{index}" for letter in PART_LETTERS)
        setting = setting_of(t)
        if setting is None:
            self.judge(ob, t, ep, index, names)
        else:
            for duration, part in self.settings(setting, ep, index):
                self.judge(ob, fixed(t, duration), part, index, names)
        # drop what this obligation made: views first (the later ones read the earlier), then tables
        # (an inlined view was never made)
        made = [m for m in dict.fromkeys(self.scratch) if m[1] not in self.views]
        for kind, name in [*reversed([m for m in made if m[0] == "VIEW"]), *[m for m in made if m[0] != "VIEW"]]:
            self.emit(*self.d.drop(kind, name))
        self.scratch = []
        self.views = {}
        self.inlining = False

    def settings(self, setting: Setting, ep: str, index: int) -> list[tuple[Duration, str]]:
        """`every|within ATTRIBUTE as set at EVENT`: the value of ATTRIBUTE on the record of the first EVENT of each
        episode (table `_sN`); an episode with EVENT and no value that sets a timescale gives one no_data row.
        Returns, for each value, its timescale and the episodes set to it."""
        name = f"_s{index}"
        col = self.col(setting.attribute)
        first = (f"(SELECT min(d.date) FROM {self.day_table(setting.event)} d WHERE d.child_id = q.child_id "
                 f"AND d.date BETWEEN q.ep_start AND coalesce(q.ep_last, {AS_OF}))")
        self.table(name,
                   f"SELECT p.*, CASE WHEN f.row IS NULL OR {self.unrecorded('attribute', setting.attribute)} THEN NULL "
                   f"ELSE coalesce(v.{col}, ch.{col}) END AS setting\n"
                   f"FROM (SELECT q.*, {first} AS set_day FROM {ep} q) p\n"
                   f"LEFT JOIN (SELECT child_id, date, min(row) AS row FROM _ev WHERE event = {self.ev(setting.event)} "
                   "GROUP BY child_id, date) f ON f.child_id = p.child_id AND f.date = p.set_day\n"
                   f"LEFT JOIN (SELECT row, {col} FROM _ev WHERE event = {self.ev(setting.event)}) v ON v.row = f.row\n"
                   "LEFT JOIN children ch ON ch.child_id = p.child_id",
                   f"-- a timescale set per child: `{setting.attribute}` on the record of the first "
                   f"{self.p.canonical_event(setting.event)} of the episode\n")
        self.scratch.append(("TABLE", name))
        values = ", ".join(self.s(v) for v, _ in setting.choices)
        self.result(index, f"SELECT child_id, set_day AS trigger, NULL AS due, NULL AS done, {OUTCOME_CODES['no_data']} "
                           f"AS outcome, NULL AS late, NULL AS step, NULL AS on_times FROM {name} WHERE set_day IS NOT NULL AND (setting IS NULL OR "
                           f"setting NOT IN ({values}))")
        return [(d, f"(SELECT {self.ep_columns} FROM {name} WHERE setting = {self.s(v)})") for v, d in setting.choices]

    def judge(self, ob: Obligation, t: Timing, ep: str, index: int, names: Iterator[str]) -> None:
        """The rows of the episodes `ep`. Exceptions in prose with attribute conditions may apply only in the
        episodes where the conditions of one of them hold: their occurrences are made apart and finished with
        failures as no_data, the other episodes' as usual."""
        n = narrowing(self.p, ob)
        if n.prose_when and all(n.prose_when):
            sets = " OR ".join("(" + " AND ".join(f"({self.unrecorded('attribute', c.attribute)} OR "
                                                  f"{self.condition(c, Joins('a'))})" for c in cs) + ")"
                               for cs in n.prose_when)
            self.parts(ob, t, f"(SELECT {self.ep_columns} FROM {ep} r WHERE NOT coalesce({sets}, FALSE))", next(names),
                       index, excusable=False)
            self.parts(ob, t, f"(SELECT {self.ep_columns} FROM {ep} r WHERE coalesce({sets}, FALSE))", next(names),
                       index, excusable=True)
        else:
            self.parts(ob, t, ep, next(names), index, excusable=bool(n.in_prose))

    def parts(self, ob: Obligation, t: Timing, ep: str, occ: str, index: int, excusable: bool) -> None:
        """The occurrences of the episodes `ep` (view `occ`), extended and finished; `excusable`: an exception in
        prose may apply to them, so that what would be overdue or late is no_data."""
        self.occurrences(ob, t, ep, occ)
        self.scratch.append(("VIEW", occ))
        if ob.extension is not None and isinstance(t, Deadline | AgeMilestone | OrdinalMilestone):
            occ = self.extensions(ob, occ, index)
        self.finish(ob, occ, index, excusable)

    def narrow(self, ep: str, starts: tuple[str, ...], cuts: tuple[str, ...], index: int) -> str:
        """The part of each episode in which the obligation applies: from the first `starts` event (an
        episode without one gives a not_applicable row), to the first `cuts` event from then, which closes it."""
        def first(events: tuple[str, ...], lo: str) -> str:
            days = " UNION ALL ".join(f"SELECT child_id, date FROM {self.day_table(e)}" for e in events)
            return (f"(SELECT min(d.date) FROM ({days}) d WHERE d.child_id = p.child_id "
                    f"AND d.date BETWEEN {lo} AND coalesce(p.ep_last, {AS_OF}))")
        name = f"_n{index}"
        start = first(starts, "p.ep_start") if starts else "p.ep_start"
        others = "".join(f", p.{c}" for c in ["ep_no", "opening_row", *(self.col(a) for a in self.attributes)])
        self.table(name, f"SELECT p.child_id, {start} AS ep_start, p.ep_last{others}, p.ep_start AS whole_start FROM {ep} p",
                   "-- exceptions: the obligation applies from its `decided by` decision, and stops at the first\n"
                   "-- `unless` event or decision of an exception that relaxes it\n")
        self.scratch.append(("TABLE", name))
        if starts:
            self.not_applicable(index, "whole_start", name, "ep_start IS NULL")
        ep = f"(SELECT {self.ep_columns} FROM {name} WHERE ep_start IS NOT NULL)"
        if not cuts:
            return ep
        self.table(f"{name}c", f"SELECT p.child_id, p.ep_start, coalesce({first(cuts, 'p.ep_start')}, p.ep_last) "
                               f"AS ep_last{others} FROM {ep} p")
        self.scratch.append(("TABLE", f"{name}c"))
        return f"{name}c"

    def extension_table(self, ob: Obligation, index: int) -> str:
        name = f"_x{index}"
        if ("TABLE", name) in self.scratch:  # made for the other part of the obligation's episodes
            return name
        self.table(name, f"SELECT child_id, x, u{self.d.neighbour_columns('x')}\n"
                         f"FROM (SELECT child_id, date AS x, max(extended_until) AS u FROM _ev\n"
                         f"      WHERE event = {self.s(extension_event(ob.id))} AND extended_until IS NOT NULL "
                         "GROUP BY child_id, date) e")
        self.scratch.append(("TABLE", name))
        return name

    def effective_sql(self, ob: Obligation, q: str, joins: Joins) -> str:
        """The due date after the extension found by the ASOF join `e` (window start `window`)."""
        assert ob.extension is not None
        cap = add_sql(f"{q}.due", ob.extension.duration, joins)
        return (f"CASE WHEN e.x IS NOT NULL AND e.x >= {q}.window_start AND {q}.due IS NOT NULL "
                f"THEN greatest({q}.due, least(e.u, {cap})) ELSE {q}.due END")

    def extensions(self, ob: Obligation, occ: str, index: int) -> str:
        x = self.extension_table(ob, index)
        joins = Joins("k")
        eff = self.effective_sql(ob, "o", joins)
        columns = OCC_COLUMNS + (CLOCK_COLUMNS if clock_deadline(ob.timing) else ())
        kept = ", ".join(f"o.{c}" for c in columns if c != "eff")
        self.view(f"{occ}x",
                  f"SELECT {kept}, {eff} AS eff\n"
                  f"FROM (SELECT {occ}.*, least(due, end_day, coalesce(done, due)) AS ext_hi FROM {occ}) o\n"
                  f"{self.d.asof(x, 'e', 'o.child_id', '<=', 'o.ext_hi', column='x')}{joins.sql()}",
                  "-- extensions: the latest agreed on or after the window opened, by the due date (and not after\n"
                  "-- the action), moves the due date, by at most the `extendable` duration\n")
        self.scratch.append(("VIEW", f"{occ}x"))
        return f"{occ}x"

    def occurrences(self, ob: Obligation, t: Timing, ep: str, occ: str) -> None:
        """The view `occ` of the occurrences of one timing form (chains extend their due dates themselves)."""
        match t:
            case Deadline():
                self._deadline(ob, t, ep, occ)
            case Schedule():
                self.chain(ob, t, ep, occ, t.trigger, [Within(t.duration), *t.steps], list(t.steps))
            case Recurrence():
                self.chain(ob, t, ep, occ, t.trigger, [t.every], [t.every])
            case CountRecurrence():
                self._count_recurrence(ob, t, ep, occ)
            case AdvanceNotice():
                self._advance_notice(ob, t, ep, occ)
            case AgeMilestone():
                self._age_milestone(ob, t, ep, occ)
            case OrdinalMilestone():
                self._ordinal_milestone(ob, t, ep, occ)
            case MinimumPeriod():
                self._minimum_period(ob, t, ep, occ)
            case Share():
                self._share(ob, t, ep, occ)
            case Vague():
                raise ValueError("a vague timing cannot be checked (not_measurable excludes it)")
            case _:
                assert_never(t)

    def _share(self, ob: Obligation, t: Share, ep: str, occ: str) -> None:
        """`on at least N% of EVENT`: one occurrence per episode: `n` EVENT days so far, `k` of them with the
        action too; due the last EVENT day, done the last of the `k` when the share is reached."""
        counted, acts = self.day_table(t.trigger), self.day_table(ob.action)
        self.view(
            occ,
            "WITH t AS (\n"
            f"  SELECT p.child_id, p.ep_no, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day FROM {ep} p\n"
            "), u AS (\n"
            "  SELECT t.child_id, t.ep_no, t.ep_start, t.ep_last, t.end_day, count(v.date) AS n, count(a.date) AS k,\n"
            "         max(v.date) AS last_counted, max(a.date) AS last_hit\n"
            f"  FROM t LEFT JOIN {counted} v ON v.child_id = t.child_id AND v.date BETWEEN t.ep_start AND t.end_day\n"
            f"  LEFT JOIN {acts} a ON a.child_id = v.child_id AND a.date = v.date\n"
            "  GROUP BY t.child_id, t.ep_no, t.ep_start, t.ep_last, t.end_day\n"
            ")\n"
            "SELECT child_id, ep_start AS trigger, last_counted AS due,\n"
            f"       CASE WHEN k * 100 >= {int(t.percent)} * n THEN last_hit END AS done,\n"
            "       ep_start AS window_start, end_day, ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day,\n"
            f"       last_counted AS eff, FALSE AS na_birth, (n > 0 AND k * 100 < {int(t.percent)} * n) AS below\n"
            "FROM u")

    def _minimum_period(self, ob: Obligation, t: MinimumPeriod, ep: str, occ: str) -> None:
        """`for at least D before EVENT`: each action day starts a period; the first EVENT from then (`ended`)
        must not come before its due day. `early` is that EVENT day when it did."""
        joins = Joins("c")
        due = add_sql("d.date", t.duration, joins)
        self.view(
            occ,
            "WITH t AS (\n"
            f"  SELECT p.child_id, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day, d.date AS trigger, {due} AS due\n"
            f"  FROM {ep} p JOIN {self.day_table(ob.action)} d ON d.child_id = p.child_id\n"
            f"    AND d.date BETWEEN p.ep_start AND coalesce(p.ep_last, {AS_OF}){joins.sql('    ')}\n"
            "), u AS (\n"
            "  SELECT t.*, CASE WHEN e.date <= t.end_day THEN e.date END AS ended\n"
            f"  FROM t {self.d.asof(self.day_table(t.trigger), 'e', 't.child_id', '>=', 't.trigger')}\n"
            ")\n"
            "SELECT child_id, trigger, due,\n"
            "       CASE WHEN ended < due THEN NULL WHEN ended IS NOT NULL OR due <= end_day THEN due END AS done,\n"
            "       trigger AS window_start, end_day, ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day,\n"
            "       due AS eff, FALSE AS na_birth, CASE WHEN ended < due THEN ended END AS early\n"
            "FROM u")

    def _clock_deadline(self, ob: Obligation, t: Deadline, ep: str, occ: str) -> None:
        """`within N hours of EVENT` (docs/audit.md, "Hours on timestamps"): `trig_secs` is the trigger's earliest time
        of day (seconds; NULL if a trigger record that day has none). With it, the action counts from that
        time on its day (`s`: a record without a time counts), else from the next action day; judged on
        timestamps (`on_times`) if the action's records that day have times too, or there is no action yet."""
        joins = Joins("c")
        rounded = due_sql("t.trigger", t.duration, self.p.trigger_day, joins)
        action, acts = self.ev(ob.action), self.time_table(ob.action)
        seconds = clock_seconds(t.duration)
        relative = (f"CAST({self.d.day_number('u.done')} - {self.d.day_number('u.trigger')} AS BIGINT) * 86400 "
                    "+ u.done_secs")
        self.view(occ,
                  "WITH t AS (\n"
                  f"  SELECT p.child_id, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day, d.date AS trigger,\n"
                  "         d.secs AS trig_secs, CASE WHEN d.secs IS NULL THEN d.date ELSE d.date + 1 END AS after_day\n"
                  f"  FROM {ep} p JOIN {self.time_table(t.trigger)} d ON d.child_id = p.child_id\n"
                  f"    AND d.date BETWEEN p.ep_start AND coalesce(p.ep_last, {AS_OF})\n"
                  "), s AS (\n"
                  "  SELECT t.child_id, t.trigger, count(*) AS n, count(e.time_of_day) AS timed, min(e.time_of_day) AS secs\n"
                  "  FROM (SELECT DISTINCT child_id, trigger, trig_secs FROM t WHERE trig_secs IS NOT NULL) t\n"
                  f"  JOIN _ev e ON e.child_id = t.child_id AND e.event = {action} AND e.date = t.trigger\n"
                  "  WHERE e.time_of_day IS NULL OR e.time_of_day >= t.trig_secs\n"
                  "  GROUP BY t.child_id, t.trigger\n"
                  "), u AS (\n"
                  "  SELECT t.*, CASE WHEN s.n IS NOT NULL THEN t.trigger WHEN a.date <= t.end_day THEN a.date END AS done,\n"
                  "         CASE WHEN s.n IS NOT NULL THEN CASE WHEN s.n = s.timed THEN s.secs END ELSE a.secs END AS done_secs\n"
                  "  FROM t LEFT JOIN s ON s.child_id = t.child_id AND s.trigger = t.trigger\n"
                  f"  {self.d.asof(acts, 'a', 't.child_id', '>=', 't.after_day')}\n"
                  "), v AS (\n"
                  "  SELECT u.*, u.trig_secs IS NOT NULL AND (u.done IS NULL OR u.done_secs IS NOT NULL) AS on_times,\n"
                  f"         {relative} <= u.trig_secs + {seconds} AS in_time\n"
                  "  FROM u\n"
                  ")\n"
                  "SELECT child_id, trigger, due, done, trigger AS window_start, end_day, ep_last IS NOT NULL AS closed,\n"
                  "       CAST(NULL AS DATE) AS close_day, due AS eff, FALSE AS na_birth, on_times,\n"
                  "       CASE WHEN on_times THEN coalesce(in_time, FALSE) ELSE done <= due END AS on_time\n"
                  "FROM (\n"
                  f"  SELECT t.*, CASE WHEN t.on_times THEN t.trigger + CAST(floor((t.trig_secs + {seconds}) / 86400.0) AS INTEGER)\n"
                  f"                   ELSE {rounded} END AS due\n"
                  f"  FROM v t{joins.sql('  ')}\n"
                  ") w")

    def _deadline(self, ob: Obligation, t: Deadline, ep: str, occ: str) -> None:
        if clock_deadline(t) and clock_deadline(ob.timing):
            self._clock_deadline(ob, t, ep, occ)
            return
        parts = []
        for k, (event, duration) in enumerate([(t.trigger, t.duration), *((r.event, r.duration) for r in t.restarts)]):
            joins = Joins("c")
            due = due_sql("d.date", duration, self.p.trigger_day, joins)
            days = self.day_table(event)
            if k == 0 and (t.also or t.sooner):  # `of A or B`: the distinct days of any of them
                days = "(" + " UNION ".join(f"SELECT child_id, date FROM {self.day_table(e)}"
                                            for e in (t.trigger, *t.also)) + ")"
            # a window (`between N and D of EVENT`) opens N after the trigger: an action before does not count
            opens = due_sql("d.date", t.opens, self.p.trigger_day, joins) if k == 0 and t.opens else "d.date"
            part = (f"  SELECT p.child_id, p.ep_no, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day,\n"
                    f"         d.date AS trigger, {due} AS due, {opens} AS opens, {k} AS k\n"
                    f"  FROM {ep} p JOIN {days} d ON d.child_id = p.child_id\n"
                    f"    AND d.date BETWEEN p.ep_start AND coalesce(p.ep_last, {AS_OF}){joins.sql('    ')}")
            if k == 0 and t.later:  # `whichever is later`: the trigger days of the rounds (see later_table)
                joins = Joins("c")
                part = (f"  SELECT d.child_id, d.ep_no, d.ep_start, d.ep_last, d.end_day, d.trigger,\n"
                        f"         {due_sql('d.trigger', duration, self.p.trigger_day, joins)} AS due, d.trigger AS opens, {k} AS k\n"
                        f"  FROM {self.later_table(ob, t, ep, occ)} d{joins.sql('  ')}")
            if k == 0 and t.sooner:
                # `whichever is sooner`: a trigger day starts a clock only if an action came since the one before
                part = ("  SELECT y.child_id, y.ep_no, y.ep_start, y.ep_last, y.end_day, y.trigger, y.due, y.opens, y.k FROM (\n"
                        "    SELECT x.*, lag(x.trigger) OVER (PARTITION BY x.child_id, x.ep_no ORDER BY x.trigger) AS prev\n"
                        f"    FROM (\n{part}\n    ) x\n"
                        f"  ) y {self.d.asof(self.day_table(ob.action), 'b', 'y.child_id', '>=', 'y.prev')}\n"
                        "  WHERE y.prev IS NULL OR b.date < y.trigger")
            parts.append(part)
        if len(parts) == 1:
            # no restarts: the trigger's days are distinct per child (a day table, a UNION, or the rounds of
            # `whichever is later`, each after the last), so each episode has one occurrence a day already
            occurrences = f"t AS (\n{parts[0]}\n)\n"
        else:
            union = "\n  UNION ALL\n".join(parts)
            occurrences = (
                f"t0 AS (\n{union}\n),\n"
                "-- one occurrence a day: a restart on the day of the trigger (or of another restart) is the same one\n"
                "t AS (SELECT child_id, ep_start, ep_last, end_day, trigger, due, opens FROM (\n"
                "  SELECT t0.*, row_number() OVER (PARTITION BY child_id, ep_no, trigger ORDER BY k) AS rn FROM t0\n"
                ") t1 WHERE rn = 1)\n")
        self.view(occ,
                  f"WITH {occurrences}"
                  "SELECT t.child_id, t.trigger, t.due, CASE WHEN a.date <= t.end_day THEN a.date END AS done,\n"
                  "       t.trigger AS window_start, t.end_day, t.ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day,\n"
                  "       t.due AS eff, FALSE AS na_birth\n"
                  f"FROM t {self.d.asof(self.day_table(ob.action), 'a', 't.child_id', '>=', 't.opens')}")

    def later_table(self, ob: Obligation, t: Deadline, ep: str, occ: str) -> str:
        """`whichever is later` as a recursive query over each episode: a round's trigger is the day by which
        every event has been recorded since the round began (the episode's start, then the day after the
        action that did the previous occurrence); a round not done yet is the last."""
        events = [self.p.canonical_event(e) for e in dict.fromkeys((t.trigger, *t.also))]

        def firsts(lo: str, q: str, end: str) -> str:
            return ",\n".join(f"         (SELECT min(d.date) FROM {self.day_table(e)} d WHERE d.child_id = {q}.child_id "
                               f"AND d.date >= {lo} AND d.date <= {end}) AS f{i}" for i, e in enumerate(events))

        nulls = " OR ".join(f"f{i} IS NULL" for i in range(len(events)))
        latest = f"CASE WHEN {nulls} THEN NULL ELSE greatest({', '.join(f'f{i}' for i in range(len(events)))}) END"
        name = f"{occ}_l"
        self.table(
            name,
            "WITH RECURSIVE r AS (\n"
            f"  SELECT child_id, ep_no, ep_start, ep_last, end_day, {latest} AS trigger\n"
            f"  FROM (SELECT p.child_id, p.ep_no, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day,\n"
            f"{firsts('p.ep_start', 'p', f'coalesce(p.ep_last, {AS_OF})')}\n"
            f"        FROM {ep} p) s\n"
            "  UNION ALL\n"
            f"  SELECT child_id, ep_no, ep_start, ep_last, end_day, {latest}\n"
            "  FROM (SELECT z.child_id, z.ep_no, z.ep_start, z.ep_last, z.end_day,\n"
            f"{firsts('z.done + 1', 'z', 'z.end_day')}\n"
            "        FROM (SELECT r.*, (SELECT min(a.date) FROM "
            f"{self.day_table(ob.action)} a WHERE a.child_id = r.child_id\n"
            "                AND a.date >= r.trigger AND a.date <= r.end_day) AS done\n"
            "              FROM r WHERE r.trigger IS NOT NULL) z\n"
            "        WHERE z.done IS NOT NULL) s\n"
            ")\n"
            "SELECT * FROM r WHERE trigger IS NOT NULL")
        self.scratch.append(("TABLE", name))
        return name

    def _advance_notice(self, ob: Obligation, t: AdvanceNotice, ep: str, occ: str) -> None:
        joins = Joins("c")
        due = latest_notice_sql("t.trigger", t.duration, joins)
        acts = self.day_table(ob.action)
        # `before every EVENT from the Nth`: the episode's Nth EVENT day and later only
        rank, only = ("", "") if t.from_ordinal == 1 else (
            ",\n         row_number() OVER (PARTITION BY p.child_id, p.ep_no ORDER BY d.date) AS k",
            f" WHERE k >= {int(t.from_ordinal)}")
        self.view(occ,
                  "WITH t AS (\n"
                  f"  SELECT p.child_id, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day, d.date AS trigger,\n"
                  "         coalesce(lag(d.date) OVER (PARTITION BY p.child_id, p.ep_no ORDER BY d.date) + 1, p.ep_start) AS lo"
                  f"{rank}\n"
                  f"  FROM {ep} p JOIN {self.day_table(t.trigger)} d ON d.child_id = p.child_id\n"
                  f"    AND d.date BETWEEN p.ep_start AND coalesce(p.ep_last, {AS_OF})\n"
                  f"), u AS (\n  SELECT t.*, {due} AS due FROM t{joins.sql('  ')}\n"
                  "), v AS (\n  SELECT u.*, greatest(u.lo, u.due + 1) AS lo_after FROM u\n"
                  f"), w AS (\n  SELECT v.*, b.date AS before_day FROM v {self.d.asof(acts, 'b', 'v.child_id', '<=', 'v.due')}\n"
                  f"), z AS (\n  SELECT w.*, a.date AS after_day FROM w {self.d.asof(acts, 'a', 'w.child_id', '>=', 'w.lo_after')}\n"
                  ")\n"
                  "SELECT child_id, trigger, due,\n"
                  "       CASE WHEN before_day >= lo THEN before_day WHEN after_day <= trigger THEN after_day END AS done,\n"
                  "       lo AS window_start, end_day, ep_last IS NOT NULL AS closed, trigger AS close_day, due AS eff, FALSE AS na_birth\n"
                  f"FROM z{only}")

    def _count_recurrence(self, ob: Obligation, t: CountRecurrence, ep: str, occ: str) -> None:
        """`every Nth EVENT` as a recursive query over each episode: `k` is the number (`idx`, over the
        child's whole history) of the first EVENT day that counts, `nxt` that of the next action day."""
        counted, acts = self.day_table(t.trigger, numbered=True), self.day_table(ob.action, numbered=True)
        n = int(t.ordinal)
        self.table(f"{occ}_a",
                   "SELECT a.child_id, a.date, a.idx, CAST(coalesce(v.idx, 0) AS INTEGER) AS upto\n"
                   f"FROM {acts} a {self.d.asof(counted, 'v', 'a.child_id', '<=', 'a.date')}",
                   "-- each action day with the number of EVENT days up to it: after an action on that day, counting\n"
                   "-- starts again at the next EVENT day\n")
        self.table(f"{occ}_c",
                   "WITH RECURSIVE r AS (\n"
                   f"  SELECT p.child_id, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day, p.ep_start AS base,\n"
                   "         CAST(coalesce(v.idx, 0) + 1 AS INTEGER) AS k, CAST(coalesce(a0.idx, 0) + 1 AS INTEGER) AS nxt,\n"
                   "         TRUE AS go, CAST(NULL AS DATE) AS o_trigger, CAST(NULL AS DATE) AS o_due, CAST(NULL AS DATE) AS o_done\n"
                   f"  FROM {ep} p\n"
                   f"  {self.d.asof(counted, 'v', 'p.child_id', '<', 'p.ep_start')}\n"
                   f"  {self.d.asof(acts, 'a0', 'p.child_id', '<', 'p.ep_start')}\n"
                   "  UNION ALL\n"
                   "  SELECT z.child_id, z.ep_last, z.end_day, coalesce(z.done, z.due),\n"
                   f"         CASE WHEN z.done IS NOT NULL THEN z.upto + 1 ELSE z.k + {n} END,\n"
                   "         CASE WHEN z.done IS NOT NULL THEN z.nxt + 1 ELSE z.nxt END,\n"
                   "         z.done IS NOT NULL OR z.due IS NOT NULL, z.base, z.due, z.done\n"
                   "  FROM (\n"
                   "    SELECT r.*, CASE WHEN d.date <= r.end_day THEN d.date END AS due,\n"
                   "           CASE WHEN a.date <= r.end_day THEN a.date END AS done, a.upto\n"
                   "    FROM r\n"
                   f"    LEFT JOIN {counted} d ON d.child_id = r.child_id AND d.idx = r.k + {n - 1}\n"
                   f"    LEFT JOIN {occ}_a a ON a.child_id = r.child_id AND a.idx = r.nxt\n"
                   "    WHERE r.go\n"
                   "  ) z\n"
                   ")\n"
                   "SELECT * FROM r WHERE o_trigger IS NOT NULL")
        self.view(occ,
                  "SELECT child_id, o_trigger AS trigger, o_due AS due, o_done AS done, o_trigger AS window_start,\n"
                  "       end_day, ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day, o_due AS eff, FALSE AS na_birth\n"
                  f"FROM {occ}_c")
        self.scratch += [("TABLE", f"{occ}_a"), ("TABLE", f"{occ}_c")]

    def _age_milestone(self, ob: Obligation, t: AgeMilestone, ep: str, occ: str) -> None:
        joins = Joins("c")
        due = add_many_sql("c.birth", t.age, joins)
        self.view(occ,
                  "WITH t AS (\n"
                  f"  SELECT p.child_id, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day,\n"
                  f"         c.birth IS NULL AS na_birth, {due} AS due\n"
                  f"  FROM {ep} p JOIN {self.child_table()} c ON c.child_id = p.child_id{joins.sql('  ')}\n"
                  "), u AS (SELECT * FROM t WHERE na_birth OR ep_start <= due)\n"
                  "SELECT u.child_id, u.ep_start AS trigger, u.due,\n"
                  "       CASE WHEN NOT u.na_birth AND a.date <= u.end_day THEN a.date END AS done,\n"
                  "       u.ep_start AS window_start, u.end_day, u.ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day,\n"
                  "       u.due AS eff, u.na_birth\n"
                  f"FROM u {self.d.asof(self.day_table(ob.action), 'a', 'u.child_id', '>=', 'u.ep_start')}")

    def _ordinal_milestone(self, ob: Obligation, t: OrdinalMilestone, ep: str, occ: str) -> None:
        self.view(occ,
                  "WITH t AS (\n"
                  f"  SELECT p.child_id, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS end_day, f.idx AS first_idx\n"
                  f"  FROM {ep} p {self.d.asof(self.day_table(t.trigger, numbered=True), 'f', 'p.child_id', '>=', 'p.ep_start')}\n"
                  "), u AS (\n"
                  "  SELECT t.*, CASE WHEN n.date <= t.end_day THEN n.date END AS due FROM t\n"
                  f"  LEFT JOIN {self.day_table(t.trigger, numbered=True)} n ON n.child_id = t.child_id AND n.idx = t.first_idx + {int(t.ordinal) - 1}\n"
                  ")\n"
                  "SELECT u.child_id, u.ep_start AS trigger, u.due, CASE WHEN a.date <= u.end_day THEN a.date END AS done,\n"
                  "       u.ep_start AS window_start, u.end_day, u.ep_last IS NOT NULL AS closed, CAST(NULL AS DATE) AS close_day,\n"
                  "       u.due AS eff, FALSE AS na_birth\n"
                  f"FROM u {self.d.asof(self.day_table(ob.action), 'a', 'u.child_id', '>=', 'u.ep_start')}")

    # ---- schedules and recurrences ----
    def chain(self, ob: Obligation, t: Timing, ep: str, occ: str, trigger: str | None, first: list[Step],
              later: list[Step]) -> None:
        if trigger:
            start = (f"  SELECT p.child_id, p.ep_no, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS ep_end, d.date AS start\n"
                     f"  FROM {ep} p {self.d.asof(self.day_table(trigger), 'd', 'p.child_id', '>=', 'p.ep_start', left=False)}\n"
                     f"  WHERE d.date <= coalesce(p.ep_last, {AS_OF})")
        else:
            start = (f"  SELECT p.child_id, p.ep_no, p.ep_start, p.ep_last, coalesce(p.ep_last, {AS_OF}) AS ep_end, p.ep_start AS start\n"
                     f"  FROM {ep} p")
        restart_events: list[str] = []
        for r in t.restarts:
            e = self.p.canonical_event(r.event)
            if e not in restart_events:
                restart_events.append(e)
        spec_of = " ".join(f"WHEN {self.s(e)} THEN {min(j for j, r in enumerate(t.restarts) if self.p.canonical_event(r.event) == e)}"
                           for e in restart_events)
        restarts = ""
        if restart_events:
            days = " UNION ALL ".join(f"SELECT child_id, date, {self.s(e)} AS event FROM {self.day_table(e)}"
                                      for e in restart_events)
            restarts = (
                "  UNION ALL\n"
                f"  SELECT s.child_id, s.ep_no, d.date, min(CASE d.event {spec_of} END)\n"
                f"  FROM st s JOIN ({days}) d ON d.child_id = s.child_id\n"
                "    AND d.date > s.start AND d.date <= s.ep_end\n"
                "  GROUP BY s.child_id, s.ep_no, d.date\n")
        seg = f"{occ}_seg"
        if not restart_events:  # one segment an episode (where the chain starts): no window to find its end
            self.table(seg,
                       f"SELECT child_id, ep_no, ep_start, ep_end, start AS seg_start, -1 AS spec, ep_end AS seg_last,\n"
                       "       ep_last IS NOT NULL AS closed\n"
                       f"FROM (\n{start}\n) st",
                       "-- segments: the chain starts at `start` and, with no restarts, runs to the end of the episode\n")
        else:
            self.table(seg,
                       f"WITH st AS {self.d.materialized}(\n{start}\n), g AS (\n"
                       "  SELECT child_id, ep_no, start AS seg_start, -1 AS spec FROM st\n"
                       f"{restarts}"
                       ")\n"
                       "SELECT g.child_id, g.ep_no, s.ep_start, s.ep_end, g.seg_start, g.spec,\n"
                       "       coalesce(lead(g.seg_start) OVER w - 1, s.ep_end) AS seg_last,\n"
                       "       (lead(g.seg_start) OVER w IS NOT NULL OR s.ep_last IS NOT NULL) AS closed\n"
                       "FROM g JOIN st s ON s.child_id = g.child_id AND s.ep_no = g.ep_no\n"
                       "WINDOW w AS (PARTITION BY g.child_id, g.ep_no ORDER BY g.seg_start)",
                       "-- segments: the chain starts at `start`; each restart day starts a new segment, and the one\n"
                       "-- before it ends the day before\n")
        x = self.extension_table(ob, int(occ[2:])) if ob.extension is not None else None
        phases: list[tuple[str, int]] = []  # each phase's table and the step (from 1) whose occurrences it makes
        closed: set[str] = set()  # the steps in closed form: views (read once, by the union below)
        pipelines = [(-1, first)] + [(j, [Within(r.duration), *later]) for j, r in enumerate(t.restarts)]
        for j, steps in pipelines:
            # the first step's seed: the segments of this pipeline; a recursive step also needs `nxt`, the number
            # of the first action on or after the segment's start (a closed form finds the actions by date)
            columns = "SELECT s.child_id, s.ep_no, s.ep_start, s.ep_end, s.seg_start, s.seg_last, s.closed,\n         s.seg_start AS base"
            seed = f"{columns}\n  FROM {seg} s\n  WHERE s.spec = {j}"
            for k, step in enumerate(steps):
                name = f"{occ}_p{j + 1}_{k}"
                phases.append((name, k + 1))
                if self.closed_form(step, x):
                    assert isinstance(step, Every)
                    self.every_closed(ob, name, seed, step, opening=k == 0)
                    closed.add(name)
                    break  # an unbounded `every` never hands a chain on: later steps are unreachable
                if k == 0:
                    seed = (f"{columns}, a.idx AS nxt\n"
                            f"  FROM {seg} s {self.d.asof(self.day_table(ob.action, numbered=True), 'a', 's.child_id', '>=', 's.seg_start')}\n"
                            f"  WHERE s.spec = {j}")
                self.phase(ob, name, seed, step, x, trigger)
                seed = (f"SELECT child_id, ep_no, ep_start, ep_end, seg_start, seg_last, closed, base, nxt\n"
                        f"  FROM {name} WHERE NOT go AND alive")
        union = "\nUNION ALL\n".join(
            "SELECT child_id, o_trigger AS trigger, o_due AS due, o_done AS done, o_trigger AS window_start,\n"
            "       seg_last AS end_day, closed, CAST(NULL AS DATE) AS close_day, o_eff AS eff, FALSE AS na_birth,\n"
            f"       {step} AS step\n"
            f"FROM {name} WHERE o_trigger IS NOT NULL" for name, step in phases)
        self.view(occ, union)
        self.scratch += [("TABLE", f"{occ}_seg"), *((("VIEW" if name in closed else "TABLE"), name) for name, _ in phases)]

    def anchor_sql(self, event: str, trigger: str | None, alias: str) -> tuple[str, str]:
        """(day, joins) of the day an anchored step or period counts from: the segment's start for the
        trigger, else the first `event` day in the segment (NULL: not happened yet)."""
        if trigger is not None and self.p.canonical_event(event) == self.p.canonical_event(trigger):
            return "q.seg_start", ""
        return (f"CASE WHEN {alias}.date <= q.seg_last THEN {alias}.date END",
                f"\n  {self.d.asof(self.day_table(event), alias, 'q.child_id', '>=', 'q.seg_start')}")

    def phase(self, ob: Obligation, name: str, seed: str, step: Step, x: str | None, trigger: str | None) -> None:
        """One step of a chain as a recursive query: each round makes the next occurrence of every live chain.

        A row either stops the step (a bounded `every` whose next due date passes its bound: no
        occurrence, the chain goes on to the next step) or makes an occurrence. The chain stops
        (`alive` false) after an occurrence that is not done and falls due after the segment's last day.
        """
        bound, bound_from = self.bound(step.bound if isinstance(step, Every) else None, trigger)
        if isinstance(step, Within) and step.anchor is not None:
            anchor, anchor_from = self.anchor_sql(step.anchor, trigger, "n1")
            live, opened = "q.anchor IS NOT NULL", "r.anchor"
        else:
            anchor, anchor_from, live, opened = "CAST(NULL AS DATE)", "", "TRUE", "r.base"
        joins = Joins("c")
        trigger_day = self.p.trigger_day if isinstance(step, Within) else 0
        due = due_sql(opened, step.duration, trigger_day, joins)
        done = "CASE WHEN a.date <= r.seg_last THEN a.date END"
        again = "TRUE" if isinstance(step, Every) else "FALSE"
        if x is not None:
            ejoins = Joins("k")
            eff = self.effective_sql(ob, "q", ejoins)
            ext_hi = f",\n             least({due}, r.seg_last, coalesce({done}, {due})) AS ext_hi"
            extension = f"\n      {self.d.asof(x, 'e', 'q.child_id', '<=', 'q.ext_hi', column='x')}{ejoins.sql('      ')}"
        else:
            eff, ext_hi, extension = "q.due", "", ""
        self.table(name,
                   "WITH RECURSIVE r AS (\n"
                   "  SELECT q.child_id, q.ep_no, q.ep_start, q.ep_end, q.seg_start, q.seg_last, q.closed, q.base,\n"
                   f"         q.base AS step_base, q.nxt, {bound} AS bound, {live} AS go, {live} AS alive,\n"
                   "         q.anchor, CAST(NULL AS DATE) AS o_trigger, CAST(NULL AS DATE) AS o_due,\n"
                   "         CAST(NULL AS DATE) AS o_done, CAST(NULL AS DATE) AS o_eff\n"
                   f"  FROM (SELECT q.*, {anchor} AS anchor FROM ({seed}) q{anchor_from}) q{bound_from}\n"
                   "  UNION ALL\n"
                   "  SELECT z.child_id, z.ep_no, z.ep_start, z.ep_end, z.seg_start, z.seg_last, z.closed,\n"
                   "         CASE WHEN z.stop THEN z.base ELSE coalesce(z.done, z.eff) END,\n"
                   "         z.step_base,\n"
                   "         CASE WHEN NOT z.stop AND z.done IS NOT NULL THEN z.nxt + 1 ELSE z.nxt END,\n"
                   "         z.bound,\n"
                   f"         CASE WHEN z.stop THEN FALSE ELSE {again} AND (z.done IS NOT NULL OR z.eff <= z.seg_last) END,\n"
                   "         CASE WHEN z.stop THEN TRUE ELSE (z.done IS NOT NULL OR z.eff <= z.seg_last) END,\n"
                   "         z.anchor,\n"
                   "         CASE WHEN z.stop THEN NULL ELSE z.window_start END,\n"
                   "         CASE WHEN z.stop THEN NULL ELSE z.due END,\n"
                   "         CASE WHEN z.stop THEN NULL ELSE z.done END,\n"
                   "         CASE WHEN z.stop THEN NULL ELSE z.eff END\n"
                   "  FROM (\n"
                   f"    SELECT q.*, (q.bound IS NOT NULL AND q.due > q.bound) AS stop, {eff} AS eff\n"
                   "    FROM (\n"
                   "      SELECT r.child_id, r.ep_no, r.ep_start, r.ep_end, r.seg_start, r.seg_last, r.closed, r.base,\n"
                   f"             r.step_base, r.nxt, r.bound, r.anchor, {due} AS due,\n"
                   f"             {done} AS done, {opened} AS window_start{ext_hi}\n"
                   f"      FROM r{joins.sql('      ')}\n"
                   f"      LEFT JOIN {self.day_table(ob.action, numbered=True)} a ON a.child_id = r.child_id AND a.idx = r.nxt\n"
                   "      WHERE r.go\n"
                   f"    ) q{extension}\n"
                   "  ) z\n"
                   ")\n"
                   "SELECT * FROM r WHERE NOT go OR o_trigger IS NOT NULL")

    def closed_form(self, step: Step, x: str | None) -> bool:
        """True if `every_closed` gives the step's occurrences: an `every` without a bound, on an obligation
        without extensions, on a dialect that can generate a series of rows.

        Why only these (docs/decisions.md, "Every steps in closed form"): a bound (`for`, `until`) ends
        the step on a due date and hands the chain on to the next step, and an extension moves each due
        date by the extension recorded for that occurrence: both stay recursive."""
        return isinstance(step, Every) and step.bound is None and x is None and unit_shape(step.duration)[1] > 0

    def every_closed(self, ob: Obligation, name: str, seed: str, step: Every, opening: bool) -> None:
        """An unbounded `every` step in closed form (no recursion): the same rows as `phase` gives it.
        `opening`: the chain's first step, whose seed rows are the segments: its actions are those on or after
        the segment's start, in order of date after the base (the segment's start, first on a tie), and the
        day table needs no numbers; after another step, the actions are those from the seed's `nxt` on, in
        order of number.

        Within a segment each action in turn fulfils one occurrence, counted from the one before it (the
        first from the step's base), due a step after it. After the last action (or the base, when there
        is none) the occurrences fall due one step apart, up to and including the first that falls after
        the segment's last day. With `day` that last base and add^j the step applied j times, the j-th
        further occurrence (j >= 1) opens on add^j(day) and falls due on add^(j+1)(day):

        - days and weeks: add^j(day) = day + j*n, for j up to floor((seg_last - day) / n);
        - working days (counted strictly after the base): the calendar's running number plus j*n, for j up
          to floor((N(seg_last) - N(day)) / n);
        - months: adding n months twice is not adding 2n months (31 January, 28 February, 28 March; not
          31 March): the day of the month of add^j(day) is the least of the days of day + i*n months
          (each clipped to its month's length) for i = 1..j, a running minimum over the series; j runs to
          the number of whole steps between the two months, and the rows opening after seg_last are cut. A
          day of the month up to the 28th is never clipped: those rows take no window, and their count stops
          at the last one on or before seg_last (nothing to cut).
        """
        kind, n = unit_shape(step.duration)
        first = Joins("c")
        due = add_sql("c.day", step.duration, first)
        more = Joins("m")
        numbered = ""
        if kind == "days":
            count = f"CAST(floor(({self.d.day_number('m.seg_last')} - {self.d.day_number('m.day')}) / {n}) AS INTEGER)"
            opened, further = f"(m.day + m.j * {n})", f"(m.day + (m.j + 1) * {n})"
        elif kind == "working_days":
            count = f"CAST(floor((m.last_n - m.day_n) / {n}) AS INTEGER)"
            opened = more.working_day(f"m.day_n + m.j * {n}")
            further = more.working_day(f"m.day_n + (m.j + 1) * {n}")
            numbered = ", l1.n AS day_n, l2.n AS last_n"
        else:
            month = "(CAST(extract(year FROM {0}) AS INTEGER) * 12 + CAST(extract(month FROM {0}) AS INTEGER))"
            mday = "CAST(extract(day FROM {0}) AS INTEGER)"
            months = f"{month.format('m.seg_last')} - {month.format('m.day')}"
            count = f"CAST(floor(({months}) / {n}) AS INTEGER)"
            # a day of the month up to the 28th is in every month: nothing is clipped, add^j(day) is day + j*n
            # months, and it is on or before seg_last exactly when its month is before seg_last's, or the same
            # and the day of the month no later, so the count stops there and no row is cut
            within = (f"CAST(floor(({months} - CASE WHEN {mday.format('m.day')} > {mday.format('m.seg_last')} "
                      f"THEN 1 ELSE 0 END) / {n}) AS INTEGER)")
            moved = "CAST(m.day + ({0}) * INTERVAL '1' MONTH AS DATE)"
            s1, s2 = moved.format(f"m.j * {n}"), moved.format(f"(m.j + 1) * {n}")
            opened, further = "m.o", "m.f"
        numbers = ("\n    LEFT JOIN _cal l1 ON l1.d = c.day LEFT JOIN _cal l2 ON l2.d = c.seg_last"
                   if kind == "working_days" else "")

        def stepped(steps: str, also: str = "") -> str:  # the rows m, one for each j in 1..steps
            return f"(SELECT m.*, {self.d.series(steps)} AS j FROM m WHERE {steps} >= 1{also}) m"

        series = stepped(count)
        if kind == "months":
            # only the days after the 28th take the running minimum of the days of the month (a window, per
            # child, episode and segment), each shifted day computed once, and the rows after seg_last cut
            keep = "m.child_id, m.seg_last, m.closed"
            short = stepped(within, f" AND {mday.format('m.day')} <= 28")
            rest = stepped(count, f" AND {mday.format('m.day')} > 28")
            series = (f"(\n  SELECT {keep}, {s1} AS o, {s2} AS f FROM {short}\n  UNION ALL\n"
                      f"  SELECT {keep}, o, f FROM (\n"
                      f"    SELECT {keep}, s1 - (d1 - r) AS o, s2 - (d2 - least(r, d2)) AS f FROM (\n"
                      "      SELECT m.*, min(d1) OVER (PARTITION BY m.child_id, m.ep_no, m.seg_start ORDER BY m.j "
                      "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS r FROM (\n"
                      f"        SELECT m.*, {mday.format('s1')} AS d1, {mday.format('s2')} AS d2 FROM (\n"
                      f"          SELECT m.*, {s1} AS s1, {s2} AS s2 FROM {rest}) m) m) m) m\n"
                      "  WHERE m.o <= m.seg_last\n) m")
        acts = self.day_table(ob.action, numbered=not opening)
        unused, pos, order = ("a.date >= q.seg_start", "1", "day, pos") if opening else ("a.idx >= q.nxt", "a.idx", "pos")
        self.view(name,
                   f"WITH q AS {self.d.materialized}(\n  {seed}\n), b AS (\n"
                   "  SELECT child_id, ep_no, seg_start, seg_last, closed, base AS day, 0 AS pos FROM q\n"
                   "  UNION ALL\n"
                   f"  SELECT q.child_id, q.ep_no, q.seg_start, q.seg_last, q.closed, a.date, {pos}\n"
                   f"  FROM q JOIN {acts} a ON a.child_id = q.child_id AND {unused} AND a.date <= q.seg_last\n"
                   "), c AS (\n"
                   f"  SELECT b.*, lead(day) OVER (PARTITION BY child_id, ep_no, seg_start ORDER BY {order}) AS done FROM b\n"
                   "), m AS (\n"
                   f"  SELECT c.child_id, c.ep_no, c.seg_start, c.seg_last, c.closed, c.day{numbered}\n"
                   f"  FROM c{numbers}\n"
                   "  WHERE c.done IS NULL\n"
                   ")\n"
                   "SELECT c.child_id, c.seg_last, c.closed, c.day AS o_trigger, "
                   f"{due} AS o_due, c.done AS o_done, {due} AS o_eff\n"
                   f"FROM c{first.sql('')}\n"
                   "UNION ALL\n"
                   f"SELECT m.child_id, m.seg_last, m.closed, {opened}, {further}, CAST(NULL AS DATE), {further}\n"
                   f"FROM {series}{more.sql('')}",
                   "-- an unbounded `every` in closed form: one occurrence per action in the segment (due a step after\n"
                   "-- the action before it), then occurrences a step apart from the last action up to the first that\n"
                   "-- falls after the segment's last day\n")

    def bound(self, b: Bound | None, trigger: str | None) -> tuple[str, str]:
        """The SQL of a bounded `every`'s last due day, and the joins it needs."""
        match b:
            case None:
                return "CAST(NULL AS DATE)", ""
            case Until():
                days = self.day_table(b.event, numbered=True)
                return ("CASE WHEN u2.date <= q.ep_end THEN u2.date END",
                        f"\n  {self.d.asof(days, 'u1', 'q.child_id', '>=', 'q.ep_start')}\n"
                        f"  LEFT JOIN {days} u2 ON u2.child_id = q.child_id AND u2.idx = u1.idx + {(b.ordinal or 1) - 1}")
            case For():
                joins = Joins("b")
                start, start_from = ("q.base", "") if b.start is None else self.anchor_sql(b.start, trigger, "f1")
                return add_sql(start, b.duration, joins), start_from + joins.sql()
            case _:
                assert_never(b)

    # ---- outcome ----
    def finish(self, ob: Obligation, occ: str, index: int, excusable: bool) -> None:
        conds = ["NOT o.na_birth"]
        joins = Joins("g")
        for c in ob.conditions:
            if isinstance(c, AgeLimit):  # attribute conditions were applied to the episodes
                conds.append(self.condition(c, joins))
        excluded_by_age = narrowing(self.p, ob).excluded_by_age
        for cs in excluded_by_age:  # an exception `instead of` this obligation covers the occurrence
            conds.append("NOT (" + " AND ".join(self.condition(c, joins) for c in cs) + ")")
        needs_child = any(isinstance(c, AgeLimit) for c in ob.conditions) or bool(excluded_by_age)
        cond = "(" + " AND ".join(conds) + ")"
        clock = clock_deadline(ob.timing) is not None  # judged on timestamps where it can be (`on_time`)
        met = "o.done IS NOT NULL AND o.on_time" if clock else "o.done IS NOT NULL AND (o.due IS NULL OR o.done <= o.due)"
        extended = "o.done IS NOT NULL AND o.eff > o.due AND o.done <= o.eff"
        child_join = f"\nLEFT JOIN {self.child_table()} ch ON ch.child_id = o.child_id" if needs_child else ""
        code = OUTCOME_CODES
        unrecorded = [f"(kind = 'event' AND name = {self.ev(ob.action)})"]
        unrecorded += [f"(kind = 'attribute' AND name = {self.s(c.attribute)})"
                       for c in ob.conditions if isinstance(c, AttributeIs)]
        early = isinstance(ob.timing, MinimumPeriod)  # a minimum duration cut short is overdue (column `early`)
        below = isinstance(ob.timing, Share)  # a share not reached is overdue (column `below`)
        row_no_data = ""
        if excusable:
            # an exception in prose may apply: what would be late (done after the due date) or overdue is no_data
            late = (f"(o.done IS NOT NULL AND NOT coalesce(o.on_time, FALSE) AND NOT coalesce({extended}, FALSE))"
                    if clock else "o.done > o.eff")
            row_no_data = (f" OR coalesce({late}, FALSE) OR (o.done IS NULL AND coalesce(o.eff <= o.end_day, FALSE))"
                           + (" OR o.early IS NOT NULL" if early else ""))
        no_data = f"(nd.no_data{row_no_data})"
        on_times = "o.on_times" if clock else ("FALSE" if has_clock(ob) else "NULL")
        # working days late: `lw` says which two days they are counted between (0: none, NULL; 1: none, 0;
        # 2: eff to done; 3: eff to the end day; 4: early to eff), `lo` and `hi` are those days, and the
        # calendar is read twice a row (not once for each day a branch might use)
        ends = {2: ("o.eff", "o.done"), 3: ("o.eff", "coalesce(o.close_day, o.end_day)"), 4: ("o.early", "o.eff")}
        lo, hi = ("CASE o.lw " + " ".join(f"WHEN {k} THEN {days[i]}" for k, days in ends.items() if early or k != 4)
                  + " END" for i in (0, 1))
        if self.d.calendar_list:  # an index of 0 (a day before the calendar) reads NULL, as a join finds none
            counted = "k.ns[greatest(o.hi - k.d0 + 1, 0)] - k.ns[greatest(o.lo - k.d0 + 1, 0)]"
            calendar = "CROSS JOIN _cal_list k"
        else:
            counted = "wb.n - wa.n"
            calendar = "LEFT JOIN _cal wa ON wa.d = o.lo\nLEFT JOIN _cal wb ON wb.d = o.hi"
        self.result(index,
                    "SELECT o.child_id, o.trigger, o.due, o.done, o.outcome,\n"
                    f"  CASE o.lw WHEN 0 THEN NULL WHEN 1 THEN 0 ELSE {counted} END AS late, o.step, o.on_times\n"
                    "FROM (\nSELECT o.*,\n"
                    f"  {lo} AS lo,\n  {hi} AS hi\nFROM (\n"
                    "SELECT o.child_id, o.trigger, o.eff, o.end_day, o.close_day"
                    + (", o.early" if early else "") + ",\n"
                    f"  CASE WHEN {cond} AND {no_data} THEN o.due WHEN {met} THEN o.due ELSE o.eff END AS due,\n"
                    f"  CASE WHEN {cond} AND NOT {no_data} THEN o.done END AS done,\n"
                    f"  CASE WHEN NOT {cond} THEN {code['not_applicable']}\n"
                    f"       WHEN {no_data} THEN {code['no_data']}\n"
                    + (f"       WHEN o.early IS NOT NULL THEN {code['overdue']}\n" if early else "")
                    + (f"       WHEN o.below THEN {code['overdue']}\n" if below else "") +
                    f"       WHEN {met} THEN {code['met']}\n"
                    f"       WHEN {extended} THEN {code['extended']}\n"
                    f"       WHEN o.done IS NOT NULL THEN {code['met_late']}\n"
                    f"       WHEN o.eff IS NULL THEN CASE WHEN o.closed THEN {code['discharged']} ELSE {code['pending']} END\n"
                    f"       WHEN o.eff > o.end_day THEN CASE WHEN o.closed THEN {code['discharged']} "
                    f"WHEN o.eff > o.due THEN {code['extended']} ELSE {code['pending']} END\n"
                    f"       ELSE {code['overdue']} END AS outcome,\n"
                    f"  CASE WHEN NOT {cond} OR {no_data} THEN 0\n"
                    + ("       WHEN o.early IS NOT NULL THEN 4\n" if early else "")
                    + ("       WHEN o.below THEN 0\n" if below else "") +
                    f"       WHEN {met} THEN 1\n"
                    f"       WHEN {extended} THEN 1\n"
                    "       WHEN o.done IS NOT NULL THEN 2\n"
                    "       WHEN o.eff IS NULL OR o.eff > o.end_day THEN 0\n"
                    "       ELSE 3 END AS lw,\n"
                    f"  {'o.step' if isinstance(ob.timing, Schedule | Recurrence) else 'NULL'} AS step,\n"
                    f"  CASE WHEN NOT {cond} OR {no_data} THEN NULL ELSE {on_times} END AS on_times\n"
                    f"FROM {occ} o{child_join}\n"
                    "CROSS JOIN (SELECT count(*) > 0 AS no_data FROM audit_unrecorded\n"
                    f"            WHERE {' OR '.join(unrecorded)}) nd" + joins.sql('') + f"\n) o\n) o\n{calendar}")

    def condition(self, c: Condition, joins: Joins) -> str:
        match c:
            case AttributeIs():
                col = f"r.{self.col(c.attribute)}"
                values = ", ".join(self.s(v) for v in sorted(set(c.values))) or "NULL"
                op = "NOT IN" if c.negated else "IN"
                return f"({col} IS NOT NULL AND {col} <> '' AND {col} {op} ({values}))"
            case AgeLimit():
                threshold = add_many_sql("ch.birth", c.age, joins)
                op = {"under": "<", "over": ">"}.get(c.comparison, ">=")
                return f"(ch.birth IS NOT NULL AND o.trigger {op} {threshold})"
            case InProse():
                raise ValueError("a condition in prose cannot be checked (not_measurable excludes it)")
            case _:
                assert_never(c)


def _durations(ob: Obligation) -> list[Duration]:
    t = ob.timing
    if t is None:
        return []
    out = durations_of(t) + (list(t.age) if isinstance(t, AgeMilestone) else [])
    if ob.extension is not None:
        out.append(ob.extension.duration)
    for c in ob.conditions:
        if isinstance(c, AgeLimit):
            out += list(c.age)
    return out


def _text(statements: list[str] | tuple[str, ...]) -> str:
    return "".join(s + ";\n" for s in statements)


@dataclass(frozen=True)
class SqlPlan:
    """The script in pieces, each a tuple of statements: `setup` first; then the `shared` pieces (each
    an episode or day table), which are independent of each other; then one piece per measurable
    obligation, independent of each other (each in order); then `final`, which names the result.
    Run in this order, one after the other, they are the whole script; a runner may run the shared
    pieces, then the obligation pieces, in parallel (DuckDB), or one after the other (PostgreSQL's
    temporary tables belong to one session; Spark runs each statement in parallel itself)."""

    setup: tuple[str, ...]
    shared: tuple[tuple[str, ...], ...]
    obligations: tuple[tuple[str, ...], ...]
    final: tuple[str, ...]

    def statements(self) -> list[str]:
        return [*self.setup, *(s for p in self.shared for s in p), *(s for p in self.obligations for s in p), *self.final]

    def script(self) -> str:
        return _text(self.statements())

    @staticmethod
    def text(statements: tuple[str, ...]) -> str:
        """One piece as a script (statements ended by `;`)."""
        return _text(statements)


def generate_sql(policy: Policy, dialect: Dialect = DUCKDB) -> str:
    """The audit script for `policy` as text."""
    return sql_plan(policy, dialect).script()


_HEADER = """\
-- Generated by policyc (compiler/emitters/checker_sql.py). Do not edit: edit the policy and rebuild.
-- Audit checks for {engine}; the semantics are in docs/audit.md, how to run them in docs/audit.md.
-- Input:  table events(row BIGINT unique, child_id VARCHAR, event VARCHAR (canonical id), date DATE,
--         extended_until DATE, time_of_day INTEGER (seconds after midnight; NULL: no time; read only by
--         deadlines in hours or minutes), and a VARCHAR column attr_NAME for each attribute a condition reads):
--         the accepted rows; table children(child_id VARCHAR unique, date_of_birth DATE, attr_NAME...);
--         an attribute is read as coalesce(the events column, the children column); dates between
--         1900 and 2099; table audit_params(as_of DATE), one row: records after it are ignored;
--         table audit_unrecorded(kind VARCHAR, name VARCHAR): the events (kind 'event') and attributes
--         (kind 'attribute') that the data's source never records (no rows: all are recorded).
-- Output: audit_obligations (one row per obligation), the view audit_rows (one row per occurrence, the
--         obligation and outcome as codes; on_times: for a duty in hours or minutes, TRUE if judged on
--         timestamps, FALSE if on dates) and the view audit_result that names them; sort with
--         ORDER BY {order}.
-- It creates tables and views named audit_* and _*: run it in a scratch database or session.
"""
_ENGINES = {"duckdb": "DuckDB", "postgres": "PostgreSQL", "spark": "Spark SQL"}


def parameters(dialect: Dialect, as_of: dt.date, unrecorded_events: frozenset[str] = frozenset(),
               unrecorded_attributes: frozenset[str] = frozenset()) -> list[str]:
    """The statements that make the script's parameter tables `audit_params` and `audit_unrecorded`."""
    rows = [f"('event', {dialect.string(e)})" for e in sorted(unrecorded_events)]
    rows += [f"('attribute', {dialect.string(a)})" for a in sorted(unrecorded_attributes)]
    values = (f"SELECT CAST(kind AS {dialect.text}) AS kind, CAST(name AS {dialect.text}) AS name "
              f"FROM (VALUES {', '.join(rows)}) AS v(kind, name)" if rows else
              f"SELECT CAST(NULL AS {dialect.text}) AS kind, CAST(NULL AS {dialect.text}) AS name WHERE FALSE")
    return [*dialect.create_table("audit_params", f"SELECT DATE '{as_of.isoformat()}' AS as_of"),
            *dialect.create_table("audit_unrecorded", values)]


def sql_plan(policy: Policy, dialect: Dialect = DUCKDB) -> SqlPlan:
    s = _Script(policy, dialect)
    s.comment = _HEADER.format(engine=_ENGINES[dialect.name], order=ROW_ORDER) + "\n"
    t = dialect.text
    values = []
    for i, ob in enumerate(audited(policy)):
        reason = not_measurable(policy, ob)
        quote = ob.citations[0].quote if ob.citations else ""
        form = form_of(ob.timing) if ob.timing else "none"
        values.append(f"  ({i}, {s.s(ob.id)}, {s.s(ob.title)}, {s.s(clause_of(ob))}, "
                      f"{s.s(quote)}, {s.s(form)}, {s.s(reason) if reason else 'NULL'})")
    columns = ("ob_order", "obligation", "title", "clause", "quote", "form", "not_measurable")
    typed = ", ".join(f"CAST({c} AS {'INTEGER' if c == 'ob_order' else t}) AS {c}" for c in columns)
    source = ("(VALUES\n" + ",\n".join(values) + f"\n) AS v({', '.join(columns)})" if values else
              "(SELECT " + ", ".join(f"NULL AS {c}" for c in columns) + ") v WHERE FALSE")
    s.table("audit_obligations", f"SELECT {typed} FROM {source}")
    outcomes = ", ".join(f"({c}, {s.s(o)})" for o, c in sorted(OUTCOME_CODES.items(), key=lambda x: x[1]))
    s.table("audit_outcomes", f"SELECT CAST(code AS SMALLINT) AS code, CAST(outcome AS {t}) AS outcome "
                              f"FROM (VALUES {outcomes}) AS v(code, outcome)")
    s.inputs()
    s.calendar()
    for i, ob in enumerate(audited(policy)):
        if not_measurable(policy, ob) is None:
            s.obligation(ob, i)
    s.day_statements()
    if s.child_read:
        assert s.child_at is not None
        s.setup[s.child_at:s.child_at] = s.child_statements()
    s.out = []
    rows = "\nUNION ALL\n".join(f"SELECT * FROM {r}" for r in s.results) or (
        f"SELECT CAST(NULL AS {t}) AS child_id, CAST(NULL AS SMALLINT) AS ob_order, CAST(NULL AS DATE) AS trigger_date, "
        "CAST(NULL AS DATE) AS due_date, CAST(NULL AS DATE) AS done_date, CAST(NULL AS SMALLINT) AS outcome, "
        "CAST(NULL AS INTEGER) AS working_days_late, CAST(NULL AS SMALLINT) AS step, CAST(NULL AS BOOLEAN) AS on_times "
        "WHERE FALSE")
    s.view("audit_rows", rows)
    s.view("audit_result",
           "SELECT r.child_id, b.obligation, b.clause, r.trigger_date, r.due_date, r.done_date, c.outcome,\n"
           "       r.working_days_late, r.step, r.ob_order, r.on_times\n"
           "FROM audit_rows r JOIN audit_obligations b ON b.ob_order = r.ob_order JOIN audit_outcomes c ON c.code = r.outcome")
    return SqlPlan(tuple(s.setup), tuple(tuple(p) for p in s.shared), tuple(tuple(c) for c in s.chunks), tuple(s.out))


def _list(values: list[str], enum: bool = False) -> str:
    """A list literal; with `enum`, typed as a list of an ENUM of its distinct values, so that an element
    picked from it for every row is a small code, not a string made per row (DuckDB)."""
    text = "[" + ", ".join(sql_string(v) for v in values) + "]"
    return f"CAST({text} AS ENUM({', '.join(sql_string(v) for v in sorted(set(values)))})[])" if enum else text


def result_select(policy: Policy, source: str, child_id: str = "child_id", enums: bool = False) -> str:
    """SELECT the named result columns from `source` (rows of audit_rows), keeping its order (DuckDB: the
    audit's own runtime SQL, not part of the generated script); `child_id`: the column of `source` that
    names the child; `enums`: the obligation, clause and outcome as ENUMs (the Parquet writer then writes
    each value once, in the column's dictionary: read back, they are text)."""
    names = _list([ob.id for ob in audited(policy)] or [""], enums)
    clauses = _list([clause_of(ob) for ob in audited(policy)] or [""], enums)
    outcomes = _list([o for o, _ in sorted(OUTCOME_CODES.items(), key=lambda x: x[1])], enums)
    return (f"SELECT {child_id} AS child_id, {names}[ob_order + 1] AS obligation, {clauses}[ob_order + 1] AS clause, trigger_date,\n"
            f"       due_date, done_date, {outcomes}[outcome] AS outcome, working_days_late, step, ob_order, on_times\n"
            f"FROM {source}")


def ordered_result_sql(policy: Policy, include_not_applicable: bool = True, sort: bool = True,
                       rows: str = "audit_rows", child_id: str = "child_id", enums: bool = False) -> str:
    """The result rows (`rows`: audit_rows, or a relation of its columns and more), in the audit's order
    if `sort`: the lean rows are sorted first, then named (DuckDB; `child_id` and `enums` as in
    `result_select`)."""
    where = "" if include_not_applicable else f" WHERE outcome <> {OUTCOME_CODES['not_applicable']}"
    order = f" ORDER BY {ROW_ORDER}" if sort else ""
    return result_select(policy, f"(SELECT * FROM {rows}{where}{order})", child_id=child_id, enums=enums)

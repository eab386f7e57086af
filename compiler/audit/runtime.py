"""Runtime for the generated Python checkers (generated/checkers/<authority>/<policy>.py).

A generated module imports only this module and `compiler.model.timescales`. It describes each
obligation as data (`Duty`, the model's steps `Within` and `Every`, conditions) and calls the helpers here, which evaluate one
child's history quickly (sorted day lists and `bisect`). The semantics are those of
docs/audit.md; `compiler.audit.reference` is the plain interpreter that this must agree with.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, assert_never

from compiler.model.ir import Every, For, Step, Until, Within
from compiler.model.semantics import Child, Record, Row, Unrecorded, row_sort_key
from compiler.model.timescales import Duration, add, add_many, bounds_in_days, working_days_between

__all__ = [
    "Age", "Attribute", "Child", "Duty", "Episode", "Every", "For", "History", "Occurrence", "Record", "Row",
    "StatusEvents", "Step", "Unrecorded", "Until", "Within",
    "ONE_DAY", "applies", "chain", "clock_deadline", "count_chain", "narrow", "setting", "unset", "sooner", "later", "minimum_period", "share", "not_applicable", "due_after", "finish", "latest_notice_day",
    "run_checks", "sort_rows",
]

ONE_DAY = dt.timedelta(days=1)


class StatusEvents(NamedTuple):
    """The canonical events that enter and leave a status."""

    enter: frozenset[str]
    leave: frozenset[str]


class Attribute(NamedTuple):
    """`when NAME is [not] V1 or V2`: read from the record that opened the episode."""

    name: str
    values: frozenset[str]
    negated: bool = False

    def holds(self, ep: Episode, on: dt.date, birth: dt.date | None) -> bool:
        value = ep.opening.attr(self.name)
        if value is None or value == "":
            return False
        return (value not in self.values) if self.negated else (value in self.values)


class Age(NamedTuple):
    """`when age under|over|at least AGE`: the child's age on the occurrence's trigger date."""

    comparison: str
    age: tuple[Duration, ...]

    def holds(self, ep: Episode, on: dt.date, birth: dt.date | None) -> bool:
        if birth is None:
            return False
        threshold = add_many(birth, self.age)
        if self.comparison == "under":
            return on < threshold
        if self.comparison == "over":
            return on > threshold
        return on >= threshold


Condition = Attribute | Age


class Duty(NamedTuple):
    """What every form needs to know about an obligation to finish its rows."""

    id: str
    clause: str
    action: str
    extension: Duration | None = None
    conditions: tuple[Condition, ...] = ()
    #: condition sets of the exceptions `instead of` this duty: attributes only (the episode is not
    #: applicable where one set holds) and ages only (the occurrence is not applicable)
    excluded: tuple[tuple[Attribute, ...], ...] = ()
    excluded_by_age: tuple[tuple[Age, ...], ...] = ()
    #: exceptions in prose (docs/audit.md), each as its attribute conditions: in an episode where all of one
    #: set hold (`()`: every episode), an overdue or late occurrence is no_data
    in_prose: tuple[tuple[Attribute, ...], ...] = ()
    #: the timing has a duration in hours or minutes: each row says whether it was judged on timestamps
    clock: bool = False


@dataclass(frozen=True)
class Episode:
    start: dt.date
    last: dt.date | None  # the day the child left; None while open
    opening: Record

    def end(self, as_of: dt.date) -> dt.date:
        return self.last if self.last is not None else as_of

    @property
    def closed(self) -> bool:
        return self.last is not None


@dataclass
class Occurrence:
    trigger: dt.date
    due: dt.date | None
    done: dt.date | None
    window_start: dt.date
    end: dt.date
    closed: bool
    close: dt.date | None = None
    extendable: bool = True
    early: dt.date | None = None  # a minimum duration cut short: the day the event came
    below: bool = False  # a share of occurrences not reached
    step: int | None = None  # schedules and recurrences: the step of the chain, from 1
    on_times: bool | None = None  # a deadline in hours: judged on timestamps (True) or dates (False)
    due_at: dt.datetime | None = None  # on timestamps: the due moment, and the moment it was done
    done_at: dt.datetime | None = None


class History:
    """One child's records up to the as-of date, indexed by event."""

    def __init__(self, child: Child, as_of: dt.date, unrecorded: Unrecorded | None = None):
        self.unrecorded = unrecorded if unrecorded is not None else Unrecorded()
        self.child_id = child.child_id
        self.birth = child.date_of_birth
        self.as_of = as_of
        self.records = sorted((r for r in child.records if r.date <= as_of), key=lambda r: (r.date, r.row))
        days: dict[str, list[dt.date]] = {}
        extensions: dict[str, list[tuple[dt.date, dt.date]]] = {}
        for r in self.records:
            lst = days.setdefault(r.event, [])
            if not lst or lst[-1] != r.date:
                lst.append(r.date)
            if r.extended_until is not None:
                extensions.setdefault(r.event, []).append((r.date, r.extended_until))
        self._days = days
        self._extensions = {k: sorted(v) for k, v in extensions.items()}
        self._episodes: dict[StatusEvents | None, list[Episode]] = {}
        self._times: dict[tuple[str, dt.date], list[dt.time | None]] | None = None  # made when first asked

    def times(self, event: str, day: dt.date) -> list[dt.time | None]:
        """The times of day of `event`'s records on `day` (None for a record without one)."""
        if self._times is None:
            self._times = {}
            for r in self.records:
                self._times.setdefault((r.event, r.date), []).append(r.time)
        return self._times.get((event, day), [])

    def days(self, event: str, first: dt.date, last: dt.date) -> list[dt.date]:
        """Distinct days in [first, last] with `event`."""
        lst = self._days.get(event, [])
        return lst[bisect_left(lst, first):bisect_right(lst, last)]

    def first(self, event: str, first: dt.date, last: dt.date) -> dt.date | None:
        lst = self._days.get(event, [])
        i = bisect_left(lst, first)
        return lst[i] if i < len(lst) and lst[i] <= last else None

    def nth(self, event: str, first: dt.date, last: dt.date, n: int) -> dt.date | None:
        lst = self._days.get(event, [])
        i = bisect_left(lst, first) + n - 1
        return lst[i] if i < len(lst) and lst[i] <= last else None

    def extension(self, event: str, occ: Occurrence) -> tuple[dt.date, dt.date] | None:
        """The latest (agreed, until) with window_start <= agreed <= min(due, end, done)."""
        lst = self._extensions.get(event)
        if not lst or occ.due is None:
            return None
        hi = min(occ.due, occ.end) if occ.done is None else min(occ.due, occ.end, occ.done)
        i = bisect_left(lst, (occ.window_start, dt.date.min))
        j = bisect_right(lst, (hi, dt.date.max))
        return lst[j - 1] if j > i else None

    def episodes(self, status: StatusEvents | None) -> list[Episode]:
        if status not in self._episodes:
            self._episodes[status] = self._find_episodes(status)
        return self._episodes[status]

    def _find_episodes(self, status: StatusEvents | None) -> list[Episode]:
        recs = self.records
        if not recs:
            return []
        if status is None:
            return [Episode(recs[0].date, None, recs[0])]
        out: list[Episode] = []
        start: dt.date | None = None
        opening: Record | None = None
        i, n = 0, len(recs)
        while i < n:
            day = recs[i].date
            entering: Record | None = None
            leaving = False
            while i < n and recs[i].date == day:
                r = recs[i]
                if entering is None and r.event in status.enter:
                    entering = r
                if r.event in status.leave:
                    leaving = True
                i += 1
            if entering is not None and leaving:
                if start is not None and opening is not None:
                    out.append(Episode(start, day, opening))
                    start, opening = day, entering
                else:
                    out.append(Episode(day, day, entering))
            elif entering is not None and start is None:
                start, opening = day, entering
            elif leaving and entering is None and start is not None and opening is not None:
                out.append(Episode(start, day, opening))
                start, opening = None, None
        if start is not None and opening is not None:
            out.append(Episode(start, None, opening))
        return out


# ---- dates --------------------------------------------------------------------------------------
def due_after(base: dt.date, duration: Duration, trigger_day: int) -> dt.date:
    """`duration` after `base`; with `trigger day is day 1`, one day earlier but never before `base`."""
    due = add(base, duration)
    if trigger_day == 1 and due > base:
        due = due - ONE_DAY
    return due


def latest_notice_day(day: dt.date, duration: Duration) -> dt.date:
    """The last day d with add(d, duration) <= day (`add` never decreases, so search near the estimate)."""
    d = day - dt.timedelta(days=bounds_in_days(duration)[1])
    while add(d, duration) > day:
        d -= ONE_DAY
    while add(d + ONE_DAY, duration) <= day:
        d += ONE_DAY
    return d


def clock_deadline(h: History, duty: Duty, trigger: str, day: dt.date, last: dt.date, closed: bool,
                   duration: Duration, seconds: int, trigger_day: int) -> Occurrence:
    """`within N hours of EVENT` triggered on `day`: on timestamps where the trigger's records that day and
    the records of the action that did it all carry a time (`seconds` after the trigger's earliest time),
    else on dates (docs/audit.md, "Hours on timestamps")."""
    stamps = h.times(trigger, day)
    if None in stamps:
        return Occurrence(day, due_after(day, duration, trigger_day), h.first(duty.action, day, last), day, last,
                          closed, on_times=False)
    at = min(x for x in stamps if x is not None)
    # the action on the trigger's day counts from the trigger's time on (a record without a time counts)
    times = [x for x in h.times(duty.action, day) if x is None or x >= at]
    done: dt.date | None = day
    if not times:
        done = h.first(duty.action, day + ONE_DAY, last)
        times = h.times(duty.action, done) if done is not None else []
    if None in times:
        return Occurrence(day, due_after(day, duration, trigger_day), done, day, last, closed, on_times=False)
    due_at = dt.datetime.combine(day, at) + dt.timedelta(seconds=seconds)
    done_at = dt.datetime.combine(done, min(x for x in times if x is not None)) if done is not None else None
    return Occurrence(day, due_at.date(), done, day, last, closed, on_times=True, due_at=due_at, done_at=done_at)


# ---- schedules and recurrences ---------------------------------------------------------------------
def chain(h: History, ep: Episode, duty: Duty, start: dt.date, first_steps: Sequence[Step],
          later_steps: Sequence[Step], restarts: Sequence[tuple[str, Duration]], trigger_day: int,
          trigger: str | None = None) -> list[Occurrence]:
    """The occurrences of a schedule or recurrence in one episode, split into segments by restarts.
    `trigger` is the timing's trigger event: a step or period anchored on it counts from the segment's start."""
    last = ep.end(h.as_of)
    restart_at: dict[dt.date, Duration] = {}
    for event, duration in restarts:
        for day in h.days(event, start + ONE_DAY, last):
            restart_at.setdefault(day, duration)
    segments: list[tuple[dt.date, Sequence[Step]]] = [(start, first_steps)]
    segments += [(day, (Within(restart_at[day]), *later_steps)) for day in sorted(restart_at)]
    actions = h.days(duty.action, ep.start, last)
    out: list[Occurrence] = []
    for k, (seg_start, steps) in enumerate(segments):
        closed = k + 1 < len(segments) or ep.closed
        seg_last = segments[k + 1][0] - ONE_DAY if k + 1 < len(segments) else last
        out += _segment(h, ep, duty, seg_start, seg_last, closed, steps, actions, trigger_day, trigger)
    return out


def _anchor(h: History, event: str, trigger: str | None, seg_start: dt.date, seg_last: dt.date) -> dt.date | None:
    """The day an anchored step or period counts from: the segment's start for the trigger, else the
    first `event` in the segment (None: not happened yet)."""
    return seg_start if event == trigger else h.first(event, seg_start, seg_last)


def _segment(h: History, ep: Episode, duty: Duty, seg_start: dt.date, seg_last: dt.date, closed: bool,
             steps: Sequence[Step], actions: list[dt.date], trigger_day: int, trigger: str | None) -> list[Occurrence]:
    out: list[Occurrence] = []
    nxt = bisect_left(actions, seg_start)  # the next action that can fulfil an occurrence
    base = step_base = seg_start
    i = 0
    while i < len(steps):
        step = steps[i]
        opened = base
        if isinstance(step, Within) and step.anchor is not None:
            anchored = _anchor(h, step.anchor, trigger, seg_start, seg_last)
            if anchored is None:
                break
            opened = anchored
        due = due_after(opened, step.duration, trigger_day if isinstance(step, Within) else 0)
        if isinstance(step, Every):
            bound = _bound(h, ep, step, step_base, trigger, seg_start, seg_last)
            if bound is not None and due > bound:
                i, step_base = i + 1, base
                continue
        done = actions[nxt] if nxt < len(actions) and actions[nxt] <= seg_last else None
        occ = Occurrence(opened, due, done, opened, seg_last, closed, step=i + 1)
        out.append(occ)
        effective = _effective_due(h, duty, occ)
        assert effective is not None
        if done is None:
            if effective > seg_last:
                break
            base = effective
        else:
            nxt += 1
            base = done
        if isinstance(step, Within):
            i, step_base = i + 1, base
    return out


def _bound(h: History, ep: Episode, step: Every, step_base: dt.date, trigger: str | None, seg_start: dt.date,
           seg_last: dt.date) -> dt.date | None:
    match step.bound:
        case None:
            return None
        case Until():
            return h.nth(step.bound.event, ep.start, ep.end(h.as_of), step.bound.ordinal or 1)
        case For():
            if step.bound.start is not None:
                start = _anchor(h, step.bound.start, trigger, seg_start, seg_last)
                return None if start is None else add(start, step.bound.duration)
            return add(step_base, step.bound.duration)
        case _:
            assert_never(step.bound)


def sooner(h: History, duty: Duty, days: list[dt.date]) -> list[dt.date]:
    """`whichever is sooner`: the trigger days that start a clock, i.e. those with an action since the
    previous trigger day (a trigger while an earlier one still waits for its action belongs to that one)."""
    return [d for i, d in enumerate(days) if i == 0 or h.first(duty.action, days[i - 1], d - ONE_DAY) is not None]


def later(h: History, events: Sequence[str], duty: Duty, first: dt.date, last: dt.date) -> list[dt.date]:
    """`whichever is later`: the trigger days, each the day by which every one of `events` has been
    recorded since the round began (the episode's start, then the day after the previous one's action)."""
    out: list[dt.date] = []
    lo = first
    while True:
        firsts = [h.first(e, lo, last) for e in events]
        if any(d is None for d in firsts):
            return out
        day = max(d for d in firsts if d is not None)
        out.append(day)
        done = h.first(duty.action, day, last)
        if done is None:
            return out
        lo = done + ONE_DAY


def minimum_period(day: dt.date, duration: Duration, ends: list[dt.date], last: dt.date,
                   closed: bool) -> Occurrence:
    """`for at least D before EVENT`: the period from an action day `day`; `ends` the EVENT days of the episode."""
    due = add(day, duration)
    i = bisect_left(ends, day)
    end = ends[i] if i < len(ends) else None
    if end is not None and end < due:
        return Occurrence(day, due, None, day, last, closed, extendable=False, early=end)
    return Occurrence(day, due, due if end is not None or due <= last else None, day, last, closed, extendable=False)


def share(h: History, ep: Episode, duty: Duty, counted: str, percent: int) -> Occurrence:
    """`on at least N% of EVENT`: one occurrence per episode, judged on the EVENT days so far (the last is the
    due date) and those with the action too (the last is the done date, when the share is reached)."""
    last = ep.end(h.as_of)
    days = h.days(counted, ep.start, last)
    actions = set(h.days(duty.action, ep.start, last))
    hits = [d for d in days if d in actions]
    reached = len(hits) * 100 >= percent * len(days)
    return Occurrence(ep.start, days[-1] if days else None, hits[-1] if hits and reached else None, ep.start, last,
                      ep.closed, extendable=False, below=bool(days) and not reached)


def count_chain(h: History, ep: Episode, duty: Duty, counted: str, n: int) -> list[Occurrence]:
    """`every Nth EVENT`: each occurrence is due on the Nth `counted` day after the previous one was done
    (or fell due); the first counts from the episode's start. Stops after one with no due date and not done."""
    last = ep.end(h.as_of)
    days = h.days(counted, ep.start, last)
    actions = h.days(duty.action, ep.start, last)
    out: list[Occurrence] = []
    base, k, nxt = ep.start, 0, 0  # k: the index in `days` of the first day that counts
    while True:
        due = days[k + n - 1] if k + n - 1 < len(days) else None
        done = actions[nxt] if nxt < len(actions) else None
        out.append(Occurrence(base, due, done, base, last, ep.closed, extendable=False))
        if done is not None:
            base, nxt = done, nxt + 1
            k = bisect_right(days, done)
        elif due is not None:
            base, k = due, k + n
        else:
            return out


# ---- outcome --------------------------------------------------------------------------------------
def _effective_due(h: History, duty: Duty, occ: Occurrence) -> dt.date | None:
    if occ.due is None or duty.extension is None or not occ.extendable:
        return occ.due
    found = h.extension("extension:" + duty.id, occ)
    if found is None:
        return occ.due
    return max(occ.due, min(found[1], add(occ.due, duty.extension)))


def no_data(h: History, duty: Duty) -> bool:
    """Does the data's source never record the duty's action, or an attribute its conditions read?"""
    return duty.action in h.unrecorded.events or any(
        isinstance(c, Attribute) and c.name in h.unrecorded.attributes for c in duty.conditions)


def finish(h: History, ep: Episode, duty: Duty, occ: Occurrence) -> Row:
    """The row for one occurrence: its outcome, the due date shown and the working days late."""
    effective = _effective_due(h, duty, occ)
    due, done = occ.due, occ.done
    late: int | None = None
    if occ.early is not None:  # a minimum duration cut short: overdue by the working days it fell short
        assert due is not None
        shown: dt.date | None = due
        outcome, late = "overdue", working_days_between(occ.early, due)
    elif occ.below:  # a share of occurrences not reached: overdue, with no lateness to count
        outcome, shown = "overdue", due
    elif done is not None:
        if due is None or (occ.done_at <= occ.due_at if occ.done_at is not None and occ.due_at is not None
                           else done <= due):
            outcome, shown, late = "met", due, 0
        elif effective is not None and effective > due and done <= effective:
            outcome, shown, late = "extended", effective, 0
        else:
            assert effective is not None
            outcome, shown, late = "met_late", effective, working_days_between(effective, done)
    elif effective is None:
        outcome, shown = ("discharged" if occ.closed else "pending"), None
    elif effective > occ.end:
        shown = effective
        if occ.closed:
            outcome = "discharged"
        else:
            outcome = "extended" if due is not None and effective > due else "pending"
    else:
        shown = effective
        outcome, late = "overdue", working_days_between(effective, occ.close or occ.end)
    excepted = any(all(c.holds(ep, occ.trigger, h.birth) for c in cs) for cs in duty.excluded_by_age)
    if excepted or not all(c.holds(ep, occ.trigger, h.birth) for c in duty.conditions if isinstance(c, Age)):
        return Row(h.child_id, duty.id, duty.clause, occ.trigger, shown, None, "not_applicable", None, occ.step)
    if no_data(h, duty) or (outcome in ("overdue", "met_late") and excusable(h, ep, duty)):
        # the due date before any extension; nothing done can be known (or whether an exception in prose applies)
        return Row(h.child_id, duty.id, duty.clause, occ.trigger, occ.due, None, "no_data", None, occ.step)
    return Row(h.child_id, duty.id, duty.clause, occ.trigger, shown, done, outcome, late, occ.step,
               (occ.on_times is True) if duty.clock else None)


def excusable(h: History, ep: Episode, duty: Duty) -> bool:
    """May an exception in prose apply in this episode: all the attribute conditions of one of them hold (one
    the data's source never records may hold)?"""
    return any(all(c.name in h.unrecorded.attributes or c.holds(ep, ep.start, h.birth) for c in cs)
               for cs in duty.in_prose)


def applies(h: History, ep: Episode, duty: Duty) -> bool:
    """Attribute conditions, read once per episode from the record that opened it (one the data's source
    never records is not tested: the occurrences are `no_data`), and no exception `instead of` the duty
    covering the episode."""
    if not all(c.holds(ep, ep.start, h.birth) for c in duty.conditions
               if isinstance(c, Attribute) and c.name not in h.unrecorded.attributes):
        return False
    return not any(all(c.holds(ep, ep.start, h.birth) for c in cs) for cs in duty.excluded)


def narrow(h: History, ep: Episode, starts: Sequence[str], cuts: Sequence[str]) -> Episode | None:
    """The part of an episode in which a duty applies: from the first `starts` event (none: it does not
    apply), to the first `cuts` event on or after that start, which closes it."""
    last = ep.end(h.as_of)
    start = ep.start
    if starts:
        found = [d for d in (h.first(e, ep.start, last) for e in starts) if d is not None]
        if not found:
            return None
        start = min(found)
    cut = [d for d in (h.first(e, start, last) for e in cuts) if d is not None]
    return Episode(start, min(cut) if cut else ep.last, ep.opening)


def setting(h: History, ep: Episode, last: dt.date, event: str, attribute: str) -> tuple[dt.date, str | None] | None:
    """`every|within ATTRIBUTE as set at EVENT`: the day of the first EVENT in the episode and the value of
    ATTRIBUTE on its record (None where it is blank or the data's source never records it); None before EVENT."""
    decision = next((r for r in h.records if r.event == event and ep.start <= r.date <= last), None)
    if decision is None:
        return None
    value = None if attribute in h.unrecorded.attributes else decision.attr(attribute)
    return decision.date, value


def unset(h: History, duty: Duty, day: dt.date) -> Row:
    """The one row of an episode whose timescale set per child was not recorded: no_data."""
    return Row(h.child_id, duty.id, duty.clause, day, None, None, "no_data", None, None)


def not_applicable(h: History, ep: Episode, duty: Duty) -> Row:
    """The one row of an episode to which the obligation does not apply."""
    return Row(h.child_id, duty.id, duty.clause, ep.start, None, None, "not_applicable", None, None)


Check = Callable[[History], list[Row]]


def run_checks(checks: Iterable[Check], children: Iterable[Child], as_of: dt.date,
               unrecorded: Unrecorded | None = None) -> list[Row]:
    """Run every check on every child; rows come out grouped by child, in check order."""
    checks = tuple(checks)
    rows: list[Row] = []
    for child in children:
        h = History(child, as_of, unrecorded)
        for check in checks:
            rows.extend(check(h))
    return rows


def sort_rows(rows: list[Row], order: dict[str, int]) -> list[Row]:
    """Rows in the audit's order: child, obligation (policy order), dates, outcome."""
    return sorted(rows, key=lambda r: row_sort_key(r, order))

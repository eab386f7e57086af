"""The reference interpreter: the plainest evaluation of the policy model, for the differential test.

It reads the resolved `Policy` directly, loops over every record again and again, and never
optimises. The generated Python and the generated SQL must give exactly the rows it gives. Each
function follows one paragraph of docs/audit.md; read them side by side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import assert_never

from compiler.model.ir import (
    AdvanceNotice,
    AgeLimit,
    AgeMilestone,
    AttributeIs,
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
    Share,
    Step,
    Timing,
    Until,
    Vague,
    Within,
    setting_of,
    trigger_of,
)
from compiler.model.semantics import (
    ALL_RECORDED,
    Child,
    Narrowing,
    Record,
    Row,
    Unrecorded,
    audited,
    clause_of,
    clock_deadline,
    clock_seconds,
    extension_event,
    fixed,
    has_clock,
    missing_data,
    narrowing,
    not_measurable,
    row_sort_key,
    status_events,
)
from compiler.model.timescales import Duration, add, add_many, working_days_between

ONE_DAY = dt.timedelta(days=1)


@dataclass
class Episode:
    start: dt.date
    last: dt.date | None  # the day the child left the status; None while open
    opening: Record  # the record that opened it (conditions read its attributes)


@dataclass
class Occurrence:
    trigger: dt.date
    due: dt.date | None  # the due date before any extension
    done: dt.date | None
    window_start: dt.date  # extensions agreed from this day on apply
    end: dt.date  # the last day the occurrence could be done: the episode's (or segment's) last day, or as-of
    closed: bool  # the episode (or segment) has ended
    close: dt.date | None = None  # overdue lateness counts to here (default: end)
    extendable: bool = True
    early: dt.date | None = None  # a minimum duration broken: the day the event came too soon
    below: bool = False  # a share of occurrences not reached
    step: int | None = None  # schedules and recurrences: the step of the chain, from 1
    on_times: bool | None = None  # a deadline in hours: judged on timestamps (True) or on dates (False)
    due_at: dt.datetime | None = None  # judged on timestamps: the due moment
    done_at: dt.datetime | None = None  # judged on timestamps: the moment it was done


def evaluate(policy: Policy, children: Iterable[Child], as_of: dt.date,
             unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    """Every occurrence of every measurable obligation for every child, sorted. `unrecorded`: what the
    data's source never records (docs/audit.md, "No data is not overdue")."""
    rows: list[Row] = []
    for child in children:
        records = [r for r in child.records if r.date <= as_of]
        for ob in audited(policy):
            if not_measurable(policy, ob) is None:
                rows.extend(evaluate_obligation(policy, ob, child, records, as_of, unrecorded))
    order = {ob.id: i for i, ob in enumerate(audited(policy))}
    return sorted(rows, key=lambda r: row_sort_key(r, order))


# ---- episodes ----------------------------------------------------------------------------------
def episodes(policy: Policy, ob: Obligation, records: list[Record], as_of: dt.date) -> list[Episode]:
    if not records:
        return []
    if ob.status is None:
        first = min(records, key=lambda r: (r.date, r.row))
        return [Episode(first.date, None, first)]
    found = status_events(policy, ob.status)
    assert found is not None
    enter, leave = found
    result: list[Episode] = []
    open_start: dt.date | None = None
    opening: Record | None = None
    for day in sorted({r.date for r in records}):
        today = [r for r in records if r.date == day]
        entering = sorted((r for r in today if r.event in enter), key=lambda r: r.row)
        leaving = [r for r in today if r.event in leave]
        if entering and leaving:
            if open_start is not None:  # leave, then enter again: the episode ends and a new one starts
                assert opening is not None
                result.append(Episode(open_start, day, opening))
                open_start, opening = day, entering[0]
            else:  # enter, then leave: an episode of one day
                result.append(Episode(day, day, entering[0]))
        elif entering:
            if open_start is None:
                open_start, opening = day, entering[0]
        elif leaving:
            if open_start is not None:
                assert opening is not None
                result.append(Episode(open_start, day, opening))
                open_start, opening = None, None
    if open_start is not None:
        assert opening is not None
        result.append(Episode(open_start, None, opening))
    return result


def narrow(records: list[Record], ep: Episode, n: Narrowing, as_of: dt.date) -> Episode | None:
    """The part of an episode in which an obligation applies: from the first `starts` event (none: it does
    not apply), to the first `cuts` event on or after that start, which closes it."""
    last = ep.last if ep.last is not None else as_of
    start = ep.start
    if n.starts:
        days = [d for e in n.starts for d in days_of(records, e, ep.start, last)]
        if not days:
            return None
        start = min(days)
    cut = [d for e in n.cuts for d in days_of(records, e, start, last)]
    return Episode(start, min(cut) if cut else ep.last, ep.opening)


def days_of(records: list[Record], event: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """Distinct days in [first, last] on which `event` was recorded, in order."""
    return sorted({r.date for r in records if r.event == event and first <= r.date <= last})


# ---- dates -------------------------------------------------------------------------------------
def due_after(policy: Policy, base: dt.date, duration: Duration) -> dt.date:
    """The due date `duration` after `base`; with `trigger day is day 1`, one day earlier (never before base)."""
    due = add(base, duration)
    if policy.trigger_day == 1:
        due = max(base, due - ONE_DAY)
    return due


def latest_notice_day(event_day: dt.date, duration: Duration) -> dt.date:
    """The last day d with add(d, duration) <= event_day: at least `duration` before the event."""
    d = event_day
    while add(d, duration) > event_day:
        d = d - ONE_DAY
    return d


# ---- the forms ----------------------------------------------------------------------------------
def evaluate_obligation(policy: Policy, ob: Obligation, child: Child, records: list[Record],  # noqa: C901 - the reference interpreter mirrors the time semantics rule by rule (docs/time.md) so it can be read against them
                        as_of: dt.date, unrecorded: Unrecorded = ALL_RECORDED) -> list[Row]:
    t = ob.timing
    assert t is not None
    action = policy.canonical_event(ob.action)
    no_data = any(kind in ("action", "attribute") for kind, _ in missing_data(policy, ob, unrecorded))
    rows: list[Row] = []
    n = narrowing(policy, ob)
    for whole in episodes(policy, ob, records, as_of):
        applies = all(condition_holds(c, child, whole, whole.start) for c in ob.conditions
                      if isinstance(c, AttributeIs) and c.attribute not in unrecorded.attributes)
        if applies and any(all(condition_holds(c, child, whole, whole.start) for c in cs) for cs in n.excluded):
            applies = False  # an exception `instead of` this obligation covers the episode
        part = narrow(records, whole, n, as_of) if applies else None
        if part is None:
            rows.append(Row(child.child_id, ob.id, clause_of(ob), whole.start, None, None, "not_applicable", None, None))
            continue
        ep = part
        if isinstance(t, AgeMilestone) and child.date_of_birth is None:
            rows.append(Row(child.child_id, ob.id, clause_of(ob), ep.start, None, None, "not_applicable", None, None))
            continue
        last = ep.last if ep.last is not None else as_of
        actions = days_of(records, action, ep.start, last)
        timing = t
        setting = setting_of(t)
        if setting is not None:  # `every|within ATTRIBUTE as set at EVENT`: the value recorded at the first EVENT
            event = policy.canonical_event(setting.event)
            decision = next((r for r in records if r.event == event and ep.start <= r.date <= last), None)
            if decision is None:
                continue  # not set yet: nothing falls due
            value = None if setting.attribute in unrecorded.attributes else decision.attr(setting.attribute)
            duration = setting.duration_of(value)
            if duration is None:  # no value recorded (or one that sets no timescale): the data cannot tell
                rows.append(Row(child.child_id, ob.id, clause_of(ob), decision.date, None, None, "no_data", None, None))
                continue
            timing = fixed(t, duration)
        for occ in occurrences(policy, ob, timing, child, records, ep, last, actions):
            rows.append(finish(policy, ob, child, records, ep, occ, as_of, no_data, unrecorded))
    return rows


def occurrences(policy: Policy, ob: Obligation, t: Timing, child: Child, records: list[Record], ep: Episode, last: dt.date,  # noqa: C901 - one case per timing form, each the rule of docs/time.md for its occurrences
                actions: list[dt.date]) -> list[Occurrence]:
    """The occurrences of one timing form in one episode (one paragraph of docs/audit.md each)."""
    ev = policy.canonical_event
    closed = ep.last is not None
    out: list[Occurrence] = []
    match t:
        case Deadline() if clock_deadline(t) and clock_deadline(ob.timing):
            for day in days_of(records, ev(t.trigger), ep.start, last):
                out.append(clock_occurrence(policy, t, records, ev(ob.action), day, ep.start, last, closed))
        case Deadline():
            days = sorted({d for e in (t.trigger, *t.also) for d in days_of(records, ev(e), ep.start, last)})
            if t.sooner:  # a trigger while an earlier one still waits for its action belongs to that one
                days = [d for i, d in enumerate(days) if i == 0 or any(days[i - 1] <= a < d for a in actions)]
            if t.later:
                days = later_days(records, [ev(e) for e in (t.trigger, *t.also)], ep.start, last, actions)
            starts = [(d, t.duration, t.opens) for d in days]
            for r in t.restarts:
                starts += [(d, r.duration, None) for d in days_of(records, ev(r.event), ep.start, last)]
            seen: set[dt.date] = set()
            for day, duration, opens in starts:
                if day in seen:  # a restart on the day of the trigger (or of another restart) is the same one
                    continue
                seen.add(day)
                # a window (`between N and D of EVENT`): an action before it opens does not count
                earliest = day if opens is None else due_after(policy, day, opens)
                done = next((a for a in actions if a >= earliest), None)
                out.append(Occurrence(day, due_after(policy, day, duration), done, day, last, closed))
        case Schedule():
            triggers = days_of(records, ev(t.trigger), ep.start, last)
            if triggers:
                out = chain_occurrences(policy, ob, t, records, ep, last, closed, actions, triggers[0],
                                        [Within(t.duration), *t.steps], list(t.steps))
        case Recurrence():
            triggers = days_of(records, ev(t.trigger), ep.start, last) if t.trigger else [ep.start]
            if triggers:
                out = chain_occurrences(policy, ob, t, records, ep, last, closed, actions, triggers[0],
                                        [t.every], [t.every])
        case CountRecurrence():
            out = count_occurrences(policy, t, records, ep, last, closed, actions)
        case AdvanceNotice():
            previous: dt.date | None = None
            for k, day in enumerate(days_of(records, ev(t.trigger), ep.start, last), start=1):
                lo = ep.start if previous is None else previous + ONE_DAY
                previous = day
                if k < t.from_ordinal:  # `before every EVENT from the Nth`: earlier ones need no notice
                    continue
                due = latest_notice_day(day, t.duration)
                before = [a for a in actions if lo <= a <= due]
                after = [a for a in actions if lo <= a <= day and a > due]
                done = max(before) if before else (min(after) if after else None)
                out.append(Occurrence(day, due, done, lo, last, closed, close=day, extendable=False))
        case AgeMilestone():
            assert child.date_of_birth is not None
            due = add_many(child.date_of_birth, t.age)
            if ep.start <= due:
                out.append(Occurrence(ep.start, due, actions[0] if actions else None, ep.start, last, closed))
        case OrdinalMilestone():
            nth = days_of(records, ev(t.trigger), ep.start, last)
            nth_day = nth[t.ordinal - 1] if len(nth) >= t.ordinal else None
            out.append(Occurrence(ep.start, nth_day, actions[0] if actions else None, ep.start, last, closed))
        case Share():
            counted = days_of(records, ev(t.trigger), ep.start, last)
            hits = [d for d in counted if d in actions]
            enough = len(hits) * 100 >= t.percent * len(counted)
            judged = counted[-1] if counted else None  # judged as of the last day counted
            out.append(Occurrence(ep.start, judged, hits[-1] if hits and enough else None, ep.start, last, closed,
                                  extendable=False, below=bool(counted) and not enough))
        case MinimumPeriod():
            ends = days_of(records, ev(t.trigger), ep.start, last)
            for day in actions:  # each action starts a period that the first event from then must not cut short
                due = add(day, t.duration)
                end = next((e for e in ends if e >= day), None)
                if end is not None and end < due:
                    out.append(Occurrence(day, due, None, day, last, closed, extendable=False, early=end))
                else:  # the minimum was reached on the due day, if that day has come (or the event came after it)
                    reached = due if end is not None or due <= last else None
                    out.append(Occurrence(day, due, reached, day, last, closed, extendable=False))
        case Vague():
            pass  # not measurable: never evaluated
        case _:
            assert_never(t)
    return out


def time_of_day(records: list[Record], event: str, day: dt.date) -> dt.time | None:
    """The earliest time of `event` on `day`; None if one of its records that day has no time."""
    times = [r.time for r in records if r.event == event and r.date == day]
    if not times or any(x is None for x in times):
        return None
    return min(x for x in times if x is not None)


def clock_occurrence(policy: Policy, t: Deadline, records: list[Record], action: str, day: dt.date,
                     first: dt.date, last: dt.date, closed: bool) -> Occurrence:
    """`within N hours of EVENT` on the trigger's day `day` (docs/audit.md, "Hours on timestamps"). When the
    trigger has a time, the action that does it is the first at or after that time (a record of the action
    on the trigger's day without a time counts, as on dates); the occurrence is judged on timestamps if that
    action's record has a time too (or there is none yet): due = the trigger's moment + N hours. Otherwise
    on dates, with N hours rounded up to days."""
    at = time_of_day(records, policy.canonical_event(t.trigger), day)
    start = dt.datetime.combine(day, at) if at is not None else None

    def counts(r: Record) -> bool:
        if r.event != action or not (first <= r.date <= last) or r.date < day:
            return False
        return start is None or r.date > day or r.time is None or r.time >= start.time()

    done_records = [r for r in records if counts(r)]
    done = min((r.date for r in done_records), default=None)
    done_at: dt.datetime | None = None
    if done is not None:
        times = [r.time for r in done_records if r.date == done]
        if all(x is not None for x in times):
            done_at = dt.datetime.combine(done, min(x for x in times if x is not None))
    if start is not None and (done is None or done_at is not None):
        due_at = start + dt.timedelta(seconds=clock_seconds(t.duration))
        return Occurrence(day, due_at.date(), done, day, last, closed, on_times=True, due_at=due_at, done_at=done_at)
    return Occurrence(day, due_after(policy, day, t.duration), done, day, last, closed, on_times=False)


def later_days(records: list[Record], events: list[str], first: dt.date, last: dt.date,
               actions: list[dt.date]) -> list[dt.date]:
    """`whichever is later`: the clock starts on the day by which every one of `events` has been recorded
    since the round began: the episode's start, then the day after the action that did the previous
    occurrence. A round whose occurrence is not done yet is the last."""
    out: list[dt.date] = []
    lo = first
    while True:
        firsts = [next(iter(days_of(records, e, lo, last)), None) for e in events]
        if any(d is None for d in firsts):
            return out
        day = max(d for d in firsts if d is not None)
        out.append(day)
        done = next((a for a in actions if a >= day), None)
        if done is None:
            return out
        lo = done + ONE_DAY


def chain_occurrences(policy: Policy, ob: Obligation, t: Timing, records: list[Record], ep: Episode, last: dt.date, closed: bool,
                      actions: list[dt.date], start: dt.date, first_steps: list[Step],
                      later_steps: list[Step]) -> list[Occurrence]:
    """Schedules and recurrences: segments split by restarts, each a chain of occurrences."""
    ev = policy.canonical_event
    # restarts: distinct days strictly after the start; on a day with several, the first listed wins
    restarts: dict[dt.date, Duration] = {}
    for r in t.restarts:
        for day in days_of(records, ev(r.event), ep.start, last):
            if day > start and day not in restarts:
                restarts[day] = r.duration
    segments: list[tuple[dt.date, list[Step]]] = [(start, first_steps)]
    for day in sorted(restarts):
        segments.append((day, [Within(restarts[day]), *later_steps]))
    result: list[Occurrence] = []
    for i, (seg_start, steps) in enumerate(segments):
        if i + 1 < len(segments):
            seg_last, seg_closed = segments[i + 1][0] - ONE_DAY, True
        else:
            seg_last, seg_closed = last, closed
        result.extend(run_steps(policy, ob, t, records, ep, seg_start, seg_last, seg_closed, steps, actions))
    return result


def run_steps(policy: Policy, ob: Obligation, t: Timing, records: list[Record], ep: Episode, seg_start: dt.date,
              seg_last: dt.date, closed: bool, steps: list[Step], actions: list[dt.date]) -> list[Occurrence]:
    """One chain: each occurrence is due a step after the previous one was done (or fell due), or, for a
    step anchored on an event, after that event."""
    out: list[Occurrence] = []
    base = seg_start
    last_done: dt.date | None = None
    i = 0
    step_base = base
    while i < len(steps):
        step = steps[i]
        opened = base  # the day this occurrence is counted from
        if isinstance(step, Within):
            if step.anchor is not None:  # `then within D of EVENT`: from that event, not the previous occurrence
                anchored = anchor_day(policy, t, records, step.anchor, seg_start, seg_last)
                if anchored is None:
                    break  # the event has not happened (yet) in this run: nothing falls due
                opened = anchored
            due = due_after(policy, opened, step.duration)
        else:  # `every` steps count whole durations: the trigger-day convention does not apply
            due = add(base, step.duration)
            bound = bound_day(policy, t, records, ep, step, step_base, seg_start, seg_last)
            if bound is not None and due > bound:
                i += 1
                step_base = base
                continue
        if last_done is None:
            candidates = [a for a in actions if seg_start <= a <= seg_last]
        else:
            candidates = [a for a in actions if last_done < a <= seg_last]
        done = candidates[0] if candidates else None
        occ = Occurrence(opened, due, done, opened, seg_last, closed, step=i + 1)
        out.append(occ)
        effective = extended_due(ob, occ, records)
        assert effective is not None
        if done is None and effective > seg_last:
            break  # pending, or discharged: the chain stops
        if done is not None:
            last_done = done
            base = done
        else:
            base = effective
        if isinstance(step, Within):
            i += 1
            step_base = base
    return out


def bound_day(policy: Policy, t: Timing, records: list[Record], ep: Episode, step: Every, step_base: dt.date,
              seg_start: dt.date, seg_last: dt.date) -> dt.date | None:
    """The last day a bounded `every` may fall due: the Nth until-event in the episode, or `for` after the
    start of the step (or after its `from` event; unbounded while that event has not happened)."""
    match step.bound:
        case None:
            return None
        case Until():
            last = ep.last if ep.last is not None else dt.date.max
            days = days_of(records, policy.canonical_event(step.bound.event), ep.start, last)
            n = step.bound.ordinal or 1
            return days[n - 1] if len(days) >= n else None
        case For():
            if step.bound.start is not None:
                start = anchor_day(policy, t, records, step.bound.start, seg_start, seg_last)
                return None if start is None else add(start, step.bound.duration)
            return add(step_base, step.bound.duration)
        case _:
            assert_never(step.bound)


def anchor_day(policy: Policy, t: Timing, records: list[Record], event: str, seg_start: dt.date,
               seg_last: dt.date) -> dt.date | None:
    """The day an anchored step or period counts from: the start of the run when `event` is the timing's
    trigger (the day the schedule started or restarted), else the first `event` in the run."""
    canonical = policy.canonical_event(event)
    trigger = trigger_of(t)
    if trigger is not None and policy.canonical_event(trigger) == canonical:
        return seg_start
    days = days_of(records, canonical, seg_start, seg_last)
    return days[0] if days else None


def count_occurrences(policy: Policy, t: CountRecurrence, records: list[Record], ep: Episode, last: dt.date,
                      closed: bool, actions: list[dt.date]) -> list[Occurrence]:
    """`every Nth EVENT`: each occurrence falls due on the Nth EVENT day after the previous one was done (or
    fell due); the first counts EVENT days from the start of the episode. Not done and fewer than N EVENT days
    so far: no due date yet, and the chain stops."""
    counted = days_of(records, policy.canonical_event(t.trigger), ep.start, last)
    out: list[Occurrence] = []
    base, first = ep.start, True
    last_done: dt.date | None = None
    while True:
        after = [d for d in counted if (d >= base if first else d > base)]
        due = after[t.ordinal - 1] if len(after) >= t.ordinal else None
        candidates = [a for a in actions if (a >= ep.start if last_done is None else a > last_done)]
        done = candidates[0] if candidates else None
        out.append(Occurrence(base, due, done, base, last, closed, extendable=False))
        if done is not None:
            base = last_done = done
        elif due is not None:
            base = due
        else:
            return out
        first = False


# ---- extensions, outcome, conditions --------------------------------------------------------------
def extended_due(ob: Obligation, occ: Occurrence, records: list[Record]) -> dt.date | None:
    """The due date after the latest applicable extension (or the due date itself)."""
    if occ.due is None or not occ.extendable or ob.extension is None:
        return occ.due
    event = extension_event(ob.id)
    best: tuple[dt.date, dt.date] | None = None
    for r in records:
        if r.event != event or r.extended_until is None:
            continue
        agreed = r.date
        if not (occ.window_start <= agreed <= occ.due and agreed <= occ.end):
            continue
        if occ.done is not None and occ.done < agreed:
            continue
        if best is None or (agreed, r.extended_until) > best:
            best = (agreed, r.extended_until)
    if best is None:
        return occ.due
    return max(occ.due, min(best[1], add(occ.due, ob.extension.duration)))


def excusable(n: Narrowing, child: Child, ep: Episode, unrecorded: Unrecorded = ALL_RECORDED) -> bool:
    """May an exception in prose apply in this episode? One with no attribute conditions may apply to every
    child; one with attribute conditions only where all of them hold (an attribute the data's source never
    records may hold)."""
    return any(all(c.attribute in unrecorded.attributes or condition_holds(c, child, ep, ep.start) for c in cs)
               for cs in n.prose_when)


def finish(policy: Policy, ob: Obligation, child: Child, records: list[Record], ep: Episode, occ: Occurrence,
           as_of: dt.date, no_data: bool = False, unrecorded: Unrecorded = ALL_RECORDED) -> Row:
    effective = extended_due(ob, occ, records)
    due, done = occ.due, occ.done
    extended = due is not None and effective is not None and effective > due
    if occ.early is not None:  # a minimum duration cut short: overdue by the working days it fell short
        assert due is not None
        shown: dt.date | None = due
        outcome, late = "overdue", working_days_between(occ.early, due)
    elif occ.below:  # a share of occurrences not reached: overdue, with no lateness to count
        outcome, shown, late = "overdue", due, None
    elif done is not None:
        on_time = (occ.done_at <= occ.due_at if occ.on_times and occ.done_at is not None and occ.due_at is not None
                   else due is None or done <= due)
        if on_time:
            outcome, shown, late = "met", due, 0
        elif extended and effective is not None and done <= effective:
            outcome, shown, late = "extended", effective, 0
        else:
            assert effective is not None
            outcome, shown, late = "met_late", effective, working_days_between(effective, done)
    elif effective is None:
        outcome, shown, late = ("discharged" if occ.closed else "pending"), None, None
    elif effective > occ.end:
        if occ.closed:
            outcome = "discharged"
        else:
            outcome = "extended" if extended else "pending"
        shown, late = effective, None
    else:
        close = occ.close if occ.close is not None else occ.end
        outcome, shown, late = "overdue", effective, working_days_between(effective, close)
    excepted = any(all(condition_holds(c, child, ep, occ.trigger) for c in cs)
                   for cs in narrowing(policy, ob).excluded_by_age)
    if excepted or not all(condition_holds(c, child, ep, occ.trigger) for c in ob.conditions if isinstance(c, AgeLimit)):
        return Row(child.child_id, ob.id, clause_of(ob), occ.trigger, shown, None, "not_applicable", None, occ.step)
    if no_data or (outcome in ("overdue", "met_late") and excusable(narrowing(policy, ob), child, ep, unrecorded)):
        # the source never records what would tell (or whether an exception in prose applies): the due date
        # before any extension, nothing else
        return Row(child.child_id, ob.id, clause_of(ob), occ.trigger, occ.due, None, "no_data", None, occ.step)
    on_times = occ.on_times if occ.on_times is not None else (False if has_clock(ob) else None)
    return Row(child.child_id, ob.id, clause_of(ob), occ.trigger, shown, done, outcome, late, occ.step, on_times)


def condition_holds(c: Condition, child: Child, ep: Episode, on: dt.date) -> bool:
    """Attribute conditions read the episode's opening record (once per episode); age conditions the
    child's age on `on`, the occurrence's trigger date."""
    match c:
        case AttributeIs():
            value = ep.opening.attr(c.attribute)
            if value is None or value == "":
                return False
            return (value not in c.values) if c.negated else (value in c.values)
        case AgeLimit():
            if child.date_of_birth is None:
                return False
            threshold = add_many(child.date_of_birth, c.age)
            if c.comparison == "under":
                return on < threshold
            if c.comparison == "over":
                return on > threshold
            return on >= threshold  # "at least"
        case InProse():
            return False
        case _:
            assert_never(c)

"""Facts about a policy that every audit engine shares: which obligations can be measured,
the events that open and close a status, the output row and its order.

Nothing here evaluates a case history: the reference interpreter (`reference.py`), the generated
Python (`compiler/emitters/checker_python.py` with `runtime.py`) and the generated SQL
(`compiler/emitters/checker_sql.py`) each do that on their own, and a differential test checks that
they agree. The semantics are written down in docs/audit.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from compiler.model.ir import (
    AgeLimit,
    AgeMilestone,
    AttributeIs,
    CountRecurrence,
    Deadline,
    InProse,
    Obligation,
    OrdinalMilestone,
    Policy,
    Recurrence,
    Timing,
    Vague,
    durations_of,
    everies,
    setting_of,
    timing_events,
    trigger_of,
)
from compiler.model.timescales import Duration, Unit

#: The lifecycle of one obligation occurrence (design.md, "Time semantics").
OUTCOMES: tuple[str, ...] = ("pending", "met", "met_late", "overdue", "discharged", "not_applicable", "extended",
                             "no_data")

#: Events named `extension:<obligation id>` record an agreed extension; column `extended_until`.
EXTENSION_PREFIX = "extension:"
EXTENDED_UNTIL = "extended_until"

#: The audit judges the aim of an aim-plus-minimum duty under the duty's id with this suffix.
AIM_SUFFIX = ":aim"

#: Prefix of the per-attribute columns that the runner adds to the events table.
ATTRIBUTE_PREFIX = "attr_"

#: Dates outside these years are refused on input (typing errors, and beyond the bank-holiday list).
FIRST_YEAR, LAST_YEAR = 1900, 2099


class Row(NamedTuple):
    """One obligation occurrence for one child: the audit's output row."""

    child_id: str
    obligation: str
    clause: str
    trigger_date: dt.date | None
    due_date: dt.date | None
    done_date: dt.date | None
    outcome: str
    working_days_late: int | None
    #: schedules and recurrences: the step of the chain that made the occurrence, from 1 (a run started
    #: by `restart` counts its own occurrence as 1, then the steps after the first); None for other forms
    step: int | None
    #: for a duty timed in hours or minutes: True if judged on timestamps (the trigger's and the action's
    #: records carry a time of day), False if on dates (hours rounded up to days); None for other duties,
    #: and for rows that judge nothing (not_applicable, no_data). Counted by the summary, not written
    #: to the rows' files.
    on_times: bool | None = None


#: the columns of the rows' files (`on_times` is counted by the summary only)
COLUMNS: tuple[str, ...] = Row._fields[:9]


class Record(NamedTuple):
    """One accepted input row: its 1-based row number, canonical event id, day and time of day (None: the
    row gives a date only)."""

    row: int
    event: str
    date: dt.date
    extended_until: dt.date | None = None
    attrs: tuple[tuple[str, str | None], ...] = ()
    time: dt.time | None = None

    def attr(self, name: str) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return None


def seconds_of(t: dt.time) -> int:
    """A time of day as seconds after midnight (the events table's `time_of_day`; fractions are dropped)."""
    return t.hour * 3600 + t.minute * 60 + t.second


def time_of(seconds: int) -> dt.time:
    return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)


class Child(NamedTuple):
    """A child's case history: records sorted by (date, row)."""

    child_id: str
    date_of_birth: dt.date | None
    records: tuple[Record, ...]


def audited(policy: Policy) -> list[Obligation]:
    """The obligations the audit judges, in order: every obligation (an aim-plus-minimum duty judged on
    its minimum), each followed by its aim if it has one, as the `should` obligation `ID:aim` with the
    aim's timing (an extension moves the minimum, not the aim)."""
    out: list[Obligation] = []
    for ob in policy.obligations:
        out.append(ob)
        if ob.aim is not None:
            out.append(dataclasses.replace(ob, id=ob.id + AIM_SUFFIX, modality="should", timing=ob.aim,
                                           aim=None, extension=None))
    return out


class Narrowing(NamedTuple):
    """How exceptions narrow the episodes in which an obligation applies (docs/audit.md, "Exceptions").

    starts            a `decided by` exception applies from the first day one of these events is
                      recorded in the episode; an episode without one is not applicable
    cuts              the obligation stops on the first day one of these is recorded in the episode
                      (its `unless` events, and the decisions of the exceptions that relax it)
    excluded          condition sets (attributes only) of exceptions `instead of` it: an episode where
                      every condition of one set holds is not applicable
    excluded_by_age   condition sets (ages only): an occurrence whose trigger date meets one is not applicable
    in_prose          exceptions the data cannot show (its own `unless "..."`, and exceptions `instead of` it
                      whose conditions are prose, or mix attributes and ages), as text: an occurrence that
                      would be overdue or late is `no_data`, since one of them may apply
    prose_when        for each of `in_prose`, in order, its attribute conditions: the exception may apply only in
                      an episode where all of them hold (or the data's source never records them); `()` for an
                      exception with none (the rule's own `unless "..."`), which may apply to every child
    """

    starts: tuple[str, ...]
    cuts: tuple[str, ...]
    excluded: tuple[tuple[AttributeIs, ...], ...]
    excluded_by_age: tuple[tuple[AgeLimit, ...], ...]
    in_prose: tuple[str, ...] = ()
    prose_when: tuple[tuple[AttributeIs, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.starts or self.cuts or self.excluded or self.excluded_by_age)


def narrowing(policy: Policy, ob: Obligation) -> Narrowing:
    """The narrowing of `ob` by its own `decided by` and `unless`, and by the exceptions to it. An exception
    whose conditions mix attributes and ages, or are prose, does not narrow its rule: it is listed in
    `in_prose`, with the rule's own `unless "..."` (docs/audit.md, "Exceptions the data cannot show")."""
    ev = policy.canonical_event
    base = ob.id.removesuffix(AIM_SUFFIX)
    starts = (ev(ob.discretion.event),) if ob.discretion and ob.exception_of else ()
    cuts = {ev(u.event) for u in ob.unless if u.event}
    excluded: list[tuple[AttributeIs, ...]] = []
    by_age: list[tuple[AgeLimit, ...]] = []
    in_prose = [f'unless "{u.text}"' for u in ob.unless if u.text is not None]
    prose_when: list[tuple[AttributeIs, ...]] = [() for _ in in_prose]
    for x in policy.obligations:
        if x.exception_of != base or x.id == base:
            continue
        if x.discretion is not None:
            cuts.add(ev(x.discretion.event))
            continue
        attributes = tuple(c for c in x.conditions if isinstance(c, AttributeIs))
        ages = tuple(c for c in x.conditions if isinstance(c, AgeLimit))
        if x.conditions and len(attributes) == len(x.conditions):
            excluded.append(attributes)
        elif x.conditions and len(ages) == len(x.conditions):
            by_age.append(ages)
        elif x.conditions:
            prose = [c.text for c in x.conditions if isinstance(c, InProse)]
            in_prose.append(f'`{x.id}` when "{prose[0]}"' if prose else f"`{x.id}` (its conditions mix attributes and ages)")
            prose_when.append(attributes)
    return Narrowing(starts, tuple(sorted(cuts)), tuple(excluded), tuple(by_age), tuple(in_prose), tuple(prose_when))


def fixed(t: Timing, duration: Duration) -> Timing:
    """A timing set per child (`every|within ATTRIBUTE as set at EVENT`) with the timescale of one value: the
    plain recurrence from EVENT, or deadline of EVENT, that the audit runs for the children with that value."""
    match t:
        case Recurrence():
            return dataclasses.replace(t, every=dataclasses.replace(t.every, duration=duration), setting=None)
        case Deadline():
            return dataclasses.replace(t, duration=duration, setting=None)
        case _:
            return t


def extension_event(obligation_id: str) -> str:
    return EXTENSION_PREFIX + obligation_id


def clause_of(ob: Obligation) -> str:
    """The clause of an obligation's first citation ('' if it cites nothing)."""
    return ob.citations[0].clause if ob.citations else ""


def status_events(policy: Policy, status_id: str | None) -> tuple[frozenset[str], frozenset[str]] | None:
    """Canonical events that enter and leave a status (following `same as`); None if unknown."""
    if status_id is None:
        return None
    sid = policy.canonical_status(status_id)
    status = policy.statuses.get(sid or "")
    if status is None:
        return None
    enter = frozenset(policy.canonical_event(e) for e in status.entered_on)
    leave = frozenset(policy.canonical_event(e) for e in status.left_on)
    return enter, leave


def not_measurable(policy: Policy, ob: Obligation) -> str | None:  # noqa: C901 - one early return per reason a duty cannot be measured, in the order docs/audit.md lists them
    """Why an obligation produces no occurrences, or None if it can be audited."""
    t = ob.timing
    if t is None:
        return "no timing"
    if isinstance(t, Vague) and t.defers_to_statute:
        return "timescale set by statute (the statute's own checker measures it)"
    if isinstance(t, Vague) and t.defers_to is not None:
        return f"timescale set by {t.defers_to}, which is not encoded"
    if isinstance(t, Vague):
        return f"vague timing ({t.phrase})"
    if any(isinstance(c, InProse) for c in ob.conditions):
        return "a condition in prose"
    if ob.status is not None:
        ev = status_events(policy, ob.status)
        if ev is None:
            return f"unknown status `{ob.status}`"
        if not ev[0]:
            return f"status `{ob.status}` has no `entered on` event"
    if isinstance(t, AgeMilestone) and not t.age:
        return "age milestone without an age"
    if isinstance(t, OrdinalMilestone) and t.ordinal < 1:
        return "ordinal milestone without an ordinal"
    if isinstance(t, CountRecurrence) and (t.ordinal < 1 or t.restarts):
        return "a count-based recurrence needs an ordinal from 1st and no restart"
    if any(e.duration.amount == 0 for e in everies(t)):
        return "a recurrence of every 0 units"
    return None


def is_clock(d: Duration) -> bool:
    return d.unit is Unit.HOURS or d.unit is Unit.MINUTES


def clock_seconds(d: Duration) -> int:
    """An hours or minutes duration in seconds."""
    return d.amount * (3600 if d.unit is Unit.HOURS else 60)


def has_clock(ob: Obligation) -> bool:
    """Whether the obligation's timing has a duration in hours or minutes (its rows say how they were judged)."""
    return ob.timing is not None and any(is_clock(d) for d in durations_of(ob.timing))


def clock_deadline(t: Timing | None) -> Deadline | None:
    """The deadline if the audit judges it on timestamps where the records carry a time of day: `within N
    hours|minutes of EVENT`, one trigger event, no window, no restart, not set per child (docs/audit.md, "Hours on
    timestamps"). Other timings in hours are judged on dates, hours rounded up to days."""
    if (isinstance(t, Deadline) and is_clock(t.duration) and not t.also and not t.sooner and not t.later
            and t.opens is None and not t.restarts and t.setting is None):
        return t
    return None


def approximation(d: Duration) -> str | None:
    """How the audit approximates a duration on date-only data, or None if it is exact: clock time is
    rounded up to whole days (48 hours is 2 days, 1 hour is 1 day), a school term is 4 months."""
    if is_clock(d):
        per_day = 24 if d.unit is Unit.HOURS else 24 * 60
        days = -(-d.amount // per_day)
        return f"{d} counted as {days} day{'' if days == 1 else 's'}"
    if d.unit is Unit.SCHOOL_TERMS:
        return f"{d} counted as {d.amount * 4} months"
    return None


def approximations(ob: Obligation) -> list[str]:
    """How the audit approximates the obligation's durations on date-only data (each once, in order)."""
    return timing_approximations(ob.timing) if ob.timing is not None else []


def timing_approximations(t: Timing) -> list[str]:
    texts = (approximation(d) for d in durations_of(t))
    return list(dict.fromkeys(text for text in texts if text is not None))


def attributes_used(policy: Policy) -> list[str]:
    """Attribute names read by conditions of measurable obligations (and of the exceptions that narrow
    them), sorted."""
    names: set[str] = set()
    for ob in policy.obligations:
        if not_measurable(policy, ob) is not None:
            continue
        n = narrowing(policy, ob)
        conditions = [*ob.conditions, *(c for cs in n.excluded + n.prose_when for c in cs)]
        names.update(c.attribute for c in conditions if isinstance(c, AttributeIs))
        setting = setting_of(ob.timing)
        if setting is not None:
            names.add(setting.attribute)
    return sorted(names)


def events_used(policy: Policy) -> set[str]:
    """Canonical events that the measurable obligations read (for documentation and tests)."""
    out: set[str] = set()
    for ob in policy.obligations:
        if not_measurable(policy, ob) is not None or ob.timing is None:
            continue
        out.update(policy.canonical_event(n) for n in [ob.action, *timing_events(ob.timing)])
        narrow = narrowing(policy, ob)
        out.update(narrow.starts + narrow.cuts)
        se = status_events(policy, ob.status)
        if se:
            out.update(se[0] | se[1])
    return out


def row_sort_key(row: Row, order: dict[str, int]) -> tuple:
    """Rows are sorted by child, obligation (policy order), then dates (missing last), outcome."""
    def d(x: dt.date | None) -> tuple[int, dt.date]:
        return (1, dt.date.min) if x is None else (0, x)
    return (row.child_id, order[row.obligation], d(row.trigger_date), d(row.due_date), d(row.done_date), row.outcome,
            (1, 0) if row.working_days_late is None else (0, row.working_days_late),
            (1, 0) if row.step is None else (0, row.step))


# ---- what a data source records (no data is not overdue) ----------------------------------------------


@dataclass(frozen=True)
class SourceRecords:
    """What one data source records: the events it can write and the attributes it fills, each with the
    source's own data item (`"DECOM"`, `"REVIEW"`...). Declared by each adapter; written beside the
    imported events as `EVENTS_STEM.source.json`, with facts about the import (collection year, ...)."""

    source: str  # e.g. "SSDA903"
    events: dict[str, str]  # event id -> data item
    attributes: dict[str, str]  # attribute name -> data item
    facts: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        doc = {"source": self.source, "events": dict(sorted(self.events.items())),
               "attributes": dict(sorted(self.attributes.items())), **self.facts}
        return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False) + "\n"

    @staticmethod
    def from_json(text: str) -> SourceRecords:
        doc = json.loads(text)
        if not isinstance(doc, dict) or not isinstance(doc.get("events"), dict) \
                or not isinstance(doc.get("attributes"), dict):
            raise ValueError("expected an object with `source`, `events` and `attributes`")
        facts = {k: v for k, v in doc.items() if k not in ("source", "events", "attributes")}
        return SourceRecords(str(doc.get("source", "")), {str(k): str(v) for k, v in doc["events"].items()},
                             {str(k): str(v) for k, v in doc["attributes"].items()}, facts)


@dataclass(frozen=True)
class Unrecorded:
    """Canonical events and attribute names that the data's source never records (empty: all recorded)."""

    events: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()

    @staticmethod
    def of(policy: Policy, records: SourceRecords | None) -> Unrecorded:
        if records is None:
            return Unrecorded()
        have = {policy.canonical_event(e) for e in records.events}
        events = {policy.canonical_event(e) for e in policy.events} - have
        read = [c for ob in policy.obligations
                for c in (*ob.conditions, *(c for cs in narrowing(policy, ob).prose_when for c in cs))]
        names = {c.attribute for c in read if isinstance(c, AttributeIs)}
        names |= {s.attribute for ob in policy.obligations if (s := setting_of(ob.timing)) is not None}
        attributes = {name for name in names if name not in records.attributes}
        return Unrecorded(frozenset(events), frozenset(attributes))


#: The default: the source records everything the policy reads.
ALL_RECORDED = Unrecorded()


def occurrence_events(policy: Policy, ob: Obligation) -> list[str]:
    """Canonical events that an obligation's occurrences start from: the status it runs in, its trigger
    and restarts (an obligation whose occurrences start from an unrecorded event has none to show)."""
    t = ob.timing
    names: list[str | None] = []
    se = status_events(policy, ob.status)
    if se:
        names += sorted(se[0])
    if t is not None:
        names += [trigger_of(t), *(r.event for r in t.restarts)]
    return [policy.canonical_event(n) for n in dict.fromkeys(names) if n]


def missing_data(policy: Policy, ob: Obligation, unrecorded: Unrecorded) -> list[tuple[str, str]]:
    """(kind, name) of what the obligation needs and the data does not record: `action`, `trigger` or
    `attribute`. Any of them makes every occurrence `no_data`."""
    out: list[tuple[str, str]] = []
    if ob.action and policy.canonical_event(ob.action) in unrecorded.events:
        out.append(("action", policy.canonical_event(ob.action)))
    out += [("trigger", e) for e in occurrence_events(policy, ob) if e in unrecorded.events]
    out += [("attribute", c.attribute) for c in ob.conditions
            if isinstance(c, AttributeIs) and c.attribute in unrecorded.attributes]
    return out

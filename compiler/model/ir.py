"""The resolved policy model: names checked, units parsed, vocabulary merged.

This is what every later stage reads (graph, analyses, emitters, checkers). It is
built by `compiler.model.resolve` from the AST and never refers back to the parse tree,
except through spans kept for diagnostics. `origin` is the file a declaration came from
(a policy's own file, or the shared vocabulary).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, TypeVar, assert_never

from compiler.model.timescales import Duration
from dsl.ast import NO_SPAN, STATUTE, Span


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    same_as: str | None
    origin: str
    span: Span


@dataclass(frozen=True)
class Event:
    id: str
    label: str
    same_as: str | None
    recorded_as: tuple[tuple[str, str], ...]  # (dataset, data item), e.g. ("cin_census", "ReferralDate")
    origin: str
    span: Span
    oversight: bool = False  # marked `oversight`: counts as visiting, reviewing, recording or supervising
    topics: tuple[str, ...] = ()  # `topic NAME`: subjects a comparison can be narrowed to


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    service: str | None
    entered_on: tuple[str, ...]
    left_on: tuple[str, ...]
    initial: bool
    final: bool
    same_as: str | None
    origin: str
    span: Span
    open: bool = False  # marked `open`: an open case, whose children need an oversight duty


#: The types an attribute can have besides a list of values.
ATTRIBUTE_TYPES = ("number", "date", "text")


@dataclass(frozen=True)
class AttributeValue:
    """One allowed value of an attribute, and the codes DfE data items use for it."""

    id: str
    label: str
    codes: tuple[tuple[str, str], ...]  # (dataset, code), e.g. ("ssda903", "C2")
    span: Span
    duration: Duration | None = None  # `is 2 weeks`: the timescale this value sets


@dataclass(frozen=True)
class Setting:
    """A timescale set for each child by a decision recorded as `event`, as the value of `attribute`
    (`every ATTRIBUTE as set at EVENT`, `within ATTRIBUTE as set at EVENT`): `choices` are the attribute's
    values that set one, each with its duration, in declaration order. The timing that carries it holds
    the most lenient of them, so that every analysis compares the most lenient value."""

    attribute: str
    event: str
    choices: tuple[tuple[str, Duration], ...]
    span: Span

    def duration_of(self, value: str | None) -> Duration | None:
        return next((d for v, d in self.choices if v == value), None)


@dataclass(frozen=True)
class Attribute:
    """A fact about the case that conditions test: `values` (then `type` is "values") or a type."""

    id: str
    label: str
    type: str  # "values" | "number" | "date" | "text"
    values: tuple[AttributeValue, ...]
    recorded_as: tuple[tuple[str, str], ...]  # (dataset, data item), e.g. ("ssda903", "LS")
    origin: str
    span: Span
    same_as: str | None = None

    def value(self, value_id: str) -> AttributeValue | None:
        return next((v for v in self.values if v.id == value_id), None)

    def codes(self, dataset: str) -> dict[str, str]:
        """DfE code → value id, for one dataset."""
        return {code: v.id for v in self.values for ds, code in v.codes if ds == dataset}


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    event: str
    conditions: tuple[str, ...]
    decided_by: str | None
    span: Span


@dataclass(frozen=True)
class Citation:
    clause: str
    quote: str
    span: Span
    quote_span: Span


# ---- conditions on the case -----------------------------------------------------------------------
# One frozen dataclass per kind; `Condition` is their union. Consumers dispatch with `match` and end
# with `assert_never`, so that mypy names every place a new kind must be handled.


@dataclass(frozen=True)
class AttributeIs:
    """`when ATTRIBUTE is [not] V1 or V2`."""

    attribute: str
    negated: bool
    values: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class AgeLimit:
    """`when age under|over|at least AGE` (the age a sum of durations)."""

    comparison: str  # "under" | "over" | "at least"
    age: tuple[Duration, ...]
    span: Span


@dataclass(frozen=True)
class InProse:
    """`when "TEXT"`: a condition the compiler cannot evaluate."""

    text: str
    span: Span


Condition = AttributeIs | AgeLimit | InProse


# ---- timings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Until:
    """Ends a recurrence at the `ordinal`-th (default 1st) `event` of the episode."""

    event: str
    ordinal: int | None = None


@dataclass(frozen=True)
class For:
    """Ends a recurrence `duration` after it began, or after `start` (`for 1 year from EVENT`)."""

    duration: Duration
    start: str | None = None


Bound = Until | For


@dataclass(frozen=True)
class Within:
    """A schedule step `then within D` (of the previous occurrence), or `then within D of ANCHOR`."""

    duration: Duration
    span: Span = NO_SPAN
    anchor: str | None = None


@dataclass(frozen=True)
class Every:
    """A schedule step `then every D [bound]`, and the interval of a recurrence."""

    duration: Duration
    bound: Bound | None = None
    span: Span = NO_SPAN

    @property
    def until(self) -> Until | None:
        return self.bound if isinstance(self.bound, Until) else None

    @property
    def for_duration(self) -> Duration | None:
        return self.bound.duration if isinstance(self.bound, For) else None

    @property
    def for_from(self) -> str | None:
        """The event a `for` period counts from (None: the start of the step)."""
        return self.bound.start if isinstance(self.bound, For) else None


Step = Within | Every


@dataclass(frozen=True)
class Restart:
    duration: Duration
    event: str
    span: Span


@dataclass(frozen=True, kw_only=True)
class _TimingBase:
    """What every timing form has: where it was written, and the events that restart it."""

    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Deadline(_TimingBase):
    """`within DURATION of TRIGGER [or ALSO ...] [whichever is sooner|later]`: each day of any of the triggers
    starts the clock; with `sooner`, a trigger while an earlier one still waits for its action does not;
    with `later`, the clock starts when every one of the triggers has been recorded since the previous
    occurrence was done. `immediately after TRIGGER` and `on the same day as TRIGGER` are deadlines of 0
    days that keep the document's words in `said`."""

    duration: Duration
    trigger: str
    also: tuple[str, ...] = ()
    sooner: bool = False
    later: bool = False
    said: str | None = None
    #: `between N and DURATION of TRIGGER`: a window that opens N units (DURATION's unit) after the trigger;
    #: an action before it opens does not do the occurrence
    opens: Duration | None = None  # "immediately" | "same day" | None (written as `within ...`)
    #: `within ATTRIBUTE as set at TRIGGER`: the time limit is set per child (DURATION: the most lenient value)
    setting: Setting | None = None


@dataclass(frozen=True, kw_only=True)
class Schedule(_TimingBase):
    """`first within DURATION of TRIGGER`, then each of `steps`."""

    duration: Duration
    trigger: str
    steps: tuple[Step, ...]


@dataclass(frozen=True, kw_only=True)
class Recurrence(_TimingBase):
    """`every INTERVAL [from TRIGGER] [bound]`: from entering the status, or from `trigger`."""

    every: Every
    trigger: str | None = None
    #: `every ATTRIBUTE as set at TRIGGER`: the interval is set per child (`every`: the most lenient value)
    setting: Setting | None = None

    @property
    def duration(self) -> Duration:
        return self.every.duration


@dataclass(frozen=True, kw_only=True)
class AdvanceNotice(_TimingBase):
    """`at least DURATION before TRIGGER`; `from_ordinal` N > 1: before the Nth and later TRIGGERs only."""

    duration: Duration
    trigger: str
    from_ordinal: int = 1


@dataclass(frozen=True, kw_only=True)
class CountRecurrence(_TimingBase):
    """`every ORDINAL TRIGGER`: at least once in every `ordinal` occurrences of TRIGGER."""

    ordinal: int
    trigger: str


@dataclass(frozen=True, kw_only=True)
class MinimumPeriod(_TimingBase):
    """`for at least DURATION before TRIGGER`: a minimum duration. Each action day starts a period, and the
    first TRIGGER on or after it must not come before DURATION has passed ("subject to a child in need plan
    for at least three months, prior to considering full closure")."""

    duration: Duration
    trigger: str


@dataclass(frozen=True, kw_only=True)
class Share(_TimingBase):
    """`on at least half of TRIGGER` (`percent` 50) or `on at least N% of TRIGGER`: a share of occurrences. In
    each episode, the action is recorded on at least that share of the days of TRIGGER ("half of visits at
    home": `see child_seen_at_home on at least half of statutory_visit`)."""

    percent: int
    trigger: str
    said: str = "percent"  # "half" | "percent": as the document says it


@dataclass(frozen=True, kw_only=True)
class AgeMilestone(_TimingBase):
    """`by age AGE` (a sum of durations)."""

    age: tuple[Duration, ...]


@dataclass(frozen=True, kw_only=True)
class OrdinalMilestone(_TimingBase):
    """`before the ORDINAL TRIGGER`."""

    ordinal: int
    trigger: str


@dataclass(frozen=True, kw_only=True)
class Vague(_TimingBase):
    """A phrase with no measurable timescale ("as soon as possible"), or a deferral: `as set by
    statute` (`defers_to` is STATUTE: the statutory floor's timescale for the same duty applies) or
    `as set by "DOCUMENT"` (a document that is not encoded sets it)."""

    phrase: str
    defers_to: str | None = None

    @property
    def defers_to_statute(self) -> bool:
        return self.defers_to == STATUTE


Timing = (Deadline | Schedule | Recurrence | CountRecurrence | AdvanceNotice | AgeMilestone | OrdinalMilestone | Vague
          | MinimumPeriod | Share)


def trigger_of(t: Timing) -> str | None:
    """The event a timing counts from or before (None for ages, vague phrases and plain recurrences)."""
    match t:
        case (Deadline() | Schedule() | Recurrence() | CountRecurrence() | AdvanceNotice() | OrdinalMilestone()
              | MinimumPeriod() | Share()):
            return t.trigger
        case AgeMilestone() | Vague():
            return None
        case _:
            assert_never(t)


def form_of(t: Timing) -> str:
    """The timing form's name as exports and generated code spell it: `deadline`, `advance_notice`, ..."""
    match t:
        case Deadline():
            return "deadline"
        case Schedule():
            return "schedule"
        case Recurrence():
            return "recurrence"
        case CountRecurrence():
            return "count_recurrence"
        case AdvanceNotice():
            return "advance_notice"
        case AgeMilestone():
            return "age_milestone"
        case OrdinalMilestone():
            return "ordinal_milestone"
        case Vague():
            return "vague"
        case MinimumPeriod():
            return "minimum_period"
        case Share():
            return "share"
        case _:
            assert_never(t)


def setting_of(t: Timing | None) -> Setting | None:
    """The per-child setting of a timing (`every|within ATTRIBUTE as set at EVENT`), if it has one."""
    return t.setting if isinstance(t, Deadline | Recurrence) else None


def durations_of(t: Timing) -> list[Duration]:
    """Every duration a timing states (intervals, bounds, restarts; not ages)."""
    out: list[Duration] = []
    match t:
        case Deadline():
            out += [t.duration] + ([t.opens] if t.opens is not None else [])
        case AdvanceNotice() | MinimumPeriod():
            out.append(t.duration)
        case Schedule():
            out.append(t.duration)
            out += [d for s in t.steps for d in step_durations(s)]
        case Recurrence():
            out += step_durations(t.every)
        case AgeMilestone() | OrdinalMilestone() | CountRecurrence() | Vague() | Share():
            pass
        case _:
            assert_never(t)
    setting = setting_of(t)
    if setting is not None:  # every value's timescale (the timing's own is the most lenient of them)
        out += [d for _, d in setting.choices if d != setting_model_duration(t)]
    return out + [r.duration for r in t.restarts]


def setting_model_duration(t: Timing) -> Duration | None:
    """The duration a timing states in the model (for a setting: the most lenient value)."""
    match t:
        case Deadline():
            return t.duration
        case Recurrence():
            return t.every.duration
        case _:
            return None


def step_durations(s: Step) -> list[Duration]:
    match s:
        case Within():
            return [s.duration]
        case Every():
            return [s.duration] + ([s.for_duration] if s.for_duration is not None else [])
        case _:
            assert_never(s)


def everies(t: Timing) -> list[Every]:
    """The recurring intervals of a timing: a recurrence's, or a schedule's `then every` steps."""
    match t:
        case Recurrence():
            return [t.every]
        case Schedule():
            return [s for s in t.steps if isinstance(s, Every)]
        case _:
            return []


def until_events(t: Timing) -> list[str]:
    """Events that end a recurrence of the timing (its own bound, and its steps')."""
    return [e.until.event for e in everies(t) if e.until is not None]


def anchor_events(t: Timing) -> list[str]:
    """Events that anchored steps and periods count from (`then within D of EVENT`, `for D from EVENT`)."""
    anchors = [e.for_from for e in everies(t) if e.for_from is not None]
    if isinstance(t, Schedule):
        anchors += [s.anchor for s in t.steps if isinstance(s, Within) and s.anchor is not None]
    return anchors


def timing_events(t: Timing) -> list[str]:
    """Every event a timing names: its trigger, the events that end its recurrences, its anchors, its restarts."""
    trigger = trigger_of(t)
    also = list(t.also) if isinstance(t, Deadline) else []
    return ([trigger] if trigger else []) + also + until_events(t) + anchor_events(t) + [r.event for r in t.restarts]


@dataclass(frozen=True)
class Extension:
    role: str
    duration: Duration
    span: Span


@dataclass(frozen=True)
class Allow:
    code: str
    reason: str
    span: Span


@dataclass(frozen=True)
class Discretion:
    """`decided by ROLE on EVENT`: an exception that applies once ROLE's decision is recorded as EVENT."""

    role: str
    event: str
    span: Span


@dataclass(frozen=True)
class Unless:
    """`unless EVENT`: the duty stops applying once EVENT is recorded; `unless "text"`: an exception in prose."""

    event: str | None
    text: str | None
    span: Span


@dataclass(frozen=True)
class Obligation:
    id: str
    title: str
    modality: str
    status: str | None
    verb: str | None
    action: str
    responsible: str | None
    timing: Timing | None
    conditions: tuple[Condition, ...]
    extension: Extension | None
    citations: tuple[Citation, ...]
    allows: tuple[Allow, ...]
    span: Span
    duty_span: Span
    #: `instead of`: the id of the general obligation this one replaces in the cases it covers
    exception_of: str | None = None
    exception_span: Span | None = None
    discretion: Discretion | None = None
    unless: tuple[Unless, ...] = ()
    #: the `should` timing of an aim-plus-minimum duty; `timing` is then the minimum (`must`)
    aim: Timing | None = None


@dataclass(frozen=True)
class Note:
    kind: str  # "principle" | "checklist"
    id: str
    title: str
    citations: tuple[Citation, ...]
    allows: tuple[Allow, ...]
    span: Span


@dataclass
class Policy:
    path: str
    kind: str  # "policy" | "vocabulary"
    title: str
    authority: str | None = None
    version: str | None = None
    effective: dt.date | None = None
    review_due: dt.date | None = None
    source: str | None = None
    uses: str | None = None
    trigger_day: int = 0
    supersedes: str | None = None  # the path of the version this one replaces, relative to this file
    draft: bool = False
    roles: dict[str, Role] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    statuses: dict[str, Status] = field(default_factory=dict)
    attributes: dict[str, Attribute] = field(default_factory=dict)
    transitions: list[Transition] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    allows: tuple[Allow, ...] = ()
    span: Span = Span(1, 1, 1, 1)

    def canonical_event(self, event_id: str) -> str:
        """The shared vocabulary's id for an event (following `same as`)."""
        return _follow(self.events, event_id)

    def canonical_status(self, status_id: str | None) -> str | None:
        return None if status_id is None else _follow(self.statuses, status_id)

    def topics_of_event(self, event_id: str) -> frozenset[str]:
        """The topics of the event and of every term it is `same as`."""
        return frozenset(t for e in _chain(self.events, event_id) for t in e.topics)

    @cached_property
    def _items_by_line(self) -> tuple[list[int], list[Obligation | Note]]:
        items: list[Obligation | Note] = [*self.obligations, *self.notes]
        items.sort(key=lambda i: (i.span.line, i.span.column))
        return [i.span.line for i in items], items

    def items_at(self, line: int) -> list[Obligation | Note]:
        """The obligations and notes whose text spans `line` (found by bisection, not by a scan)."""
        starts, items = self._items_by_line
        k = bisect_right(starts, line)
        if k == 0:
            return []
        j = k - 1
        while j > 0 and starts[j - 1] == starts[k - 1]:  # items never overlap, but several may share a line
            j -= 1
        return [i for i in items[j:k] if i.span.end_line >= line]

    def is_oversight(self, event_id: str) -> bool:
        """The event, or a term it is `same as`, is marked `oversight` in the vocabulary or the policy."""
        return any(e.oversight for e in _chain(self.events, event_id))

    def is_open(self, status_id: str) -> bool:
        """The status, or a term it is `same as`, is marked `open`."""
        return any(s.open for s in _chain(self.statuses, status_id))

    def used_statuses(self) -> set[str]:
        """Statuses this policy's journey mentions: in a transition, an obligation's `while`,
        or declared in the policy's own file."""
        used = {t.source for t in self.transitions} | {t.target for t in self.transitions}
        used |= {o.status for o in self.obligations if o.status}
        used |= {s.id for s in self.statuses.values() if s.origin == self.path}
        return used

    @property
    def slug(self) -> str:
        from pathlib import Path

        return Path(self.path).stem

    def label_of_event(self, event_id: str | None) -> str:
        if event_id is None:
            return ""
        ev = self.events.get(event_id)
        return ev.label if ev else event_id.replace("_", " ")

    def label_of_role(self, role_id: str | None) -> str:
        if role_id is None:
            return ""
        r = self.roles.get(role_id)
        return r.label if r else role_id.replace("_", " ")

    def label_of_status(self, status_id: str | None) -> str:
        if status_id is None:
            return ""
        s = self.statuses.get(status_id)
        return s.label if s else status_id.replace("_", " ")


class _Term(Protocol):
    @property
    def same_as(self) -> str | None: ...


_T = TypeVar("_T", bound=_Term)


def _chain(table: Mapping[str, _T], key: str | None) -> list[_T]:
    """The declarations met following `same as` links from `key` (each once)."""
    out: list[_T] = []
    while key is not None and key in table and table[key] not in out:
        out.append(table[key])
        key = table[key].same_as
    return out


def _follow(table: Mapping[str, _Term], key: str) -> str:
    """Follow `same as` links from `key` to the shared term (stopping at a cycle)."""
    seen: set[str] = set()
    while key in table and key not in seen:
        target = table[key].same_as
        if not target:
            break
        seen.add(key)
        key = target
    return key

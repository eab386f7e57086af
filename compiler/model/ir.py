"""The resolved policy model: names checked, units parsed, vocabulary merged.

This is what every later stage reads (graph, analyses, emitters, checkers). It is
built by `compiler.model.resolve` from the AST and never refers back to the parse tree,
except through spans kept for diagnostics. `origin` is the file a declaration came from
(a policy's own file, or the shared vocabulary).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from compiler.model.timescales import Duration
from dsl.ast import Span


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


@dataclass(frozen=True)
class Condition:
    """`attribute`: attr is [not] v1 or v2; `age`: age under/over/at least N; `prose`: text."""

    kind: str
    span: Span
    attribute: str | None = None
    negated: bool = False
    values: tuple[str, ...] = ()
    comparison: str | None = None
    age: tuple[Duration, ...] = ()
    text: str | None = None


@dataclass(frozen=True)
class Step:
    kind: str  # "within" | "every"
    duration: Duration
    until_event: str | None = None
    until_ordinal: int | None = None
    for_duration: Duration | None = None
    span: Span = Span(0, 0, 0, 0)


@dataclass(frozen=True)
class Restart:
    duration: Duration
    event: str
    span: Span


@dataclass(frozen=True)
class Timing:
    """A duty's timing. `kind` is one of:

    deadline           within `duration` of `trigger`
    schedule           first within `duration` of `trigger`, then each of `steps`
    recurrence         every `duration` from entering the status (or from `trigger`), until `bound`
    advance_notice     at least `duration` before `trigger`
    age_milestone      by the age `age` (a sum of durations)
    ordinal_milestone  on or before the `ordinal`-th `trigger`
    vague              `phrase`: no measurable timescale
    """

    kind: str
    span: Span
    duration: Duration | None = None
    trigger: str | None = None
    steps: tuple[Step, ...] = ()
    until_event: str | None = None
    until_ordinal: int | None = None
    for_duration: Duration | None = None
    age: tuple[Duration, ...] = ()
    ordinal: int | None = None
    phrase: str | None = None
    restarts: tuple[Restart, ...] = ()


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
    transitions: list[Transition] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    allows: tuple[Allow, ...] = ()
    span: Span = Span(1, 1, 1, 1)

    def canonical_event(self, event_id: str) -> str:
        """The shared vocabulary's id for an event (following `same as`)."""
        return _follow(self.events, event_id)  # type: ignore[return-value]

    def canonical_status(self, status_id: str | None) -> str | None:
        return _follow(self.statuses, status_id)

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


def _chain(table: dict, key: str) -> list:
    """The declarations met following `same as` links from `key` (each once)."""
    out: list = []
    while key in table and table[key] not in out:
        out.append(table[key])
        key = table[key].same_as
    return out


def _follow(table: dict, key: str | None) -> str | None:
    """Follow `same as` links from `key` to the shared term (stopping at a cycle)."""
    seen: set[str] = set()
    while key in table and table[key].same_as and key not in seen:
        seen.add(key)
        key = table[key].same_as
    return key

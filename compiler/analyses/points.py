"""Timing points: the comparable parts of an obligation's timing, indexed by duty.

A duty's timing is broken into points, each with the duration it allows:
  first   the first deadline (deadline, schedule)             key (status, action, trigger)
  second  the second step of a schedule (`then within`)      key (status, action, trigger)
  every   the open-ended interval (recurrence, last `every`)  key (status, action)
  notice  advance notice before an event (longer = stricter) key (status, action, event)
  age     an age milestone                                   key (status, action)
The key uses the shared vocabulary's names (`same as` is followed), plus the obligation's
conditions, so variants for different cases never collide. Conflict checks compare points
that share a key through a dict index: linear in the number of obligations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from compiler.model import describe
from compiler.model.ir import Obligation, Policy
from compiler.model.timescales import Duration, Ordering, compare, worst_case


@dataclass(frozen=True)
class Point:
    policy: Policy
    obligation: Obligation
    name: str  # first | second | every | notice | age
    duration: Duration
    key: tuple


def _conditions(o: Obligation) -> tuple[str, ...]:
    return tuple(sorted(describe.condition(c) for c in o.conditions if c.kind != "prose"))


def points(policy: Policy, o: Obligation) -> list[Point]:
    t = o.timing
    if t is None:
        return []
    status = policy.canonical_status(o.status)
    action = policy.canonical_event(o.action)
    trigger = policy.canonical_event(t.trigger) if t.trigger else None
    conds = _conditions(o)
    out: list[Point] = []

    def add(name: str, d: Duration | None, key_event: str | None) -> None:
        if d is not None:
            out.append(Point(policy, o, name, d, (name, status, action, key_event, conds)))

    if t.kind in ("deadline", "schedule"):
        add("first", t.duration, trigger)
    if t.kind == "schedule":
        if t.steps and t.steps[0].kind == "within":
            add("second", t.steps[0].duration, trigger)
        last_every = next((s for s in reversed(t.steps) if s.kind == "every" and s.until_event is None
                           and s.for_duration is None), None)
        if last_every:
            add("every", last_every.duration, None)
    if t.kind == "recurrence" and t.until_event is None and t.for_duration is None:
        add("every", t.duration, None)
    if t.kind == "advance_notice":
        add("notice", t.duration, trigger)
    if t.kind == "age_milestone" and len(t.age) == 1:
        add("age", t.age[0], None)
    return out


def index(policies: list[Policy]) -> dict[tuple, list[Point]]:
    idx: dict[tuple, list[Point]] = defaultdict(list)
    for p in policies:
        for o in p.obligations:
            for pt in points(p, o):
                idx[pt.key].append(pt)
    return idx


def strictness(a: Point, b: Point) -> Ordering:
    """How a's requirement compares with b's: STRICTER means a allows less slack."""
    order = compare(a.duration, b.duration)
    if a.name == "notice":  # a longer notice period is the stricter one
        return order.reverse()
    return order


def worst(a: Point, b: Point) -> int:
    """The most calendar days by which a's point can be laxer than b's."""
    if a.name == "notice":
        return worst_case(b.duration, a.duration)
    return worst_case(a.duration, b.duration)


def point_phrase(pt: Point) -> str:
    d = pt.duration
    return {"first": f"within {d}", "second": f"then within {d}", "every": f"every {d}",
            "notice": f"at least {d} before", "age": f"by age {d}"}[pt.name]


def citation_note(pt: Point) -> str:
    o = pt.obligation
    if o.citations:
        c = o.citations[0]
        quote = c.quote if len(c.quote) <= 160 else c.quote[:157] + "..."
        return f"`{o.id}` ({point_phrase(pt)}) cites {c.clause}: \"{quote}\""
    return f"`{o.id}` ({point_phrase(pt)}) cites nothing"

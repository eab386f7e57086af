"""Timing points: the comparable parts of an obligation's timing, indexed by duty.

A duty's timing is broken into points, each with the duration it allows:
  first   the first deadline (deadline, schedule)             key (status, action, trigger)
  second  the second step of a schedule (`then within`)      key (status, action, trigger)
  step_of a step counted from an event (`then within D of E`) key (status, action, E): compared only
          with steps counted from the same event, never with `second`
  every   each `every` interval (recurrence or step)         key (status, action); a step that ends
          with `until` or `for` carries that bound, and is compared only with intervals of the same
          bound (or, against the statutory floor, with an open-ended statutory interval); a period
          counted from an event (`for 1 year from placement_start`) is a different bound
  notice  advance notice before an event (longer = stricter) key (status, action, event)
  age     an age milestone                                   key (status, action)
The key uses the shared vocabulary's names (`same as` is followed), plus the obligation's
conditions, so variants for different cases never collide, and last whether the obligation is a
general rule or a stated exception (`instead of`), so an exception is never compared with a rule
as if the two clashed. Conflict checks compare points that share a key through a dict index:
linear in the number of obligations. An aim-plus-minimum duty gives points for its minimum only
(`timing` is the `must` timing; the aim is `aim`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import assert_never

from compiler.model import identity
from compiler.model.ir import (
    AdvanceNotice,
    AgeMilestone,
    Bound,
    Citation,
    Condition,
    CountRecurrence,
    Deadline,
    Every,
    For,
    MinimumPeriod,
    Obligation,
    OrdinalMilestone,
    Policy,
    Recurrence,
    Schedule,
    Share,
    Until,
    Vague,
    Within,
    everies,
)
from compiler.model.timescales import Duration, Ordering, Unit, clock_compare, compare, worst_case
from dsl.diagnostics import Related

#: The last element of a point's key: a general rule, or a stated exception to one.
RULE, EXCEPTION = "rule", "exception"


def duty_key(key: tuple) -> tuple:
    """(name, status, action, trigger): the duty a point belongs to, whatever its case and role."""
    return key[:4]


def general_key(key: tuple) -> tuple:
    """The key of the unconditional general rule for the same duty."""
    return key[:4] + ((), RULE)


@dataclass(frozen=True)
class Point:
    policy: Policy
    obligation: Obligation
    name: str  # first | second | step_of | every | notice | age
    duration: Duration
    key: tuple
    bound: tuple = ()  # an `every` that ends: ("for", Duration) or ("until", event, ordinal)


def conditions_key(o: Obligation) -> tuple[Condition, ...]:
    """The obligation's checkable conditions as data (compiler.model.identity; prose is left out):
    never as rendered text, so rewording `describe` changes no key."""
    return identity.conditions(o.conditions)


def points(policy: Policy, o: Obligation) -> list[Point]:  # noqa: C901 - one branch per timing kind; each adds its comparable points, and splitting them would hide which kinds yield which points
    t = o.timing
    if t is None:
        return []
    status = policy.canonical_status(o.status)
    action = policy.canonical_event(o.action)
    conds = conditions_key(o)
    out: list[Point] = []

    role = EXCEPTION if o.exception_of else RULE

    def add(name: str, d: Duration, key_event: str | None, bound: tuple = ()) -> None:
        key_event = policy.canonical_event(key_event) if key_event else None
        out.append(Point(policy, o, name, d, (name, status, action, key_event, conds, role), bound))

    def bound_of(b: Bound | None) -> tuple:
        match b:
            case None:
                return ()
            case For():
                return ("for", b.duration) + ((policy.canonical_event(b.start),) if b.start else ())
            case Until():
                return ("until", policy.canonical_event(b.event), b.ordinal or 1)
            case _:
                assert_never(b)

    match t:
        case Deadline():
            if t.also:  # several triggers: compared only with a deadline from the same ones
                names = " or ".join(sorted({policy.canonical_event(e) for e in (t.trigger, *t.also)}))
                add("first", t.duration, names + (", whichever is sooner" if t.sooner else ", whichever is later" if t.later else ""))
            else:
                add("first", t.duration, t.trigger)
        case Schedule():
            add("first", t.duration, t.trigger)
            if t.steps and isinstance(t.steps[0], Within) and t.steps[0].anchor is None:
                add("second", t.steps[0].duration, t.trigger)
            for s in t.steps:
                if isinstance(s, Within) and s.anchor is not None:
                    add("step_of", s.duration, s.anchor)
                if isinstance(s, Every):
                    add("every", s.duration, None, bound_of(s.bound))
        case Recurrence():
            add("every", t.duration, None, bound_of(t.every.bound))
        case AdvanceNotice():
            add("notice", t.duration, t.trigger)
        case AgeMilestone():
            if len(t.age) == 1:
                add("age", t.age[0], None)
        case OrdinalMilestone() | CountRecurrence() | Vague() | MinimumPeriod() | Share():
            pass  # no duration to compare (a count-based recurrence counts occurrences, not time; a minimum duration bounds from below)
        case _:
            assert_never(t)
    return out


def index(policies: list[Policy]) -> dict[tuple, list[Point]]:
    idx: dict[tuple, list[Point]] = defaultdict(list)
    for p in policies:
        for o in p.obligations:
            for pt in points(p, o):
                idx[pt.key].append(pt)
    return idx


def same_family(a: Point, b: Point) -> bool:
    """Two statements of one policy that are a rule and its exception, or two exceptions to one rule:
    each is stated for its own cases, so they never conflict."""
    if a.policy.path != b.policy.path:
        return False
    ra = a.obligation.exception_of or a.obligation.id
    rb = b.obligation.exception_of or b.obligation.id
    return ra == rb


def same_phase(a: Point, b: Point) -> bool:
    """Whether two points apply over the same stretch of time: `every` intervals only when they end
    the same way (both open-ended, or both `for 1 year`, or both `until the 1st review`)."""
    return a.bound == b.bound


def under_floor(local: Point, floor: Point) -> bool:
    """Whether a local point is held to a statutory one: the same phase, any local interval against
    an open-ended statutory one (which applies throughout), or an open-ended local interval against
    every phase of the statute (the local interval applies in each of them: "every 12 weeks" against
    "every 6 weeks for the first year of the placement, then every 3 months" falls short in the first
    year)."""
    return local.bound == floor.bound or not floor.bound or applies_throughout(local)


def applies_throughout(pt: Point) -> bool:
    """An `every` interval with no bound and no bounded interval before it: it runs from the start
    (a schedule's last `then every` after `for 1 year` is the phase after the year, not this)."""
    t = pt.obligation.timing
    return pt.name == "every" and not pt.bound and t is not None and all(e.bound is None for e in everies(t))


def strictness(a: Point, b: Point) -> Ordering:
    """How a's requirement compares with b's: STRICTER means a allows less slack."""
    order = clock_compare(a.duration, b.duration) or compare(a.duration, b.duration)
    if a.name == "notice":  # a longer notice period is the stricter one
        return order.reverse()
    return order


def worst(a: Point, b: Point) -> int:
    """The most calendar days by which a's point can be laxer than b's."""
    if a.name == "notice":
        return worst_case(b.duration, a.duration)
    return worst_case(a.duration, b.duration)


def bound_phrase(bound: tuple) -> str:
    if not bound:
        return ""
    if bound[0] == "for":
        return f" for {bound[1]}" + (f" from {bound[2].replace('_', ' ')}" if len(bound) > 2 else "")
    n = bound[2]
    return f" until the {n}{_ORDINAL_SUFFIX.get(n % 10 if n % 100 not in (11, 12, 13) else 0, 'th')} " \
           f"{bound[1].replace('_', ' ')}"


_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def point_phrase(pt: Point) -> str:
    d = pt.duration
    if pt.name == "step_of":
        return f"then within {d} of {pt.key[3]}"
    return {"first": f"within {d}", "second": f"then within {d}", "every": f"every {d}{bound_phrase(pt.bound)}",
            "notice": f"at least {d} before", "age": f"by age {d}"}[pt.name]


_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_TENS = {30: "thirty", 40: "forty", 45: "forty-five", 48: "forty-eight", 60: "sixty", 72: "seventy-two"}
_UNIT_WORDS = {Unit.MINUTES: ("minute",), Unit.HOURS: ("hour",), Unit.DAYS: ("day", "daily"),
               Unit.WORKING_DAYS: ("working day",), Unit.WEEKS: ("week", "fortnight"),
               Unit.MONTHS: ("month",), Unit.YEARS: ("year", "annual"), Unit.SCHOOL_TERMS: ("term",)}


@lru_cache(maxsize=1024)
def _number_pattern(d: Duration) -> re.Pattern[str]:
    names = {str(d.amount)}
    if d.amount < len(_WORDS):
        names.add(_WORDS[d.amount])
    if d.amount in _TENS:
        names.add(_TENS[d.amount])
    if d.amount == 1:
        names |= {"a", "an", "one", "each", "every"}
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")(?!\w)")


def _mentions(quote: str, d: Duration) -> int:
    """How well a quote states a duration: 2 the number and its unit, 1 the number or the unit."""
    text = quote.lower()
    number = _number_pattern(d).search(text) is not None
    if d.unit is Unit.DAYS and "working day" in text:  # "days" must not be found inside "working days"
        unit = re.search(r"(?<!working )days?\b", text) is not None
    else:
        unit = any(w in text for w in _UNIT_WORDS[d.unit])
    return (number and unit) * 2 or int(number or unit)


def quoted_citation(pt: Point) -> Citation | None:
    """The citation of the point's obligation that states the compared number: the first that
    names the number and its unit, else the first that names either, else the first."""
    cached = pt.__dict__.get("_quoted", _UNSET)
    if cached is not _UNSET:
        return cached
    cites = pt.obligation.citations
    best = max(cites, key=lambda c: _mentions(c.quote, pt.duration)) if len(cites) > 1 else (
        cites[0] if cites else None)  # max keeps the first of equals
    object.__setattr__(pt, "_quoted", best)  # a cache on the frozen point, not a field
    return best


_UNSET = object()


def citation_note(pt: Point) -> str:
    o = pt.obligation
    c = quoted_citation(pt)
    if c is not None:
        quote = c.quote if len(c.quote) <= 240 else c.quote[:237] + "..."
        return f"`{o.id}` ({point_phrase(pt)}) cites {c.clause}: \"{quote}\""
    return f"`{o.id}` ({point_phrase(pt)}) cites nothing"


def quoted(path: str, o: Obligation) -> tuple[Related, ...]:
    """The document's own words for a finding about one obligation: each of its citations."""
    return tuple(Related(path, c.span, f"`{o.id}` cites {c.clause}: \"{c.quote}\"") for c in o.citations)

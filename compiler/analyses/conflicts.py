"""Conflicts inside one policy and across the documents of one authority."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from compiler.analyses.points import (
    RULE,
    Point,
    citation_note,
    index,
    point_phrase,
    quoted_citation,
    same_family,
    same_phase,
    strictness,
    worst,
)
from compiler.model import describe
from compiler.model.ir import Every, Obligation, Policy, Schedule, Within, everies, trigger_of
from compiler.model.timescales import Duration, Ordering, Unit, compare
from dsl.ast import Span
from dsl.codes import CODES
from dsl.diagnostics import Diagnostic, Related

_DAYLIKE = {Unit.DAYS}  # calendar days against working days: W502 (hours against working days: I507)
_CLOCK = {Unit.HOURS, Unit.MINUTES}


def _span(o: Obligation) -> Span:
    return o.citations[0].span if o.citations else o.duty_span


def _related(pt: Point) -> Related:
    c = quoted_citation(pt)
    return Related(pt.policy.path, c.span if c else pt.obligation.duty_span, citation_note(pt))


def _trigger(pt: Point) -> str | None:
    """The event a `first` point counts from."""
    t = pt.obligation.timing
    return trigger_of(t) if t is not None else None


def _what(pt: Point) -> str:
    p, o = pt.policy, pt.obligation
    where = f" while {p.label_of_status(o.status).lower()}" if o.status else ""
    return f"{p.label_of_event(o.action).lower()}{where}"


def _sentence(pt: Point) -> tuple[str, str]:
    """The source sentence a point's number comes from: its policy and the quote that holds it."""
    cached = pt.__dict__.get("_sentence")
    if cached is None:
        c = quoted_citation(pt)
        cached = (pt.policy.path, " ".join(c.quote.split()) if c else f"`{pt.obligation.id}`")
        object.__setattr__(pt, "_sentence", cached)  # a cache on the frozen point, not a field
    return cached


def same_sentence(a: Point, b: Point) -> bool:
    """Two obligations split from one sentence of the document (one quote holds the other)."""
    (pa, qa), (pb, qb) = _sentence(a), _sentence(b)
    return pa == pb and (qa in qb or qb in qa)


def comparable(a: Point, b: Point) -> bool:
    """Whether two statements of a duty can contradict each other: the same phase of a schedule,
    the same strength within a document (there a `should` is an aim beside a `must` minimum, not a
    contradiction; across documents one says "should" where the other says "will"), and
    not two parts of one sentence (a range such as "24-28 weeks" or "48 hours/two working days"), and
    not a rule and its stated exception (`instead of`), nor two exceptions to one rule."""
    aim_and_minimum = a.obligation.modality != b.obligation.modality and a.policy.path == b.policy.path
    return same_phase(a, b) and not aim_and_minimum and not same_sentence(a, b) and not _no_number(a, b) \
        and not same_family(a, b)


def _no_number(a: Point, b: Point) -> bool:
    """"At least 0 days before" only says "before", which any notice meets; "the same day" and "the
    same working day" (0 days, 0 working days) say the same: neither is a rival timescale."""
    if a.name == "notice" and (a.duration.amount == 0 or b.duration.amount == 0):
        return True
    return a.duration.amount == 0 and b.duration.amount == 0


def _distance(a: Point, b: Point) -> tuple[int, int]:
    """How far apart two statements are: the same number in another unit comes first (the usual
    days against working days slip), then the fewest calendar days between them."""
    return (0 if a.duration.amount == b.duration.amount else 1, max(worst(a, b), worst(b, a)))


def is_summary_table(pt: Point) -> bool:
    """Whether the point's number comes from a summary table (a clause label naming a table or an
    "at a glance" summary) rather than a numbered clause."""
    c = quoted_citation(pt)
    return c is not None and any(w in c.clause.lower() for w in ("table", "at a glance"))


def _table_against_clause(a: Point, b: Point) -> Diagnostic | None:
    """W513: a summary table cell that disagrees with the numbered clause it summarises."""
    table, clause = (a, b) if is_summary_table(a) else (b, a)
    cited = quoted_citation(clause)
    label = cited.clause if cited is not None else f"`{clause.obligation.id}`"
    return Diagnostic(
        "W513", f"{_what(b)}: the summary table says {point_phrase(table)}, clause {label} says "
                f"{point_phrase(clause)}", b.policy.path, _span(b.obligation),
        "correct the table or the clause, so that both say the same", (_related(a), _related(b)))


def _pair(a: Point, b: Point, code_conflict: str) -> Diagnostic | None:
    """A finding for two points of the same duty, reported at `b` (the later one)."""
    if a.duration == b.duration:
        return None
    units = {a.duration.unit, b.duration.unit}
    order = strictness(a, b)
    both = (_related(a), _related(b))
    if code_conflict == "W501" and is_summary_table(a) != is_summary_table(b) and order is not Ordering.DEPENDS:
        return _table_against_clause(a, b)
    if Unit.WORKING_DAYS in units and units & _DAYLIKE:
        return Diagnostic(
            "W502" if code_conflict == "W501" else code_conflict,
            f"{_what(b)}: {point_phrase(a)} against {point_phrase(b)} (calendar time against working days)",
            b.policy.path, _span(b.obligation),
            f"these differ by up to {max(worst(a, b), worst(b, a))} calendar days; settle on one unit", both)
    if order is Ordering.DEPENDS and Unit.WORKING_DAYS in units and units & _CLOCK:
        return Diagnostic(
            "I507", f"{_what(b)}: {point_phrase(a)} against {point_phrase(b)} depends on the weekday and time of "
                    "day (clock hours against working days)",
            b.policy.path, _span(b.obligation),
            "hours run through nights and weekends, working days do not; state one of them if the document allows",
            both)
    if order is Ordering.DEPENDS:
        return Diagnostic(
            "I507", f"{_what(b)}: {point_phrase(a)} against {point_phrase(b)} depends on the calendar",
            b.policy.path, _span(b.obligation),
            f"at worst one allows {max(worst(a, b), worst(b, a))} more calendar days than the other", both)
    return Diagnostic(
        code_conflict, f"{_what(b)}: {point_phrase(a)} against {point_phrase(b)}", b.policy.path,
        _span(b.obligation), "decide which timescale is right; both are stated", both)


@dataclass
class _Found:
    a: Point
    b: Point
    diagnostic: Diagnostic
    suffix: str = ""  # which documents, for findings across documents


# Rough calendar days per unit: only to find the nearest statements quickly (the finding itself
# compares them exactly).
_APPROX_DAYS = {Unit.MINUTES: 1 / 1440, Unit.HOURS: 1 / 24, Unit.DAYS: 1.0, Unit.WORKING_DAYS: 1.4, Unit.WEEKS: 7.0,
                Unit.MONTHS: 30.44, Unit.YEARS: 365.25, Unit.SCHOOL_TERMS: 91.0}
_AGREES = object()


class _Statements:
    """The statements of one duty seen so far, by phase, document and strength, then by duration:
    a new statement finds one that agrees with it, or the nearest ones, without a scan of all the
    earlier statements (a duty stated many times stays linear)."""

    def __init__(self) -> None:
        self.by_duration: dict[tuple, dict[Duration, list[Point]]] = {}
        self.by_days: dict[tuple, list[tuple[float, int, str]]] = {}
        self.by_amount: dict[tuple, dict[int, list[Duration]]] = {}

    def add(self, p: Point) -> None:
        key = (p.bound, p.policy.path, p.obligation.modality)
        durations = self.by_duration.setdefault(key, {})
        reps = durations.get(p.duration)
        if reps is None:
            durations[p.duration] = [p]
            bisect.insort(self.by_days.setdefault(key, []),
                          (p.duration.amount * _APPROX_DAYS[p.duration.unit], p.duration.amount, p.duration.unit.value))
            self.by_amount.setdefault(key, {}).setdefault(p.duration.amount, []).append(p.duration)
        elif len(reps) < 3 and not any(same_sentence(r, p) for r in reps):
            reps.append(p)  # a few statements from different sentences, for `comparable`

    def _usable(self, key: tuple, d: Duration, b: Point) -> Point | None:
        return next((a for a in self.by_duration[key].get(d, ()) if a.obligation is not b.obligation
                     and comparable(a, b)), None)

    def _keys(self, b: Point, separate: bool) -> list[tuple]:
        return [k for k in self.by_duration if k[0] == b.bound and (k[1] != b.policy.path or k[2] == b.obligation.modality)
                and not (separate and k[1] == b.policy.path)]

    def says_the_same(self, b: Point) -> bool:
        """Whether b's own document already stated it (found by the statement it was compared with)."""
        key = (b.bound, b.policy.path, b.obligation.modality)
        return key in self.by_duration and self._usable(key, b.duration, b) is not None

    def match(self, b: Point, separate: bool) -> object:
        """_AGREES when an earlier statement agrees with b, else the nearest one (or None)."""
        keys = self._keys(b, separate)
        if any(self._usable(k, b.duration, b) for k in keys):
            return _AGREES
        candidates: list[Point] = []
        days = b.duration.amount * _APPROX_DAYS[b.duration.unit]
        for k in keys:
            for d in self.by_amount[k].get(b.duration.amount, ()):
                a = self._usable(k, d, b)
                if a is not None:
                    candidates.append(a)
            ordered = self.by_days[k]
            i = bisect.bisect_left(ordered, (days,))
            for j in (i - 1, i, i + 1, i - 2, i + 2):
                if 0 <= j < len(ordered):
                    _, amount, unit = ordered[j]
                    a = self._usable(k, Duration(amount, Unit(unit)), b)
                    if a is not None:
                        candidates.append(a)
        return min(candidates, key=lambda a: _distance(a, b)) if candidates else None


def _disagreements(pts: list[Point], code: str, separate: bool = False) -> list[_Found]:
    """Each statement of a duty against the nearest earlier statement it disagrees with, unless an
    earlier statement agrees with it: one finding for each disagreeing statement, not each pair.
    With `separate`, a statement is compared only with statements of other documents, and not at
    all when its own document already said the same."""
    ordered = sorted(pts, key=lambda p: (p.policy.path, p.obligation.span.line, p.obligation.id))
    seen = _Statements()
    out: list[_Found] = []
    for b in ordered:
        if not (separate and seen.says_the_same(b)):
            a = seen.match(b, separate)
            if isinstance(a, Point):
                d = _pair(a, b, code)
                if d is not None:
                    out.append(_Found(a, b, d))
        seen.add(b)
    return out


def _fold(found: list[_Found]) -> list[Diagnostic]:
    """One finding per contradiction: findings between the same two source sentences (one of
    them split into several obligations) become one that lists the parts."""
    groups: dict[tuple, list[_Found]] = {}
    for f in found:
        groups.setdefault((_sentence(f.a), _sentence(f.b)), []).append(f)
    out: list[Diagnostic] = []
    for fs in groups.values():
        if len(fs) == 1:
            out.append(fs[0].diagnostic)
            continue
        fs.sort(key=lambda f: (CODES[f.diagnostic.code].severity != "warning", f.diagnostic.code))
        first = fs[0]
        lefts = _unique([point_phrase(f.a) for f in fs])
        rights = _unique([point_phrase(f.b) for f in fs])
        whats = _unique([_what(f.b) for f in fs])
        parts = _unique([f"`{f.b.obligation.id}`" for f in fs] + [f"`{f.a.obligation.id}`" for f in fs])
        related = _by_sentence([f.a for f in fs] + [f.b for f in fs])
        msg = f"{'; '.join(whats)}: {' / '.join(lefts)} against {' / '.join(rights)}" \
              f" (one contradiction; the sentences are split into {', '.join(parts)}){first.suffix}"
        out.append(Diagnostic(first.diagnostic.code, msg, first.diagnostic.file, first.diagnostic.span,
                              first.diagnostic.hint, tuple(related)))
    return out


def _by_sentence(pts: list[Point]) -> list[Related]:
    """One note per quoted sentence, naming every obligation split from it."""
    groups: dict[tuple, list[Point]] = {}
    for p in pts:
        c = quoted_citation(p)
        groups.setdefault((p.policy.path, " ".join(c.quote.split()) if c else p.obligation.id), []).append(p)
    out = []
    for (path, _), group in groups.items():
        c = quoted_citation(group[0])
        span = c.span if c else group[0].obligation.duty_span
        if len(group) == 1:
            out.append(_related(group[0]))
            continue
        ids = ", ".join(_unique([f"`{p.obligation.id}`" for p in group]))
        phrases = " / ".join(_unique([point_phrase(p) for p in group]))
        note = citation_note(group[0])
        out.append(Related(path, span, f"{ids} ({phrases}) cite{note.split(') cite', 1)[1]}"))
    return out


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _unique_related(items: list[Related]) -> list[Related]:
    return list({(r.file, r.span, r.message): r for r in items}.values())


def within_policy(policy: Policy, idx: dict[tuple, list[Point]] | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    idx = index([policy]) if idx is None else idx
    found: list[_Found] = []
    for pts in idx.values():
        found.extend(_disagreements(pts, "W501"))
    out.extend(_fold(found))
    out.extend(_shadowed(policy, idx))
    for o in policy.obligations:
        out.extend(_schedule_shape(policy, o))
    out.extend(_advance_notice(policy, idx))
    return out


def _shadowed(policy: Policy, idx: dict[tuple, list[Point]]) -> list[Diagnostic]:  # noqa: C901 - the strictest general statement per duty, then each conditional step against it: one pass each
    """W506: a duty that applies in a subset of another's cases and is no stricter in any step,
    never binds. Every step of the conditional duty is compared with the strictest unconditional
    `must` of the same duty and phase; one finding per shadowed obligation. A stated exception
    (`instead of`) replaces a rule in its cases, so it is never shadowed, nor shadows."""
    general: dict[tuple, Point] = {}  # (duty, phase) -> its strictest unconditional `must`
    for key, pts in idx.items():
        if not key[4] and key[5] == RULE:
            for p in pts:
                if p.obligation.modality != "must":
                    continue
                at = (key[:4], p.bound)
                if at not in general or strictness(p, general[at]) is Ordering.STRICTER:
                    general[at] = p
    by_obligation: dict[str, list[Point]] = {}
    for key, pts in idx.items():
        if key[4] and key[5] == RULE:
            for p in pts:
                if p.obligation.modality == "must":
                    by_obligation.setdefault(p.obligation.id, []).append(p)
    out = []
    for oid, pts in by_obligation.items():
        covering: list[Point] = []
        for b in pts:
            a = general.get((b.key[:4], b.bound))
            best = a if a is not None and strictness(a, b) in (Ordering.STRICTER, Ordering.EQUAL) else None
            if best is None:
                break
            covering.append(best)
        else:
            if not covering:
                continue
            names = _unique([f"`{a.obligation.id}`" for a in covering])
            b = pts[0]
            out.append(Diagnostic(
                "W506", f"`{oid}` is shadowed by {' and '.join(names)}: it applies in fewer cases and no step of it "
                        f"is stricter", policy.path, _span(b.obligation),
                "remove it, or make it stricter than the general duty",
                tuple(_unique_related([_related(a) for a in covering] + [_related(p) for p in pts]))))
    return out


def _schedule_shape(policy: Policy, o: Obligation) -> list[Diagnostic]:
    """W503 a bounded recurrence that cannot fit its window; W505 steps that contradict."""
    t = o.timing
    out: list[Diagnostic] = []
    if t is None:
        return out
    steps = list(t.steps) if isinstance(t, Schedule) else []
    first = t.duration if isinstance(t, Schedule) else None
    for e in everies(t):
        window = e.for_duration
        if window is not None and compare(e.duration, window) is Ordering.WEAKER:
            out.append(Diagnostic(
                "W503", f"`{o.id}`: every {e.duration} cannot fit inside its window of {window}", policy.path,
                e.span, "the recurrence never falls due inside the window; check the numbers"))
    for a, b in zip(steps, steps[1:], strict=False):
        if isinstance(a, Every) and isinstance(b, Every) and a.duration == b.duration:
            out.append(Diagnostic(
                "W505", f"`{o.id}`: two steps in a row are every {a.duration}, so the bound between them changes nothing",
                policy.path, b.span, "check the document: the second interval usually differs"))
        if isinstance(a, Within) and isinstance(b, Within) and not (a.anchor or b.anchor) \
                and compare(b.duration, a.duration) is Ordering.STRICTER \
                and first and compare(a.duration, first) is Ordering.STRICTER:
            out.append(Diagnostic(
                "W505", f"`{o.id}`: the steps shrink and grow again", policy.path, b.span,
                "check the order of the steps against the document"))
    return out


def _advance_notice(policy: Policy, idx: dict[tuple, list[Point]]) -> list[Diagnostic]:
    """W504: a report due N before a meeting that must happen within M of its trigger, with N >= M."""
    out: list[Diagnostic] = []
    firsts: dict[str, list[Point]] = {}
    for key, pts in idx.items():
        if key[0] == "first":
            for pt in pts:
                firsts.setdefault(key[2], []).append(pt)  # by action
    for key, pts in idx.items():
        if key[0] != "notice":
            continue
        for notice in pts:
            meeting = key[3]
            for deadline in firsts.get(meeting, []):
                order = compare(notice.duration, deadline.duration)
                if order in (Ordering.EQUAL, Ordering.WEAKER):
                    out.append(Diagnostic(
                        "W504",
                        f"`{notice.obligation.id}` is due {notice.duration} before "
                        f"{policy.label_of_event(meeting).lower()}, which must happen within {deadline.duration} "
                        f"of {policy.label_of_event(_trigger(deadline)).lower()}",
                        policy.path, _span(notice.obligation),
                        "the notice would fall on or before the trigger itself; shorten it or allow an exception",
                        (_related(deadline), _related(notice))))
                elif order is Ordering.DEPENDS:
                    out.append(Diagnostic(
                        "I507", f"`{notice.obligation.id}`: whether {notice.duration} notice fits inside "
                                f"{deadline.duration} depends on the calendar", policy.path, _span(notice.obligation),
                        None, (_related(deadline), _related(notice))))
    return out


def across_documents(policies: list[Policy]) -> list[Diagnostic]:
    """W508: documents of one authority giving different timescales for the same duty. Every
    statement of the duty in each document takes part, not only the first."""
    out: list[Diagnostic] = []
    by_authority: dict[str, list[Policy]] = {}
    for p in policies:
        if p.authority:
            by_authority.setdefault(p.authority, []).append(p)
    for group in by_authority.values():
        if len(group) < 2:
            continue
        found: list[_Found] = []
        for pts in index(group).values():
            if len({p.policy.path for p in pts}) < 2:
                continue
            for f in _disagreements(pts, "W508", separate=True):
                d = f.diagnostic
                code = "W508" if d.code in ("W508", "W502") else d.code
                suffix = f" ({describe_doc(_doc(group, f.a.policy.path))} against " \
                         f"{describe_doc(_doc(group, f.b.policy.path))})"
                found.append(_Found(f.a, f.b, Diagnostic(code, d.message + suffix, d.file, d.span, d.hint, d.related),
                                    suffix))
        out.extend(_fold(found))
    return out


def _doc(group: list[Policy], path: str) -> Policy:
    return next(p for p in group if p.path == path)


def describe_doc(p: Policy) -> str:
    return f"{p.title}" + (f" v{p.version}" if p.version else "")


__all__ = ["within_policy", "across_documents", "describe"]

"""The statutory floor: local duties weaker than statute (E601), statutory duties a local
document never mentions (I602), and comparisons that depend on the calendar (I603).

A local general rule is compared with the statutory rule for the same case (or the unconditional
one). A local exception (`instead of`) is compared with the matching statutory exception: the
statute's exception for the same case, else the most lenient of the statute's exceptions to the
same duty, and only where the statute states none, with the statute's general rule."""

from __future__ import annotations

from compiler.analyses.points import (
    EXCEPTION,
    Point,
    citation_note,
    duty_key,
    general_key,
    index,
    point_phrase,
    points,
    quoted,
    quoted_citation,
    strictness,
    under_floor,
    worst,
)
from compiler.model.ir import InProse, Obligation, Policy, Vague, setting_of
from compiler.model.timescales import Ordering, compare
from dsl.diagnostics import Diagnostic, Related


def _related(pt: Point, prefix: str) -> Related:
    c = quoted_citation(pt)
    return Related(pt.policy.path, c.span if c else pt.obligation.duty_span, prefix + citation_note(pt))


def _set_values(o: Obligation, floor: Point) -> str:
    """For a timescale set per child (compared by its most lenient value): the values that allow more time
    than the floor, which a decision on a case could set."""
    setting = setting_of(o.timing)
    if setting is None:
        return ""
    weaker = [v for v, d in setting.choices if compare(d, floor.duration) is not Ordering.STRICTER
              and compare(d, floor.duration) is not Ordering.EQUAL]
    return (f" (when `{setting.attribute}` is set to {', '.join(f'`{v}`' for v in weaker)} at "
            f"{setting.event})") if weaker else ""


def _prose_note(pt: Point, floor: Point) -> str:
    """Why a local duty whose case is told in prose is held to the statute's general rule."""
    prose = [c.text for c in pt.obligation.conditions if isinstance(c, InProse) and c.text]
    if not prose or floor.key[4] or floor.key[5] == EXCEPTION:
        return ""  # held to a statutory case, or to the most lenient exception (said apart)
    return (f"; the local condition is prose (\"{prose[0]}\"), so it cannot be matched with a statutory "
            f"case and the general rule `{floor.obligation.id}` was used")


def against_floor(policy: Policy, baseline: list[Policy], siblings: list[Policy] | None = None,  # noqa: C901 - E601, I603 and I602 share one index of the floor; each rule is one branch of the same pass
                  missing_duties: bool = True) -> list[Diagnostic]:
    """E601/I603 for the policy's duties; I602 (with `missing_duties`) for statutory duties that
    neither it nor its `siblings` (the other documents of its authority) state."""
    out: list[Diagnostic] = []
    if not baseline:
        return out
    base = index(baseline)
    exceptions: dict[tuple, list[Point]] = {}
    for key, pts in base.items():
        if key[5] == EXCEPTION:
            exceptions.setdefault(duty_key(key), []).extend(pts)
    # a duty counts as mentioned when a document states it at all, timed or not
    local_duties: set[tuple] = {(p.canonical_status(o.status), p.canonical_event(o.action))
                                for p in [policy, *(siblings or [])] for o in p.obligations}
    seen: set[tuple] = set()
    for o in policy.obligations:
        for pt in points(policy, o):
            local_duties.add(pt.key[1:3])
            candidates = base.get(pt.key) or []
            lenient = ""
            if not candidates and pt.key[5] == EXCEPTION and duty_key(pt.key) in exceptions:
                candidates = _most_lenient(pt, exceptions[duty_key(pt.key)])
                lenient = (f"; `{o.id}` is a local exception, held to the most lenient statutory exception "
                           f"`{candidates[0].obligation.id}`") if candidates else ""
            if not candidates:
                candidates = base.get(general_key(pt.key), [])
            for floor in candidates:
                if not under_floor(pt, floor):
                    continue
                sentence = quoted_citation(pt)
                once = (sentence.quote if sentence else o.id, point_phrase(pt), point_phrase(floor))
                if once in seen:
                    continue  # the same sentence split into variants: one finding
                seen.add(once)
                order = strictness(pt, floor)
                span = o.citations[0].span if o.citations else o.duty_span
                rel = (_related(floor, "statute: "), _related(pt, "local: "))
                if order is Ordering.WEAKER:
                    out.append(Diagnostic(
                        "E601", f"`{o.id}` allows more time than statute: {point_phrase(pt)}{_set_values(o, floor)} "
                                f"where {floor.policy.title} requires {point_phrase(floor)}",
                        policy.path, span,
                        f"tighten it to at least {point_phrase(floor)} ({worst(pt, floor)} more days at worst)"
                        + _prose_note(pt, floor) + lenient, rel))
                elif order is Ordering.DEPENDS:
                    out.append(Diagnostic(
                        "I603", f"`{o.id}`: {point_phrase(pt)} against the statutory {point_phrase(floor)} is weaker "
                                f"on some dates", policy.path, span,
                        f"at worst {worst(pt, floor)} days later than statute; state it in the statute's unit"
                        + _prose_note(pt, floor) + lenient, rel))
    out += _deferrals(policy, base)
    if not missing_duties:
        return out
    # I602: one finding per statutory duty (status and action) that the documents never state; its
    # variants for particular cases (reg 28's visiting rules, say) are listed in it, not reported apart
    missing: dict[tuple, dict[str, list[Point]]] = {}
    for key, pts in index(baseline).items():
        if key[1:3] in local_duties or key[5] == EXCEPTION:
            continue
        for floor in pts:
            missing.setdefault(key[1:3], {}).setdefault(floor.obligation.id, []).append(floor)
    for _, by_obligation in sorted(missing.items(), key=lambda kv: str(kv[0])):
        (oid, pts), *variants = sorted(by_obligation.items(), key=lambda kv: (bool(kv[1][0].key[4]), kv[0]))
        floor = pts[0]
        phrases = ", then ".join(dict.fromkeys(point_phrase(p) for p in pts))
        also = f"; nor its variants {', '.join(f'`{v}`' for v, _ in variants)}" if variants else ""
        out.append(Diagnostic(
            "I602", f"statutory duty `{oid}` ({floor.policy.title}: {phrases}) is not mentioned"
                    + (f" in any of the authority's {1 + len(siblings)} documents" if siblings else "") + also,
            policy.path, policy.span, "add the local standard, or note that the statute applies unchanged",
            (_related(floor, "statute: "), *(_related(v[0], "statute: ") for _, v in variants))))
    return out


def _deferrals(policy: Policy, base: dict[tuple, list[Point]]) -> list[Diagnostic]:
    """W604: `as set by statute` where the floor sets no timescale for the duty."""
    timed = {key[1:3] for key in base}
    by_clause: dict[str, list[Obligation]] = {}  # one finding per clause, listing its duties
    for o in policy.obligations:
        t = o.timing
        if not isinstance(t, Vague) or not t.defers_to_statute:
            continue
        if (policy.canonical_status(o.status), policy.canonical_event(o.action)) in timed:
            continue
        by_clause.setdefault(o.citations[0].clause if o.citations else o.id, []).append(o)
    out = []
    for group in by_clause.values():
        o = group[0]
        assert isinstance(o.timing, Vague)
        ids = ", ".join(f"`{g.id}`" for g in group)
        what = ", ".join(dict.fromkeys(policy.label_of_event(policy.canonical_event(g.action)).lower() for g in group))
        out.append(Diagnostic(
            "W604", f"{ids} {'defers' if len(group) == 1 else 'defer'} to the statute, but the statutory floor has "
                    f"no timescale for {what}", policy.path, o.timing.span,
            "quote the document's own number if it gives one, or encode the statutory duty in policies/national/ if "
            "the statute does set one", quoted(policy.path, o)))
    return out


def _most_lenient(local: Point, pts: list[Point]) -> list[Point]:
    """The statutory exception that allows the most time (the first of equals), by its point of the
    local point's phase that allows the most; all its points the local point is held to. A local
    interval that runs from the start meets that exception's first year as well as its later
    intervals (the most lenient exception still asks for six-weekly visits in the first year)."""
    best: Point | None = None
    for p in pts:
        if under_floor(local, p) and (best is None or strictness(p, best) is Ordering.WEAKER):
            best = p
    if best is None:
        return []
    return [p for p in pts if p.obligation is best.obligation and under_floor(local, p)]

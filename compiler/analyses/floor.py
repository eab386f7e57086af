"""The statutory floor: local duties weaker than statute (E601), statutory duties a local
document never mentions (I602), and comparisons that depend on the calendar (I603)."""

from __future__ import annotations

from compiler.analyses.points import Point, citation_note, index, point_phrase, points, strictness, worst
from compiler.model.ir import Policy
from compiler.model.timescales import Ordering
from dsl.diagnostics import Diagnostic, Related


def _related(pt: Point, prefix: str) -> Related:
    o = pt.obligation
    span = o.citations[0].span if o.citations else o.duty_span
    return Related(pt.policy.path, span, prefix + citation_note(pt))


def against_floor(policy: Policy, baseline: list[Policy]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    base = index(baseline)
    local_keys: set[tuple] = set()
    local_duties: set[tuple] = set()
    for o in policy.obligations:
        for pt in points(policy, o):
            local_keys.add(pt.key)
            local_duties.add(pt.key[:4])
            candidates = base.get(pt.key) or base.get(pt.key[:4] + ((),), [])
            for floor in candidates:
                order = strictness(pt, floor)
                span = o.citations[0].span if o.citations else o.duty_span
                rel = (_related(floor, "statute: "), _related(pt, "local: "))
                if order is Ordering.WEAKER:
                    out.append(Diagnostic(
                        "E601", f"`{o.id}` allows more time than statute: {point_phrase(pt)} where "
                                f"{floor.policy.title} requires {point_phrase(floor)}",
                        policy.path, span,
                        f"tighten it to at least {point_phrase(floor)} ({worst(pt, floor)} more days at worst)", rel))
                elif order is Ordering.DEPENDS:
                    out.append(Diagnostic(
                        "I603", f"`{o.id}`: {point_phrase(pt)} against the statutory {point_phrase(floor)} is weaker "
                                f"on some dates", policy.path, span,
                        f"at worst {worst(pt, floor)} days later than statute; state it in the statute's unit", rel))
    for key, pts in sorted(base.items(), key=lambda kv: str(kv[0])):
        if key[:4] in local_duties:
            continue
        for floor in pts:
            o = floor.obligation
            out.append(Diagnostic(
                "I602", f"statutory duty `{o.id}` ({floor.policy.title}: {point_phrase(floor)}) is not mentioned",
                policy.path, policy.span, "add the local standard, or note that the statute applies unchanged",
                (_related(floor, "statute: "),)))
    return out

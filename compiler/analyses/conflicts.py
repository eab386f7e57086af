"""Conflicts inside one policy and across the documents of one authority."""

from __future__ import annotations

from compiler.analyses.points import Point, citation_note, index, point_phrase, strictness, worst
from compiler.model import describe
from compiler.model.ir import Obligation, Policy
from compiler.model.timescales import Duration, Ordering, Unit, compare
from dsl.diagnostics import Diagnostic, Related

_DAYLIKE = {Unit.DAYS, Unit.HOURS, Unit.MINUTES}


def _span(o: Obligation):
    return o.citations[0].span if o.citations else o.duty_span


def _related(pt: Point) -> Related:
    o = pt.obligation
    return Related(pt.policy.path, _span(o), citation_note(pt))


def _what(pt: Point) -> str:
    p, o = pt.policy, pt.obligation
    where = f" while {p.label_of_status(o.status).lower()}" if o.status else ""
    return f"{p.label_of_event(o.action).lower()}{where}"


def _pair(a: Point, b: Point, code_conflict: str) -> Diagnostic | None:
    """A finding for two points of the same duty, reported at `b` (the later one)."""
    if a.duration == b.duration or (a.name == "every" and a.obligation.timing == b.obligation.timing
                                    and a.policy.path == b.policy.path):
        return None
    units = {a.duration.unit, b.duration.unit}
    order = strictness(a, b)
    both = (_related(a), _related(b))
    if Unit.WORKING_DAYS in units and units & _DAYLIKE:
        return Diagnostic(
            "W502" if code_conflict == "W501" else code_conflict,
            f"{_what(b)}: {point_phrase(a)} against {point_phrase(b)} (calendar time against working days)",
            b.policy.path, _span(b.obligation),
            f"these differ by up to {max(worst(a, b), worst(b, a))} calendar days; settle on one unit", both)
    if order is Ordering.DEPENDS:
        return Diagnostic(
            "I507", f"{_what(b)}: {point_phrase(a)} against {point_phrase(b)} depends on the calendar",
            b.policy.path, _span(b.obligation),
            f"at worst one allows {max(worst(a, b), worst(b, a))} more calendar days than the other", both)
    return Diagnostic(
        code_conflict, f"{_what(b)}: {point_phrase(a)} against {point_phrase(b)}", b.policy.path,
        _span(b.obligation), "decide which timescale is right; both are stated", both)


def within_policy(policy: Policy) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    idx = index([policy])
    for pts in idx.values():
        out.extend(_against_reference(pts, "W501"))
    out.extend(_shadowed(policy, idx))
    for o in policy.obligations:
        out.extend(_schedule_shape(policy, o))
    out.extend(_advance_notice(policy, idx))
    return out


def _against_reference(pts: list[Point], code: str) -> list[Diagnostic]:
    """Each point of a duty against the first place the duty is stated (linear, not all pairs):
    every disagreeing statement is reported once, with both places."""
    if len(pts) < 2:
        return []
    ordered = sorted(pts, key=lambda p: (p.policy.path, p.obligation.span.line, p.obligation.id))
    reference = ordered[0]
    out = []
    for b in ordered[1:]:
        if b.obligation.id == reference.obligation.id and b.policy.path == reference.policy.path:
            continue
        d = _pair(reference, b, code)
        if d:
            out.append(d)
    # days against working days, even when neither is the first statement
    if not any(d.code == "W502" or (code == "W508" and "working days" in d.message) for d in out):
        working = next((p for p in ordered if p.duration.unit is Unit.WORKING_DAYS), None)
        daylike = next((p for p in ordered if p.duration.unit in _DAYLIKE), None)
        if working is not None and daylike is not None:
            a, b = sorted((working, daylike), key=lambda p: (p.policy.path, p.obligation.span.line))
            d = _pair(a, b, code)
            if d:
                out.append(d)
    return out


def _shadowed(policy: Policy, idx: dict[tuple, list[Point]]) -> list[Diagnostic]:
    """W506: a duty that applies in a subset of another's cases and is no stricter, never binds.

    Compared with the strictest unconditional statement of the same duty (one comparison each)."""
    out = []
    general: dict[tuple, Point] = {}
    for key, pts in idx.items():
        if key[4]:
            continue
        musts = [p for p in pts if p.obligation.modality == "must"]
        if musts:
            strictest = musts[0]
            for p in musts[1:]:
                if strictness(p, strictest) is Ordering.STRICTER:
                    strictest = p
            general[key[:4]] = strictest
    for key, pts in idx.items():
        if not key[4] or key[:4] not in general:
            continue
        a = general[key[:4]]
        for b in pts:
            if strictness(a, b) in (Ordering.STRICTER, Ordering.EQUAL):
                out.append(Diagnostic(
                    "W506", f"`{b.obligation.id}` is shadowed by `{a.obligation.id}`: it applies in fewer cases "
                            f"and is no stricter", policy.path, _span(b.obligation),
                    "remove it, or make it stricter than the general duty", (_related(a), _related(b))))
    return out


def _schedule_shape(policy: Policy, o: Obligation) -> list[Diagnostic]:
    """W503 a bounded recurrence that cannot fit its window; W505 steps that contradict."""
    t = o.timing
    out: list[Diagnostic] = []
    if t is None:
        return out
    steps = list(t.steps)
    windows: list[tuple[Duration, Duration, object]] = []
    if t.kind == "recurrence" and t.for_duration and t.duration:
        windows.append((t.duration, t.for_duration, t.span))
    for s in steps:
        if s.kind == "every" and s.for_duration:
            windows.append((s.duration, s.for_duration, s.span))
    for every, window, span in windows:
        if compare(every, window) in (Ordering.WEAKER,):
            out.append(Diagnostic(
                "W503", f"`{o.id}`: every {every} cannot fit inside its window of {window}", policy.path, span,  # type: ignore[arg-type]
                "the recurrence never falls due inside the window; check the numbers"))
    for a, b in zip(steps, steps[1:], strict=False):
        if a.kind == "every" and b.kind == "every" and a.duration == b.duration:
            out.append(Diagnostic(
                "W505", f"`{o.id}`: two steps in a row are every {a.duration}, so the bound between them changes nothing",
                policy.path, b.span, "check the document: the second interval usually differs"))
        if a.kind == "within" and b.kind == "within" and compare(b.duration, a.duration) is Ordering.STRICTER \
                and t.duration and compare(a.duration, t.duration) is Ordering.STRICTER:
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
                        f"of {policy.label_of_event(deadline.obligation.timing.trigger).lower()}",  # type: ignore[union-attr]
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
    """W508: documents of one authority giving different timescales for the same duty."""
    out: list[Diagnostic] = []
    by_authority: dict[str, list[Policy]] = {}
    for p in policies:
        if p.authority:
            by_authority.setdefault(p.authority, []).append(p)
    for group in by_authority.values():
        if len(group) < 2:
            continue
        idx = index(group)
        for pts in idx.values():
            firsts: dict[str, Point] = {}
            for pt in sorted(pts, key=lambda p: (p.policy.path, p.obligation.span.line)):
                firsts.setdefault(pt.policy.path, pt)
            if len(firsts) < 2:
                continue
            for d in _against_reference(list(firsts.values()), "W508"):
                code = "W508" if d.code in ("W508", "W502") else d.code
                msg = d.message + f" ({describe_doc(_doc(group, d.related[0].file))} against " \
                                  f"{describe_doc(_doc(group, d.file))})"
                out.append(Diagnostic(code, msg, d.file, d.span, d.hint, d.related))
    return out


def _doc(group: list[Policy], path: str) -> Policy:
    return next(p for p in group if p.path == path)


def describe_doc(p: Policy) -> str:
    return f"{p.title}" + (f" v{p.version}" if p.version else "")


__all__ = ["within_policy", "across_documents", "describe"]

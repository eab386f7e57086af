"""Timings that depend on one another: a dependent step that cannot be met (W511), and the same
action due from two triggers that happen together with different deadlines (W512)."""

from __future__ import annotations

from compiler.analyses.points import Point, citation_note, index, point_phrase, quoted_citation
from compiler.model.ir import Policy
from compiler.model.timescales import Ordering, compare
from dsl.diagnostics import Diagnostic, Related


def _related(pt: Point) -> Related:
    c = quoted_citation(pt)
    return Related(pt.policy.path, c.span if c else pt.obligation.duty_span, citation_note(pt))


def _label(policy: Policy, event: str | None) -> str:
    return policy.label_of_event(event).lower() if event else "?"


def dependent_steps(policy: Policy, idx: dict[tuple, list[Point]] | None = None) -> list[Diagnostic]:
    """W511: X is due at least N before meeting M and within some time after E (so after E), while E
    itself need only happen K before M, with K shorter than N: when E is on time but late, X is not."""
    idx = index([policy]) if idx is None else idx
    notices: dict[tuple[str, str], list[Point]] = {}  # (action, meeting) -> notice points
    after: dict[str, list[Point]] = {}  # action -> deadline points ("within D of E")
    for key, pts in idx.items():
        if key[0] == "notice" and key[3]:
            notices.setdefault((key[2], key[3]), []).extend(pts)  # key: (name, status, action, trigger, ...)
        elif key[0] == "first" and key[3]:
            after.setdefault(key[2], []).extend(pts)
    out: list[Diagnostic] = []
    for (action, meeting), dependents in sorted(notices.items()):
        for dep in after.get(action, []):
            source = dep.key[3]
            for earlier in notices.get((source, meeting), []):
                for x in dependents:
                    if compare(earlier.duration, x.duration) is not Ordering.STRICTER:
                        continue  # the step it depends on is due at least as early
                    out.append(Diagnostic(
                        "W511", f"`{x.obligation.id}` is due {point_phrase(x)} {_label(policy, meeting)} and follows "
                                f"{_label(policy, source)} (`{dep.obligation.id}`), which is due only "
                                f"{point_phrase(earlier)} it", policy.path, x.obligation.duty_span,
                        f"when {_label(policy, source)} is on time but late, the {earlier.duration} before the meeting "
                        f"leaves no time for a step due {x.duration} before it; bring it forward",
                        (_related(x), _related(dep), _related(earlier))))
    return out


def _together(policy: Policy) -> set[frozenset[str]]:
    """Pairs of events that happen together: a transition on one enters a status entered on the other."""
    pairs: set[frozenset[str]] = set()
    for t in policy.transitions:
        status = policy.statuses.get(t.target)
        if status is None:
            continue
        for e in status.entered_on:
            a, b = policy.canonical_event(t.event), policy.canonical_event(e)
            if a != b:
                pairs.add(frozenset((a, b)))
    return pairs


def two_triggers(policy: Policy, idx: dict[tuple, list[Point]] | None = None) -> list[Diagnostic]:
    """W512: the same first deadline of one duty from two events that happen together, with
    durations that disagree."""
    together = _together(policy)
    if not together:
        return []
    by_duty: dict[tuple, list[Point]] = {}
    for key, pts in (index([policy]) if idx is None else idx).items():
        if key[0] == "first" and key[3]:
            by_duty.setdefault((key[1], key[2], key[4]), []).extend(pts)
    out: list[Diagnostic] = []
    for pts in by_duty.values():
        by_trigger: dict[str, list[Point]] = {}
        for p in sorted(pts, key=lambda p: (p.obligation.span.line, p.obligation.id)):
            by_trigger.setdefault(p.key[3], []).append(p)
        for pair in together:
            first, second = sorted(pair)
            if first not in by_trigger or second not in by_trigger:
                continue
            found = next(((a, b) for a in by_trigger[first] for b in by_trigger[second]
                          if a.obligation.modality == b.obligation.modality
                          and compare(a.duration, b.duration) is not Ordering.EQUAL), None)
            if found is None:
                continue
            a, b = sorted(found, key=lambda p: (p.obligation.span.line, p.obligation.id))
            out.append(Diagnostic(
                "W512", f"{_label(policy, b.key[2])}: {point_phrase(a)} of {_label(policy, a.key[3])} against "
                        f"{point_phrase(b)} of {_label(policy, b.key[3])}, which happen together",
                policy.path, b.obligation.duty_span,
                "the two deadlines are for one occurrence; decide which is right and state it once",
                (_related(a), _related(b))))
    return out

"""Gaps: unreachable statuses, dead ends, events nothing produces, open statuses with no
visiting or review duty, and obligations with no role, no timing, vague timing or no citation."""

from __future__ import annotations

import networkx as nx

from compiler.graph.policy_graph import build_graph, status_graph
from compiler.model.ir import Policy
from dsl.diagnostics import Diagnostic, Related

# Services whose statuses are "open cases" that need someone to see, review, record or supervise.
OPEN_SERVICES = {"early_help", "child_in_need", "child_protection", "looked_after", "care_leavers",
                 "disabled_children", "fostering", "kinship", "adoption"}
# Actions that count as visiting, reviewing, recording or supervising (shared vocabulary ids).
OVERSIGHT_ACTIONS = {
    "statutory_visit", "child_seen", "cla_review", "cin_review", "rcpc", "core_group_meeting", "case_note_recorded",
    "supervision", "management_oversight", "pathway_plan_review", "personal_adviser_contact", "supervisory_visit",
    "unannounced_visit", "foster_carer_review", "plan_review", "tac_meeting", "short_break_review", "pep_review",
    "review_health_assessment", "case_audit",
}


def gaps(policy: Policy) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    g = build_graph(policy)
    sg = status_graph(g)
    path = policy.path

    def status_span(sid: str):
        s = policy.statuses.get(sid)
        if s and s.origin == path:
            return s.span
        for t in policy.transitions:
            if t.source == sid or t.target == sid:
                return t.span
        for o in policy.obligations:
            if o.status == sid:
                return o.span
        return policy.span

    # W401 unreachable, W402 dead end: over statuses the policy's journey mentions
    if sg.number_of_edges():
        roots = [n for n, d in sg.nodes(data=True) if d.get("initial")]
        if not roots:
            roots = [n for n in sg.nodes if sg.in_degree(n) == 0 and sg.out_degree(n) > 0]
        reach: set[str] = set()
        for r in roots:
            reach |= {r} | nx.descendants(sg, r)
        for n in sorted(sg.nodes):
            if n not in reach:
                out.append(Diagnostic(
                    "W401", f"no transition from a starting status leads to `{n}`", path, status_span(n),
                    f"add a transition into `{n}` (for example `transition from referral to {n} on EVENT`)"))
            elif sg.out_degree(n) == 0 and not sg.nodes[n].get("final"):
                out.append(Diagnostic(
                    "W402", f"status `{n}` has no way out: no transition leaves it and it is not final", path,
                    status_span(n), f"add a transition from `{n}` (for example to `closed`)"))

    # W403 events used but never produced
    produced: set[str] = set()
    for t in policy.transitions:
        produced.add(t.event)
    for s in policy.statuses.values():
        produced.update(s.entered_on)
        produced.update(s.left_on)
    for e in policy.events.values():
        if e.recorded_as:
            produced.add(e.id)
    for o in policy.obligations:
        produced.add(o.action)
    reported: set[str] = set()
    for o in policy.obligations:
        t = o.timing
        if t is None:
            continue
        used = [(t.trigger, t.span)] + [(r.event, r.span) for r in t.restarts]
        used += [(t.until_event, t.span)] + [(s.until_event, s.span) for s in t.steps]
        for ev, span in used:
            if ev and ev not in produced and policy.canonical_event(ev) not in produced and ev not in reported:
                reported.add(ev)
                out.append(Diagnostic(
                    "W403", f"event `{ev}` starts or ends a timescale, but nothing in the policy produces it", path,
                    span, "make it an obligation's action, a transition's event, or record it from DfE data "
                          "(`recorded as ...` in the vocabulary)"))

    # W404 open statuses without oversight
    for sid in sorted({n for n in sg.nodes} | {o.status for o in policy.obligations if o.status}):
        s = policy.statuses.get(sid)
        if s is None or s.final or (s.service not in OPEN_SERVICES):
            continue
        has = any(
            (o.status in (sid, None) or policy.canonical_status(o.status) == policy.canonical_status(sid))
            and policy.canonical_event(o.action) in OVERSIGHT_ACTIONS
            for o in policy.obligations
        )
        if not has:
            out.append(Diagnostic(
                "W404", f"children in `{sid}` have no visiting, review, recording or supervision duty", path,
                status_span(sid), "encode the document's visiting or review standard for this status"))

    # per obligation
    for o in policy.obligations:
        if o.responsible is None:
            out.append(Diagnostic("W405", f"obligation `{o.id}` names nobody responsible", path, o.duty_span,
                                  "put the role before `must`, e.g. `social_worker must ...`"))
        if o.timing is None:
            out.append(Diagnostic("W408", f"obligation `{o.id}` has no timing", path, o.duty_span,
                                  "add `within N UNIT of EVENT`, `every N UNIT`, or a vague timing"))
        elif o.timing.kind == "vague":
            out.append(Diagnostic("W406", f"obligation `{o.id}` has vague timing: `{o.timing.phrase}`", path,
                                  o.timing.span, "nothing can measure it; if the document gives a number, encode it"))
        if not o.citations:
            out.append(Diagnostic("W407", f"obligation `{o.id}` cites nothing", path, o.span,
                                  'add `cite "CLAUSE" "verbatim quote"`'))
        for c in o.conditions:
            if c.kind == "prose":
                out.append(Diagnostic("I409", f"condition of `{o.id}` is prose and is not checked by the audit",
                                      path, c.span, "write it as `when ATTRIBUTE is VALUE` if the data records it"))
        if o.timing and o.status:
            st = policy.statuses.get(o.status)
            for r in o.timing.restarts:
                if st and r.event in st.left_on:
                    out.append(Diagnostic(
                        "W410", f"`{o.id}` restarts on `{r.event}`, which ends `{o.status}`", path, r.span,
                        "a restart event must be able to happen while the child is in the status",
                        (Related(st.origin, st.span, f"`{r.event}` leaves `{o.status}` here"),)))
    return out

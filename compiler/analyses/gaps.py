"""Gaps: what a policy leaves out. One function per check, registered by the codes it raises
(as gdtoolkit's linter registers its checks); `gaps(policy)` runs every registered check.

To add a check: add its code to `dsl/codes.py` (with an explanation and an example), then write a
function `(GapContext) -> Iterable[Diagnostic]` here decorated with `@check("CODE")`.

Which statuses are open cases and which events count as oversight is declared in the vocabulary
(`open`, `oversight`), never listed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from compiler.analyses.points import quoted
from compiler.graph.policy_graph import build_graph, status_graph
from compiler.model.ir import (
    Deadline,
    Every,
    InProse,
    Policy,
    Recurrence,
    Schedule,
    Vague,
    anchor_events,
    trigger_of,
)
from compiler.model.semantics import timing_approximations
from dsl.ast import Span
from dsl.diagnostics import Diagnostic, Related


@dataclass
class GapContext:
    """One policy, with the views of it that several checks share, each computed once."""

    policy: Policy

    @property
    def path(self) -> str:
        return self.policy.path

    @cached_property
    def statuses(self) -> nx.DiGraph:
        return status_graph(build_graph(self.policy))

    @cached_property
    def reachable(self) -> set[str]:
        sg = self.statuses
        roots = [n for n, d in sg.nodes(data=True) if d.get("initial")]
        if not roots:
            roots = [n for n in sg.nodes if sg.in_degree(n) == 0 and sg.out_degree(n) > 0]
        reach: set[str] = set()
        for r in roots:
            reach |= {r} | nx.descendants(sg, r)
        return reach

    def status_span(self, sid: str) -> Span:
        """Where the policy itself mentions a status: its declaration, a transition, an obligation."""
        policy = self.policy
        s = policy.statuses.get(sid)
        if s and s.origin == policy.path:
            return s.span
        for t in policy.transitions:
            if sid in (t.source, t.target):
                return t.span
        for o in policy.obligations:
            if o.status == sid:
                return o.span
        return policy.span


Check = Callable[[GapContext], Iterable[Diagnostic]]
CHECKS: dict[str, Check] = {}


def check(*codes: str) -> Callable[[Check], Check]:
    """Register a check under the codes it raises (each code has exactly one check)."""

    def register(fn: Check) -> Check:
        for code in codes:
            if code in CHECKS:
                raise ValueError(f"{code} is already raised by {CHECKS[code].__name__}")
            CHECKS[code] = fn
        return fn

    return register


def gaps(policy: Policy) -> list[Diagnostic]:
    ctx = GapContext(policy)
    out: list[Diagnostic] = []
    for fn in dict.fromkeys(CHECKS.values()):  # each function once, in registration order
        out.extend(fn(ctx))
    return out


# ---- the journey -------------------------------------------------------------------------------------
@check("W401")
def unreachable(ctx: GapContext) -> Iterator[Diagnostic]:
    sg = ctx.statuses
    if not sg.number_of_edges():
        return
    for n in sorted(sg.nodes):
        if n not in ctx.reachable:
            yield Diagnostic(
                "W401", f"no transition from a starting status leads to `{n}`", ctx.path, ctx.status_span(n),
                f"add a transition into `{n}` (for example `transition from referral to {n} on EVENT`)")


@check("W402")
def dead_end(ctx: GapContext) -> Iterator[Diagnostic]:
    sg = ctx.statuses
    if not sg.number_of_edges():
        return
    for n in sorted(sg.nodes):
        if n in ctx.reachable and sg.out_degree(n) == 0 and not sg.nodes[n].get("final"):
            yield Diagnostic(
                "W402", f"status `{n}` has no way out: no transition leaves it and it is not final", ctx.path,
                ctx.status_span(n), f"add a transition from `{n}` (for example to `closed`)")


@check("W403")
def never_produced(ctx: GapContext) -> Iterator[Diagnostic]:
    policy = ctx.policy
    produced = {t.event for t in policy.transitions}
    for s in policy.statuses.values():
        produced.update(s.entered_on)
        produced.update(s.left_on)
    produced |= {e.id for e in policy.events.values() if e.recorded_as}
    produced |= {o.action for o in policy.obligations}
    reported: set[str] = set()
    for o in policy.obligations:
        t = o.timing
        if t is None:
            continue
        used: list[tuple[str | None, Span]] = [(trigger_of(t), t.span), *((r.event, r.span) for r in t.restarts)]
        if isinstance(t, Recurrence) and t.every.until:
            used.append((t.every.until.event, t.span))
        if isinstance(t, Schedule):
            used += [(s.until.event, s.span) for s in t.steps if isinstance(s, Every) and s.until]
        used += [(e, t.span) for e in anchor_events(t)]
        if isinstance(t, Deadline):
            used += [(e, t.span) for e in t.also]
        for ev, span in used:
            if ev and ev not in produced and policy.canonical_event(ev) not in produced and ev not in reported:
                reported.add(ev)
                yield Diagnostic(
                    "W403", f"event `{ev}` starts or ends a timescale, but nothing in the policy produces it",
                    ctx.path, span, "make it an obligation's action, a transition's event, or record it from DfE "
                                    "data (`recorded as ...` in the vocabulary)")


@check("W404")
def open_without_oversight(ctx: GapContext) -> Iterator[Diagnostic]:
    """An `open` status with no duty whose action is an `oversight` event."""
    policy = ctx.policy
    for sid in sorted(set(ctx.statuses.nodes) | {o.status for o in policy.obligations if o.status}):
        s = policy.statuses.get(sid)
        if s is None or s.final or not policy.is_open(sid):
            continue
        canonical = policy.canonical_status(sid)
        if not any((o.status in (sid, None) or policy.canonical_status(o.status) == canonical)
                   and policy.is_oversight(o.action) for o in policy.obligations):
            yield Diagnostic(
                "W404", f"children in `{sid}` have no visiting, review, recording or supervision duty", ctx.path,
                ctx.status_span(sid), "encode the document's visiting or review standard for this status")


# ---- each obligation ------------------------------------------------------------------------------------
@check("W405")
def nobody_responsible(ctx: GapContext) -> Iterator[Diagnostic]:
    for o in ctx.policy.obligations:
        if o.responsible is None:
            yield Diagnostic("W405", f"obligation `{o.id}` names nobody responsible", ctx.path, o.duty_span,
                             "put the role before `must`, e.g. `social_worker must ...`")


# "Without delay" (the language's word for "immediately", "at once") is a standard a reader can
# hold a worker to, not a timescale the document forgot: no W406.
IMMEDIATE = frozenset({"without delay"})


@check("W406")
def vague_timing(ctx: GapContext) -> Iterator[Diagnostic]:
    for o in ctx.policy.obligations:
        if isinstance(o.timing, Vague) and o.timing.phrase not in IMMEDIATE and o.timing.defers_to is None:
            yield Diagnostic("W406", f"obligation `{o.id}` has vague timing: `{o.timing.phrase}`", ctx.path,
                             o.timing.span, "nothing can measure it; if the document gives a number, encode it",
                             quoted(ctx.path, o))


@check("I410")
def set_elsewhere(ctx: GapContext) -> Iterator[Diagnostic]:
    for o in ctx.policy.obligations:
        t = o.timing
        if isinstance(t, Vague) and t.defers_to is not None and not t.defers_to_statute:
            yield Diagnostic("I410", f"obligation `{o.id}` takes its timescale from {t.defers_to}, which is not encoded",
                             ctx.path, t.span, "encode that document too, or quote its timescale here if this one "
                             "states it", quoted(ctx.path, o))


@check("W407")
def cites_nothing(ctx: GapContext) -> Iterator[Diagnostic]:
    for o in ctx.policy.obligations:
        if not o.citations:
            yield Diagnostic("W407", f"obligation `{o.id}` cites nothing", ctx.path, o.span,
                             'add `cite "CLAUSE" "verbatim quote"`')


@check("W408")
def no_timing(ctx: GapContext) -> Iterator[Diagnostic]:
    for o in ctx.policy.obligations:
        if o.timing is None:
            yield Diagnostic("W408", f"obligation `{o.id}` has no timing", ctx.path, o.duty_span,
                             "add `within N UNIT of EVENT`, `every N UNIT`, or a vague timing", quoted(ctx.path, o))


@check("I409")
def prose_condition(ctx: GapContext) -> Iterator[Diagnostic]:
    for o in ctx.policy.obligations:
        for c in o.conditions:
            if isinstance(c, InProse):
                yield Diagnostic("I409", f"condition of `{o.id}` is prose and is not checked by the audit",
                                 ctx.path, c.span, "write it as `when ATTRIBUTE is VALUE` if the data records it")
        for u in o.unless:
            if u.text is not None:
                yield Diagnostic("I409", f"the `unless` of `{o.id}` is prose: the audit cannot tell when it applies, "
                                 "so its overdue and late occurrences are no_data",
                                 ctx.path, u.span, "name the event that records the exception: `unless EVENT`")


@check("I420")
def audited_on_dates(ctx: GapContext) -> Iterator[Diagnostic]:
    """Clock time (and school terms) that the audit can only count in whole days."""
    for o in ctx.policy.obligations:
        if o.timing is None or isinstance(o.timing, Vague):
            continue
        for text in timing_approximations(o.timing):
            yield Diagnostic("I420", f"`{o.id}` is audited on dates: {text}", ctx.path, o.timing.span,
                             "the DfE returns hold dates only; the audit summary states this too")


@check("W410")
def restart_leaves_status(ctx: GapContext) -> Iterator[Diagnostic]:
    policy = ctx.policy
    for o in policy.obligations:
        st = policy.statuses.get(o.status) if o.timing and o.status else None
        if st is None or o.timing is None:
            continue
        for r in o.timing.restarts:
            if r.event in st.left_on:
                yield Diagnostic(
                    "W410", f"`{o.id}` restarts on `{r.event}`, which ends `{o.status}`", ctx.path, r.span,
                    "a restart event must be able to happen while the child is in the status",
                    (Related(st.origin, st.span, f"`{r.event}` leaves `{o.status}` here"),))

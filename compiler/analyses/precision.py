"""W509: a duty that one clause times precisely and another leaves vague or untimed, within a
document or across the documents of one authority. It replaces the plain W406/W408 of the vague
clause: the finding is that the number exists elsewhere."""

from __future__ import annotations

from compiler.analyses.points import Point, citation_note, conditions_key, points, quoted_citation
from compiler.model.ir import InProse, Obligation, Policy, Vague
from dsl.ast import Span
from dsl.diagnostics import Diagnostic, Related

# "as required" and "as needed" ask for extra occurrences on demand, beside the timescale: not a
# vague statement of it. "Without delay" is the urgent case, which documents set apart from the
# ordinary timescale (immediate safeguarding concerns against three working days).
ON_DEMAND = frozenset({"as required", "as needed", "without delay"})
# A vague phrase stands for a deadline or for a frequency, and is held only against its own kind.
RECURRING = frozenset({"regularly", "periodically"})


def _loose(o: Obligation) -> bool:
    """Untimed, or vague in a way another clause's number could make precise (not on demand, and
    not a deferral to the statute or another document, which names where the number is)."""
    t = o.timing
    return t is None or (isinstance(t, Vague) and t.phrase not in ON_DEMAND and t.defers_to is None)


def _prose(o: Obligation) -> tuple[str, ...]:
    return tuple(sorted(c.text for c in o.conditions if isinstance(c, InProse)))


def _same_kind(o: Obligation, pt: Point) -> bool:
    """Whether the timed statement is of the loose one's duty and case. An untimed duty in a case
    told in prose ("a further notification when the child moves back") is another case than the
    timed one unless the prose is the same; a vague one is held to a frequency for "regularly" and
    to a deadline otherwise."""
    if not isinstance(o.timing, Vague):
        return _prose(o) == _prose(pt.obligation)
    return (pt.name == "every") == (o.timing.phrase in RECURRING)


def _duty(policy: Policy, o: Obligation) -> tuple:
    return (policy.canonical_status(o.status), policy.canonical_event(o.action), conditions_key(o))


def _quotes(o: Obligation) -> list[str]:
    return [" ".join(c.quote.split()) for c in o.citations]


def _one_sentence(a: Obligation, b: Obligation) -> bool:
    return any(x in y or y in x for x in _quotes(a) for y in _quotes(b))


def _quote_note(o: Obligation) -> str:
    if not o.citations:
        return f"`{o.id}` cites nothing"
    c = o.citations[0]
    quote = c.quote if len(c.quote) <= 240 else c.quote[:237] + "..."
    return f"`{o.id}` cites {c.clause}: \"{quote}\""


def _timed(pt: Point) -> Related:
    c = quoted_citation(pt)
    return Related(pt.policy.path, c.span if c else pt.obligation.duty_span, citation_note(pt))


def precision(policies: list[Policy]) -> tuple[list[Diagnostic], set[tuple[str, Span]]]:
    """The W509 findings, and the places of the W406/W408 findings they replace."""
    groups: dict[str, list[Policy]] = {}
    for p in policies:
        groups.setdefault(p.authority or p.path, []).append(p)
    out: list[Diagnostic] = []
    replaced: set[tuple[str, Span]] = set()
    for group in groups.values():
        loose = {_duty(p, o) for p in group for o in p.obligations if _loose(o)}
        if not loose:
            continue
        timed: dict[tuple, list[Point]] = {}
        for p in group:
            for o in p.obligations:
                if o.timing is None or isinstance(o.timing, Vague):
                    continue
                duty = _duty(p, o)
                if duty in loose:
                    timed.setdefault(duty, []).extend(points(p, o))
        for p in group:
            for o in p.obligations:
                if not _loose(o):
                    continue
                rivals = sorted((pt for pt in timed.get(_duty(p, o), []) if _same_kind(o, pt)
                                 and not (pt.policy is p and _one_sentence(pt.obligation, o))),
                                key=lambda pt: pt.policy is not p)  # the same document's first
                rivals = list({id(pt.obligation): pt for pt in reversed(rivals)}.values())[::-1]
                if not rivals:
                    continue
                how = f"vague (`{o.timing.phrase}`)" if isinstance(o.timing, Vague) else "untimed"
                where = "" if all(r.policy is p for r in rivals) else " (in another document of the authority)"
                first = rivals[0]
                out.append(Diagnostic(
                    "W509", f"`{o.id}` is {how} here, but `{first.obligation.id}` gives it a timescale{where}",
                    p.path, o.timing.span if o.timing is not None else o.duty_span,
                    "state the number here too, or refer to the clause that gives it",
                    (Related(p.path, o.citations[0].span if o.citations else o.duty_span, _quote_note(o)),
                     *(_timed(r) for r in rivals[:3]))))
                replaced.add((p.path, o.timing.span if o.timing is not None else o.duty_span))
    return out, replaced


def fold_by_sentence(diags: list[Diagnostic], policy: Policy) -> list[Diagnostic]:
    """One W406/W408 per vague or untimed duty and per sentence: obligations split from one sentence
    ("review care plans, placement plans and pathway plans in line with statutory requirements";
    "Permanence Panel regularly reviews ... including: (i) ... (x)"), and obligations that state the
    same duty with the same vague words in several places, share one finding that lists them."""
    by_span = {(o.timing.span if isinstance(o.timing, Vague) else o.duty_span): o
               for o in policy.obligations}
    out: list[Diagnostic] = []
    folded: list[tuple[Diagnostic, Obligation]] = []
    for d in diags:
        o = by_span.get(d.span)
        if d.code not in ("W406", "W408") or not d.related or o is None:
            out.append(d)
        else:
            folded.append((d, o))
    for ds in _same_duty_or_sentence(folded, policy):
        if len(ds) == 1:
            out.append(ds[0])
            continue
        ids = [d.message.split("`")[1] for d in ds]
        first = ds[0]
        what = "vague timing: " + first.message.split(": ", 1)[1] if first.code == "W406" else "no timing"
        out.append(Diagnostic(first.code, f"obligations {', '.join(f'`{i}`' for i in ids)} (parts of one sentence, or one duty stated in several places) have "
                                          f"{what}", first.file, first.span, first.hint,
                              tuple(r for d in ds for r in d.related)))
    return out


def _same_duty_or_sentence(folded: list[tuple[Diagnostic, Obligation]], policy: Policy) -> list[list[Diagnostic]]:
    """The findings joined, transitively, when they share a duty (code, status, action, vague words)
    or a sentence: a quote of one holds a quote of the other (a part may quote less of it)."""
    parent = list(range(len(folded)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[tuple, int] = {}
    # the quotes seen so far by code and clause: a sentence is held per code, and its parts cite
    # the same clause, so a quote is compared only with the others of its clause
    quotes: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for i, (d, o) in enumerate(folded):
        duty = (d.code, policy.canonical_status(o.status), policy.canonical_event(o.action),
                o.timing.phrase if isinstance(o.timing, Vague) else None)
        parent[root(i)] = root(first_of.setdefault(duty, i))
        for c in o.citations:
            q = " ".join(c.quote.split())
            same_clause = quotes.setdefault((d.code, c.clause), [])
            for j, other in same_clause:
                if q in other or other in q:
                    parent[root(i)] = root(j)
            same_clause.append((i, q))
    groups: dict[int, list[Diagnostic]] = {}
    for i, (d, _) in enumerate(folded):
        groups.setdefault(root(i), []).append(d)
    return list(groups.values())

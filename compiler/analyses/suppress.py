"""`allow CODE because "REASON"`: which diagnostics an `allow` suppresses, and with what reason."""

from __future__ import annotations

import bisect

from compiler.model.ir import Note, Obligation, Policy
from dsl.ast import Span
from dsl.diagnostics import Diagnostic, Severity


def _inside(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (
        outer.end_line, outer.end_column)


def items_of(policy: Policy) -> list[Obligation | Note]:
    """The policy's obligations and notes: the items that carry their own `allow` and citations."""
    return [*policy.obligations, *policy.notes]


def _allowing_items(policy: Policy) -> tuple[list[tuple[int, int]], list[Obligation | Note]]:
    """The obligations and notes that carry an `allow`, sorted by where they start (they do not nest)."""
    items = sorted((i for i in items_of(policy) if i.allows), key=lambda i: (i.span.line, i.span.column))
    return [(i.span.line, i.span.column) for i in items], items


def apply_suppressions(policies: list[Policy], diags: list[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Split diagnostics into shown and suppressed by `allow CODE because ...`. The item around a
    diagnostic is found by bisection, so many diagnostics in a long policy cost n log n, not n²."""
    by_file = {p.path: p for p in policies}
    index = {path: _allowing_items(p) for path, p in by_file.items()}
    kept: list[Diagnostic] = []
    dropped: list[Diagnostic] = []
    for d in diags:
        p = by_file.get(d.file)
        allowed = False
        suppressible = d.severity is not Severity.ERROR or d.code.startswith("E6")
        if p is not None and suppressible:
            if any(a.code == d.code for a in p.allows):
                allowed = True
            else:
                starts, items = index[d.file]
                k = bisect.bisect_right(starts, (d.span.line, d.span.column)) - 1
                if k >= 0 and _inside(d.span, items[k].span) and any(a.code == d.code for a in items[k].allows):
                    allowed = True
        (dropped if allowed else kept).append(d)
    return kept, dropped


def suppression_reason(policy: Policy | None, d: Diagnostic) -> str:
    """The reason given by the `allow` that suppressed `d` (the nearest one: item, then file)."""
    if policy is None:
        return ""
    for item in items_of(policy):
        if _inside(d.span, item.span):
            for a in item.allows:
                if a.code == d.code:
                    return a.reason
    for a in policy.allows:
        if a.code == d.code:
            return a.reason
    return ""

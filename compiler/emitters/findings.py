"""Findings pages: every diagnostic about an authority's documents, with the clauses and the
full quotes of the obligations involved, and what the finding means."""

from __future__ import annotations

from dataclasses import dataclass

from compiler.analyses.suppress import suppression_reason
from compiler.emitters.escape import md_message, md_text
from compiler.model.ir import Citation, Policy
from dsl.codes import CATEGORIES, CODES
from dsl.diagnostics import Diagnostic, Severity, report_order


@dataclass(frozen=True)
class Place:
    policy: Policy
    item_id: str
    citations: tuple[Citation, ...]


def _places(policies: dict[str, Policy], file: str, line: int) -> Place | None:
    p = policies.get(file)
    if p is None:
        return None
    for item in p.items_at(line):
        return Place(p, item.id, item.citations)
    return None


def _quote_lines(place: Place) -> list[str]:
    out = [f"- `{place.item_id}` in *{md_text(place.policy.title)}*:"]
    for c in place.citations:
        out.append(f"    - clause **{md_text(c.clause)}**: “{md_text(c.quote)}”")
    if not place.citations:
        out.append("    - (no citation)")
    return out


def _finding(d: Diagnostic, by_file: dict[str, Policy]) -> list[str]:
    """One finding: its message, place and hint, then the quotes of every item involved."""
    lines = [f"**{md_message(d.message)}**  ",
             f"`{d.file}:{d.span.line}`" + (f" — {md_message(d.hint)}" if d.hint else ""), ""]
    seen: set[tuple[str, str]] = set()
    for file, line in [(d.file, d.span.line), *((r.file, r.span.line) for r in d.related)]:
        place = _places(by_file, file, line)
        if place is None or (place.policy.path, place.item_id) in seen:
            continue
        seen.add((place.policy.path, place.item_id))
        lines += _quote_lines(place)
    lines.append("")
    return lines


def findings_markdown(title: str, diagnostics: list[Diagnostic], policies: list[Policy],
                      suppressed: list[Diagnostic] | None = None) -> str:
    by_file = {p.path: p for p in policies}
    lines = [f"# Findings: {md_text(title)}", ""]
    counts = {s: sum(d.severity.value == s for d in diagnostics) for s in ("error", "warning", "info")}
    document = [d for d in diagnostics if d.is_document_finding]
    lines.append(f"{len(document)} findings about the documents, then {len(diagnostics) - len(document)} remarks "
                 f"on the encoding ({counts['error']} errors, {counts['warning']} warnings and {counts['info']} notes "
                 "in all) from `policyc check` (with the statutory floor in `policies/national/`). "
                 "Each finding names the clauses involved with their quotes; `policyc explain CODE` says more.")
    lines.append("")
    parts = (("Findings about the documents", document),
             ("Remarks on the encoding", [d for d in diagnostics if not d.is_document_finding]))
    for heading, part in parts:
        if not part:
            continue
        lines += [f"## {heading}", ""]
        for category in dict.fromkeys(d.category for d in report_order(part)):
            group = [d for d in part if d.category == category]
            lines += [f"### {category.capitalize()}: {md_text(CATEGORIES[category])} ({len(group)})", ""]
            codes = sorted({d.code for d in group}, key=lambda c: (Severity(CODES[c].severity).rank, c))
            for code in codes:
                c = CODES[code]
                items = report_order(d for d in group if d.code == code)
                lines += [f"#### {code} ({c.severity}): {md_text(c.title)} ({len(items)})", "",
                          f"*{md_text(c.explanation)}*", ""]
                for d in items:
                    lines += _finding(d, by_file)
    if suppressed:
        lines += ["## Accepted with a reason (`allow`)", ""]
        for d in suppressed:
            reason = suppression_reason(by_file.get(d.file), d)
            lines.append(f"- `{d.code}` {md_message(d.message)} (`{d.file}:{d.span.line}`): {md_text(reason)}")
        lines.append("")
    if not diagnostics and not suppressed:
        lines.append("No findings.")
    return "\n".join(lines).rstrip() + "\n"

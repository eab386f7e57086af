"""Markdown pages of the documentation site for one policy: overview, process map and
timelines, obligations grouped by status, principles and checklists."""

from __future__ import annotations

from compiler.emitters.escape import md_cell, md_text
from compiler.model import describe
from compiler.model.ir import Obligation, Policy, Vague


def inline_svg(svg: str) -> str:
    """An SVG embedded in Markdown: XML header stripped, kept out of Markdown processing."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    return '<div class="policyc-figure" markdown="0">\n' + body.strip() + "\n</div>"


def overview_page(policy: Policy, timelines: list[str], findings_count: dict[str, int]) -> str:
    rows = [
        ("Authority", policy.authority or ""), ("Version", policy.version or ""),
        ("Effective", policy.effective.isoformat() if policy.effective else ""),
        ("Review due", policy.review_due.isoformat() if policy.review_due else ""),
        ("Source document", policy.source or "not stored"), ("Policy file", policy.path),
    ]
    measurable = sum(1 for o in policy.obligations if o.timing and not isinstance(o.timing, Vague))
    lines = [f"# {md_text(policy.title)}", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {md_cell(v)} |" for k, v in rows]
    lines += [
        "",
        f"**{len(policy.obligations)} obligations** ({measurable} with a measurable timescale), "
        f"**{sum(n.kind == 'principle' for n in policy.notes)} principles**, "
        f"**{sum(n.kind == 'checklist' for n in policy.notes)} checklists**, "
        f"**{len(policy.transitions)} transitions**.",
        "",
        f"Checks: {findings_count.get('error', 0)} errors, {findings_count.get('warning', 0)} warnings, "
        f"{findings_count.get('info', 0)} notes — see [the findings](../findings.md).",
        "",
        "- [Process map and timelines](map.md)",
        "- [Obligations by status](obligations.md)",
        "- [Principles and checklists](principles.md)",
        "",
    ]
    return "\n".join(lines)


def map_page(policy: Policy, map_svg: str | None, timelines: dict[str, str]) -> str:
    lines = [f"# Process map: {md_text(policy.title)}", ""]
    lines.append("Statuses of the child's journey and the events that move a child between them, grouped by "
                 "service. A double border marks where a journey starts; a grey double circle where it ends.")
    lines.append("")
    if map_svg:
        lines += [inline_svg(map_svg), "", "[Open the map full size](process-map.svg)"]
    else:
        lines.append("*Graphviz was not installed when this page was built.*")
    lines.append("")
    if timelines:
        lines += ["## Timelines", "", "What falls due in the first year after a child enters each status. Red marks "
                  "are `must`, blue are `should`; hover a mark for the day and the timing in words.", ""]
        for status, svg in timelines.items():
            lines += [f"### {md_text(policy.label_of_status(status))}", "", inline_svg(svg), ""]
    return "\n".join(lines)


def _obligation_row(policy: Policy, o: Obligation) -> str:
    cites = "<br>".join(f"**{md_cell(c.clause)}**: “{md_cell(c.quote)}”" for c in o.citations) or "*none*"
    who = policy.label_of_role(o.responsible) if o.responsible else "*not named*"
    what = policy.label_of_event(o.action)
    conds = "; ".join(describe.condition(c) for c in o.conditions)
    timing = describe.timing(o.timing, policy)
    if conds:
        timing += f" (when {conds})"
    return (f"| {md_cell(o.title)} | {md_cell(who)} {o.modality} {md_cell(what.lower())} | {md_cell(timing)} | "
            f"{cites} |")


def obligations_page(policy: Policy) -> str:
    lines = [f"# Obligations: {md_text(policy.title)}", ""]
    groups: dict[str, list[Obligation]] = {}
    for o in policy.obligations:
        groups.setdefault(o.status or "", []).append(o)
    for status in sorted(groups, key=lambda s: (s == "", policy.label_of_status(s) if s else "")):
        heading = policy.label_of_status(status) if status else "At any stage"
        lines += [f"## {md_text(heading)}", "", "| Duty | Who must do what | When | Clause and quote |",
                  "| --- | --- | --- | --- |"]
        lines += [_obligation_row(policy, o) for o in groups[status]]
        lines.append("")
    if not policy.obligations:
        lines.append("No obligations.")
    return "\n".join(lines)


def principles_page(policy: Policy) -> str:
    lines = [f"# Principles and checklists: {md_text(policy.title)}", ""]
    for kind, title in (("principle", "Principles"), ("checklist", "Checklists")):
        notes = [n for n in policy.notes if n.kind == kind]
        if not notes:
            continue
        lines += [f"## {title}", ""]
        for n in notes:
            lines += [f"### {md_text(n.title)}", ""]
            for c in n.citations:
                lines.append(f"- **{md_text(c.clause)}**: “{md_text(c.quote)}”")
            lines.append("")
    if not policy.notes:
        lines.append("None encoded.")
    return "\n".join(lines)

"""Markdown pages of the documentation site for one policy: overview, process map and
timelines, obligations grouped by status, principles and checklists."""

from __future__ import annotations

import datetime as dt
import re

from compiler.emitters import timeline as T
from compiler.emitters.escape import html_text, md_cell, md_text
from compiler.model import describe
from compiler.model.ir import Obligation, Policy, Vague
from compiler.model.semantics import timing_approximations


def inline_svg(svg: str, title: str | None = None, described_by: str | None = None) -> str:
    """An SVG embedded in Markdown: XML header stripped, kept out of Markdown processing. With
    `title`, the SVG is an image with that name (its first `<title>` replaced) and, with
    `described_by`, the id of its text equivalent on the page."""
    start = svg.find("<svg")
    body = (svg[start:] if start >= 0 else svg).strip()
    head = body[: body.find(">") + 1]
    if 'role="img"' in head:  # already an image with a title (timelines): add its text equivalent
        if described_by:
            body = body.replace(head, head[:-1] + f' aria-describedby="{described_by}">', 1)
    elif title is not None:
        ident = "svg-" + (described_by or "figure")
        aria = f' role="img" aria-labelledby="{ident}"' + (f' aria-describedby="{described_by}"' if described_by else "")
        body = re.sub(r"<svg\b", "<svg" + aria, body, count=1)
        body = re.sub(r"<title>[^<]*</title>", f'<title id="{ident}">{html_text(title)}</title>', body, count=1)
    return '<div class="policyc-figure" markdown="0">\n' + body + "\n</div>"


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
                 "service. A double border marks where a journey starts; a grey double circle where it ends. "
                 "The map is drawn at full size: scroll it sideways, or "
                 "[open it on its own](process-map.svg). [The same map in words](#the-map-in-words) follows it.")
    lines.append("")
    if map_svg:
        lines += [inline_svg(map_svg, f"Process map: {policy.title}", "the-map-in-words"), ""]
    else:
        lines.append("*Graphviz was not installed when this page was built.*")
    lines.append("")
    lines += _map_in_words(policy)
    if timelines:
        lines += ["## Timelines", "", "What falls due in the first year after a child enters each status. "
                  "A filled square marks a `must`, an open circle a `should`; the table under each timeline "
                  "gives every due date.", ""]
        for status, svg in timelines.items():
            label = policy.label_of_status(status)
            table_id = f"due-{status}".replace("_", "-")
            lines += [f"### {md_text(label)}", "",
                      inline_svg(svg, f"Timeline: {label}, the first year", table_id), ""]
            lines += _due_table(policy, status, table_id)
    return "\n".join(lines)


def _map_in_words(policy: Policy) -> list[str]:
    lines = ['<h2 id="the-map-in-words">The map in words</h2>', ""]
    if not policy.transitions:
        return lines + ["No transitions are encoded.", ""]
    lines += ["| From | To | When | Decided by |", "| --- | --- | --- | --- |"]
    for t in sorted(policy.transitions, key=lambda t: (t.span.line, t.span.column)):
        lines.append(f"| {md_cell(policy.label_of_status(t.source))} | {md_cell(policy.label_of_status(t.target))} | "
                     f"{md_cell(policy.label_of_event(t.event))}"
                     + (f" ({md_cell('; '.join(t.conditions))})" if t.conditions else "")
                     + f" | {md_cell(policy.label_of_role(t.decided_by)) if t.decided_by else ''} |")
    return lines + [""]


def _due_table(policy: Policy, status: str, table_id: str) -> list[str]:
    """The timeline's text equivalent: each duty, must or should, its timing, and every due day."""
    lines = [f'<div class="policyc-scroll" id="{table_id}" markdown="1">', "",
             f"Due dates for a child entering the status on {T.REFERENCE_START:%A %-d %B %Y} (day 0):", "",
             "| Duty | Must or should | Timing | Due (day: date) |", "| --- | --- | --- | --- |"]
    for row in T.rows_for(policy, status):
        days = ", ".join(f"{d}: {T.REFERENCE_START + dt.timedelta(days=d):%-d %b %Y}" for d in row.marks) or "none"
        detail = row.detail + (f" (counted from {policy.label_of_event(row.assumed_trigger).lower()}, "
                               "taken as day 0)" if row.assumed_trigger else "")
        lines.append(f"| {md_cell(row.label)} | {row.obligation.modality} | {md_cell(detail)} | {days} |")
    return lines + ["", "</div>", ""]


def _obligation_row(policy: Policy, o: Obligation) -> str:
    cites = "<br>".join(f"**{md_cell(c.clause)}**: “{md_cell(c.quote)}”" for c in o.citations) or "*none*"
    who = policy.label_of_role(o.responsible) if o.responsible else "*not named*"
    what = policy.label_of_event(o.action)
    conds = "; ".join(describe.condition(c) for c in o.conditions)
    timing = describe.timing(o.timing, policy)
    if conds:
        timing += f" (when {conds})"
    if describe.exceptions(o, policy):
        timing += f"; {describe.exceptions(o, policy)}"
    if o.timing is not None:
        approximate = timing_approximations(o.timing)
        if approximate:
            timing += f" — audited on dates: {'; '.join(approximate)}"
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

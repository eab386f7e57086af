"""The mkdocs site's generated parts: the navigation of the generated pages, the index pages of
authorities, history pages and the home page's table of documents. mkdocs.yml and the hand-written
pages in docs/ (with policyc.css and policyc.js) are not generated."""

from __future__ import annotations

import html

from compiler.emitters.escape import md_text
from compiler.model.ir import Policy
from compiler.model.versions import label


def _title(text: str) -> str:
    """A navigation title: the theme puts it into the page as HTML, so it is escaped as HTML text; it
    also puts it into <title> through Jinja's `striptags`, which undoes the escaping, so `<` and `>`
    become `‹` and `›` first (the rule of `escape.nav_title`, without the YAML quoting)."""
    one_line = " ".join(text.split()).replace("<", "\u2039").replace(">", "\u203a")
    return html.escape(one_line, quote=False).replace('"', "&quot;")


def nav(authorities: dict[str, list[Policy]], names: dict[str, str],
        history: dict[str, list[Policy]] | None = None) -> list:
    """The generated pages' navigation, in mkdocs' nav structure, appended to mkdocs.yml's own nav by
    compiler/build/site_hook.py. Written as JSON: no YAML is ever generated from policy text."""
    sections: list = [{"Authorities and documents": "authorities/index.md"}]
    for key in sorted(authorities):
        # every entry titled here: an untitled one would take its page's heading, unescaped, into the nav
        entries: list = [{_title(names[key]): f"authorities/{key}/index.md"},
                         {"Findings": f"authorities/{key}/findings.md"}]
        if key != "national":
            entries.append({"Against the statute": f"authorities/{key}/statute.md"})
        for p in sorted(authorities[key], key=lambda p: p.slug):
            entries.append({_title(p.title): [
                {title: f"authorities/{key}/{p.slug}/{page}"}
                for title, page in (("Overview", "index.md"), ("Process map and timelines", "map.md"),
                                    ("Obligations", "obligations.md"), ("Principles and checklists", "principles.md"))]})
        earlier = (history or {}).get(key, [])
        if earlier:
            entries.append({"History": [{_title(f"{p.title}, {label(p)}"): f"authorities/{key}/{history_page_path(p)}"}
                                        for p in earlier]})
        sections.append({_title(names[key]): entries})
    return [{"Authorities": sections}, {"Comparison": "compare.md"}, {"Intervals against the statute": "intervals.md"}]


def history_page_path(p: Policy) -> str:
    """Where an earlier version's page goes, relative to its authority's folder."""
    return f"history/{p.slug}.md"


def _history_lines(earlier: list[Policy], prefix: str) -> list[str]:
    if not earlier:
        return []
    return ["Earlier versions and drafts:", ""] + [
        f"- [{md_text(p.title)}, {md_text(label(p))}]({prefix}{history_page_path(p)})" for p in earlier] + [""]


def authorities_index(authorities: dict[str, list[Policy]], names: dict[str, str],
                      history: dict[str, list[Policy]] | None = None) -> str:
    lines = ["# Authorities and documents", "",
             "Every encoded document in force, grouped by authority, as found by `policyc build`. `national` is "
             "the statutory floor that local documents are checked against.", ""]
    for key in sorted(authorities):
        lines.append(f"## [{md_text(names[key])}]({key}/index.md)")
        lines.append("")
        for p in sorted(authorities[key], key=lambda p: p.slug):
            when = f", effective {p.effective.isoformat()}" if p.effective else ""
            lines.append(f"- [{md_text(p.title)}]({key}/{p.slug}/index.md) — {len(p.obligations)} obligations{when}")
        lines.append("")
        lines += _history_lines((history or {}).get(key, []), f"{key}/")
    return "\n".join(lines)


def documents_table(authorities: dict[str, list[Policy]], names: dict[str, str]) -> str:
    """The home page's table of the documents in force, from the build."""
    lines = ["| authority | document | version | effective |", "| --- | --- | --- | --- |"]
    for key in sorted(authorities):
        for p in sorted(authorities[key], key=lambda p: p.slug):
            lines.append(f"| {md_text(names[key])} | [{md_text(p.title)}](authorities/{key}/{p.slug}/index.md) | "
                         f"{md_text(p.version or '')} | {p.effective.isoformat() if p.effective else ''} |")
    return "\n".join(lines) + "\n"


DOCUMENTS_START = "<!-- documents: the table of documents in force (generated/site/documents.md) goes here when mkdocs builds the site -->"
DOCUMENTS_END = "<!-- end of documents -->"


def splice_documents(page: str, table: str) -> str:
    """The home page with the text between the two markers replaced by `table` (unchanged without markers)."""
    start, end = page.find(DOCUMENTS_START), page.find(DOCUMENTS_END)
    if start < 0 or end < start:
        return page
    return page[: start + len(DOCUMENTS_START)] + "\n\n" + table + "\n" + page[end:]


def _demoted(markdown: str, levels: int) -> str:
    return "\n".join("#" * levels + line if line.startswith("#") else line for line in markdown.splitlines())


def history_page(p: Policy, next_version: Policy | None, period: tuple, changes_md: str | None,
                 findings_md: str) -> str:
    """An earlier version (or a draft): when it was in force, what changed in the next version, its findings."""
    start, until = period
    lines = [f"# {md_text(p.title)}: {md_text(label(p))}", ""]
    if p.draft:
        lines.append("A draft: checked on its own, never in force.")
    else:
        lines.append(f"In force from {start.isoformat() if start else 'the beginning'}"
                     + (f" until {until.isoformat()}." if until else "."))
    if next_version is not None:
        lines.append(f"The next version is {md_text(label(next_version))} (`{md_text(next_version.path)}`).")
    lines.append("")
    if changes_md is not None:
        lines += [_demoted(changes_md, 0).replace("## Changes to", "## What changed in the next version:", 1), ""]
    lines += [_demoted(findings_md, 1), ""]
    return "\n".join(lines)


def authority_index(key: str, name: str, policies: list[Policy], counts: dict[str, int],
                    history: list[Policy] | None = None) -> str:
    lines = [f"# {md_text(name)}", ""]
    for p in sorted(policies, key=lambda p: p.slug):
        version = f" (version {md_text(p.version)})" if p.version else ""
        lines.append(f"- [{md_text(p.title)}]({p.slug}/index.md){version}")
    if history:
        lines += [""] + _history_lines(history, "")[:-1]
    lines += ["", f"**Findings:** {counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, "
              f"{counts.get('info', 0)} notes — [read them](findings.md).", ""]
    if key != "national":
        lines += ["[Where these documents differ from the statute](statute.md).", ""]
    return "\n".join(lines)

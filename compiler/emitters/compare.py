"""Renderers of a comparison (`compiler.analyses.alignment`): Markdown, HTML, CSV and JSON, and the
docs site's "differences from the statute" page."""

from __future__ import annotations

import html
import io
import json
from collections import defaultdict

from compiler.analyses.alignment import (
    FLOOR_WORDS,
    NOT_STATED,
    RANK_WORDS,
    Column,
    Comparison,
    Entry,
    LocalTerm,
    Row,
    compare_policies,
)
from compiler.emitters.escape import CsvWriter, md_text
from compiler.model import describe
from compiler.model.ir import InProse, Policy


def md_escape(text: str) -> str:
    """Policy text as inline Markdown: the project's one escaping rule (compiler.emitters.escape)."""
    return md_text(text)


# ---- rendering: shared pieces ------------------------------------------------------------------------------------
def marks(e: Entry, ranks: bool = True) -> list[str]:
    out = [RANK_WORDS[e.rank]] if e.rank and ranks else []
    if e.floor in FLOOR_WORDS:
        out.append(FLOOR_WORDS[e.floor])
    return out


def entry_text(e: Entry, several: bool) -> str:
    """An entry in plain text: '[title: ][when ...: ]phrase (clauses)'."""
    prefix = f"{e.obligation.title or e.obligation.id}: " if several else ""
    if e.conditions:
        prefix += "when " + " and ".join(describe.condition(c) for c in e.conditions) + ": "
    clauses = "; ".join(e.clauses) or "no citation"
    return f"{prefix}{e.phrase} ({clauses})"


def _cell_entries(row: Row, col: Column) -> list[Entry]:
    return row.cells.get(col.policy.path, [])


def _group(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r.status_label, []).append(r)
    return list(groups.items())


# ---- markdown -------------------------------------------------------------------------------------------------------
def _md_entry(e: Entry, several: bool, ranks: bool) -> str:
    text = md_escape(entry_text(e, several))
    for m in marks(e, ranks):
        text += f" **({m})**"
    return text


def md_cell(entries: list[Entry], ranks: bool = True) -> str:
    """A table cell: each entry on its own line, with its marks (`ranks`: strictest, weakest, depends)."""
    if not entries:
        return f"*{NOT_STATED}*"
    return "<br>".join(_md_entry(e, len(entries) > 1, ranks) for e in entries)


def _md_table(header: list[str], lines: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    out += ["| " + " | ".join(cells) + " |" for cells in lines]
    return out


LEGEND = ("Each row is one duty, aligned across documents through the shared vocabulary (status, action, "
          "starting event); each cell gives the timing in plain English and the clause it comes from. "
          "Timings are compared exactly over every start date: **(strictest)** and **(weakest)** mark the "
          "extremes among documents stating the duty under the same conditions; **(depends on the start date)** "
          "marks a timing that is stricter on some dates and laxer on others than another's (for example working "
          "days against weeks); **(below the statutory floor)** marks a local timing that allows more time than "
          "the statute. A vague timing is shown but not ranked. *not stated* means the document does not state "
          "the duty.")


def _md_documents(cmp: Comparison) -> list[str]:
    lines = [[md_escape(c.label), md_escape(c.policy.title), md_escape(c.policy.version or ""),
              md_escape(str(c.policy.effective or "")), md_escape(c.policy.path), "yes" if c.floor else ""]
             for c in cmp.columns]
    return _md_table(["Column", "Document", "Version", "Effective", "File", "Statutory floor"], lines)


def _md_local_terms(terms: list[LocalTerm], columns: list[Column]) -> list[str]:
    out = ["## Local terms with no shared equivalent", ""]
    if not terms:
        return out + ["Every term used is in the shared vocabulary.", ""]
    out += ["These terms are declared by one document without `same as`, so no other document's duties line up "
            "with them. Map them to the shared vocabulary to compare them.", ""]
    label = {c.policy.path: c.label for c in columns}
    lines = [[md_escape(label.get(t.policy.path, t.policy.path)), t.kind, md_escape(t.id), md_escape(t.label),
              md_escape(", ".join(t.used_by)) or "*unused*",
              md_escape(", ".join(label.get(p, p) for p in t.also_in))] for t in terms]
    return out + _md_table(["Document", "Kind", "Term", "Label", "Used by", "Same name, also local in"], lines) + [""]


def render_markdown(cmp: Comparison, title: str = "Practice standards compared") -> str:
    out = [f"# {md_escape(title)}", "", md_escape(cmp.floor_note), "", LEGEND, "", "## Documents", ""]
    out += _md_documents(cmp) + [""]
    header = ["Duty"] + [md_escape(c.label) for c in cmp.columns]
    for status, rows in _group(cmp.rows):
        out += [f"## {md_escape(status)}", ""]
        lines = [[md_escape(r.duty)] + [md_cell(_cell_entries(r, c)) for c in cmp.columns] for r in rows]
        out += _md_table(header, lines) + [""]
    if not cmp.narrowed:
        out += _md_local_terms(cmp.local_terms, cmp.columns)
    return "\n".join(out).rstrip("\n") + "\n"


def comparison_markdown(policies: list[Policy], baseline: list[Policy]) -> str:
    """The docs site's comparison page: every policy given, with `baseline` as the statutory floor."""
    return render_markdown(compare_policies(policies, baseline))


# ---- differences from the statute ---------------------------------------------------------------------------------------
def _statute_sections(cmp: Comparison, policy: Policy, floor_paths: set[str]) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = defaultdict(list)
    local_only = 0
    for row in cmp.rows:
        mine = row.cells.get(policy.path, [])
        statute = [e for p in sorted(floor_paths) for e in row.cells.get(p, [])]
        if not statute:
            local_only += bool(mine)
            continue
        line = [md_escape(f"{row.status_label}: {row.duty}"), md_cell(mine, ranks=False), md_cell(statute, ranks=False)]
        if not mine:
            sections["not_stated"].append(line)
            continue
        found = {e.floor for e in mine}
        measured_statute = any(e.measure for e in statute)
        measured_mine = any(e.measure for e in mine)
        for word in ("weaker", "depends", "stricter"):
            if word in found:
                sections[word].append(line)
                break
        else:
            if measured_statute and not measured_mine:
                sections["unmeasured"].append(line)
            elif measured_mine and not measured_statute:
                sections["measured"].append(line)
            elif measured_mine and found == {None}:
                sections["other_conditions"].append(line)
    sections["_local_only"] = [[str(local_only)]]
    return sections


STATUTE_SECTIONS = (
    ("weaker", "Weaker than the statute",
     "The document allows more time than the statute on every start date, or on some and never less (E601)."),
    ("depends", "Weaker than the statute on some start dates",
     "Stricter on some start dates and laxer on others, usually working days against calendar time (I603)."),
    ("stricter", "Stricter than the statute", "The document asks for more than the statute requires."),
    ("unmeasured", "No measurable timescale where the statute sets one",
     "The document states the duty without a timescale that can be checked; the statute's applies."),
    ("measured", "A timescale where the statute sets none", "The document measures a duty the statute leaves open."),
    ("other_conditions", "Stated only under other conditions than the statute's",
     "The document and the statute state the duty for different cases, so the timings cannot be compared."),
    ("not_stated", "Statutory duties the document does not state",
     "The statute applies unchanged; consider stating it (I602)."),
)


def differences_from_statute_markdown(policy: Policy, baseline: list[Policy]) -> str:
    """A page of where one policy differs from the statutory baseline."""
    cmp = compare_policies([policy], baseline)
    floor_paths = {c.policy.path for c in cmp.columns if c.floor}
    sections = _statute_sections(cmp, policy, floor_paths)
    name = policy.authority or policy.title
    out = [f"# {md_escape(policy.title)}: differences from the statute", "",
           md_escape(f"{name}, compared with " + (", ".join(b.title for b in baseline) or "no statute") + "."), ""]
    header = ["Duty", md_escape(name), "Statute"]
    for key, heading, blurb in STATUTE_SECTIONS:
        lines = sections.get(key, [])
        out += [f"## {heading} ({len(lines)})", "", blurb, ""]
        out += (_md_table(header, lines) if lines else ["None."]) + [""]
    out += [f"{sections['_local_only'][0][0]} further duties of this document have no statutory counterpart.", ""]
    mine = [t for t in cmp.local_terms if t.policy.path == policy.path]
    out += _md_local_terms(mine, cmp.columns)
    return "\n".join(out).rstrip("\n") + "\n"


# ---- JSON, CSV, HTML ------------------------------------------------------------------------------------------------------
def _entry_json(e: Entry) -> dict:
    return {
        "obligation": e.obligation.id, "title": e.obligation.title, "modality": e.obligation.modality,
        "point": e.point, "phrase": e.phrase, "timing": e.timing, "conditions": [describe.condition(c) for c in e.conditions],
        "prose_conditions": [c.text for c in e.obligation.conditions if isinstance(c, InProse)],
        "clauses": e.clauses, "measured": e.measure is not None, "rank": e.rank, "floor": e.floor,
        "floor_obligations": sorted(f"{f.policy.path}#{f.obligation.id}" for f in e.floor_entries),
    }


def to_json(cmp: Comparison) -> dict:
    return {
        "floor": cmp.floor_note,
        "columns": [{"label": c.label, "path": c.policy.path, "title": c.policy.title,
                     "authority": c.policy.authority, "version": c.policy.version,
                     "effective": str(c.policy.effective) if c.policy.effective else None, "floor": c.floor}
                    for c in cmp.columns],
        "rows": [{"status": r.key[0] or None, "status_label": r.status_label, "action": r.key[1],
                  "point": r.key[2], "trigger": r.key[3] or None, "duty": r.duty,
                  "cells": {c.policy.path: [_entry_json(e) for e in _cell_entries(r, c)] for c in cmp.columns}}
                 for r in cmp.rows],
        "local_terms": [{"policy": t.policy.path, "kind": t.kind, "id": t.id, "label": t.label,
                         "used_by": list(t.used_by), "also_local_in": list(t.also_in)} for t in cmp.local_terms],
    }


def render_json(cmp: Comparison) -> str:
    return json.dumps(to_json(cmp), indent=2, ensure_ascii=False) + "\n"


def _plain_cell(entries: list[Entry]) -> str:
    if not entries:
        return NOT_STATED
    return "\n".join(entry_text(e, len(entries) > 1) + "".join(f" [{m}]" for m in marks(e)) for e in entries)


def render_csv(cmp: Comparison) -> str:
    """One table, one row per duty: loads as it is in pandas, Excel or Power Query. The local terms
    are `render_terms_csv`."""
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(["status", "duty", "status_id", "action", "point", "trigger"] + [c.label for c in cmp.columns])
    for r in cmp.rows:
        w.writerow([r.status_label, r.duty, *r.key] + [_plain_cell(_cell_entries(r, c)) for c in cmp.columns])
    return buf.getvalue()


def render_terms_csv(cmp: Comparison) -> str:
    """The local terms with no shared equivalent, as a table of their own."""
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(["local term", "document", "kind", "label", "used by"])
    for t in cmp.local_terms:
        w.writerow([t.id, t.policy.path, t.kind, t.label, " ".join(t.used_by)])
    return buf.getvalue()


_CSS = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
        "th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top;font-size:.9em}"
        ".strictest{background:#e3f4e3}.weakest{background:#fbeaea}.depends{background:#fff5d6}"
        ".below{outline:2px solid #c00}.not-stated{color:#888;font-style:italic}.mark{font-weight:bold}")


def _html_entry(e: Entry, several: bool) -> str:
    classes = " ".join(c for c in ("entry", e.rank or "", "below" if e.floor in FLOOR_WORDS else "") if c)
    marks_html = "".join(f' <span class="mark">({html.escape(m)})</span>' for m in marks(e))
    return (f'<div class="{classes}" title="{html.escape(e.obligation.id + ": " + e.timing)}">'
            f"{html.escape(entry_text(e, several))}{marks_html}</div>")


def _html_cell(entries: list[Entry]) -> str:
    if not entries:
        return f'<td class="not-stated">{NOT_STATED}</td>'
    return "<td>" + "".join(_html_entry(e, len(entries) > 1) for e in entries) + "</td>"


def render_html(cmp: Comparison, title: str = "Practice standards compared") -> str:
    esc = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', f"<title>{esc(title)}</title>",
           f"<style>{_CSS}</style>", "</head>", "<body>", f"<h1>{esc(title)}</h1>", f"<p>{esc(cmp.floor_note)}</p>",
           f"<p>{esc(LEGEND.replace('**', '').replace('*', ''))}</p>"]
    head = "<tr><th>Duty</th>" + "".join(f"<th>{esc(c.label)}</th>" for c in cmp.columns) + "</tr>"
    for status, rows in _group(cmp.rows):
        out += [f"<h2>{esc(status)}</h2>", "<table>", head]
        for r in rows:
            out.append(f"<tr><th>{esc(r.duty)}</th>" + "".join(_html_cell(_cell_entries(r, c)) for c in cmp.columns)
                       + "</tr>")
        out.append("</table>")
    out += ["<h2>Local terms with no shared equivalent</h2>", "<table>",
            "<tr><th>Document</th><th>Kind</th><th>Term</th><th>Label</th><th>Used by</th></tr>"]
    out += [f"<tr><td>{esc(t.policy.path)}</td><td>{esc(t.kind)}</td><td>{esc(t.id)}</td><td>{esc(t.label)}</td>"
            f"<td>{esc(', '.join(t.used_by))}</td></tr>" for t in cmp.local_terms]
    out += ["</table>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


RENDERERS = {"md": render_markdown, "html": render_html, "csv": render_csv, "terms-csv": render_terms_csv,
             "json": render_json}


def render(cmp: Comparison, fmt: str) -> str:
    return RENDERERS[fmt](cmp)

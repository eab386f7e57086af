"""Renderers of a policy diff (`compiler.analyses.changes`): a Markdown changelog and JSON."""

from __future__ import annotations

import json

from compiler.analyses.changes import HEADINGS, KINDS, Change, PolicyDiff
from compiler.emitters.compare import md_escape
from compiler.model.ir import Obligation, Policy


def _clauses(o: Obligation | None) -> str:
    return ", ".join(dict.fromkeys(c.clause for c in o.citations)) if o and o.citations else ""


def _md_item(c: Change) -> str:
    o = c.new or c.old
    assert o is not None
    cited = f" ({md_escape(_clauses(o))})" if _clauses(o) else ""
    line = f"- **{md_escape(o.id)}** {md_escape(o.title)}{cited}: " + "; ".join(md_escape(d) for d in c.details)
    quotes = dict.fromkeys((x.clause, x.quote) for x in o.citations)
    return "\n".join([line] + [f"    > {md_escape(clause)}: “{md_escape(quote)}”" for clause, quote in quotes])


def render_markdown(d: PolicyDiff) -> str:
    def version(p: Policy) -> str:
        return p.version or (str(p.effective) if p.effective else p.path)

    out = [f"## Changes to {md_escape(d.new.title)} ({md_escape(version(d.old))} → {md_escape(version(d.new))})", ""]
    counts = [f"{len(d.of_kind(k))} {HEADINGS[k].lower()}" for k in KINDS if d.of_kind(k)]
    out += [(", ".join(counts) if counts else "No obligation changed") + ".", ""]
    if d.header:
        out += ["### Header", ""] + [f"- {md_escape(h)}" for h in d.header] + [""]
    for kind in KINDS:
        items = d.of_kind(kind)
        if items:
            out += [f"### {HEADINGS[kind]} ({len(items)})", ""] + [_md_item(c) for c in items] + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def _change_json(c: Change) -> dict:
    o = c.new or c.old
    assert o is not None
    return {"id": c.id, "old_id": c.old.id if c.old else None, "new_id": c.new.id if c.new else None,
            "title": o.title, "clauses": list(dict.fromkeys(x.clause for x in o.citations)), "details": c.details}


def to_json(d: PolicyDiff) -> dict:
    return {"old": {"path": d.old.path, "title": d.old.title, "version": d.old.version},
            "new": {"path": d.new.path, "title": d.new.title, "version": d.new.version},
            "header": d.header, "changes": {k: [_change_json(c) for c in d.of_kind(k)] for k in KINDS}}


def render_json(d: PolicyDiff) -> str:
    return json.dumps(to_json(d), indent=2, ensure_ascii=False) + "\n"


def render(d: PolicyDiff, fmt: str) -> str:
    return render_json(d) if fmt == "json" else render_markdown(d)

"""The audit's outputs: the summary per obligation, the rows (CSV, JSON, Markdown), the rejects file."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from compiler.audit.inputs import Loaded
from compiler.model.ir import Policy, form_of
from compiler.model.semantics import COLUMNS, OUTCOMES, Row, approximations, clause_of, not_measurable

SUMMARY_COLUMNS = ("obligation", "clause", "form", "occurrences", "on_time", "late", "overdue", "pending",
                   "discharged", "extended", "not_applicable", "pct_on_time")


@dataclass
class Summary:
    policy: str
    as_of: dt.date | None
    engine: str
    input: dict[str, Any]
    obligations: list[dict[str, Any]]
    not_measurable: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)  # audits of several versions: who judged what


def summarise(policy: Policy, loaded: Loaded, engine: str, counts: Counter[tuple[str, str, bool]]) -> Summary:
    """`counts[(obligation, outcome, done)]`: how many rows of each kind (done: has a done date)."""
    obligations, skipped = [], []
    notes = list(loaded.notes)
    for ob in policy.obligations:
        reason = not_measurable(policy, ob)
        if reason is not None:
            skipped.append({"obligation": ob.id, "clause": clause_of(ob), "reason": reason})
            continue
        c = {o: sum(n for (oid, out, _), n in counts.items() if oid == ob.id and out == o)
             for o in OUTCOMES}
        extended_done = counts.get((ob.id, "extended", True), 0)
        on_time = c["met"] + extended_done
        decided = on_time + c["met_late"] + c["overdue"]
        assert ob.timing is not None
        obligations.append({
            "obligation": ob.id, "clause": clause_of(ob), "form": form_of(ob.timing),
            "occurrences": sum(c.values()) - c["not_applicable"], "on_time": on_time, "late": c["met_late"],
            "overdue": c["overdue"], "pending": c["pending"] + c["extended"] - extended_done,
            "discharged": c["discharged"], "extended": c["extended"], "not_applicable": c["not_applicable"],
            "pct_on_time": round(100.0 * on_time / decided, 1) if decided else None,
        })
        for text in approximations(ob):
            notes.append(f"{ob.id}: {text} (the data holds dates only)")
    if loaded.after_as_of:
        notes.append(f"{loaded.after_as_of} used rows are dated after the as-of date and were ignored")
    info = {
        "events_rows": loaded.events_rows, "events_used": loaded.events_used, "events_rejected": loaded.events_rejected,
        "children_rows": loaded.children_rows, "children_used": loaded.children_used,
        "children_rejected": loaded.children_rejected,
        "rejected_by_kind": dict(sorted(loaded.reject_kinds.items())),
    }
    return Summary(policy.title, loaded.as_of, engine, info, obligations, skipped, notes)


def count_rows(rows: Iterable[Row]) -> Counter[tuple[str, str, bool]]:
    return Counter((r.obligation, r.outcome, r.done_date is not None) for r in rows)


# ---- text -------------------------------------------------------------------------------------------------
def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def summary_text(s: Summary) -> str:
    i = s.input
    out = [f"audit of {s.policy!r} as of {s.as_of or 'no date (no events)'} (engine: {s.engine})",
           f"events: {i['events_rows']} rows, {i['events_used']} used, {i['events_rejected']} rejected"]
    if i["children_rows"]:
        out.append(f"children: {i['children_rows']} rows, {i['children_used']} used, {i['children_rejected']} rejected")
    for kind, n in i["rejected_by_kind"].items():
        out.append(f"  rejected ({kind}): {n}")
    out.append("")
    table = [SUMMARY_COLUMNS[:1] + ("occurrences", "on time", "late", "overdue", "pending", "discharged", "extended",
                                    "n/a", "% on time")]
    for o in s.obligations:
        table.append((o["obligation"], str(o["occurrences"]), str(o["on_time"]), str(o["late"]), str(o["overdue"]),
                      str(o["pending"]), str(o["discharged"]), str(o["extended"]), str(o["not_applicable"]),
                      "" if o["pct_on_time"] is None else f"{o['pct_on_time']:.1f}"))
    widths = [max(len(r[k]) for r in table) for k in range(len(table[0]))]
    for r in table:
        out.append("  ".join(c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths, strict=True))))
    for m in s.not_measurable:
        out.append(f"{m['obligation']}: not measurable ({m['reason']})")
    for n in s.notes:
        out.append(f"note: {n}")
    return "\n".join(out) + "\n"


def summary_markdown(s: Summary) -> str:
    i = s.input
    out = [f"# Audit: {_md(s.policy)}", "", f"As of {s.as_of or 'no date'}; engine {s.engine}.", "",
           f"Events: {i['events_rows']} rows, {i['events_used']} used, {i['events_rejected']} rejected."]
    if i["children_rows"]:
        out.append(f"Children: {i['children_rows']} rows, {i['children_used']} used, {i['children_rejected']} rejected.")
    for kind, n in i["rejected_by_kind"].items():
        out.append(f"- rejected ({_md(kind)}): {n}")
    out += ["", "## Summary", "", "| " + " | ".join(SUMMARY_COLUMNS) + " |",
            "|" + "|".join("---" for _ in SUMMARY_COLUMNS) + "|"]
    for o in s.obligations:
        out.append("| " + " | ".join(_md(_cell(o[c])) for c in SUMMARY_COLUMNS) + " |")
    if s.not_measurable:
        out += ["", "Not measurable:", ""]
        out += [f"- {_md(m['obligation'])} ({_md(m['clause'])}): {_md(m['reason'])}" for m in s.not_measurable]
    if s.notes:
        out += ["", "Notes:", ""] + [f"- {_md(n)}" for n in s.notes]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def summary_json(s: Summary) -> dict[str, Any]:
    return {"policy": s.policy, "as_of": s.as_of.isoformat() if s.as_of else None, "engine": s.engine,
            "input": s.input, "summary": s.obligations, "not_measurable": s.not_measurable, "notes": s.notes,
            **({"versions": s.versions} if s.versions else {})}


# ---- rows ---------------------------------------------------------------------------------------------------
def _row_values(r: Row) -> list[str]:
    return [_cell(v.isoformat() if isinstance(v, dt.date) else v) for v in r]


def write_rows_csv(rows: Iterable[Row], out: TextIO) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow(_row_values(r))


def write_rows_markdown(rows: Iterable[Row], out: TextIO) -> None:
    out.write("\n## Occurrences\n\n| " + " | ".join(COLUMNS) + " |\n|" + "|".join("---" for _ in COLUMNS) + "|\n")
    for r in rows:
        out.write("| " + " | ".join(_md(v) for v in _row_values(r)) + " |\n")


def write_json(summary: Summary, rows: Sequence[Row], out: TextIO) -> None:
    doc = summary_json(summary)
    doc["rows"] = [dict(zip(COLUMNS, (v.isoformat() if isinstance(v, dt.date) else v for v in r), strict=True))
                   for r in rows]
    json.dump(doc, out, indent=1, ensure_ascii=False)
    out.write("\n")


def write_rejects(loaded: Loaded, path: str) -> None:
    """file, row, reason, raw: every rejected row, in file then row order."""
    cur = loaded.con.execute("SELECT file, row, reason, raw FROM rejects ORDER BY file DESC, row")
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("file", "row", "reason", "raw"))
        while True:
            chunk = cur.fetchmany(100_000)
            if not chunk:
                break
            w.writerows(chunk)

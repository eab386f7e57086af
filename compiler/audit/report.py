"""The audit's outputs: the summary per obligation, the rows (CSV, JSON, Markdown), the rejects file."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from compiler.audit.inputs import Loaded
from compiler.emitters.escape import CsvWriter, csv_cell_sql, md_cell, terminal
from compiler.emitters.sqltext import sql_string
from compiler.model.ir import Every, Obligation, Policy, Schedule, form_of, setting_of
from compiler.model.semantics import (
    ALL_RECORDED,
    COLUMNS,
    OUTCOMES,
    Row,
    SourceRecords,
    Unrecorded,
    approximations,
    audited,
    clause_of,
    clock_deadline,
    has_clock,
    missing_data,
    narrowing,
    not_measurable,
)

SUMMARY_COLUMNS = ("obligation", "clause", "form", "occurrences", "on_time", "late", "overdue", "pending",
                   "discharged", "extended", "not_applicable", "no_data", "pct_on_time")


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
    about: dict[str, Any] = field(default_factory=dict)  # as-of basis, policy version, data range, source
    no_data: list[dict[str, str]] = field(default_factory=list)  # duties the data cannot measure, and why


def _item(policy: Policy, event: str) -> str:
    """Where an event is recorded, from the vocabulary's `recorded as` lines."""
    e = policy.events.get(event)
    found = [f"{dataset} {item!r}" for dataset, item in (e.recorded_as if e else ())]
    return "recorded as " + "; ".join(found) if found else "no known data source records it"


def describe_missing(policy: Policy, ob: Obligation, unrecorded: Unrecorded, source: str) -> str:
    """One line: what the data lacks to measure the duty, and which data item would measure it."""
    parts = []
    for kind, name in missing_data(policy, ob, unrecorded):
        what = {"action": "the action", "trigger": "what starts it", "attribute": "a condition"}[kind]
        where = _item(policy, name) if kind != "attribute" else "an attribute no adapter fills yet"
        parts.append(f"`{name}` ({what}) is not in the {source + ' return' if source else 'data'}; {where}")
    return "; ".join(parts)


def summarise(policy: Policy, loaded: Loaded, engine: str, counts: Counter[tuple[str, str, bool]],
              records: SourceRecords | None = None, unrecorded: Unrecorded = ALL_RECORDED,
              clock: Counter[tuple[str, bool]] | None = None) -> Summary:
    """`counts[(obligation, outcome, done)]`: how many rows of each kind (done: has a done date). `clock`: for
    data with times of day, how many rows of duties in hours were judged on timestamps and on dates
    (`count_clock`); None when the data holds dates only."""
    obligations, skipped, no_data = [], [], []
    notes = list(loaded.notes)
    source = records.source if records is not None else ""
    for ob in audited(policy):
        reason = not_measurable(policy, ob)
        if reason is not None:
            skipped.append({"obligation": ob.id, "clause": clause_of(ob), "reason": reason})
            continue
        assert ob.timing is not None
        line = {"obligation": ob.id, "clause": clause_of(ob), "form": form_of(ob.timing),
                **_counted(counts, ob.id), "title": ob.title}
        obligations.append(line)
        prose = narrowing(policy, ob).in_prose
        setting = setting_of(ob.timing) if line["no_data"] else None
        if missing_data(policy, ob, unrecorded) or prose or setting:
            why = [describe_missing(policy, ob, unrecorded, source)] if missing_data(policy, ob, unrecorded) else []
            if prose:
                why.append("an exception in prose may apply, which the data cannot show (" + "; ".join(prose)
                           + "): occurrences that would be overdue or late are no_data")
            if setting is not None:
                why.append(f"the timescale is set for each child (`{setting.attribute}` at {setting.event}): an episode "
                           "whose value is not recorded there is no_data")
            no_data.append({"obligation": ob.id, "clause": clause_of(ob), "title": ob.title,
                            "occurrences": str(line["no_data"]), "why": "; ".join(why)})
        note = clock_note(ob, clock) if clock is not None else None
        if note is not None and clock is not None:
            notes.append(note)
            line["on_timestamps"], line["on_dates"] = clock[(ob.id, True)], clock[(ob.id, False)]
        else:
            notes += [f"{ob.id}: {text} (the data holds dates only)" for text in approximations(ob)]
    facts = records.facts if records is not None else {}
    if loaded.after_as_of:
        year = " (the end of the return's collection year)" if loaded.as_of_from == "collection_year" else ""
        notes.append(f"warning: {loaded.after_as_of} used rows are dated after the as-of date {loaded.as_of}{year}; "
                     "they are ignored")
    info = {
        "events_rows": loaded.events_rows, "events_used": loaded.events_used, "events_rejected": loaded.events_rejected,
        "children_rows": loaded.children_rows, "children_used": loaded.children_used,
        "children_rejected": loaded.children_rejected,
        "rejected_by_kind": dict(sorted(loaded.reject_kinds.items())),
    }
    first, last = loaded.con.execute("SELECT min(date), max(date) FROM events").fetchall()[0]
    about = {
        "as_of_from": loaded.as_of_from, "policy_version": policy.version or "", "policy_file": policy.path,
        "policy_effective": policy.effective.isoformat() if policy.effective else "",
        "first_date": first.isoformat() if first else None, "last_date": last.isoformat() if last else None,
        "source": source, "children_before_data": facts.get("children_before_data"),
        "import_rejects": facts.get("rejects"), "import_problems": facts.get("problems"),
    }
    return Summary(policy.title, loaded.as_of, engine, info, obligations, skipped, notes, about=about, no_data=no_data)


# ---- the steps of a schedule -------------------------------------------------------------------------------
#: what `rows_relation` makes: the Python engine's rows as a table; a view of the audit's rows as the engine
#: keeps them (a child's integer key where the DuckDB engine numbered the children: cheaper to count and
#: sort over, and the keys sort as the ids do); and a view naming those children, `(key, child_id)`
ROWS, FIGURES, NAMES = "report_rows", "report_figures", "report_names"


def rows_relation(con: Any, rows: Sequence[Row] | None, child_keys: bool = False) -> str:
    """Make the views `FIGURES` and `NAMES` of the audit's rows: DuckDB's result (`child_keys`: its children
    are integer keys of `child_keys`, `compiler.audit.inputs`), or the Python engine's `rows`, kept as the
    table `ROWS`. Returns `FIGURES`, the one to count over."""
    if rows is None:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {FIGURES} AS SELECT * FROM audit_result").fetchall()
    else:
        import pyarrow as pa

        types = {"trigger_date": pa.date32(), "due_date": pa.date32(), "done_date": pa.date32(),
                 "working_days_late": pa.int64(), "step": pa.int64()}
        table = pa.table({c: pa.array([r[i] for r in rows], type=types.get(c, pa.string())) for i, c in enumerate(COLUMNS)})
        con.register("_report_rows_arrow", table)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT * FROM _report_rows_arrow").fetchall()
        con.unregister("_report_rows_arrow")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {FIGURES} AS SELECT * FROM {ROWS}").fetchall()
    names = ("SELECT key, child_id FROM child_keys" if rows is None and child_keys
             else f"SELECT DISTINCT child_id AS key, child_id FROM {FIGURES}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {NAMES} AS {names}").fetchall()
    return FIGURES


def step_labels(policy: Policy, ob: Obligation) -> list[str]:
    """The steps of a schedule as the summary names them: `first within 20 working days of X`, ... (a run
    started by a restart counts its first occurrence as step 1, as the engines' `step` column does)."""
    t = ob.timing
    if not isinstance(t, Schedule) or not t.steps:
        return []
    restarts = "".join(f" (or of restart {e})" for e in dict.fromkeys(policy.canonical_event(r.event) for r in t.restarts))
    labels = [f"first within {t.duration} of {policy.canonical_event(t.trigger)}{restarts}"]
    for step in t.steps:
        labels.append(f"then {'every' if isinstance(step, Every) else 'within'} {step.duration}")
    return labels


def add_steps(summary: Summary, policy: Policy, con: Any, rel: str) -> None:
    """Each step of a schedule on its own line, counted from the rows' `step` column (the engines number
    each occurrence by the step of its chain that made it; a run started by `restart` counts from 1
    again). The steps add up to the duty's line: rows without a step (not_applicable episodes) are
    counted in the duty's line only."""
    by_id = {o.id: o for o in policy.obligations}
    wanted: dict[str, list[str]] = {}
    for line in summary.obligations:
        ob = by_id.get(line["obligation"])  # an aim's rows (`ID:aim`), or a duty of another version: no steps
        labels = step_labels(policy, ob) if ob is not None else []
        if labels and line["occurrences"]:
            wanted[line["obligation"]] = labels
    if not wanted:
        return
    ids = "[" + ", ".join(_sql_text(i) for i in wanted) + "]::VARCHAR[]"
    got = con.execute(f"SELECT obligation, step, outcome, done_date IS NOT NULL, count(*) FROM {rel} "
                      f"WHERE list_contains({ids}, obligation) AND step IS NOT NULL GROUP BY ALL").fetchall()
    counts: dict[str, Counter[tuple[str, str, bool]]] = {i: Counter() for i in wanted}
    for ob_id, step, outcome, done, n in got:
        counts[ob_id][(str(step), outcome, bool(done))] += int(n)
    for line in summary.obligations:
        if line["obligation"] in wanted:
            line["steps"] = [dict(_counted(counts[line["obligation"]], str(k + 1)), step=k + 1, label=label)
                             for k, label in enumerate(wanted[line["obligation"]])]


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _counted(counts: Counter[tuple[str, str, bool]], key: str) -> dict[str, Any]:
    """The summary figures of one line from `counts[(key, outcome, done)]`."""
    c = {o: sum(n for (k, out, _), n in counts.items() if k == key and out == o) for o in OUTCOMES}
    extended_done = counts.get((key, "extended", True), 0)
    on_time = c["met"] + extended_done
    decided = on_time + c["met_late"] + c["overdue"]
    return {
        "occurrences": sum(c.values()) - c["not_applicable"], "on_time": on_time, "late": c["met_late"],
        "overdue": c["overdue"], "pending": c["pending"] + c["extended"] - extended_done,
        "discharged": c["discharged"], "extended": c["extended"], "not_applicable": c["not_applicable"],
        "no_data": c["no_data"], "pct_on_time": round(100.0 * on_time / decided, 1) if decided else None,
    }


def count_rows(rows: Iterable[Row]) -> Counter[tuple[str, str, bool]]:
    return Counter((r.obligation, r.outcome, r.done_date is not None) for r in rows)


def count_clock(rows: Iterable[Row]) -> Counter[tuple[str, bool]]:
    """(obligation, judged on timestamps) of the rows of duties in hours or minutes that judge something."""
    return Counter((r.obligation, r.on_times) for r in rows if r.on_times is not None)


def clock_note(ob: Obligation, clock: Counter[tuple[str, bool]]) -> str | None:
    """How the rows of a duty in hours or minutes were judged, for data with times of day (None: not such a duty)."""
    texts = approximations(ob)
    if not has_clock(ob) or not texts:
        return None
    how = "judged on timestamps" if clock_deadline(ob.timing) else "judged on timestamps (never for this timing)"
    return (f"{ob.id}: {how}: {clock[(ob.id, True)]}, on dates (hours rounded up to days: {'; '.join(texts)}): "
            f"{clock[(ob.id, False)]}")


# ---- text -------------------------------------------------------------------------------------------------
def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


AS_OF_FROM = {"given": "given with --as-of", "collection_year": "the end of the return's collection year",
              "latest_event": "the latest event date in the file"}


def about_lines(s: Summary) -> list[str]:
    """What a reader needs before the figures: the as-of date and why, the policy, the data."""
    a = s.about
    version = f", version {a['policy_version']}" if a.get("policy_version") else ""
    effective = f", in force from {a['policy_effective']}" if a.get("policy_effective") else ""
    out = [f"as of {s.as_of or 'no date (no events)'} ({AS_OF_FROM.get(a.get('as_of_from', ''), 'given')})",
           f"policy: {s.policy}{version}{effective}"]
    if a.get("first_date"):
        source = f"{a['source']} return, " if a.get("source") else ""
        out.append(f"data: {source}events dated {a['first_date']} to {a['last_date']}")
    if a.get("children_before_data"):
        out.append(f"children left out: {a['children_before_data']} (their care began before the data starts, so "
                   "no start of care is known)")
    if a.get("import_rejects"):
        out.append(f"import problems: {a.get('import_problems', 0)} in {a['import_rejects']}")
    if a.get("rejects_file"):
        out.append(f"rows rejected by the audit: {s.input['events_rejected'] + s.input['children_rejected']} in "
                   f"{a['rejects_file']}")
    return out


def measured(s: Summary) -> list[dict[str, Any]]:
    """Summary lines of the duties the data can measure (the others are listed as no_data)."""
    missing = {m["obligation"] for m in s.no_data}
    return [o for o in s.obligations if o["obligation"] not in missing]


def summary_text(s: Summary) -> str:
    i = s.input
    out = [f"audit of {s.policy!r} (engine: {s.engine})", *about_lines(s),
           f"events: {i['events_rows']} rows, {i['events_used']} used, {i['events_rejected']} rejected"]
    if i["children_rows"]:
        out.append(f"children: {i['children_rows']} rows, {i['children_used']} used, {i['children_rejected']} rejected")
    for kind, n in i["rejected_by_kind"].items():
        out.append(f"  rejected ({kind}): {n}")
    out.append("")
    table = [SUMMARY_COLUMNS[:1] + ("occurrences", "on time", "late", "overdue", "pending", "discharged", "extended",
                                    "n/a", "% on time")]
    for o in measured(s):
        for name, f in [(o["obligation"], o)] + [(f"  {st['step']}. {st['label']}", st) for st in o.get("steps", [])]:
            table.append((name, str(f["occurrences"]), str(f["on_time"]), str(f["late"]), str(f["overdue"]),
                          str(f["pending"]), str(f["discharged"]), str(f["extended"]), str(f["not_applicable"]),
                          "" if f["pct_on_time"] is None else f"{f['pct_on_time']:.1f}"))
    widths = [max(len(r[k]) for r in table) for k in range(len(table[0]))]
    for r in table:
        out.append("  ".join(c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths, strict=True))))
    for m in s.no_data:
        out.append(f"{m['obligation']}: no_data ({m['occurrences']} occurrences not measured): {m['why']}")
    for m in s.not_measurable:
        out.append(f"{m['obligation']}: not measurable ({m['reason']})")
    for n in s.notes:
        out.append(n if n.startswith("warning:") else f"note: {n}")
    return terminal("\n".join(out) + "\n")  # policy text and case data, printed to a terminal


def summary_markdown(s: Summary) -> str:
    i = s.input
    out = [f"# Audit: {_md(s.policy)}", "", f"Engine {s.engine}.", ""]
    out += [f"- {_md(line)}" for line in about_lines(s)]
    out += ["", f"Events: {i['events_rows']} rows, {i['events_used']} used, {i['events_rejected']} rejected."]
    if i["children_rows"]:
        out.append(f"Children: {i['children_rows']} rows, {i['children_used']} used, {i['children_rejected']} rejected.")
    for kind, n in i["rejected_by_kind"].items():
        out.append(f"- rejected ({_md(kind)}): {n}")
    columns = tuple(c for c in SUMMARY_COLUMNS if c != "no_data")
    out += ["", "## Summary", "", "| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for o in measured(s):
        out.append("| " + " | ".join(_md(_cell(o[c])) for c in columns) + " |")
        for st in o.get("steps", []):
            step = {**o, **st, "obligation": f"↳ {st['step']}. {st['label']}"}
            out.append("| " + " | ".join(_md(_cell(step[c])) for c in columns) + " |")
    if s.no_data:
        out += ["", "## Not measured by this data (no_data)", "",
                "These duties need data the return does not hold: their occurrences are `no_data`, never overdue.",
                ""]
        out += [f"- {_md(m['obligation'])} ({_md(m['clause'])}): {m['occurrences']} occurrences; {_md(m['why'])}"
                for m in s.no_data]
    if s.not_measurable:
        out += ["", "Not measurable:", ""]
        out += [f"- {_md(m['obligation'])} ({_md(m['clause'])}): {_md(m['reason'])}" for m in s.not_measurable]
    if s.notes:
        out += ["", "Notes:", ""] + [f"- {_md(n)}" for n in s.notes]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Case data and policy text in a Markdown table or list: the project's escaping (HTML too)."""
    return md_cell(text)


def summary_json(s: Summary) -> dict[str, Any]:
    return {"policy": s.policy, "as_of": s.as_of.isoformat() if s.as_of else None, "engine": s.engine,
            "about": s.about, "input": s.input, "summary": s.obligations, "no_data": s.no_data,
            "not_measurable": s.not_measurable, "notes": s.notes, **({"versions": s.versions} if s.versions else {})}


# ---- rows ---------------------------------------------------------------------------------------------------
def _row_values(r: Row) -> list[str]:
    return [_cell(v.isoformat() if isinstance(v, dt.date) else v) for v in r[:len(COLUMNS)]]


def write_rows_csv(rows: Iterable[Row], out: TextIO) -> None:
    """The rows as CSV by the project's rule (compiler.emitters.escape): the same bytes as
    `compiler.audit.run.copy_rows_csv` writes from DuckDB."""
    w = CsvWriter(out)
    w.writerow(COLUMNS)
    w.writerows(r[:len(COLUMNS)] for r in rows)


def write_rows_markdown(rows: Iterable[Row], out: TextIO) -> None:
    out.write("\n## Occurrences\n\n| " + " | ".join(COLUMNS) + " |\n|" + "|".join("---" for _ in COLUMNS) + "|\n")
    for r in rows:
        out.write("| " + " | ".join(_md(v) for v in _row_values(r)) + " |\n")


def write_json(summary: Summary, rows: Sequence[Row], out: TextIO) -> None:
    doc = summary_json(summary)
    doc["rows"] = [dict(zip(COLUMNS, (v.isoformat() if isinstance(v, dt.date) else v for v in r[:len(COLUMNS)]),
                             strict=True))
                   for r in rows]
    json.dump(doc, out, indent=1, ensure_ascii=False)
    out.write("\n")


def write_rejects(loaded: Loaded, path: str) -> None:
    """file, row, reason, raw: every rejected row, in file then row order. Each line is built in SQL by the
    project's CSV rule (`csv_cell_sql`, the bytes `CsvWriter` writes) and DuckDB writes the lines as they
    are: a million rejected rows cost no Python."""
    line = " || ',' || ".join([csv_cell_sql("file"), "CAST(row AS VARCHAR)", csv_cell_sql("reason"),
                               csv_cell_sql("raw")])
    loaded.con.execute(
        f'COPY (SELECT {line} AS "file,row,reason,raw" FROM rejects ORDER BY file DESC, row) '
        f"TO {sql_string(path)} (FORMAT csv, HEADER true, QUOTE '', ESCAPE '', DELIMITER '\x1f')").fetchall()

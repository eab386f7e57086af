"""`policyc import ssda903 DIR` and `policyc import cin FILE`: DfE returns → case events for `policyc audit`.

Writes the events table (`child_id, event, date, attributes..., source`), optionally the children
table, and always a rejects file listing every input problem. Bad data is never fatal: each bad
row or date is rejected with a reason and the rest is imported (exit 0). An input that cannot be
read at all (no such file, a required column missing, not UTF-8, not well-formed XML) is a one-line
message and exit 2, and nothing is written.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from compiler.adapters.codes import apply_codes, load_vocabulary
from compiler.adapters.ssda903 import ISSUE_COLUMNS, AdapterError, Event, ImportResult, SourceCount
from compiler.emitters.escape import CsvWriter
from compiler.model.settings import load_settings

FORMATS = (".csv", ".parquet")
DATE_COLUMNS = frozenset({"date", "date_of_birth"})  # date32 in Parquet
INT_COLUMNS = frozenset({"row", "line"})  # int64 in Parquet; every other column is text
Cell = str | int | date | None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="turn DfE returns (SSDA903, CIN census) into case events for audit",
                       description="Turn a DfE return into a case-events table (and a children table) for "
                                   "`policyc audit`. Every input row is used or listed in the rejects file.")
    kinds = p.add_subparsers(dest="kind", metavar="SOURCE")
    kinds.required = True
    s = kinds.add_parser("ssda903", help="an SSDA903 folder: episodes.csv, reviews.csv, header.csv")
    s.add_argument("folder", type=Path, metavar="DIR", help="folder holding episodes.csv, reviews.csv, header.csv")
    _outputs(s)
    s.set_defaults(func=run_ssda903)
    c = kinds.add_parser("cin", help="a CIN census XML file")
    c.add_argument("file", type=Path, metavar="FILE", help="the CIN census XML")
    _outputs(c)
    c.set_defaults(func=run_cin)


def _outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, metavar="EVENTS",
                   help="the case-events table to write: .csv or .parquet")
    p.add_argument("--children-out", type=Path, metavar="CHILDREN",
                   help="also write the children table (child_id, date_of_birth, ...): .csv or .parquet")
    p.add_argument("--rejects", type=Path, metavar="FILE",
                   help="where to list rejected rows and other input problems (default: EVENTS_STEM.rejects.csv)")
    p.add_argument("--vocabulary", type=Path, metavar="FILE",
                   help="the vocabulary whose attribute declarations turn DfE codes into values "
                        "(default: policies/vocabulary.policy of the project)")


def run_ssda903(args: argparse.Namespace) -> int:
    from compiler.adapters.ssda903 import import_ssda903

    return _run(args, lambda: import_ssda903(args.folder, with_children=args.children_out is not None), "ssda903")


def run_cin(args: argparse.Namespace) -> int:
    from compiler.adapters.cin_census import import_cin

    return _run(args, lambda: import_cin(args.file, with_children=args.children_out is not None), "cin_census")


def _vocabulary(given: Path | None) -> Path | None:
    """The vocabulary to read codes from: the one given, else the project's, if there is one."""
    if given is not None:
        return given
    root = load_settings().root
    default = root / "policies" / "vocabulary.policy" if root is not None else None
    return default if default is not None and default.is_file() else None


def _run(args: argparse.Namespace, load: Callable[[], ImportResult], dataset: str) -> int:
    from compiler.cli.common import clashing_outputs, usage_error

    out: Path = args.out
    children_out: Path | None = args.children_out
    rejects: Path = args.rejects or out.with_name(out.stem + ".rejects.csv")
    for flag, path in (("--out", out), ("--children-out", children_out)):
        if path is not None and path.suffix.lower() not in FORMATS:
            return usage_error(f"{flag} {path}: the file name must end in .csv or .parquet")
    clash = clashing_outputs(_inputs(args), {"--out": out, "--children-out": children_out, "--rejects": rejects})
    if clash:
        return usage_error(clash)
    vocabulary = _vocabulary(args.vocabulary)
    try:
        result = load()
        if vocabulary is not None:
            apply_codes(result, load_vocabulary(vocabulary), dataset)
        else:
            result.notes.append("no vocabulary found: attribute columns keep the DfE codes (give --vocabulary)")
    except AdapterError as err:
        return usage_error(str(err))
    try:
        write_table(out, event_columns(result), event_rows(result))
        if children_out is not None:
            columns = result.children_columns
            rows = [[c.get(k) for k in columns] for c in sorted(result.children, key=lambda c: str(c["child_id"]))]
            write_table(children_out, columns, rows)
        write_table(rejects, ISSUE_COLUMNS, issue_rows(result))
        declared = write_declaration(result, out, rejects)
    except OSError as err:
        return usage_error(f"cannot write {err.filename or ''}: {err.strerror or err}")
    print(summary(result, out, children_out, rejects))
    if declared is not None:
        print(f"{declared}: what the {result.records.source if result.records else ''} return records, for "
              "`policyc audit` (duties it cannot measure are no_data, not overdue)")
    return 0


def declaration_path(events: Path) -> Path:
    """`EVENTS_STEM.source.json` beside the events: what their source records (read by `policyc audit`)."""
    return events.with_name(events.stem + ".source.json")


def write_declaration(result: ImportResult, out: Path, rejects: Path) -> Path | None:
    from dataclasses import replace

    from compiler.adapters.ssda903 import collection_facts

    if result.records is None:
        return None
    path = declaration_path(out)
    facts = {**collection_facts(result), "rejects": rejects.name,
             "problems": len(result.issues)}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(replace(result.records, facts=facts).to_json(), encoding="utf-8")
    tmp.replace(path)
    return path
def _inputs(args: argparse.Namespace) -> dict[str, Path | None]:
    """The files an import reads, by how a message names them."""
    if getattr(args, "file", None) is not None:
        return {"the census file": args.file}
    from compiler.adapters.ssda903 import FILES

    return {f"the input {name}": args.folder / name for name in FILES.values()}


# ---- tables ----------------------------------------------------------------------------------------


def event_columns(result: ImportResult) -> tuple[str, ...]:
    return ("child_id", "event", "date", *result.attribute_columns, "source")


def _event_key(e: Event) -> tuple[str, date, str, str, int]:
    return (e.child_id, e.date, e.event, e.source, e.line)


def event_rows(result: ImportResult) -> list[list[Cell]]:
    """Sorted by child_id, date, event (then by where each came from), so the output is deterministic."""
    return [[e.child_id, e.event, e.date, *(e.attrs.get(a, "") for a in result.attribute_columns),
             f"{e.source}:{e.line}"] for e in sorted(result.events, key=_event_key)]


def issue_rows(result: ImportResult) -> list[list[Cell]]:
    order = {c.source: i for i, c in enumerate(result.counts)}
    issues = sorted(result.issues, key=lambda i: (order.get(i.source, len(order)), i.line, i.row))
    return [[i.source, i.row, i.line, i.child_id, i.field, i.value, i.outcome, i.reason] for i in issues]


def write_table(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """CSV (dates as YYYY-MM-DD, nothing as an empty field) or Parquet (dates as date32, empty text as
    null), chosen by the file name; written to a temporary file first, so a failed run leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".parquet":
        _write_parquet(tmp, columns, rows)
    else:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = CsvWriter(fh)  # the project's CSV rule: formulas neutralised, CR and LF quoted
            writer.writerow(columns)
            writer.writerows(rows)
    tmp.replace(path)


def _write_parquet(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = []
    for i, name in enumerate(columns):
        values = [r[i] for r in rows]
        if name in DATE_COLUMNS:
            arrays.append(pa.array([v or None for v in values], type=pa.date32()))
        elif name in INT_COLUMNS:
            arrays.append(pa.array(values, type=pa.int64()))
        else:
            arrays.append(pa.array([None if v in (None, "") else str(v) for v in values], type=pa.string()))
    pq.write_table(pa.table(arrays, names=list(columns)), path)


# ---- the summary ---------------------------------------------------------------------------------------


def _n(count: int, noun: str) -> str:
    """`1 event`, `2 events`, `2 children`."""
    plural = "children" if noun == "child" else noun + "s"
    return f"{count} {noun if count == 1 else plural}"


def _count_line(c: SourceCount) -> str:
    line = f"{c.source}: {_n(c.read, c.unit)} read, {c.read - c.rejected} used, {c.rejected} rejected"
    if c.merged:
        line += f" ({c.merged} merged into an identical event)"
    if c.events or c.unit == "date":
        line += f"; {_n(c.events, 'event')}"
    return line


def summary(result: ImportResult, out: Path, children_out: Path | None, rejects: Path) -> str:
    lines = [_count_line(c) for c in result.counts]
    lines += [f"note: {n}" for n in result.notes]
    wrote = f"wrote {_n(len(result.events), 'event')} to {out}"
    if children_out is not None:
        wrote += f" and {_n(len(result.children), 'child')} to {children_out}"
    lines.append(wrote)
    kinds = Counter(i.outcome for i in result.issues)
    if result.issues:
        ignored = kinds["ignored"]
        parts = [_n(kinds["rejected"], "rejection")] if kinds["rejected"] else []
        parts += [f"{ignored} field{'' if ignored == 1 else 's'} ignored"] if ignored else []
        parts += [_n(kinds["warning"], "warning")] if kinds["warning"] else []
        lines.append(f"{rejects}: {_n(len(result.issues), 'problem')} ({', '.join(parts)})")
    else:
        lines.append(f"{rejects}: no problems")
    return "\n".join(lines)

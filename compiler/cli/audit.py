"""`policyc audit`: check case events against a policy, one row per child and obligation occurrence.

    policyc audit --policy POLICY... --events EVENTS [--children CHILDREN] [--as-of DATE]
                  [--engine duckdb|python|postgres|spark] [--dsn DSN] [--spark-master URL] [--format csv|json|md|parquet|xlsx] [--out FILE] [--sort]
                  [--rejects FILE]

Exit codes: 0 audited (whatever the findings); 1 the policy has errors; 2 a usage or input problem
(a file that cannot be read, a missing column), reported in one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.cli.common import iso_date

if TYPE_CHECKING:
    from tqdm import tqdm

    from compiler.audit.inputs import Loaded
    from compiler.audit.run import AuditResult
    from compiler.model.ir import Policy
    from compiler.model.semantics import SourceRecords

FORMATS = ["csv", "json", "md", "parquet", "xlsx"]
EXTENSIONS = {".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".json": "json", ".md": "md"}


def output_format(fmt: str | None, out: str | None) -> str:
    """--format, else the format named by the extension of --out, else CSV."""
    if fmt:
        return fmt
    return EXTENSIONS.get(Path(out).suffix.lower(), "csv") if out else "csv"


def _as_of_problem(as_of: dt.date | None) -> str | None:
    """The audit date is in the years the calendars cover (those of the dates in the events)."""
    from compiler.model.semantics import FIRST_YEAR, LAST_YEAR

    if as_of is not None and not FIRST_YEAR <= as_of.year <= LAST_YEAR:
        return f"--as-of {as_of.isoformat()} is out of range: give a date in the years {FIRST_YEAR} to {LAST_YEAR}"
    return None


def register(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser("audit", help="check case events against a policy: one row per child and occurrence",
                       description="Check case events against a policy. Semantics and the input format: docs/audit.md.")
    a.add_argument("--policy", required=True, type=Path, nargs="+", metavar="POLICY",
                   help="the .policy file; or several versions of one document (files or a folder): each "
                        "occurrence is then judged by the version in force on its trigger date")
    a.add_argument("--events", required=True, type=Path, metavar="EVENTS",
                   help="case events, CSV or Parquet: child_id, event, date[, attributes...]")
    a.add_argument("--children", type=Path, metavar="CHILDREN",
                   help="children, CSV or Parquet: child_id, date_of_birth[, attributes...]")
    a.add_argument("--as-of", type=iso_date, metavar="DATE",
                   help="audit as at this date (default: the end of the return's collection year, from the "
                        "import's EVENTS_STEM.source.json; else the latest event date in the file)")
    a.add_argument("--source-records", type=Path, metavar="FILE",
                   help="what the data's source records, as `policyc import` writes it (default: "
                        "EVENTS_STEM.source.json beside --events, when there is one); duties that need anything "
                        "else are no_data, not overdue")
    a.add_argument("--engine", choices=["duckdb", "python", "postgres", "spark"], default="duckdb",
                   help="embedded DuckDB (default), the generated Python checker, or the generated SQL run inside "
                        "PostgreSQL (--dsn) or Spark (--spark-master); see docs/audit.md")
    a.add_argument("--dsn", metavar="DSN",
                   help="--engine postgres: the libpq connection string or URI of the database to run the checks in "
                        "(the events are copied into temporary tables of the session; nothing is written)")
    a.add_argument("--spark-master", metavar="URL",
                   help="--engine spark: the Spark master (default local[*]: Spark in this process's machine)")
    a.add_argument("--format", choices=FORMATS,
                   help="how the rows are written (default: from the extension of --out: .parquet or .pq Parquet, "
                        ".xlsx a workbook, .json, .md, anything else CSV; CSV on standard output). Parquet is the "
                        "one for large audits: written by DuckDB from its columns")
    a.add_argument("--out", metavar="FILE", help="write the rows here (default: standard output)")
    a.add_argument("--sort", action="store_true",
                   help="sort Parquet rows in the audit's order (child, duty, dates). CSV, JSON, Markdown and xlsx "
                        "are always sorted; Parquet is not unless asked, which saves the sort of every row")
    a.add_argument("--rejects", metavar="FILE",
                   help="rejected input rows (default: OUT.rejects.csv next to --out, else rejects.csv)")
    a.add_argument("--include-not-applicable", action="store_true",
                   help="also write occurrences whose conditions are not met (always counted in the summary)")
    a.add_argument("--source-dir", action="append", metavar="DIR", help="folder of source documents (for quotes)")
    a.add_argument("--report", type=Path, metavar="DIR",
                   help="also write a QA report into DIR: audit-report.html (one self-contained page with charts) "
                        "and audit-report.xlsx (the same figures as a workbook)")
    a.add_argument("--no-progress", action="store_true",
                   help="never show the progress bar (it is shown on standard error only when that is a terminal)")
    a.add_argument("--dataset", choices=["ssda903", "cin_census"], metavar="DATASET",
                   help="the DfE return the events were imported from (ssda903, cin_census): conditions that "
                        "can never be true on it are reported before the audit runs")
    a.set_defaults(func=cmd_audit)


def _rejects_path(args: argparse.Namespace) -> str:
    if args.rejects:
        return str(args.rejects)
    if args.out:
        out = Path(args.out)
        stem = out.name[: -len(out.suffix)] if out.suffix else out.name
        return str(out.with_name(stem + ".rejects.csv"))
    return "rejects.csv"


def never_true_on(policy: Policy, dataset: str) -> list[str]:
    """Conditions of the policy's measurable obligations that the dataset can never satisfy."""
    from compiler.adapters.codes import never_true
    from compiler.model.ir import AttributeIs
    from compiler.model.semantics import not_measurable

    conditions = [(ob.id, c) for ob in policy.obligations if not_measurable(policy, ob) is None
                  for c in ob.conditions if isinstance(c, AttributeIs)]
    return never_true(conditions, policy, dataset)


def cmd_audit(args: argparse.Namespace) -> int:  # noqa: C901 - the audit command checks each of its file options in turn, then runs
    from compiler.analyses.check import check_paths
    from compiler.audit.inputs import InputError
    from compiler.audit.run import audit
    from compiler.audit.warehouse import EngineError
    from compiler.cli.common import clashing_outputs, source_dirs, usage_error
    from dsl.diagnostics import Severity, render_text, summary_line

    missing = [str(p) for p in args.policy if not p.exists()]
    if missing:
        return usage_error("no such policy file or folder: " + ", ".join(missing))
    inputs = {f"the policy {p}": p for p in args.policy}
    inputs |= {"the events file": args.events, "the children file": args.children,
               "the source records file": getattr(args, "source_records", None)}
    clash = clashing_outputs(inputs, {"--out": Path(args.out) if args.out else None,
                                      "--rejects": Path(_rejects_path(args))})
    if clash:
        return usage_error(clash)
    problem = _as_of_problem(args.as_of) or _engine_problem(args)
    if problem:
        return usage_error(problem)
    if output_format(args.format, args.out) in ("parquet", "xlsx") and not args.out:
        return usage_error(f"--format {args.format} writes a binary file: give it with --out FILE")
    result = check_paths(list(args.policy), source_dirs(args), analyse=False)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if errors:
        sys.stderr.write(render_text(errors, result.sources))
        print(summary_line(errors, len(result.loaded)), file=sys.stderr)
        return 1
    shown = ", ".join(str(p) for p in args.policy)
    if not result.policies:
        return usage_error(f"{shown} is not a policy file (a vocabulary cannot be audited)")
    if len(result.policies) > 1:
        return _audit_versions(args, result.policies)
    policy = result.policies[0]
    if args.dataset:
        for message in never_true_on(policy, args.dataset):
            print(f"warning: {message}", file=sys.stderr)

    bar = _progress_bar(args, policy)

    def on_loaded(loaded: Loaded) -> None:
        if bar is not None and args.engine != "duckdb":  # the Python engine goes child by child
            children = loaded.con.execute("SELECT count(DISTINCT child_id) FROM events").fetchall()[0][0]
            bar.reset(total=max(1, int(children)))
            bar.unit = "child"

    def advance(n: int, stage: str | None = None) -> None:
        if bar is not None:
            if stage is not None and stage != bar.desc:
                bar.set_description_str(stage, refresh=False)
                bar.update(n)
                bar.refresh()  # a new stage shows at once, whatever the bar's interval
            else:
                bar.update(n)

    try:
        records = _source_records(args)
    except ValueError as err:
        return usage_error(str(err))
    try:
        res = audit(policy, args.events, args.children, args.as_of, args.engine,
                    progress=advance if bar is not None else None, on_loaded=on_loaded, records=records,
                    target=_target(args))
    except (InputError, EngineError) as err:
        return usage_error(str(err))
    finally:
        if bar is not None:
            bar.close()
    return _write(args, policy, res)


def _audit_versions(args: argparse.Namespace, policies: list[Policy]) -> int:
    """Several versions of one document: each occurrence judged by the version in force on its trigger date."""
    from compiler.audit.inputs import InputError
    from compiler.audit.run import audit_versions
    from compiler.audit.versions import merged_policy
    from compiler.audit.warehouse import EngineError
    from compiler.cli.common import usage_error
    from compiler.model.versions import series_of

    series = series_of(policies)
    if len(series) != 1:
        titles = "; ".join(f"“{s.latest.title}”" for s in series)
        return usage_error(f"{len(series)} documents given ({titles}): audit the versions of one document at a time")
    if all(p.draft for p in series[0].versions):
        return usage_error("every version given is a draft: a draft is never in force")
    try:
        res = audit_versions(series[0], args.events, args.children, args.as_of, args.engine,
                             records=_source_records(args), target=_target(args))
    except (InputError, ValueError, EngineError) as err:
        return usage_error(str(err))
    return _write(args, merged_policy(series[0]), res)


def _engine_problem(args: argparse.Namespace) -> str | None:
    """--dsn goes with --engine postgres, --spark-master with --engine spark."""
    if args.engine == "postgres" and not args.dsn:
        return "--engine postgres needs --dsn (the database to run the checks in), e.g. --dsn 'host=/run/postgresql dbname=audit'"
    if args.dsn and args.engine != "postgres":
        return "--dsn is for --engine postgres"
    if args.spark_master and args.engine != "spark":
        return "--spark-master is for --engine spark"
    return None


def _target(args: argparse.Namespace) -> str | None:
    return args.dsn if args.engine == "postgres" else args.spark_master


def _source_records(args: argparse.Namespace) -> SourceRecords | None:
    """The declaration of what the events' source records: --source-records, else the import's file
    beside the events, else None (everything the policy reads is taken to be recorded)."""
    from compiler.cli.importer import declaration_path
    from compiler.model.semantics import SourceRecords

    path = args.source_records or declaration_path(args.events)
    if args.source_records is None and not path.is_file():
        return None
    try:
        records = SourceRecords.from_json(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ValueError(f"{path}: cannot be read ({err.strerror or err})") from None
    except ValueError as err:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"{path}: not a source declaration as `policyc import` writes it ({err})") from None
    rejects = records.facts.get("rejects")
    if isinstance(rejects, str):  # named relative to the declaration
        records.facts["rejects"] = str(path.with_name(rejects))
    records.facts["declaration"] = str(path)
    return records


def _progress_bar(args: argparse.Namespace, policy: Policy) -> tqdm | None:
    """One line on standard error, redrawn in place, only when that is a terminal (never with --no-progress,
    never into a file or a pipe). It names the stage (reading, checking, judging) and counts steps."""
    from compiler.audit.inputs import LOAD_STEPS
    from compiler.audit.run import steps

    if args.no_progress or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    total = steps(policy) if args.engine == "duckdb" else LOAD_STEPS  # then one a child
    try:  # a terminal that reports no size (0 x 0) would get no bar from tqdm
        size = os.get_terminal_size(sys.stderr.fileno())
    except OSError:
        size = os.terminal_size((0, 0))
    return tqdm(total=total, file=sys.stderr, desc="reading events", unit="step", leave=False,
                ncols=size.columns or 80, nrows=size.lines or 24, mininterval=0.2)


def _write_rows(args: argparse.Namespace, policy: Policy, res: AuditResult, fmt: str) -> None:
    """The rows in `fmt`: Parquet and CSV to a file straight from DuckDB, the others through Python."""
    from compiler.audit import report
    from compiler.audit.qa_report import write_rows_workbook
    from compiler.audit.run import copy_rows_csv, output_rows, rows_select, write_rows_parquet
    from compiler.model.semantics import COLUMNS

    na = args.include_not_applicable
    if fmt == "parquet":
        write_rows_parquet(res, policy, args.out, na, args.sort)
        return
    if fmt == "xlsx":
        write_rows_workbook(res.loaded.con, rows_select(res, policy, na, sort=True), COLUMNS, Path(args.out))
        return
    if args.out and fmt == "csv" and copy_rows_csv(res, policy, args.out, na):
        return
    rows = output_rows(res, policy, na)
    out = open(args.out, "w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        if fmt == "csv":
            report.write_rows_csv(rows, out)
        elif fmt == "json":
            report.write_json(res.summary, rows, out)
        else:
            out.write(report.summary_markdown(res.summary))
            report.write_rows_markdown(rows, out)
    finally:
        if args.out:
            out.close()


def _write(args: argparse.Namespace, policy: Policy, res: AuditResult) -> int:
    """The rejects, the rows (to --out or stdout) and the summary."""
    import duckdb

    from compiler.audit import report
    from compiler.audit.qa_report import TooManyRows
    from compiler.cli.common import usage_error

    summary = res.summary
    summary.about["rejects_file"] = _rejects_path(args)
    fmt = output_format(args.format, args.out)
    job = None
    if args.report is not None:  # begun first: a long workbook is written by another process meanwhile
        from compiler.audit.qa_report import start_report

        try:
            job = start_report(res.loaded.con, policy, summary, args.report)
        except OSError as err:
            return usage_error(f"cannot write the report in {args.report}: {err.strerror or err}")
    written = False
    try:
        report.write_rejects(res.loaded, _rejects_path(args))
        _write_rows(args, policy, res, fmt)
        written = True
    except BrokenPipeError:
        raise  # the reader of standard output has gone: `policyc` stops quietly
    except TooManyRows as err:
        return usage_error(f"cannot write {args.out}: {err}")
    except (OSError, duckdb.IOException) as err:
        return usage_error(f"cannot write: {str(err).splitlines()[0]}")
    finally:
        if job is not None and not written:
            job.cancel()
    if job is not None:
        try:
            page, book = job.finish()
        except OSError as err:
            return usage_error(f"cannot write the report in {args.report}: {err.strerror or err}")
        summary.notes.append(f"report: {page} and {book}")
    text = report.summary_text(summary)
    if args.out:
        sys.stdout.write(text)
    elif fmt == "csv":
        sys.stderr.write(text)
    return 0

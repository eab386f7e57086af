"""Where the time of `policyc audit` goes: each phase timed in one process, wall and CPU.

    .venv/bin/python benchmarks/audit_profile.py [--out audit.parquet] [--report] [--sort] [--statements N]

Reads the files that benchmarks/audit_bench.py generated in benchmarks/out/ (run it first) and runs
the same command in-process (`compiler.cli.main`), with a timer around each phase: loading and
checking the input, the generated SQL's set-up, shared tables and obligations, counting the
summary, the steps of schedules, writing the rejects, writing the rows, and the report. CPU time is
the whole process's (every DuckDB thread), so on a shared machine it is the figure to compare.

`--statements N` runs the generated SQL one statement at a time on one connection instead (so the
evaluation takes longer than in the audit, which runs three at once) and lists the N slowest
statements, wall and CPU, with the obligation each belongs to and the first line of the statement.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
POLICY = ROOT / "policies" / "somerset" / "practice-standards-2023.policy"

PHASES: list[tuple[str, float, float]] = []


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            PHASES.append((name, time.perf_counter() - wall, time.process_time() - cpu))
    return wrapper


def instrument() -> None:
    sys.path.insert(0, str(ROOT))
    from compiler.audit import engines, inputs, qa_report, report, run
    from compiler.cli import audit as cli_audit

    run.load = timed("load and check the input", inputs.load)
    engines.run_duckdb = timed("evaluate (generated SQL)", engines.run_duckdb)
    run.add_steps = timed("steps of schedules", report.add_steps)
    run.summarise = timed("summary counts", report.summarise)
    report.write_rejects = timed("write rejects", report.write_rejects)
    run.copy_rows_csv = timed("write the rows (CSV)", run.copy_rows_csv)
    run.write_rows_parquet = timed("write the rows (Parquet)", run.write_rows_parquet)
    qa_report.start_report = timed("report: begin", qa_report.start_report)
    qa_report.gather = timed("  report: figures (DuckDB)", qa_report.gather)
    qa_report.ReportJob.finish = timed("report: page, and wait for the workbook", qa_report.ReportJob.finish)
    qa_report.render_html = timed("  report: page and charts", qa_report.render_html)
    # a long workbook is written by another process (`qa_report.ReportJob`), meanwhile: not timed here
    qa_report.write_workbook = timed("  report: workbook (in this process)", qa_report.write_workbook)
    del cli_audit


STATEMENTS: list[tuple[float, float, str, str]] = []
#: kinds of statement, by the name of what they make (compiler/emitters/checker_sql.py)
KINDS = (("views", r"VIEW"), ("results of a duty (_rN)", r"TABLE _r\d+_"),
         ("steps of a chain (_oN_pJ_K)", r"TABLE _o\d+_p\d+_"), ("segments of a chain (_oN_seg)", r"TABLE _o\d+_seg"),
         ("other tables of a duty (_oN...)", r"TABLE _o\d+"), ("episodes (_epN)", r"TABLE _ep\d+"),
         ("days of an event (_dN)", r"TABLE _d\d+"), ("drops", r"^DROP"))


def time_statements() -> None:
    """Replace `engines.run_duckdb` by a sequential run that times every statement."""
    from compiler.audit import engines
    from compiler.emitters.checker_sql import DUCKDB, SqlPlan, parameters, sql_plan

    def run(con: Any, policy: Any, as_of: Any, progress: Any = None, workers: Any = None, unrecorded: Any = None) -> None:
        plan = sql_plan(policy, DUCKDB)
        con.execute(SqlPlan.text(tuple(parameters(DUCKDB, as_of, unrecorded.events, unrecorded.attributes)))).fetchall()
        measured = [("set-up", s) for s in plan.setup] + [("shared", s) for p in plan.shared for s in p]
        for piece in plan.obligations:
            label = next((ln[3:] for ln in piece[0].splitlines() if ln.startswith("-- obligation #")), "obligation")
            measured += [(label, s) for s in piece]
        measured += [("final", s) for s in plan.final]
        for label, statement in measured:
            wall, cpu = time.perf_counter(), time.process_time()
            con.execute(statement).fetchall()
            first = next((ln for ln in statement.splitlines() if ln.strip() and not ln.startswith("--")), "")
            STATEMENTS.append((time.perf_counter() - wall, time.process_time() - cpu, label, first[:100]))
        if progress is not None:
            progress(len(plan.obligations))

    engines.run_duckdb = timed("evaluate (generated SQL)", run)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="audit.parquet", help="file name in benchmarks/out/ (its extension picks the format)")
    ap.add_argument("--report", action="store_true", help="also write the report")
    ap.add_argument("--sort", action="store_true", help="sort the rows (Parquet)")
    ap.add_argument("--policy", type=Path, default=POLICY)
    ap.add_argument("--data", type=Path, default=OUT, help="the folder of events.parquet and children.parquet")
    ap.add_argument("--statements", type=int, default=0, metavar="N",
                    help="run the SQL one statement at a time and list the N slowest")
    args = ap.parse_args(argv)
    events, children = args.data / "events.parquet", args.data / "children.parquet"
    if not events.exists():
        raise SystemExit("run benchmarks/audit_bench.py first (it writes benchmarks/out/events.parquet)")
    instrument()
    if args.statements:
        time_statements()
    from compiler.cli.main import main as cli

    cmd = ["audit", "--policy", str(args.policy), "--events", str(events), "--children", str(children),
           "--out", str(args.data / args.out), "--no-progress"]
    cmd += ["--report", str(OUT / "report")] if args.report else []
    cmd += ["--sort"] if args.sort else []
    wall, cpu = time.perf_counter(), time.process_time()
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        code = cli(cmd)
    total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{'phase':32} {'wall s':>8} {'CPU s':>8}")
    for name, w, c in PHASES:
        print(f"{name:32} {w:8.2f} {c:8.2f}")
    print(f"{'whole command (in process)':32} {total_wall:8.2f} {total_cpu:8.2f}")
    if args.statements:
        print(f"\n{'wall s':>8} {'CPU s':>8}  statement ({len(STATEMENTS)} in all)")
        for w, c, label, first in sorted(STATEMENTS, reverse=True)[:args.statements]:
            print(f"{w:8.2f} {c:8.2f}  {label}: {first}")
        kinds: dict[str, list[float]] = {}
        for w, c, _, first in STATEMENTS:
            kind = next((k for k, pattern in KINDS if re.search(pattern, first)), "other")
            total = kinds.setdefault(kind, [0, 0.0, 0.0])
            total[0] += 1
            total[1] += w
            total[2] += c
        print(f"\n{'statements':>10} {'wall s':>8} {'CPU s':>8}  kind")
        for kind, (n, w, c) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
            print(f"{int(n):10} {w:8.2f} {c:8.2f}  {kind}")
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark `policyc audit` on 10 million case events for 200,000 children (DuckDB engine).

    .venv/bin/python benchmarks/audit_bench.py [--children 200000] [--events 10000000] [--runs 1]
        [--policy policies/somerset/practice-standards-2023.policy] [--keep] [--report] [--csv]
        [--skip-pandas]

Two comparisons, each in this one process on one generated events file (Parquet, in
benchmarks/out/, which git ignores):

1. The policy (default: Somerset's practice standards, 72 measurable duties): a plain DuckDB scan of
   the file, then `policyc audit ... --out audit.parquet` in a subprocess exactly as a user runs it
   (under `/usr/bin/time -v` when it exists, else measured with `getrusage`); `--csv` also times
   `--out audit.csv`, `--report` also `--report DIR` (the page and the workbook).
2. Three rules (first looked-after review, looked-after visits, child-in-need visits:
   `pandas_checker.THREE_RULES`) on events generated for them: the plain scan, `policyc audit` of
   those rules, and the hand-written pandas checker of the same rules (benchmarks/pandas_checker.py,
   run in this process; tests/test_pandas_checker.py checks that it gives policyc's rows).

Reports wall and CPU time (the machine may be shared: CPU time is the fairer figure, and the load
average before each run is printed), peak memory, events per second and the ratios, and each policy's
fixed cost: the same command on the first 1,000 events (its first run, the warm-up, also writes the
project's bytecode, as on a user's machine: the audit runs without PYTHONDONTWRITEBYTECODE).

A ratio is of runs made in turn, not of medians taken apart: each audit run has a scan of its own
beside it, and the three rules' policyc, pandas and scan runs alternate, run after run; the ratio
printed is the median of the runs' ratios. (A machine of this workplace changed speed by half within
an hour: the pandas checker took 19.9 s and, an hour later, 35.2 s.)

The histories are random but shaped like case records: each child has three status episodes
(child in need, child protection, looked after, early help... entered on a random day, three in four
left 1 to 18 months later), and the rest of the child's 50 events are the policy's duties and
triggers on random days over three years. A few exact duplicates arise by chance and are rejected,
as they would be in real data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
DEFAULT_POLICY = ROOT / "policies" / "somerset" / "practice-standards-2023.policy"


def load_policy(path: Path):
    sys.path.insert(0, str(ROOT))
    from compiler.analyses.check import check_paths
    from compiler.model.settings import load_settings

    settings = load_settings(ROOT)
    dirs = [settings.source_dir] if settings.source_dir else []
    result = check_paths([path], dirs, analyse=False)
    errors = [d for d in result.diagnostics if d.severity.name == "ERROR"]
    if not result.policies or errors:
        raise SystemExit(f"cannot load {path}" + (f": {errors[0].message}" if errors else ""))
    return result.policies[0]


def generate(policy, children: int, events: int, out: Path, seed: int = 20261123) -> tuple[Path, Path]:
    """Write events.parquet and children.parquet for `policy` into `out`."""
    from compiler.model.semantics import attributes_used, events_used, status_events

    rng = np.random.default_rng(seed)
    statuses = sorted({ob.status for ob in policy.obligations if ob.status and status_events(policy, ob.status)})
    pairs = []  # (entering event, leaving event) of each status
    for st in statuses:
        enter, leave = status_events(policy, st)  # type: ignore[misc]
        if enter:
            pairs.append((sorted(enter)[0], sorted(leave)[0] if leave else None))
    others = sorted(events_used(policy) - {e for p in pairs for e in p if e})
    vocab = sorted({e for p in pairs for e in p if e} | set(others))
    code = {e: i for i, e in enumerate(vocab)}
    enter_codes = np.array([code[e] for e, _ in pairs])
    leave_codes = np.array([code[x] if x else -1 for _, x in pairs])
    per_child = events // children
    episodes = min(3, per_child // 2)
    n_other = per_child - 2 * episodes

    child_ids = np.array([f"C{i:07d}" for i in range(children)], dtype=object)
    starts = np.datetime64("2021-01-01") + rng.integers(0, 730, size=children).astype("timedelta64[D]")
    # three episodes per child: a status entered on a random day, left 1 to 18 months later (3 in 4 leave)
    which = rng.integers(0, len(pairs), size=(children, episodes))
    ep_start = rng.integers(0, 700, size=(children, episodes))
    ep_len = rng.integers(30, 540, size=(children, episodes))
    leaves = (rng.random(size=(children, episodes)) < 0.75) & (leave_codes[which] >= 0)
    enter_c, enter_d = enter_codes[which], ep_start
    leave_c = np.where(leaves, leave_codes[which], rng.choice([code[o] for o in others], size=(children, episodes)))
    leave_d = np.where(leaves, ep_start + ep_len, rng.integers(0, 1095, size=(children, episodes)))
    other_c = rng.choice([code[o] for o in others], size=(children, n_other))
    other_d = rng.integers(0, 1095, size=(children, n_other))
    codes = np.concatenate([enter_c, leave_c, other_c], axis=1).ravel()
    offsets = np.concatenate([enter_d, leave_d, other_d], axis=1).ravel()
    dates = np.repeat(starts, per_child) + offsets.astype("timedelta64[D]")
    ids = np.repeat(np.arange(children), per_child)
    extra = events - children * per_child
    if extra:
        ids = np.concatenate([ids, rng.integers(0, children, size=extra)])
        codes = np.concatenate([codes, rng.choice([code[o] for o in others], size=extra)])
        dates = np.concatenate([dates, np.datetime64("2022-06-01") + rng.integers(0, 365, size=extra).astype("timedelta64[D]")])
    order = rng.permutation(len(ids))  # files are not sorted
    ids, codes, dates = ids[order], codes[order], dates[order]
    table = pa.table({
        "child_id": pa.DictionaryArray.from_arrays(pa.array(ids, type=pa.int32()), pa.array(child_ids, type=pa.string())),
        "event": pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(vocab, type=pa.string())),
        "date": pa.array(dates.astype("datetime64[D]"), type=pa.date32()),
    })
    out.mkdir(parents=True, exist_ok=True)
    events_path = out / "events.parquet"
    pq.write_table(table.cast(pa.schema([("child_id", pa.string()), ("event", pa.string()), ("date", pa.date32())])),
                   events_path, row_group_size=1_000_000, compression="zstd")
    births = np.datetime64("2004-01-01") + rng.integers(0, 365 * 19, size=children).astype("timedelta64[D]")
    kids = {"child_id": pa.array(child_ids, type=pa.string()), "date_of_birth": pa.array(births, type=pa.date32())}
    choices = {"team": ["family_intervention_service", "cwd_early_support", "locality", "locality", "locality"],
               "cwd_level": ["1", "2", "3"]}
    for a in attributes_used(policy):
        values = choices.get(a, ["a", "b", "c"])
        kids[a] = pa.array(np.array(values, dtype=object)[rng.integers(0, len(values), size=children)], type=pa.string())
    children_path = out / "children.parquet"
    pq.write_table(pa.table(kids), children_path, compression="zstd")
    return events_path, children_path


def scan_seconds(events_path: Path) -> float:
    """A plain DuckDB scan of every column of the file (the comparison point)."""
    import duckdb

    con = duckdb.connect()
    t = time.perf_counter()
    con.execute("SELECT count(*), count(DISTINCT child_id), max(length(event)), max(date) "
                f"FROM read_parquet('{events_path}')").fetchall()
    return time.perf_counter() - t


def scan_now(events_path: Path) -> float:
    """The plain scan timed now, the median of three: beside the run it is compared with."""
    return statistics.median(scan_seconds(events_path) for _ in range(3))


def run_audit(policy: Path, events: Path, children: Path, out: Path, name: str = "audit.parquet",
              report: bool = False) -> dict:
    """`policyc audit` in a subprocess: wall, CPU (user + system) and peak RSS of the command."""
    cmd = [str(ROOT / ".venv" / "bin" / "policyc"), "audit", "--policy", str(policy), "--events", str(events),
           "--children", str(children), "--out", str(out / name), "--no-progress"]
    if report:
        cmd += ["--report", str(out / "report")]
    timer = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    env = _user_env()
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    if timer:
        proc = subprocess.run([timer, "-v", *cmd], capture_output=True, text=True, cwd=ROOT, env=env)
    else:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"audit failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    peak_kib = after.ru_maxrss
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if m:
        peak_kib = int(m.group(1))
    return {"wall_s": round(wall, 2),
            "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2),
            "peak_mib": round(peak_kib / 1024), "load_before": round(load, 1), "stdout": proc.stdout}


def _user_env() -> dict[str, str]:
    """The environment of the audit's process, as on a user's machine: Python writes and reuses the bytecode
    of the project's modules. (This workplace sets PYTHONDONTWRITEBYTECODE, which makes every start compile
    the project again: 0.6 s more. A PYTHONPYCACHEPREFIX is no cure: the installed libraries' own bytecode
    is then ignored, and they are compiled at every start instead.)"""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def fixed_cost(policy: Path, events: Path, children: Path, out: Path, rows: int = 1_000) -> dict:
    """The cost of a command however few its rows: `policyc audit` of the first `rows` events. Run twice;
    the first (which also writes the bytecode) is the warm-up, the second is reported."""
    import duckdb

    small = out / "first-events.parquet"
    duckdb.connect().execute(f"COPY (SELECT * FROM read_parquet('{events}') LIMIT {rows}) TO '{small}' "
                             "(FORMAT parquet)").fetchall()
    run_audit(policy, small, children, out, "first-events.audit.parquet")
    run = run_audit(policy, small, children, out, "first-events.audit.parquet")
    return {"events": rows, "wall_s": run["wall_s"], "cpu_s": run["cpu_s"]}


def run_pandas(events: Path) -> dict:
    """The hand-written pandas checker of the three rules, in this process: wall, CPU, rows."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import pandas_checker

    load = os.getloadavg()[0]
    t, c = time.perf_counter(), time.process_time()
    rows = pandas_checker.check(pandas_checker.read_events(events))
    return {"wall_s": round(time.perf_counter() - t, 2), "cpu_s": round(time.process_time() - c, 2),
            "rows": len(rows), "load_before": round(load, 1)}


def malformed(args: argparse.Namespace) -> int:
    """Rejecting a row should cost no more than accepting one: N rows of CSV from the generated events, all
    good, then the same N with every other row given an extra field (rejected as malformed)."""
    policy_path = args.policy or DEFAULT_POLICY
    OUT.mkdir(parents=True, exist_ok=True)
    events_path, children_path = _files(load_policy(policy_path), OUT, args)
    table = pq.read_table(events_path).slice(0, args.malformed)
    good, bad = OUT / "good.csv", OUT / "half-bad.csv"
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, good, pacsv.WriteOptions(quoting_style="none"))
    with open(good, encoding="utf-8") as src, open(bad, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            dst.write(line if i == 0 or i % 2 else line.rstrip("\n") + ",surplus\n")
    result = {"rows": table.num_rows}
    for label, path in (("all_good", good), ("half_malformed", bad)):
        run = run_audit(policy_path, path, children_path, OUT, "malformed.parquet")
        result[label] = {k: v for k, v in run.items() if k != "stdout"}
        result[label]["rejected"] = next((ln for ln in run["stdout"].splitlines() if ln.startswith("events:")), "")
    print(json.dumps(result, indent=2))
    return 0


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def _files(policy, out: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    events_path, children_path = out / "events.parquet", out / "children.parquet"
    if not (args.keep and events_path.exists() and children_path.exists()):
        t = time.perf_counter()
        events_path, children_path = generate(policy, args.children, args.events, out)
        print(f"generated {args.events:,} events for {args.children:,} children in {time.perf_counter() - t:.1f} s "
              f"({events_path.stat().st_size / 1e6:.0f} MB Parquet) in {out}", file=sys.stderr)
    return events_path, children_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=200_000)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--policy", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="reuse the generated files if present")
    ap.add_argument("--report", action="store_true", help="also time the audit with --report DIR")
    ap.add_argument("--csv", action="store_true", help="also time the audit with --out audit.csv")
    ap.add_argument("--skip-pandas", action="store_true", help="leave out the three-rule comparison with pandas")
    ap.add_argument("--malformed", type=int, default=0, metavar="N",
                    help="only time N rows of CSV, all good, against the same N with every other row malformed")
    args = ap.parse_args(argv)
    if args.malformed:
        return malformed(args)
    policy_path = args.policy or DEFAULT_POLICY
    if not policy_path.exists():
        raise SystemExit(f"{policy_path} does not exist: pass --policy")
    OUT.mkdir(parents=True, exist_ok=True)
    events_path, children_path = _files(load_policy(policy_path), OUT, args)
    result: dict = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "cores": os.cpu_count(),
                    "policy": str(policy_path.relative_to(ROOT)) if policy_path.is_relative_to(ROOT) else str(policy_path),
                    "events": args.events, "children": args.children, "runs": args.runs}
    scans: list[float] = []
    result["fixed_cost"] = fixed_cost(policy_path, events_path, children_path, OUT)
    kinds = [("parquet", "audit.parquet", False)]
    kinds += [("csv", "audit.csv", False)] if args.csv else []
    kinds += [("parquet_with_report", "audit.parquet", True)] if args.report else []
    last = ""
    for label, name, report in kinds:
        runs, ratios = [], []
        for _ in range(args.runs):  # each run beside a scan of its own: the machine's speed may drift
            scans.append(scan_now(events_path))
            runs.append(run_audit(policy_path, events_path, children_path, OUT, name, report))
            ratios.append(runs[-1]["wall_s"] / scans[-1])
        wall = _median(runs, "wall_s")
        result[label] = {"wall_s": wall, "wall_s_min": min(r["wall_s"] for r in runs),
                         "cpu_s": _median(runs, "cpu_s"), "peak_mib": max(r["peak_mib"] for r in runs),
                         "load_before": [r["load_before"] for r in runs], "events_per_s": round(args.events / wall),
                         "ratio_to_scan": round(statistics.median(ratios), 1),
                         "ratios_to_scan": [round(r, 1) for r in ratios]}
        last = runs[-1]["stdout"]
    result["scan_s"] = round(statistics.median(scans), 3)
    result["rows_written"] = pq.ParquetFile(OUT / "audit.parquet").metadata.num_rows
    if not args.skip_pandas:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import pandas_checker

        three = OUT / "three-rules"
        three.mkdir(exist_ok=True)
        # the policy and a copy of the vocabulary outside the project (a policy inside it may only read
        # the project's policy folders)
        where = Path(tempfile.mkdtemp(prefix="policyc-three-rules-"))
        rules = where / "three-rules.policy"
        rules.write_text(pandas_checker.THREE_RULES, encoding="utf-8")
        (where / "vocabulary.policy").write_text((ROOT / "policies" / "vocabulary.policy").read_text(encoding="utf-8"),
                                                 encoding="utf-8")
        ev3, ch3 = _files(load_policy(rules), three, args)
        fixed3 = fixed_cost(rules, ev3, ch3, three)
        # policyc, pandas and the scan in turn, run after run: each ratio is of runs made minutes apart
        ours, theirs, scans3 = [], [], []
        for _ in range(args.runs):
            ours.append(run_audit(rules, ev3, ch3, three))
            theirs.append(run_pandas(ev3))
            scans3.append(scan_now(ev3))
        over_wall = [t["wall_s"] / o["wall_s"] for o, t in zip(ours, theirs, strict=True)]
        over_cpu = [t["cpu_s"] / o["cpu_s"] for o, t in zip(ours, theirs, strict=True)]
        over_scan = [o["wall_s"] / sc for o, sc in zip(ours, scans3, strict=True)]
        result["three_rules"] = {
            "scan_s": round(statistics.median(scans3), 3), "fixed_cost": fixed3,
            "policyc": {"wall_s": _median(ours, "wall_s"), "cpu_s": _median(ours, "cpu_s"),
                        "peak_mib": max(r["peak_mib"] for r in ours), "load_before": [r["load_before"] for r in ours],
                        "rows": pq.ParquetFile(three / "audit.parquet").metadata.num_rows},
            "pandas": {"wall_s": _median(theirs, "wall_s"), "cpu_s": _median(theirs, "cpu_s"),
                       "rows": theirs[-1]["rows"], "load_before": [r["load_before"] for r in theirs]},
        }
        r3 = result["three_rules"]
        # the median of the ratios of runs made in turn (not the ratio of the medians)
        r3["pandas_over_policyc_wall"] = round(statistics.median(over_wall), 1)
        r3["pandas_over_policyc_cpu"] = round(statistics.median(over_cpu), 1)
        r3["policyc_over_scan"] = round(statistics.median(over_scan), 1)
        r3["pandas_over_policyc_wall_each"] = [round(r, 2) for r in over_wall]
    print(json.dumps(result, indent=2))
    print(last.split("\n\n")[0], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

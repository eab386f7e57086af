"""`policyc coverage POLICY [--source FILE]`: how much of the source's timescales the policy cites."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("coverage", help="which timescale sentences of the source document are cited")
    p.add_argument("policy", type=Path, metavar="POLICY")
    p.add_argument("--source", type=Path, metavar="FILE", help="the source document (default: the policy's `source`)")
    p.add_argument("--source-dir", action="append", metavar="DIR")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--min", type=float, default=None, metavar="PERCENT",
                   help="exit 1 if coverage is below this percentage")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compiler.analyses.check import check_paths
    from compiler.analyses.coverage import coverage
    from compiler.analyses.quotes import find_source
    from compiler.cli.common import source_dirs, usage_error
    from dsl.diagnostics import render_text

    if not args.policy.is_file():
        return usage_error(f"no such file: {args.policy}")
    result = check_paths([args.policy], source_dirs(args), analyse=False)
    errors = [d for d in result.diagnostics if d.severity.value == "error" and d.code != "E301"]
    if errors or not result.policies:
        sys.stderr.write(render_text(errors, result.sources))
        return 1
    policy = result.policies[0]
    source = args.source or find_source(policy, source_dirs(args))
    if source is None or not Path(source).is_file():
        return usage_error(f"source document `{policy.source}` not found; pass --source FILE or --source-dir DIR")
    report = coverage(policy, Path(source))
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        for s in report.uncovered:
            print(f"{source}:{s.line}: not cited: {s.text[:200]}")
        print(f"{len(report.covered)} of {len(report.sentences)} timescale sentences cited ({report.percent:.1f}%)")
    if args.min is not None and report.percent < args.min:
        return 1
    return 0

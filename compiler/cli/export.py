"""`policyc export`: the resolved policy as JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compiler.cli.common import source_dirs, usage_error
from dsl.diagnostics import render_text, summary_line


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("export", help="the resolved policy as JSON")
    e.add_argument("path", type=Path, metavar="PATH")
    e.add_argument("--format", choices=["json"], default="json")
    e.add_argument("--source-dir", action="append", metavar="DIR")
    e.add_argument("--out", metavar="FILE")
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json

    from compiler.analyses.check import check_paths
    from compiler.emitters.export import export_policy

    result = check_paths([args.path], source_dirs(args), analyse=False)
    if result.missing:
        return usage_error(f"no such file or folder: {args.path}")
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    if errors:
        sys.stderr.write(render_text(errors, result.sources))
        print(summary_line(errors, len(result.loaded)), file=sys.stderr)
        return 1
    policies = result.policies
    if not policies:
        return usage_error(f"no policy in {args.path}")
    docs = [export_policy(p).model_dump(mode="json", by_alias=True) for p in policies]
    out = docs[0] if len(docs) == 1 else {"policies": docs}
    text = json.dumps(out, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0

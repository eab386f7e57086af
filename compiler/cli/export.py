"""`policyc export`: the resolved policy as JSON, or its audit checks as a SQL script for a warehouse."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compiler.cli.common import iso_date, source_dirs, usage_error
from dsl.diagnostics import render_text, summary_line

DIALECTS = ("duckdb", "postgres", "spark")


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("export", help="the resolved policy as JSON, or its audit checks as SQL")
    e.add_argument("path", type=Path, metavar="PATH")
    e.add_argument("--format", choices=["json", "sql"], default="json",
                   help="json: the resolved policy; sql: the audit checks as one script (see docs/audit.md)")
    e.add_argument("--dialect", choices=DIALECTS,
                   help="--format sql: the engine the script is written for (default duckdb)")
    e.add_argument("--as-of", type=iso_date, metavar="DATE",
                   help="--format sql: begin the script with the parameter tables for this as-of date "
                        "(without it, create audit_params and audit_unrecorded yourself)")
    e.add_argument("--source-dir", action="append", metavar="DIR")
    e.add_argument("--out", metavar="FILE")
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json

    from compiler.analyses.check import check_paths
    from compiler.emitters.export import export_policy

    if args.format != "sql" and (args.dialect or args.as_of):
        return usage_error(f"{'--dialect' if args.dialect else '--as-of'} is for --format sql")
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
    if args.format == "sql":
        if len(policies) > 1:
            return usage_error(f"{args.path} holds {len(policies)} policies: export the SQL of one policy file at a time")
        text = _sql(policies[0], args)
    else:
        docs = [export_policy(p).model_dump(mode="json", by_alias=True) for p in policies]
        out = docs[0] if len(docs) == 1 else {"policies": docs}
        text = json.dumps(out, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _sql(policy: object, args: argparse.Namespace) -> str:
    """The audit script for the dialect, with the parameter tables first when --as-of is given."""
    from compiler.emitters.checker_sql import parameters, sql_plan
    from compiler.emitters.sqltext import DIALECTS as ENGINES

    dialect = ENGINES[args.dialect or "duckdb"]
    plan = sql_plan(policy, dialect)  # type: ignore[arg-type]
    script = plan.script()
    if args.as_of is None:
        return script
    # after the script's header (its leading comment lines), before its first statement
    lines = script.splitlines(keepends=True)
    head = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("--"))
    params = f"-- The parameters: as of {args.as_of.isoformat()}, every event and attribute recorded.\n"
    return "".join(lines[:head]) + params + plan.text(tuple(parameters(dialect, args.as_of))) + "".join(lines[head:])

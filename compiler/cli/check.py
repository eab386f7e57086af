"""`policyc check`: parse, resolve and analyse policies; report diagnostics."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from compiler.cli.common import source_dirs, usage_error, version
from dsl.diagnostics import Severity, render_json, render_text, summary_line


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("check", help="parse, resolve and analyse policies; report diagnostics")
    c.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".policy files or folders")
    c.add_argument("--format", choices=["text", "json", "sarif"], default="text")
    c.add_argument("--source-dir", action="append", metavar="DIR",
                   help="folder holding the source documents (repeatable)")
    c.add_argument("--against", action="append", type=Path, metavar="PATH",
                   help="statutory baseline policies to compare with (e.g. policies/national/)")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--quiet", action="store_true", help="hide notes (info)")
    c.add_argument("--show-suppressed", action="store_true",
                   help="also list diagnostics suppressed by `allow`, with their reasons (I701)")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compiler.analyses.check import check_paths
    from compiler.emitters.sarif import render_sarif

    result = check_paths(args.paths, source_dirs(args), args.against)
    if result.missing:
        return usage_error("no such file or folder: " + ", ".join(result.missing))
    if not result.loaded:
        return usage_error("no .policy files found in " + ", ".join(str(p) for p in args.paths))
    diags = result.diagnostics
    if args.show_suppressed:
        from compiler.analyses.check import suppressed_notes

        diags = sorted(diags + suppressed_notes(result), key=lambda d: d.sort_key)
    if args.strict:
        diags = [replace(d, severity=Severity.ERROR) if d.severity is Severity.WARNING else d for d in diags]
    if args.quiet:
        diags = [d for d in diags if d.severity is not Severity.INFO]
    if args.format == "json":
        sys.stdout.write(render_json(diags))
    elif args.format == "sarif":
        sys.stdout.write(render_sarif(diags, version()))
    else:
        text = render_text(diags, result.sources)
        if text:
            sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
        line = summary_line(diags, len(result.loaded))
        if result.suppressed:
            line += f" ({len(result.suppressed)} suppressed by `allow`)"
        print(line)
    return 1 if any(d.severity is Severity.ERROR for d in diags) else 0

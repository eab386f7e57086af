"""`policyc check`: parse, resolve and analyse policies; report diagnostics.

The report shows errors and findings about the documents first (conflicts, the statutory floor,
timing, coverage), most severe first, and the encoding's lint on request (`--lint`, or a code,
family or category in `--select`). It opens with a one-line count and closes with a summary per
document and per category (`summary` in JSON)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from compiler.cli.common import source_dirs, usage_error, version
from dsl.codes import CATEGORIES, DOCUMENT_CATEGORIES, is_selector
from dsl.diagnostics import (
    Diagnostic,
    Severity,
    render_json,
    render_statistics,
    render_summary,
    render_text,
    summarise,
    summary_line,
)
from dsl.text import terminal


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("check", help="parse, resolve and analyse policies; report diagnostics")
    c.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".policy files or folders")
    c.add_argument("--format", choices=["text", "json", "sarif"], default="text")
    c.add_argument("--source-dir", action="append", metavar="DIR",
                   help="folder holding the source documents (repeatable)")
    c.add_argument("--against", action="append", type=Path, metavar="PATH",
                   help="statutory baseline policies to compare with (e.g. policies/national/)")
    c.add_argument("--lint", action="store_true",
                   help="also show remarks on how the .policy files are written (category `lint`)")
    c.add_argument("--select", action="append", metavar="CODES",
                   help="show only these codes, families or categories, comma-separated "
                        "(e.g. `E6,W50`, `conflict`, `lint`, `ALL`)")
    c.add_argument("--ignore", action="append", metavar="CODES",
                   help="hide these codes, families or categories, comma-separated")
    c.add_argument("--statistics", action="store_true", help="print the number of findings per code, not each one")
    c.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error",
                   help="exit 1 when a shown finding is at this level or above (default: error)")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--quiet", action="store_true", help="hide notes (info)")
    c.add_argument("--show-suppressed", action="store_true",
                   help="also list diagnostics suppressed by `allow`, with their reasons (I701)")
    c.set_defaults(func=run)


def _selectors(values: list[str] | None) -> tuple[str, ...] | str:
    """The comma-separated selectors, or the first one that names nothing (as an error)."""
    out = tuple(s.strip() for v in values or [] for s in v.split(",") if s.strip())
    bad = next((s for s in out if not is_selector(s)), None)
    return f"unknown code, family or category `{bad}` (categories: {', '.join(CATEGORIES)})" if bad else out


def _opening(shown: list[Diagnostic], hidden: int, files: int) -> str:
    """The first line of the text report: how many of what, and what was left out."""
    summary = summarise(shown, [])
    document = ", ".join(f"{summary['by_category'][c]} {c}" for c in DOCUMENT_CATEGORIES
                         if c in summary["by_category"])
    errors = summary["errors"]
    line = f"policyc check: {files} file{'' if files == 1 else 's'}, {errors} error{'' if errors == 1 else 's'}; " \
           f"document findings: {document or 'none'}"
    if hidden:
        line += f"; {hidden} lint and other remarks not shown (--lint to show them)"
    return line


def run(args: argparse.Namespace) -> int:  # noqa: C901 - the check command's options applied in order (select, strict, quiet, show-suppressed, format)
    from compiler.analyses.check import check_paths
    from compiler.analyses.selection import Selection, apply, fails
    from compiler.emitters.sarif import render_sarif

    select, ignore = _selectors(args.select), _selectors(args.ignore)
    for s in (select, ignore):
        if isinstance(s, str):
            return usage_error(s)
    result = check_paths(args.paths, source_dirs(args), args.against)
    if result.missing:
        return usage_error("no such file or folder: " + ", ".join(result.missing))
    if not result.loaded:
        return usage_error("no .policy files found in " + ", ".join(str(p) for p in args.paths))
    diags = result.diagnostics
    if args.show_suppressed:
        from compiler.analyses.check import suppressed_notes

        diags = diags + suppressed_notes(result)
    if args.strict:
        diags = [replace(d, severity=Severity.ERROR) if d.severity is Severity.WARNING else d for d in diags]
    if args.quiet:
        diags = [d for d in diags if d.severity is not Severity.INFO]
    selection = Selection(args.lint, select, ignore, result.floor_files)  # type: ignore[arg-type]
    shown, hidden = apply(diags, selection)
    files = [p.path for p in result.policies if p.path not in result.floor_files] or [p.path for p in result.policies]
    summary = summarise(shown, files)
    summary["not_shown"] = len(hidden)
    if args.format == "json":
        sys.stdout.write(render_json([] if args.statistics else shown, summary))
    elif args.format == "sarif":
        sys.stdout.write(render_sarif(shown, version()))
    else:
        print(_opening(shown, len(hidden), len(result.loaded)) + "\n")
        if args.statistics:
            stats = render_statistics(shown)
            if stats:
                print(terminal(stats) + "\n")
        else:
            text = render_text(shown, result.sources)
            if text:
                sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
        print(terminal(render_summary(summary)) + "\n")  # file names and policy text, made safe to print
        line = summary_line(shown, len(result.loaded))
        if result.suppressed:
            line += f" ({len(result.suppressed)} suppressed by `allow`)"
        if hidden:
            line += f" ({len(hidden)} not shown)"
        print(line)
    return 1 if fails(shown, args.fail_on) else 0

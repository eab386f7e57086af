"""The `policyc` command.

Exit codes: 0 no errors; 1 errors found (or, with --check, files would change);
2 a usage or input/output problem. No input makes it print a traceback: an
unexpected internal failure is reported in one line with exit code 3.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from importlib import metadata
from pathlib import Path

from compiler.config import load_settings
from dsl.diagnostics import Severity, render_json, render_text, summary_line


def version() -> str:
    try:
        return metadata.version("policyc")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def source_dirs(args: argparse.Namespace) -> list[Path]:
    dirs = [Path(d) for d in (getattr(args, "source_dir", None) or [])]
    settings = load_settings()
    if settings.source_dir is not None:
        dirs.append(settings.source_dir)
    return dirs


def usage_error(message: str) -> int:
    print(f"policyc: error: {message}", file=sys.stderr)
    return 2


# ---- check ------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    from compiler.check import check_paths
    from compiler.sarif import render_sarif

    result = check_paths(args.paths, source_dirs(args), args.against)
    if result.missing:
        return usage_error("no such file or folder: " + ", ".join(result.missing))
    if not result.loaded:
        return usage_error("no .policy files found in " + ", ".join(str(p) for p in args.paths))
    diags = result.diagnostics
    if args.show_suppressed:
        from compiler.check import suppressed_notes

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


# ---- export -----------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    import json

    from compiler.check import check_paths
    from compiler.export import export_policy

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


# ---- fmt --------------------------------------------------------------------------
def cmd_fmt(args: argparse.Namespace) -> int:
    from compiler.load import expand_paths
    from dsl.ast import strip_spans
    from dsl.formatter import format_file
    from dsl.parser import parse
    from dsl.source import SourceReadError, read_source

    files, missing = expand_paths(args.paths)
    if missing:
        return usage_error("no such file or folder: " + ", ".join(missing))
    changed: list[str] = []
    failed = False
    for f in files:
        try:
            src = read_source(f)
        except SourceReadError as err:
            print(f"{err.path}: error[E002]: {err.reason}", file=sys.stderr)
            failed = True
            continue
        tree, diags = parse(src)
        if tree is None:
            sys.stderr.write(render_text(diags, {src.path: src.lines}))
            failed = True
            continue
        new = format_file(tree, src.text)
        again, _ = parse(type(src)(src.path, new))
        if again is None or strip_spans(again) != strip_spans(tree):  # never change meaning
            print(f"{src.path}: internal error: formatting would change the meaning; file left as it is",
                  file=sys.stderr)
            failed = True
            continue
        if new != src.text:
            changed.append(src.path)
            if not args.check:
                f.write_text(new, encoding="utf-8")
    for c in changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {c}")
    if not changed and not failed:
        print(f"{len(files)} file{'s' if len(files) != 1 else ''} already formatted")
    if failed:
        return 1
    return 1 if (args.check and changed) else 0


# ---- explain ------------------------------------------------------------------------
def cmd_explain(args: argparse.Namespace) -> int:
    from dsl.codes import CODES

    if args.list or not args.code:
        for c in CODES.values():
            print(f"{c.code}  {c.severity:<7}  {c.title}")
        return 0
    code = args.code.upper()
    if code not in CODES:
        import difflib

        close = difflib.get_close_matches(code, list(CODES), n=1)
        return usage_error(f"unknown code `{args.code}`" + (f"; did you mean `{close[0]}`?" if close else ""))
    c = CODES[code]
    print(f"{c.code} ({c.severity}): {c.title}\n")
    print(c.explanation + "\n")
    print("Example:\n")
    print("\n".join("    " + line for line in c.example.splitlines()) + "\n")
    print("How to fix it:\n")
    print(c.fix)
    if c.severity != "error" or c.code.startswith("E6"):
        print(f'\nTo accept it deliberately: `allow {c.code} because "the reason"` in the obligation or the header.')
    return 0


# ---- the parser ---------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="policyc",
        description="Practice standards as code: check, format, export, build, audit and compare .policy files.",
    )
    p.add_argument("--version", action="version", version=f"policyc {version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

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
    c.set_defaults(func=cmd_check)

    e = sub.add_parser("export", help="the resolved policy as JSON")
    e.add_argument("path", type=Path, metavar="PATH")
    e.add_argument("--format", choices=["json"], default="json")
    e.add_argument("--source-dir", action="append", metavar="DIR")
    e.add_argument("--out", metavar="FILE")
    e.set_defaults(func=cmd_export)

    f = sub.add_parser("fmt", help="rewrite files in the canonical layout")
    f.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    f.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    f.set_defaults(func=cmd_fmt)

    x = sub.add_parser("explain", help="what a diagnostic code means and how to fix it")
    x.add_argument("code", nargs="?")
    x.add_argument("--list", action="store_true", help="list every code")
    x.set_defaults(func=cmd_explain)

    from compiler.commands import audit, build, compare, coverage, importer

    for module in (coverage, build, audit, importer, compare):
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("policyc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # a bug in policyc: one line, not a traceback
        import os

        if os.environ.get("POLICYC_DEBUG"):
            raise
        print(f"policyc: internal error: {type(err).__name__}: {err} (set POLICYC_DEBUG=1 for details)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())

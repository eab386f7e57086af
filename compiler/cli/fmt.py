"""`policyc fmt`: rewrite .policy files in the canonical layout (or `--check` them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compiler.cli.common import usage_error
from dsl.diagnostics import render_text


def register(sub: argparse._SubParsersAction) -> None:
    f = sub.add_parser("fmt", help="rewrite files in the canonical layout")
    f.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    f.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    f.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compiler.model.load import expand_paths
    from dsl.formatter import UnsafeFormat, format_source
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
        try:
            new = format_source(tree, src)  # same tree, idempotent, comments kept: checked every time
        except UnsafeFormat as unsafe:
            print(f"{src.path}: internal error: formatting failed its `{unsafe.check}` check ({unsafe.detail}); "
                  "file left as it is", file=sys.stderr)
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

"""`policyc build [--check]`: regenerate maps, timelines, checkers, findings and the docs site."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="regenerate generated/ and the docs site from policies/")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 listing files that would change")
    p.add_argument("--source-dir", action="append", metavar="DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compiler.build import assemble as B
    from compiler.cli.common import source_dirs, usage_error
    from compiler.model.settings import load_settings
    from dsl.diagnostics import render_text, summary_line

    settings = load_settings()
    root = settings.root
    if root is None:
        return usage_error("no pyproject.toml with [tool.policyc] here or above: run from the project folder")
    res = B.compute(root, source_dirs(args))
    if res.errors:
        sys.stderr.write(render_text(res.errors, res.sources))
        print("policyc build: the policies have errors; nothing was written. "
              + summary_line(res.errors, len({d.file for d in res.errors})), file=sys.stderr)
        return 1
    if args.check:
        recorded = B.recorded_graphviz(root)
        same = recorded is None or recorded == res.graphviz
        changes = B.stale(root, res, same)
        if not same:
            print(f"note: Graphviz here is `{res.graphviz}`, the build used `{recorded}`: SVG maps not compared")
        for rel, reason in changes:
            print(f"stale: {rel} ({reason})")
        if changes:
            print(f"{len(changes)} generated files are stale: run `policyc build`")
            return 1
        print(f"{len(res.outputs)} generated files up to date")
        return 0
    written, removed = B.write(root, res)
    print(f"policyc build: {len(res.outputs)} files ({written} written, {removed} removed)")
    return 0

"""`policyc build [--check]`: regenerate maps, timelines, checkers, findings and the site's pages."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compiler.build.assemble import BuildResult


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="regenerate generated/ (maps, checkers, the site's pages) from policies/")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 listing files that would change")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compiler.build import assemble as B
    from compiler.build.files import UnsafeTree
    from compiler.cli.common import usage_error
    from compiler.model.settings import find_project_root

    root = find_project_root()
    if root is None:
        return usage_error("no pyproject.toml with [tool.policyc] here or above: run from the project folder")
    # from any folder of the project the build is the same: paths are shown relative to the root
    with contextlib.chdir(root):
        try:
            res = B.compute(root)
            if res.errors:
                return _errors(res)
            _graphviz_note(res)
            return _check(root, res) if args.check else _write(root, res)
        except B.OutputConflict as err:
            print(f"policyc build: error: {err}; nothing was written", file=sys.stderr)
            return 1
        except UnsafeTree as err:
            return usage_error(f"refusing to build: {err}; nothing was written")


def _errors(res: BuildResult) -> int:
    from dsl.diagnostics import render_text, summary_line

    sys.stderr.write(render_text(res.errors, res.sources))
    print("policyc build: the policies have errors; nothing was written. "
          + summary_line(res.errors, len({d.file for d in res.errors})), file=sys.stderr)
    return 1


def _graphviz_note(res: BuildResult) -> None:
    if res.graphviz is None:
        print(f"note: Graphviz (`dot`) is not installed: the SVG process maps are left as they are ({res.kept_svgs} "
              "kept), neither redrawn nor compared")


def _check(root: Path, res: BuildResult) -> int:
    from compiler.build import assemble as B

    recorded = B.recorded_graphviz(root)
    same = res.graphviz is None or recorded is None or recorded == res.graphviz
    if not same:
        print(f"note: Graphviz here is `{res.graphviz}`, the build used `{recorded}`: SVG maps not compared")
    changes = B.stale(root, res, same)
    for rel, reason in changes:
        print(f"stale: {rel} ({reason})")
    if changes:
        print(f"{len(changes)} generated files are stale: run `policyc build`")
        return 1
    print(f"{len(res.outputs)} generated files up to date")
    return 0


def _write(root: Path, res: BuildResult) -> int:
    from compiler.build import assemble as B

    written, removed = B.write(root, res)
    print(f"policyc build: {len(res.outputs)} files ({written} written, {removed} removed)")
    return 0

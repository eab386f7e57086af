"""`policyc diff OLD NEW`: what changed between two versions of a policy: obligations added, removed,
tightened, loosened, changed, re-worded, re-cited and renamed. Exits 0 on success, 1 if a policy has
errors, 2 on a usage or input/output problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from compiler.cli.common import load_policies, usage_error, write_output
from compiler.model.ir import Policy


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("diff", help="what changed between two versions of a policy")
    d.add_argument("old", type=Path, metavar="OLD")
    d.add_argument("new", type=Path, metavar="NEW")
    d.add_argument("--format", choices=["md", "json"], default="md")
    d.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    d.add_argument("--source-dir", action="append", metavar="DIR")
    d.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compiler.analyses.changes import diff_policies
    from compiler.emitters.diff import render

    versions: list[Policy] = []
    for path in (args.old, args.new):
        policies, code = load_policies([path], args)
        if code is not None:
            return code
        if len(policies) != 1:
            return usage_error(f"{path} holds {len(policies)} policies; give one policy file for each version")
        versions.append(policies[0])
    return write_output(render(diff_policies(versions[0], versions[1]), args.format), args.out)

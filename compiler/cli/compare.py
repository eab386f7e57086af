"""`policyc compare POLICY...`: obligations side by side, with the statutory floor.

compare: one row per duty, one column per policy. The statutory floor is the policies given with
`--against` (shown as columns too); without it, every given policy that is national (in a folder
named `national`, or issued by a national body) is the floor.

Exits 0 on success, 1 if a policy has errors (citation quotes that are not found do not stop
a comparison), 2 on a usage or input/output problem.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from compiler.cli.common import load_policies, write_output


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("compare", help="obligations side by side across policies, with the statutory floor")
    c.add_argument("paths", nargs="+", type=Path, metavar="POLICY", help=".policy files or folders")
    c.add_argument("--format", choices=["md", "html", "csv", "json"], default="md")
    c.add_argument("--against", action="append", type=Path, metavar="PATH",
                   help="the statutory floor (e.g. policies/national/); default: the national policies given")
    c.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    c.add_argument("--source-dir", action="append", metavar="DIR")
    c.set_defaults(func=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from compiler.analyses.alignment import compare_policies
    from compiler.emitters.compare import render
    from compiler.model.load import expand_paths

    policies, code = load_policies(list(args.paths) + list(args.against or []), args)
    if code is not None:
        return code
    floor = None
    if args.against:
        files, _ = expand_paths(args.against)
        wanted = {f.resolve() for f in files}
        floor = [p for p in policies if Path(p.path).resolve() in wanted]
    return write_output(render(compare_policies(policies, floor), args.format), args.out)



"""`policyc compare POLICY...` (obligations side by side) and `policyc diff OLD NEW` (what changed).

compare: one row per duty, one column per policy. The statutory floor is the policies given with
`--against` (shown as columns too); without it, every given policy that is national (in a folder
named `national`, or issued by a national body) is the floor.

diff: obligations added, removed, tightened, loosened, changed, re-worded, re-cited and renamed.

Both exit 0 on success, 1 if a policy has errors (citation quotes that are not found do not stop
a comparison), 2 on a usage or input/output problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compiler.model import Policy

# citations that cannot be verified do not change what a policy says, so they do not stop a comparison
_CITATION_CODES = frozenset({"E301", "E304"})


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("compare", help="obligations side by side across policies, with the statutory floor")
    c.add_argument("paths", nargs="+", type=Path, metavar="POLICY", help=".policy files or folders")
    c.add_argument("--format", choices=["md", "html", "csv", "json"], default="md")
    c.add_argument("--against", action="append", type=Path, metavar="PATH",
                   help="the statutory floor (e.g. policies/national/); default: the national policies given")
    c.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    c.add_argument("--source-dir", action="append", metavar="DIR")
    c.set_defaults(func=run_compare)

    d = sub.add_parser("diff", help="what changed between two versions of a policy")
    d.add_argument("old", type=Path, metavar="OLD")
    d.add_argument("new", type=Path, metavar="NEW")
    d.add_argument("--format", choices=["md", "json"], default="md")
    d.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    d.add_argument("--source-dir", action="append", metavar="DIR")
    d.set_defaults(func=run_diff)


def load(paths: list[Path], args: argparse.Namespace) -> tuple[list[Policy], int | None]:
    """The policies under `paths`, or an exit code after reporting what stopped them loading."""
    from compiler.check import check_paths
    from compiler.cli import source_dirs, usage_error
    from dsl.diagnostics import render_text, summary_line

    result = check_paths(paths, source_dirs(args), analyse=False)
    if result.missing:
        return [], usage_error("no such file or folder: " + ", ".join(result.missing))
    errors = [d for d in result.diagnostics if d.severity.value == "error" and d.code not in _CITATION_CODES]
    if errors:
        sys.stderr.write(render_text(errors, result.sources))
        print(summary_line(errors, len(result.loaded)), file=sys.stderr)
        return [], 1
    if not result.policies:
        return [], usage_error("no policy in " + ", ".join(str(p) for p in paths))
    return result.policies, None


def _write(text: str, out: str | None) -> int:
    from compiler.cli import usage_error

    if not out:
        sys.stdout.write(text)
        return 0
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as err:
        return usage_error(f"cannot write {out}: {err.strerror or err}")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from compiler.compare import compare_policies, render
    from compiler.load import expand_paths

    policies, code = load(list(args.paths) + list(args.against or []), args)
    if code is not None:
        return code
    floor = None
    if args.against:
        files, _ = expand_paths(args.against)
        wanted = {f.resolve() for f in files}
        floor = [p for p in policies if Path(p.path).resolve() in wanted]
    return _write(render(compare_policies(policies, floor), args.format), args.out)


def run_diff(args: argparse.Namespace) -> int:
    from compiler.cli import usage_error
    from compiler.diff import diff_policies, render

    versions: list[Policy] = []
    for path in (args.old, args.new):
        policies, code = load([path], args)
        if code is not None:
            return code
        if len(policies) != 1:
            return usage_error(f"{path} holds {len(policies)} policies; give one policy file for each version")
        versions.append(policies[0])
    return _write(render(diff_policies(versions[0], versions[1]), args.format), args.out)

"""`policyc compare POLICY...`: obligations side by side, with the statutory floor.

compare: one row per duty, one column per policy: the version in force of each document (the
latest published one, or with `--as-of DATE` the one in force on that date; see
`compiler.model.versions`). The statutory floor is the policies given with
`--against` (shown as columns too); without it, every given policy that is national (in a folder
named `national`, or issued by a national body) is the floor.

Exits 0 on success, 1 if a policy has errors (citation quotes that are not found do not stop
a comparison), 2 on a usage or input/output problem.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from compiler.cli.common import iso_date, load_policies, usage_error, write_output


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("compare", help="obligations side by side across policies, with the statutory floor")
    c.add_argument("paths", nargs="+", type=Path, metavar="POLICY", help=".policy files or folders")
    c.add_argument("--format", choices=["md", "html", "csv", "terms-csv", "json", "svg"], default="md",
                   help="csv: one row per duty; terms-csv: the local terms with no shared equivalent; svg: a chart "
                        "per duty of each document's interval against the statutory line")
    c.add_argument("--against", action="append", type=Path, metavar="PATH",
                   help="the statutory floor (e.g. policies/national/); default: the national policies given")
    c.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    c.add_argument("--as-of", type=iso_date, metavar="DATE",
                   help="compare the versions in force on this date (default: the latest published versions)")
    c.add_argument("--all-versions", action="store_true",
                   help="compare every version given, not only the versions in force (one column each)")
    c.add_argument("--topic", metavar="TOPIC[,TOPIC]",
                   help="only duties filed under these topics in the vocabulary (e.g. visits,reviews)")
    c.add_argument("--duty", action="append", metavar="ID",
                   help="only this duty: an obligation id or the event that fulfils it (repeatable)")
    c.add_argument("--below-floor", action="store_true",
                   help="only duties where a document allows more time than the statute")
    c.add_argument("--source-dir", action="append", metavar="DIR")
    c.set_defaults(func=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from compiler.analyses.alignment import compare_policies, focus, topics_known
    from compiler.emitters.compare import render
    from compiler.model.load import expand_paths
    from compiler.model.versions import in_force

    policies, code = load_policies(list(args.paths) + list(args.against or []), args)
    if code is not None:
        return code
    if not args.all_versions:
        policies = in_force(policies, args.as_of)
    if not policies:
        return usage_error(f"no version of these documents is in force on {args.as_of}")
    floor = None
    if args.against:
        files, _ = expand_paths(args.against)
        wanted = {f.resolve() for f in files}
        floor = [p for p in policies if Path(p.path).resolve() in wanted]
    topics = {t.strip() for t in args.topic.split(",") if t.strip()} if args.topic else None
    if topics is not None:
        known = topics_known(policies)
        unknown = sorted(topics - known)
        if unknown:
            return usage_error(f"unknown topic `{unknown[0]}`: the vocabulary's topics are "
                               + ", ".join(f"`{t}`" for t in sorted(known)))
    cmp = focus(compare_policies(policies, floor), topics, set(args.duty) if args.duty else None, args.below_floor)
    if args.duty and not cmp.rows:
        return usage_error("no duty " + ", ".join(f"`{d}`" for d in args.duty) + " in these documents")
    if args.format == "svg":
        from compiler.emitters.interval_chart import charts, charts_svg

        found = charts(cmp)
        if not found:
            return usage_error("nothing to chart: no duty here is timed by both the statute and a local document "
                               "(give the statute with --against, e.g. --against policies/national/)")
        return write_output(charts_svg(found), args.out)
    return write_output(render(cmp, args.format), args.out)



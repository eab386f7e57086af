"""`policyc explain CODE`: what a diagnostic code means and how to fix it."""

from __future__ import annotations

import argparse

from compiler.cli.common import usage_error


def register(sub: argparse._SubParsersAction) -> None:
    x = sub.add_parser("explain", help="what a diagnostic code means and how to fix it")
    x.add_argument("code", nargs="?")
    x.add_argument("--list", action="store_true", help="list every code")
    x.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dsl.codes import CODES

    if args.list or not args.code:
        for c in CODES.values():
            print(f"{c.code}  {c.severity:<7}  {c.category:<9} {c.title}")
        return 0
    code = args.code.upper()
    if code not in CODES:
        import difflib

        close = difflib.get_close_matches(code, list(CODES), n=1)
        return usage_error(f"unknown code `{args.code}`" + (f"; did you mean `{close[0]}`?" if close else ""))
    c = CODES[code]
    print(f"{c.code} ({c.severity}, {c.category}): {c.title}\n")
    print(c.explanation + "\n")
    print("Example:\n")
    print("\n".join("    " + line for line in c.example.splitlines()) + "\n")
    print("How to fix it:\n")
    print(c.fix)
    if c.severity != "error" or c.code.startswith("E6"):
        print(f'\nTo accept it deliberately: `allow {c.code} because "the reason"` in the obligation or the header.')
    return 0

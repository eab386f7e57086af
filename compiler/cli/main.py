"""The `policyc` command.

Exit codes: 0 no errors; 1 errors found (or, with --check, files would change);
2 a usage or input/output problem. No input makes it print a traceback: an
unexpected internal failure is reported in one line with exit code 3.
"""

from __future__ import annotations

import argparse
import sys

from compiler.cli import audit, build, check, compare, coverage, diff, explain, export, fmt, importer, lsp
from compiler.cli import test as test_command
from compiler.cli.common import version

COMMANDS = (check, export, fmt, explain, coverage, build, audit, importer, compare, diff, test_command, lsp)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="policyc",
        description="Practice standards as code: check, format, export, build, audit and compare .policy files.",
    )
    p.add_argument("--version", action="version", version=f"policyc {version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMANDS:
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # inside the try: a reader that has gone shows here, not at exit
        return code
    except KeyboardInterrupt:
        print("policyc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `policyc audit | head`: the reader has gone; stop quietly
        _silence_stdout()
        return 0
    except Exception as err:  # a bug in policyc: one line, not a traceback
        import os

        if os.environ.get("POLICYC_DEBUG"):
            raise
        print(f"policyc: internal error: {type(err).__name__}: {err} (set POLICYC_DEBUG=1 for details)",
              file=sys.stderr)
        return 3


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit raises no second BrokenPipeError
    (the recipe of the Python documentation, "Note on SIGPIPE")."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())

"""`policyc lsp`: the language server, over standard input and output (for editors)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lsp", help="run the language server over stdio (for editors such as VS Code)")
    p.add_argument("--stdio", action="store_true", help="talk over standard input and output (the default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from compiler.lsp.server import serve
    except ImportError as err:
        from compiler.cli.common import usage_error

        return usage_error(f"the language server needs pygls ({err.name} is missing): "
                           "pip install 'policyc[lsp]'")
    serve()
    return 0

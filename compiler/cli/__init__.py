"""Stage 9, the command line: `policyc COMMAND`.

In: argv. Out: exit codes, text on stdout/stderr, files. One module per command, each with
`register(sub)` adding its sub-parser and `run(args)` doing the work; `common` holds what they
share; `main` builds the parser and turns an unexpected failure into one line (exit 3).
This is the last stage: it may import every stage before it, and nothing imports it.
"""

from compiler.cli.main import main

__all__ = ["main"]

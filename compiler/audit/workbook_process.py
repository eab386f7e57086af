"""`python -m compiler.audit.workbook_process FILE`: write a report's workbook in a process of its own.

FILE holds `(ReportData, Path)` pickled by `compiler.audit.qa_report.ReportJob`, which starts this
process so that the workbook (pure Python, one core) is written while the audit's rows are. Exit 0
when the workbook is written; otherwise exit 1 with one line on standard error, which the parent
reports as the reason the report could not be written.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from compiler.audit.qa_report import write_workbook


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m compiler.audit.workbook_process FILE", file=sys.stderr)
        return 2
    try:
        with Path(argv[0]).open("rb") as fh:
            data, path = pickle.load(fh)
        write_workbook(data, path)
    except OSError as err:
        print(err.strerror or err, file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - one line for the parent, never a traceback
        print(f"{type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Language server: re-checking an open 1,700-line policy after an edit (target: under 300 ms).

What the server does on every keystroke that changes the text: parse, resolve with the `uses`
vocabulary, verify quotes against the source document (when it is found), analyse, index names.
Run: .venv/bin/python benchmarks/lsp_bench.py [POLICY]   (default: the BCP standards, 1,662 lines)
Prints the median and worst wall and CPU time of 20 re-checks, each after a one-line edit, after a
warm-up. CPU time is the figure to quote on a shared machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.lsp.documents import check_document  # noqa: E402


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "policies/bcp/practice-standards-2023.policy").resolve()
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    previous = check_document(path, text, {})  # warm-up: grammar, vocabulary, source document
    times, cpu = [], []
    for i in range(20):
        edited = text + f"\n# edit {i}\n"
        start, start_cpu = time.perf_counter(), time.process_time()
        previous = check_document(path, edited, {}, previous)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"re-check of {path.name} ({lines} lines, {len(previous.diagnostics)} diagnostics) over {len(times)} edits: "
          f"wall median {statistics.median(times) * 1000:.0f} ms (worst {max(times) * 1000:.0f} ms), "
          f"CPU median {statistics.median(cpu) * 1000:.0f} ms (worst {max(cpu) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()

"""Parse and resolve a generated 100,000-line policy; report lines per second, and the ratio to Lark's
lexer alone on the same input.

Usage: .venv/bin/python benchmarks/parse_bench.py [LINES] [--runs N]
The policy uses the shared vocabulary, every timing form, exceptions and aims, so the resolver does
real work. In one process, each round times, on the same text:
  lexer   Lark's contextual lexer alone (the ceiling for any parser built on it): the token stream the
          parser sees, with the parser states it was lexed in recorded once beforehand and replayed;
  parse   `dsl.parser.parse` (lexing, parsing, building the AST);
  load    `Loader().load` (read, parse, resolve with the vocabulary): what `policyc check` does per file.
Rounds interleave the three, so a change in the machine's load touches all three alike. The figures
are medians of N rounds, in CPU time (`time.process_time`) and wall time; the machine is shared, so
CPU time and the ratios are the robust figures. The load average is printed with them.
Figures are written down in docs/performance.md ("Parsing and resolving").
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lark import Lark  # noqa: E402
from lark.lexer import LexerState, TextSlice  # noqa: E402

from compiler.model.load import Loader  # noqa: E402
from dsl.parser import GRAMMAR_PATH, parse  # noqa: E402
from dsl.source import SourceFile  # noqa: E402

BLOCKS = [
    'obligation visits_{i} "Visits {i}"\n  cite "3.{i}" "Children on a plan are seen fortnightly"\n'
    "  while child_protection\n  social_worker must do statutory_visit every 2 weeks\n\n",
    'obligation core_{i} "Core groups {i}"\n  cite "3.17" "A Core Group meeting must take place every 4 weeks"\n'
    "  while child_protection\n  social_worker must hold core_group_meeting\n"
    "    first within 10 working days of icpc\n    then every 4 weeks\n\n",
    'obligation review_{i} "Reviews {i}"\n  cite "3.26" "An initial CLA review meeting must take place"\n'
    "  while looked_after\n  iro must hold cla_review\n    first within 20 working days of became_looked_after\n"
    "    then within 3 months\n    then every 6 months\n    restart within 20 working days of placement_change\n\n",
    'obligation report_{i} "Reports {i}"\n  cite "3.18" "5 working days in advance of an RCPC"\n'
    "  social_worker must do conference_report_shared at least 5 working days before rcpc\n\n",
    'obligation pathway_{i} "Pathway {i}"\n  cite "3.36" "Within 3 months of their 16th birthday"\n'
    "  when age under 18 years\n  while looked_after\n  social_worker must do pathway_plan by age 16 years 3 months\n\n",
    'obligation anchored_{i} "Anchored {i}"\n  cite "3.31" "six weekly for the first year of placement"\n'
    "  while looked_after\n  social_worker must visit statutory_visit\n    first within 1 week of placement_start\n"
    "    then within 20 working days of placement_start\n    then every 6 weeks for 1 year from placement_start\n\n",
    'obligation bedroom_{i} "Bedroom {i}"\n  cite "6.2.4" "on at least every other visit"\n'
    "  while child_protection\n  social_worker must see child_seen every 2nd statutory_visit\n\n",
    'obligation seen_{i} "Seen {i}"\n  cite "reg 28" "on the day they are placed"\n'
    "  while looked_after\n  when legal_status is care_order or interim_care_order\n"
    "  when placement_type is not placed_with_parents\n  social_worker must see child_seen immediately after placement_start\n\n",
    'principle p_{i} "Principle {i}"\n  cite "1.{i}" "We treat everyone with respect"\n\n',
    # an exception to this cycle's `visits_{v}`, by decision, ending at closure; an aim and a minimum
    'obligation reduced_{i} "Reduced visits {i}"\n  cite "3.{i}" "may reduce to three weekly"\n'
    "  while child_protection\n  instead of visits_{v}\n  decided by service_manager on step_down\n"
    "  social_worker must do statutory_visit every 3 weeks\n  unless closure\n\n",
    'obligation tac_{i} "TAC {i}"\n  cite "3.13" "ideally every 6 weeks, as a minimum 3 monthly"\n'
    "  while child_in_need\n  should hold tac_meeting every 6 weeks and must every 3 months\n\n",
]


def generate(lines: int) -> str:
    out = ['policy "Benchmark"\n  authority "Bench"\n  uses "vocabulary.policy"\n\n']
    count, i = 4, 0
    while count < lines:
        block = BLOCKS[i % len(BLOCKS)].format(i=i, v=i - i % len(BLOCKS))
        out.append(block)
        count += block.count("\n")
        i += 1
    return "".join(out)


class _Replay:
    """Stands in for the parser's state: gives the contextual lexer the recorded parser states in turn."""

    __slots__ = ("_next",)

    def __init__(self, states: list[int]) -> None:
        self._next = iter(states).__next__

    @property
    def position(self) -> int:
        return self._next()


class _Recording(dict):
    """The contextual lexer's per-state lexers, noting the state of each look-up."""

    def __init__(self, lexers: dict[int, Any], states: list[int]) -> None:
        super().__init__(lexers)
        self.states = states

    def __getitem__(self, state: int) -> Any:
        self.states.append(state)
        return dict.__getitem__(self, state)


def lexer_alone(text: str) -> Callable[[], int]:
    """A function that runs Lark's contextual lexer, as the policy grammar configures it, over `text`
    (returning the number of tokens), without the parser: the states the parser would be in are
    recorded by one untimed parse and replayed."""
    lark = Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), start="file", parser="lalr", lexer="contextual",
                maybe_placeholders=False)
    contextual = lark.parser.lexer
    states: list[int] = []
    lexers = contextual.lexers
    contextual.lexers = _Recording(lexers, states)
    lark.parse(text)
    contextual.lexers = lexers

    def run() -> int:
        tokens: Iterator[Any] = contextual.lex(LexerState(TextSlice.cast_from(text)), _Replay(states))
        return sum(1 for _ in tokens)

    return run


def timed(job: Callable[[], Any]) -> tuple[float, float]:
    """CPU and wall seconds of one run, with the garbage collector paused (as `Loader.load` does)."""
    gc.collect()
    gc.disable()
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        job()
        return time.process_time() - cpu, time.perf_counter() - wall
    finally:
        gc.enable()


def main() -> None:
    args = sys.argv[1:]
    runs = 5
    if "--runs" in args:
        at = args.index("--runs")
        runs = int(args[at + 1])
        del args[at : at + 2]
    lines = int(args[0]) if args else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "vocabulary.policy").write_text((ROOT / "policies" / "vocabulary.policy").read_text())
        path = folder / "bench.policy"
        text = generate(lines)
        path.write_text(text)
        n = text.count("\n")
        lex = lexer_alone(text)
        tokens = lex()
        loaded = Loader().load(path)
        assert loaded.policy is not None and not [d for d in loaded.diagnostics if d.severity.value == "error"]
        jobs: dict[str, Callable[[], Any]] = {
            "lexer": lex,
            "parse": lambda: parse(SourceFile(str(path), text)),
            "load": lambda: Loader().load(path),
        }
        cpu: dict[str, list[float]] = {k: [] for k in jobs}
        wall: dict[str, list[float]] = {k: [] for k in jobs}
        before = os.getloadavg()[0]
        for _ in range(runs):
            for name, job in jobs.items():
                c, w = timed(job)
                cpu[name].append(c)
                wall[name].append(w)
        after = os.getloadavg()[0]
        print(f"{n:,} lines, {tokens:,} tokens, {len(loaded.policy.obligations):,} obligations; median of {runs} "
              f"rounds; load average {before:.1f} before, {after:.1f} after")
        print("| stage | median CPU s | lines/s (CPU) | median wall s | min wall s | max wall s | lines/s (wall) |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for name in jobs:
            c, w = statistics.median(cpu[name]), statistics.median(wall[name])
            print(f"| {name} | {c:.2f} | {n / c:,.0f} | {w:.2f} | {min(wall[name]):.2f} | {max(wall[name]):.2f} | "
                  f"{n / w:,.0f} |")
        lex_cpu = statistics.median(cpu["lexer"])
        for name in ("parse", "load"):
            print(f"{name} / lexer alone (CPU): {lex_cpu / statistics.median(cpu[name]):.2f}x")


if __name__ == "__main__":
    main()

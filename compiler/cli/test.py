"""`policyc test [PATHS]`: run the scenario tests (`*.policy-test`) beside the policies.

Each scenario runs through the reference interpreter and the generated Python checker (add
`--engine duckdb` for the generated SQL too). A failure prints the expectation, what each engine
gave, and the obligation's clause and quote. `--format junit` writes JUnit XML for CI.

Exit codes: 0 every scenario passed; 1 a scenario failed or a test file has errors; 2 a usage problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from compiler.audit.scenarios import DEFAULT_ENGINES, ENGINES, Failure, ScenarioResult, TestRun


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("test", help="run the scenario tests (*.policy-test) of policies",
                       description="Run scenario tests: case histories with the outcomes the policy must give. "
                                   "The format: docs/language.md, 'Scenario tests'.")
    t.add_argument("paths", nargs="*", type=Path, metavar="PATH", default=[Path("policies")],
                   help="*.policy-test files or folders holding them (default: policies/)")
    t.add_argument("--format", choices=["text", "junit"], default="text")
    t.add_argument("--engine", action="append", choices=ENGINES, metavar="ENGINE",
                   help="engines to run (repeatable; default: reference and python; also: duckdb)")
    t.add_argument("--out", metavar="FILE", help="write the report here instead of standard output")
    t.add_argument("--verbose", "-v", action="store_true", help="list passing scenarios too")
    t.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from compiler.audit.scenarios import run_tests
    from compiler.cli.common import usage_error
    from dsl.diagnostics import render_text

    engines = tuple(dict.fromkeys(args.engine)) if args.engine else DEFAULT_ENGINES
    result, missing = run_tests(args.paths, engines)
    if missing:
        return usage_error("no such file or folder: " + ", ".join(missing))
    if not result.files:
        return usage_error("no *.policy-test files found in " + ", ".join(str(p) for p in args.paths))
    if result.diagnostics:
        sys.stderr.write(render_text(result.diagnostics, result.sources))
    text = junit(result) if args.format == "junit" else report_text(result, args.verbose)
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as err:
            return usage_error(f"cannot write {args.out}: {err.strerror or err}")
        if args.format == "junit":
            print(summary(result))
    else:
        sys.stdout.write(text)
    return 1 if result.failed else 0


def summary(run: TestRun) -> str:
    failed = sum(not r.passed for r in run.results)
    errors = sum(d.severity.value == "error" for d in run.diagnostics)
    line = (f"{len(run.results)} scenario{'s' if len(run.results) != 1 else ''} in {run.files} file"
            f"{'s' if run.files != 1 else ''}: {len(run.results) - failed} passed, {failed} failed")
    return line + (f"; {errors} error{'s' if errors != 1 else ''} in test files" if errors else "")


def _citation_lines(f: Failure) -> list[str]:
    if f.obligation is None:
        return []
    return [f"clause {c.clause}: “{c.quote}”" for c in f.obligation.citations]


def failure_lines(r: ScenarioResult, f: Failure) -> list[str]:
    if f.expectation is None:
        return [f"the {f.engine} engine disagrees: expected {f.expected}; it gave:"] + [f"  {a}" for a in f.actual]
    e = f.expectation
    head = f"{r.file}:{e.span.line}:{e.span.column}: expected {f.expected}"
    actual = f.actual or ["no occurrence"]
    label = f"  actual ({f.engine}): "
    out = [head, label + actual[0]] + [" " * len(label) + a for a in actual[1:]]
    return out + ["  " + c for c in _citation_lines(f)]


def report_text(run: TestRun, verbose: bool = False) -> str:
    out: list[str] = []
    for r in run.results:
        if r.passed:
            if verbose:
                out.append(f"ok    {r.file}: {r.title}")
            continue
        out.append(f"FAIL  {r.file}:{r.span.line}: {r.title}")
        for f in r.failures:
            out += ["      " + line for line in failure_lines(r, f)]
    out.append(summary(run))
    return "\n".join(out) + "\n"


def junit(run: TestRun) -> str:
    """JUnit XML: a test suite per test file, a test case per scenario, a failure per failed scenario;
    errors in a test file are an `error` test case of its suite."""
    root = ET.Element("testsuites", name="policyc test")
    files = sorted({r.file for r in run.results} | {d.file for d in run.diagnostics})
    for file in files:
        results = [r for r in run.results if r.file == file]
        diags = [d for d in run.diagnostics if d.file == file and d.severity.value == "error"]
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(len(results) + bool(diags)),
                              failures=str(sum(not r.passed for r in results)), errors=str(int(bool(diags))))
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=file, name=r.title)
            if not r.passed:
                lines = [line for f in r.failures for line in failure_lines(r, f)]
                fail = ET.SubElement(case, "failure", message=lines[0])
                fail.text = "\n".join(lines)
        if diags:
            case = ET.SubElement(suite, "testcase", classname=file, name="test file")
            err = ET.SubElement(case, "error", message=f"{len(diags)} error(s) in the test file")
            err.text = "\n".join(f"{d.file}:{d.span.line}:{d.span.column}: {d.code}: {d.message}" for d in diags)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

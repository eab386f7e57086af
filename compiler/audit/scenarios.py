"""Scenario tests: run each `*.policy-test` scenario through the audit engines and compare.

A scenario is one child's case history and the outcomes expected at its as-of date. It is turned
into the audit's input (`Child` with `Record`s, exactly what a row of case events becomes) and run
through the reference interpreter and the generated Python checker (and the generated DuckDB SQL
when asked). Every expectation is checked against every engine's rows:

  expect OB due DATE OUTCOME [on DONE]  an occurrence of OB falls due on DATE with OUTCOME
                                        (and was done on DONE);
  expect OB OUTCOME [on DONE]           some occurrence of OB has OUTCOME (and DONE);
  expect no OB                          OB has no occurrence (other than not applicable).

Mistakes in a test file (an unknown event, obligation or outcome, a malformed date, no as-of
date) are diagnostics with file, line and column, as in a policy; a test file with one fails.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler.audit import engines
from compiler.model.confine import Refused, confine, policy_roots
from compiler.model.ir import Obligation, Policy
from compiler.model.load import Loader, shown_path
from compiler.model.semantics import OUTCOMES, Child, Record, Row, attributes_used, extension_event, not_measurable
from dsl import scenario as S
from dsl.ast import Name, Span
from dsl.diagnostics import Diagnostic, Severity
from dsl.source import SourceReadError, read_source

ENGINES = ("reference", "python", "duckdb")
DEFAULT_ENGINES = ("reference", "python")


@dataclass
class Failure:
    expectation: S.Expectation | None  # None: the engines disagree with each other
    engine: str
    expected: str
    actual: list[str]
    obligation: Obligation | None


@dataclass
class ScenarioResult:
    file: str
    title: str
    span: Span
    failures: list[Failure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class TestRun:
    results: list[ScenarioResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)
    files: int = 0

    @property
    def failed(self) -> bool:
        return any(not r.passed for r in self.results) or any(d.severity is Severity.ERROR for d in self.diagnostics)


def find_test_files(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """`*.policy-test` files named, beside `.policy` files named, and under folders named (sorted); plus
    paths that don't exist."""
    files: list[Path] = []
    missing: list[str] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*" + S.SUFFIX) if x.is_file()))
        elif p.is_file() and p.suffix == ".policy":  # a policy: the test file beside it, if there is one
            beside = p.with_name(p.name + "-test")
            if beside.is_file():
                files.append(beside)
        elif p.is_file():
            files.append(p)
        else:
            missing.append(str(p))
    return files, missing


# ---- from the test file to the audit's input -----------------------------------------------------
@dataclass
class _Prepared:
    scenario: S.Scenario
    child: Child
    as_of: dt.date
    expectations: list[S.Expectation]


class _Checker:
    """Checks the names and dates of a test file against its policy, collecting diagnostics."""

    def __init__(self, path: str, policy: Policy):
        self.path = path
        self.policy = policy
        self.diags: list[Diagnostic] = []

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, message, self.path, span, hint))

    def date(self, name: Name) -> dt.date | None:
        try:
            return dt.date.fromisoformat(name.text)
        except ValueError:
            self.error("E204", f"malformed date `{name.text}`", name.span, "write dates as YYYY-MM-DD with a real month and day")
            return None

    def _unknown(self, code: str, kind: str, name: Name, known: list[str]) -> None:
        close = difflib.get_close_matches(name.text, known, n=1)
        self.error(code, f"unknown {kind} `{name.text}` in `{Path(self.policy.path).name}`", name.span,
                   f"did you mean `{close[0]}`?" if close else f"use an {kind} id declared in the policy or its vocabulary")

    def event(self, name: Name) -> str | None:
        if name.text not in self.policy.events:
            self._unknown("E802", "event", name, sorted(self.policy.events))
            return None
        return self.policy.canonical_event(name.text)

    def obligation(self, name: Name) -> Obligation | None:
        ob = next((o for o in self.policy.obligations if o.id == name.text), None)
        if ob is None:
            self._unknown("E803", "obligation", name, [o.id for o in self.policy.obligations])
            return None
        reason = not_measurable(self.policy, ob)
        if reason is not None:
            self.error("E805", f"obligation `{ob.id}` cannot be tested: {reason}", name.span,
                       "test obligations with a measurable timing; the audit gives no occurrences for this one")
            return None
        return ob

    def prepare(self, sc: S.Scenario) -> _Prepared | None:
        before = len(self.diags)
        born: dt.date | None = None
        child_attrs: dict[str, str] = {}
        as_of: dt.date | None = None
        records: list[tuple[dt.date, int, str, dt.date | None, dict[str, str]]] = []
        expectations: list[S.Expectation] = []
        for i, item in enumerate(sc.items, start=1):
            if isinstance(item, S.Child):
                born = self.date(item.born)
                child_attrs.update({a.name.text: a.value for a in item.attributes})
            elif isinstance(item, S.EventLine):
                day, event = self.date(item.date), self.event(item.event)
                if day is not None and event is not None:
                    records.append((day, i, event, None, {a.name.text: a.value for a in item.attributes}))
            elif isinstance(item, S.ExtensionLine):
                day, until, ob = self.date(item.date), self.date(item.until), self.obligation(item.obligation)
                if day is not None and until is not None and ob is not None:
                    records.append((day, i, extension_event(ob.id), until, {}))
            elif isinstance(item, S.AsOf):
                if as_of is not None:
                    self.error("E804", "the as-of date is given twice", item.span, "keep one `as of DATE` per scenario")
                as_of = self.date(item.date)
            else:
                self.expectation(item)
                expectations.append(item)
        if as_of is None and len(self.diags) == before:
            self.error("E804", f"scenario “{sc.title.value}” has no as-of date", sc.title.span,
                       "add `as of YYYY-MM-DD`: the day on which the outcomes are judged")
        if not expectations and len(self.diags) == before:
            self.error("E804", f"scenario “{sc.title.value}” expects nothing", sc.title.span,
                       "add `expect OBLIGATION due DATE OUTCOME`")
        if len(self.diags) > before or as_of is None:
            return None
        attrs = sorted({k for *_, a in records for k in a} | set(child_attrs))
        recs = tuple(Record(row, event, day, until, tuple((k, a.get(k, child_attrs.get(k))) for k in attrs))
                     for day, row, event, until, a in sorted(records, key=lambda r: (r[0], r[1])))
        return _Prepared(sc, Child(sc.title.value, born, recs), as_of, expectations)

    def expectation(self, e: S.Expectation) -> None:
        self.obligation(e.obligation)
        for d in (e.due, e.done):
            if d is not None:
                self.date(d)
        if e.outcome is not None and e.outcome.text not in OUTCOMES:
            close = difflib.get_close_matches(e.outcome.text, OUTCOMES, n=1)
            self.error("E806", f"unknown outcome `{e.outcome.text}`", e.outcome.span,
                       f"did you mean `{close[0]}`?" if close else "one of: " + ", ".join(OUTCOMES))


# ---- judging ------------------------------------------------------------------------------------------
def describe_row(r: Row) -> str:
    parts = [f"triggered {r.trigger_date}" if r.trigger_date else "", f"due {r.due_date}" if r.due_date else "",
             r.outcome, f"on {r.done_date}" if r.done_date else ""]
    return " ".join(p for p in parts if p)


def describe_expectation(e: S.Expectation) -> str:
    if e.absent:
        return f"no occurrence of {e.obligation.text}"
    parts = [e.obligation.text, f"due {e.due.text}" if e.due else "", e.outcome.text if e.outcome else "",
             f"on {e.done.text}" if e.done else ""]
    return " ".join(p for p in parts if p)


def _holds(e: S.Expectation, rows: list[Row]) -> bool:
    mine = [r for r in rows if r.obligation == e.obligation.text and r.outcome != "not_applicable"]
    if e.absent:
        return not mine
    mine = [r for r in rows if r.obligation == e.obligation.text]
    if e.due is not None:
        mine = [r for r in mine if r.due_date is not None and r.due_date.isoformat() == e.due.text]
    assert e.outcome is not None
    mine = [r for r in mine if r.outcome == e.outcome.text]
    if e.done is not None:
        mine = [r for r in mine if r.done_date is not None and r.done_date.isoformat() == e.done.text]
    return bool(mine)


def _run_engines(policy: Policy, p: _Prepared, names: Sequence[str]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    if "duckdb" in names:
        attrs = sorted({k for r in p.child.records for k, _ in r.attrs} | set(attributes_used(policy)))
        out = {k: v for k, v in engines.run_all(policy, [p.child], p.as_of, attrs).items() if k in names}
    if "reference" in names and "reference" not in out:
        out["reference"] = engines.run_reference(policy, [p.child], p.as_of)
    if "python" in names and "python" not in out:
        out["python"] = engines.run_python(policy, [p.child], p.as_of)
    return out


def judge(policy: Policy, p: _Prepared, names: Sequence[str], file: str) -> ScenarioResult:
    result = ScenarioResult(file, p.scenario.title.value, p.scenario.span)
    rows_by_engine = _run_engines(policy, p, names)
    obligations = {o.id: o for o in policy.obligations}
    for e in p.expectations:
        for engine, rows in rows_by_engine.items():
            if not _holds(e, rows):
                actual = [describe_row(r) for r in rows if r.obligation == e.obligation.text]
                result.failures.append(Failure(e, engine, describe_expectation(e), actual,
                                               obligations.get(e.obligation.text)))
                break  # one engine's account of an expectation is enough; disagreement is reported below
    first, *others = list(rows_by_engine)
    for engine in others:
        if rows_by_engine[engine] != rows_by_engine[first]:
            result.failures.append(Failure(None, engine, f"the same rows as the {first} engine",
                                           [describe_row(r) + f" ({r.obligation})" for r in rows_by_engine[engine]],
                                           None))
    return result


def run_tests(paths: Sequence[Path], engine_names: Sequence[str] = DEFAULT_ENGINES) -> tuple[TestRun, list[str]]:
    """Every scenario of every test file under `paths`; the paths that don't exist."""
    files, missing = find_test_files(paths)
    run = TestRun(files=len(files))
    loader = Loader()
    for f in files:
        shown = shown_path(f)
        try:
            src = read_source(f, shown)
        except SourceReadError as err:
            run.diagnostics.append(Diagnostic("E001", f"`{shown}` {err.reason}", shown, Span(1, 1, 1, 2)))
            continue
        run.sources[src.path] = src.lines
        tree, diags = S.parse_tests(src)
        run.diagnostics.extend(diags)
        if tree is None:
            continue
        policy = _load_policy(loader, f, tree, run)
        if policy is None:
            continue
        checker = _Checker(src.path, policy)
        prepared = [checker.prepare(sc) for sc in tree.scenarios]
        run.diagnostics.extend(checker.diags)
        for p in prepared:
            if p is not None:
                run.results.append(judge(policy, p, engine_names, src.path))
    run.sources.update(loader.sources)
    return run, missing


def _load_policy(loader: Loader, test_path: Path, tree: S.TestFile, run: TestRun) -> Policy | None:
    try:  # a test file is untrusted like a policy: it may name only a policy inside the allowed folders
        confined = confine(test_path.parent, tree.policy.value, policy_roots(test_path))
    except Refused as err:
        run.diagnostics.append(Diagnostic(
            "E005", f"the policy path `{tree.policy.value}` {err.reason}; it was not read", tree.path,
            tree.policy.span, "give the .policy file's path relative to this test file, inside the project"))
        return None
    target = confined or test_path.parent / tree.policy.value
    if not target.is_file():
        run.diagnostics.append(Diagnostic(
            "E801", f"the policy `{tree.policy.value}` cannot be read", tree.path, tree.policy.span,
            "give the .policy file's path relative to this test file"))
        return None
    loaded = loader.load(target)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if errors or loaded.policy is None or loaded.policy.kind != "policy":
        run.diagnostics.extend(errors)
        run.diagnostics.append(Diagnostic(
            "E801", f"the policy `{tree.policy.value}` has errors; its scenarios were not run", tree.path,
            tree.policy.span, "fix the policy first (`policyc check`)"))
        return None
    return loaded.policy


"""Timing forms of issue 10's second round, stage by stage: the window (`between N and D of EVENT`), ...

Each is parsed, formatted back (idempotent, same tree), resolved, exported and described here, and its audit
semantics checked on the reference interpreter with generated histories; the three engines agree on it in
tests/test_audit_differential.py (the kitchen-sink policy has an obligation of each)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.analyses.check import check_paths
from compiler.audit.reference import evaluate
from compiler.model.ir import Deadline, Policy
from compiler.model.semantics import Child, Record
from compiler.model.timescales import Duration, Unit, add
from dsl import ast as A
from dsl.ast import strip_spans
from dsl.formatter import format_file
from dsl.parser import parse
from dsl.source import SourceFile

VOCABULARY = Path(__file__).resolve().parent.parent / "policies" / "vocabulary.policy"
HEADER = 'policy "Forms"\n  authority "Test"\n  uses "vocabulary.policy"\n\n'
FORMS = '''obligation review_window "A review between 12 and 16 weeks after the plan starts"
  cite "1" "within 12 to 16 weeks"
  while child_in_need
  iro must hold cin_review between 12 and 16 weeks of cin_plan_start
'''


def _tree(text: str) -> A.PolicyFile:
    tree, diags = parse(SourceFile("a.policy", text))
    assert tree is not None and not diags, diags
    return tree


def _load(tmp: Path, body: str) -> tuple[Policy | None, list]:
    path = tmp / "a.policy"
    path.write_text(HEADER + body, encoding="utf-8")
    (tmp / "vocabulary.policy").write_text(VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")
    result = check_paths([path], [], analyse=True)
    return (result.policies[0] if result.policies else None), result.diagnostics


def _errors(diags: list) -> list:
    return [d for d in diags if d.severity.value == "error"]


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    policy, diags = _load(tmp_path_factory.mktemp("forms"), FORMS)
    assert policy is not None and not _errors(diags), diags
    return policy


def test_the_forms_parse_and_format_back_to_the_same_tree() -> None:
    tree = _tree(HEADER + FORMS)
    window = next(d for d in tree.declarations if isinstance(d, A.ObligationDecl)).duties[0].timing
    assert isinstance(window, A.DeadlineForm) and window.opens == 12 and window.duration.amount == 16
    messy = HEADER + FORMS.replace("between 12 and 16", "between   12  and 16").replace("\n  iro", "\n iro")
    once = format_file(_tree(messy), messy)
    assert format_file(_tree(once), once) == once
    assert strip_spans(_tree(once)) == strip_spans(_tree(messy))
    assert "  iro must hold cin_review between 12 and 16 weeks of cin_plan_start\n" in once


def test_a_window_resolves_exports_and_reads_aloud(tmp_path: Path, forms: Policy, policyc) -> None:
    t = forms.obligations[0].timing
    assert isinstance(t, Deadline) and t.opens == Duration(12, Unit.WEEKS) and t.duration == Duration(16, Unit.WEEKS)
    _load(tmp_path, FORMS)
    run = policyc(f"export {tmp_path / 'a.policy'} --format json")
    assert run.code == 0, run.err
    timing = json.loads(run.out)["obligations"][0]["timing"]
    assert timing["kind"] == "deadline" and timing["opens"] == 12 and timing["amount"] == 16
    assert timing["text"] == "between 12 and 16 weeks of child in need plan started, not before"


def test_a_window_that_closes_before_it_opens_is_an_error(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, FORMS.replace("between 12 and 16", "between 16 and 12"))
    errors = [d for d in diags if d.code == "E222"]
    assert errors and errors[0].span.line == 8, diags


START = dt.date(2024, 1, 1)
_DAY = st.integers(0, 300).map(lambda n: START + dt.timedelta(days=n))


def _child(events: list[tuple[str, dt.date]]) -> Child:
    records = sorted((Record(i + 1, e, d) for i, (e, d) in enumerate(events)), key=lambda r: (r.date, r.row))
    return Child("C1", None, tuple(records))


@settings(max_examples=150, deadline=None)
@given(start=_DAY, reviews=st.lists(_DAY, max_size=6))
def test_a_window_is_done_only_by_an_action_once_it_has_opened(forms: Policy, start: dt.date,
                                                               reviews: list[dt.date]) -> None:
    """`between 12 and 16 weeks of cin_plan_start`: due 16 weeks after the plan starts; a review before 12 weeks
    does not do it (too early counts as not done); the first review from 12 weeks on does."""
    events = [("cin_plan_start", start)] + [("cin_review", d) for d in reviews]
    as_of = START + dt.timedelta(days=500)
    rows = [r for r in evaluate(forms, [_child(events)], as_of) if r.obligation == "review_window"]
    assert len(rows) == 1
    row = rows[0]
    opens, due = add(start, Duration(12, Unit.WEEKS)), add(start, Duration(16, Unit.WEEKS))
    inside = sorted(d for d in reviews if d >= opens)
    assert row.trigger_date == start and row.due_date == due
    assert row.done_date == (inside[0] if inside else None)
    if not inside:
        assert row.outcome == "overdue"
    else:
        assert row.outcome == ("met" if inside[0] <= due else "met_late")

"""Scenario tests (`*.policy-test`, `policyc test`): the format, its diagnostics, the runner, the CLI."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from compiler.audit.scenarios import run_tests
from compiler.cli.main import main
from dsl.scenario import Expectation, parse_tests
from dsl.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"


def _parse(text: str):
    return parse_tests(SourceFile("t.policy-test", text))


def test_parse_a_scenario() -> None:
    tree, diags = _parse('tests "a.policy"\n\nscenario "One"\n  child born 2015-01-01 with team is fis\n'
                         '  2024-01-08 icpc with count is 3\n  2024-01-09 core extended until 2024-02-01\n'
                         '  as of 2024-03-01\n  expect core due 2024-01-22 met on 2024-01-19\n'
                         '  expect core overdue\n  expect no visits\n')
    assert diags == [] and tree is not None
    assert tree.policy.value == "a.policy"
    (sc,) = tree.scenarios
    assert sc.title.value == "One"
    expects = [i for i in sc.items if isinstance(i, Expectation)]
    assert [(e.obligation.text, e.due.text if e.due else None, e.outcome.text if e.outcome else None,
             e.done.text if e.done else None, e.absent) for e in expects] == [
        ("core", "2024-01-22", "met", "2024-01-19", False), ("core", None, "overdue", None, False),
        ("visits", None, None, None, True)]
    assert expects[0].span.line == 8 and expects[0].span.column == 3


@pytest.mark.parametrize(("text", "code", "line", "column"), [
    ('tests "a.policy"\nscenario "x"\n  2024-01-08 icpc\n  expekt core met\n', "E101", 4, 3),
    ('tests "a.policy"\nscenario "x"\n  expect core due\n', "E104", 3, 17),
    ('tests "a.policy"\nscenario "x\n', "E102", 2, 10),
    ('tests "a.policy"\nscenario "x"\n  2024-01-08 icpc; visit\n', "E103", 3, 18),
    ("", "E003", 1, 1),
])
def test_syntax_errors_have_file_line_and_column(text: str, code: str, line: int, column: int) -> None:
    tree, diags = _parse(text)
    assert tree is None
    (d,) = diags
    assert (d.code, d.file, d.span.line, d.span.column) == (code, "t.policy-test", line, column)


def _policy_dir(tmp_path: Path) -> Path:
    """A copy of the shipped policies (the vocabulary and Somerset), to change freely."""
    shutil.copy(POLICIES / "vocabulary.policy", tmp_path / "vocabulary.policy")
    shutil.copytree(POLICIES / "somerset", tmp_path / "somerset")
    return tmp_path / "somerset"


def test_names_are_checked_against_the_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _policy_dir(tmp_path)
    test = folder / "bad.policy-test"
    test.write_text('tests "practice-standards-2023.policy"\n\nscenario "Bad names"\n  2024-01-08 icpcc\n'
                    '  as of 2024-03-08\n  expect core_groupz met\n  expect core_groups late\n'
                    '  expect core_groups due 2024-02-30 met\n\nscenario "No date"\n  expect core_groups met\n',
                    encoding="utf-8")
    run, missing = run_tests([test])
    assert missing == [] and run.failed and run.results == []
    found = sorted((d.code, d.span.line, d.span.column) for d in run.diagnostics)
    assert found == [("E204", 8, 26), ("E802", 4, 14), ("E803", 6, 10), ("E804", 10, 10), ("E806", 7, 22)]
    assert main(["test", str(test)]) == 1
    err = capsys.readouterr().err
    assert "bad.policy-test:4:14: error[E802]: unknown event `icpcc`" in err
    assert "did you mean `icpc`?" in err and "did you mean `met_late`?" in err


def test_a_missing_policy_is_reported(tmp_path: Path) -> None:
    test = tmp_path / "x.policy-test"
    test.write_text('tests "nowhere.policy"\nscenario "x"\n  as of 2024-01-01\n  expect a met\n', encoding="utf-8")
    run, _ = run_tests([test])
    assert [(d.code, d.span.line, d.span.column) for d in run.diagnostics] == [("E801", 1, 7)]


def _count_scenarios(path: Path) -> int:
    tree, diags = parse_tests(SourceFile(str(path), path.read_text(encoding="utf-8")))
    assert tree is not None, diags
    return len(tree.scenarios)


def test_every_shipped_policy_has_at_least_five_scenarios() -> None:
    for policy in sorted(POLICIES.rglob("*.policy")):
        if policy.name == "vocabulary.policy":
            continue
        test = policy.with_name(policy.name + "-test")
        assert test.is_file(), f"{policy} has no scenario tests"
        assert _count_scenarios(test) >= 5, f"{test} has fewer than 5 scenarios"


def test_shipped_scenarios_pass_through_the_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["test", "policies/"]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert " 0 failed" in out and "FAIL" not in out


def test_a_scenario_fails_when_the_timing_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Core groups every 6 weeks instead of every 4: the scenario written from 3.17 fails, with the quote."""
    folder = _policy_dir(tmp_path)
    policy = folder / "practice-standards-2023.policy"
    text = policy.read_text(encoding="utf-8")
    changed = text.replace("must hold core_group_meeting every 4 weeks", "must hold core_group_meeting every 6 weeks")
    assert changed != text
    policy.write_text(changed, encoding="utf-8")
    test = folder / "practice-standards-2023.policy-test"
    assert main(["test", str(test)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "Core groups" in out
    assert "expected core_groups due 2024-02-05 met on 2024-01-19" in out
    assert "actual (reference): triggered 2024-01-08 due 2024-02-19 met on 2024-01-19" in out
    assert "clause 3.17: “A Core Group meeting must take place every 4 weeks" in out
    assert main(["test", str(test), "--format", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out)
    failures = root.findall(".//testcase/failure")
    assert failures and "core_groups" in (failures[0].text or "")
    assert int(root.find("testsuite").get("failures")) >= 1  # type: ignore[union-attr]


def test_all_three_engines_agree_on_a_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test = POLICIES / "somerset" / "practice-standards-2023.policy-test"
    assert main(["test", str(test), "--engine", "reference", "--engine", "python", "--engine", "duckdb", "-v"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok    ") == _count_scenarios(test)


def test_a_policy_file_names_its_tests(capsys: pytest.CaptureFixture[str]) -> None:
    policy = POLICIES / "national" / "working-together-2023.policy"
    assert main(["test", str(policy)]) == 0
    assert "in 1 file: " in capsys.readouterr().out


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(tmp_path / "missing")]) == 2
    assert main(["test", str(tmp_path)]) == 2
    assert "no *.policy-test files" in capsys.readouterr().err

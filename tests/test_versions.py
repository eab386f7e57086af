"""Versions of a document: the version in force in checks, the site, `compare` and `audit`, and `diff`
against git history. The fixture is a Somerset version 5 (tests/fixtures/versions/somerset/), a copy
of version 4 with core groups every 6 weeks, effective 1 April 2025, copied beside version 4."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.analyses.check import check_paths
from compiler.audit.engines import run_all
from compiler.audit.versions import evaluate_versions, judging_version
from compiler.cli.main import main
from compiler.model.semantics import Child, Record, attributes_used
from compiler.model.versions import history, in_force, series_of

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "versions" / "somerset" / "practice-standards-2025.policy"
V4 = "policies/somerset/practice-standards-2023.policy"
V5 = "policies/somerset/practice-standards-2025.policy"
CJF = "policies/somerset/childs-journey-framework-2021.policy"
SWITCH = dt.date(2025, 4, 1)


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's policies (and home page) with Somerset's version 5 beside version 4."""
    shutil.copytree(ROOT / "policies", tmp_path / "policies", ignore=shutil.ignore_patterns("*.policy-test"))
    shutil.copy(FIXTURE, tmp_path / V5)
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "index.md", tmp_path / "docs" / "index.md")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _policies(folder: Path, files: dict[str, str]) -> list:
    for name, text in files.items():
        _write(folder / name, text)
    result = check_paths([folder], [], analyse=False)
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    return sorted(result.policies, key=lambda p: p.path)


def _doc(title: str, version: str, effective: str, extra: str = "") -> str:
    return f'policy "{title}"\n  authority "Test Council"\n  version "{version}"\n  effective {effective}\n{extra}'


def test_series_and_the_version_in_force(tmp_path: Path) -> None:
    ps = _policies(tmp_path, {
        "a1.policy": _doc("A", "1", "2020-01-01"),
        "a2.policy": _doc("A", "2", "2022-01-01"),
        "a3.policy": _doc("A", "3", "2024-01-01", "  draft\n"),
        "b.policy": _doc("B", "1", "2021-06-01"),
        "renamed.policy": _doc("B, renamed", "2", "2023-01-01", '  supersedes "b.policy"\n'),
        "c1.policy": _doc("C", "1", "2020-01-01"),  # same title and date: two documents, not two versions
        "c2.policy": _doc("C", "1", "2020-01-01"),
    })
    by_name = {Path(p.path).name: p for p in ps}
    series = series_of(ps)
    assert [[Path(v.path).name for v in s.versions] for s in series] == [
        ["a1.policy", "a2.policy", "a3.policy"], ["b.policy", "renamed.policy"], ["c1.policy"], ["c2.policy"]]
    a = series[0]
    assert a.in_force() is by_name["a2.policy"]  # the draft is never in force
    assert a.in_force(dt.date(2021, 12, 31)) is by_name["a1.policy"]
    assert a.in_force(dt.date(2022, 1, 1)) is by_name["a2.policy"]
    assert a.in_force(dt.date(2019, 1, 1)) is None
    assert a.period(by_name["a1.policy"]) == (dt.date(2020, 1, 1), dt.date(2022, 1, 1))
    assert a.period(by_name["a2.policy"]) == (dt.date(2022, 1, 1), None)
    assert {Path(p.path).name for p in in_force(ps)} == {"a2.policy", "renamed.policy", "c1.policy", "c2.policy"}
    assert {Path(p.path).name for p in history(ps)} == {"a1.policy", "a3.policy", "b.policy"}
    # an occurrence before the first version is judged by the first
    assert judging_version(a, dt.date(2019, 1, 1)) is by_name["a1.policy"]


def test_header_fields_round_trip_through_fmt(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.policy", 'policy "X"\n  version "2"\n  supersedes "old.policy"\n  draft\n')
    assert main(["fmt", "--check", str(path)]) == 0
    result = check_paths([path], [], analyse=False)
    (p,) = result.policies
    assert (p.supersedes, p.draft) == ("old.policy", True)


def test_versions_out_of_order_are_found(tmp_path: Path) -> None:
    _write(tmp_path / "a1.policy", _doc("A", "1", "2024-01-01"))
    _write(tmp_path / "a2.policy", _doc("A, new title", "2", "2023-01-01", '  supersedes "a1.policy"\n'))
    _write(tmp_path / "a3.policy", _doc("A, third", "3", "2023-01-01", '  supersedes "a2.policy"\n'))
    result = check_paths([tmp_path], [])
    found = sorted((Path(d.file).name, d.message) for d in result.diagnostics if d.code == "W520")
    assert found == [
        ("a2.policy", "version 2, effective 2023-01-01 supersedes version 1, effective 2024-01-01, which takes effect later"),
        ("a3.policy", "version 3, effective 2023-01-01 and version 2, effective 2023-01-01 of “A, third” take effect "
                      "on the same day")]


def test_a_missing_superseded_file_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.policy", 'policy "X"\n  supersedes "gone.policy"\n')
    result = check_paths([path], [], analyse=False)
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics] == [("E215", 2, 14)]


def test_a_vocabulary_has_no_versions_fields(tmp_path: Path) -> None:
    path = _write(tmp_path / "v.policy", 'vocabulary "V"\n  draft\n')
    result = check_paths([path], [], analyse=False)
    assert [d.code for d in result.diagnostics] == ["E212"]


def _w508_files(tree: Path, *paths: str) -> dict[str, list[str]]:
    result = check_paths([tree / "policies" / "somerset"], [], [tree / "policies" / "national"])
    out: dict[str, list[str]] = {}
    for d in result.diagnostics:
        if d.code == "W508":
            out.setdefault(d.file, []).append(d.message)
    return out


def test_checks_across_documents_use_the_version_in_force(tree: Path) -> None:
    found = _w508_files(tree)
    assert V4 not in found and V5 in found  # version 4 is history: no cross-document findings
    assert not any("core group meeting while child protection plan: every 6 weeks against every 4 weeks" in m
                   for m in found[V5])
    # as a draft, version 5 is not in force: version 4 is compared with the framework again
    text = (tree / V5).read_text(encoding="utf-8")
    (tree / V5).write_text(text.replace('  supersedes "practice-standards-2023.policy"\n',
                                        '  supersedes "practice-standards-2023.policy"\n  draft\n'), encoding="utf-8")
    found = _w508_files(tree)
    assert V5 not in found
    assert any("every 6 weeks against every 4 weeks" in m for m in found[V4])


def _columns(capsys: pytest.CaptureFixture[str], *args: str) -> list[tuple[str, str]]:
    assert main(["compare", "policies/somerset", "--format", "json", *args]) == 0
    return [(c["path"], c["version"]) for c in json.loads(capsys.readouterr().out)["columns"]]


def test_compare_as_of_a_date(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _columns(capsys) == [(CJF, "3.0"), (V5, "5")]
    assert _columns(capsys, "--as-of", "2025-03-31") == [(CJF, "3.0"), (V4, "4")]
    assert _columns(capsys, "--as-of", "2025-04-01") == [(CJF, "3.0"), (V5, "5")]
    assert _columns(capsys, "--all-versions") == [(CJF, "3.0"), (V4, "4"), (V5, "5")]
    assert main(["compare", "policies/somerset", "--as-of", "2020-01-01"]) == 2
    with pytest.raises(SystemExit) as exit_:
        main(["compare", "policies/somerset", "--as-of", "1 April"])
    assert exit_.value.code == 2


def test_site_shows_the_version_in_force_and_keeps_history(tree: Path) -> None:
    from compiler.build.assemble import compute

    res = compute(tree)
    assert not res.errors
    out = res.outputs
    site = "generated/site"
    hist = out[f"{site}/authorities/somerset/history/practice-standards-2023.md"]
    assert hist.startswith("# The Somerset Children's Services Practice Standards: version 4, effective 2023-07-01")
    assert "In force from 2023-07-01 until 2025-04-01." in hist
    assert "## What changed in the next version:" in hist and "every 4 weeks → every 6 weeks" in hist
    assert "## Findings: " in hist
    assert f"{site}/authorities/somerset/practice-standards-2025/obligations.md" in out
    assert f"{site}/authorities/somerset/practice-standards-2023/obligations.md" not in out
    nav = json.loads(out[f"{site}/nav.json"])
    somerset = next(entry["Somerset County Council"] for entry in nav[0]["Authorities"][1:]
                    if "Somerset County Council" in entry)
    history = next(e["History"] for e in somerset if isinstance(e, dict) and "History" in e)
    assert [list(h.values())[0] for h in history] == ["authorities/somerset/history/practice-standards-2023.md"]
    titles = [list(e)[0] for e in somerset if isinstance(e, dict)]
    assert titles.count("The Somerset Children's Services Practice Standards") == 1
    assert "practice-standards-2025" in out[f"{site}/compare.md"] and V4 not in out[f"{site}/compare.md"]
    index = out[f"{site}/authorities/somerset/index.md"]
    assert "Earlier versions and drafts:" in index and "(history/practice-standards-2023.md)" in index
    home = out[f"{site}/documents.md"]  # spliced into docs/index.md by the mkdocs hook
    assert "| Somerset County Council | [The Somerset Children's Services Practice Standards](authorities/somerset/practice-standards-2025/index.md) | 5 | 2025-04-01 |" in home
    assert "somerset/practice-standards-2023/index.md" not in home


# ---- audit: each occurrence judged by the version in force on its trigger date ---------------------------------
def _child(child_id: str, first_row: int, events: list[tuple[str, str]]) -> Child:
    """Row numbers are unique across children, as in an events file."""
    return Child(child_id, dt.date(2015, 1, 1),
                 tuple(Record(first_row + i, e, dt.date.fromisoformat(d)) for i, (e, d) in enumerate(events)))


# Child A: plan from 6 January 2025, core groups every 4 weeks under version 4; the meeting due 11 April
# (triggered 14 March, under version 4) is held late on 25 April; the next, triggered 25 April, is version 5's:
# due 6 weeks later, 6 June. Child B: plan from 7 April 2025, version 5 throughout: 6-weekly.
CHILDREN = [
    _child("A", 1, [("icpc", "2025-01-06"), ("cp_plan_start", "2025-01-06"), ("core_group_meeting", "2025-01-17"),
                 ("core_group_meeting", "2025-02-14"), ("core_group_meeting", "2025-03-14"),
                 ("core_group_meeting", "2025-04-25")]),
    _child("B", 7, [("icpc", "2025-04-07"), ("cp_plan_start", "2025-04-07"), ("core_group_meeting", "2025-04-17"),
                 ("core_group_meeting", "2025-05-29")]),
]
AS_OF = dt.date(2025, 6, 30)
EXPECTED_CORE_GROUPS = [  # child, trigger, due, done, outcome: counted by hand
    ("A", "2025-01-06", "2025-02-03", "2025-01-17", "met"),
    ("A", "2025-01-17", "2025-02-14", "2025-02-14", "met"),
    ("A", "2025-02-14", "2025-03-14", "2025-03-14", "met"),
    ("A", "2025-03-14", "2025-04-11", "2025-04-25", "met_late"),
    ("A", "2025-04-25", "2025-06-06", None, "overdue"),
    ("A", "2025-06-06", "2025-07-18", None, "pending"),
    ("B", "2025-04-07", "2025-05-19", "2025-04-17", "met"),
    ("B", "2025-04-17", "2025-05-29", "2025-05-29", "met"),
    ("B", "2025-05-29", "2025-07-10", None, "pending"),
]


def _core_groups(rows: list) -> list[tuple]:
    return [(r.child_id, str(r.trigger_date), str(r.due_date), str(r.done_date) if r.done_date else None, r.outcome)
            for r in rows if r.obligation == "core_groups"]


def test_audit_by_version_in_force_through_every_engine(tree: Path) -> None:
    result = check_paths([tree / V4, tree / V5], [], analyse=False)
    (series,) = series_of(result.policies)
    attrs = sorted({a for v in series.versions for a in attributes_used(v)})
    per_version = {id(v): run_all(v, CHILDREN, AS_OF, attrs) for v in series.versions}
    outcomes = {}
    for engine in ("reference", "python", "duckdb"):
        rows, counts = evaluate_versions(series, lambda v, e=engine: per_version[id(v)][e], AS_OF)
        outcomes[engine] = rows
        assert [c.policy.version for c in counts] == ["4", "5"]
        assert [(c.start, c.until) for c in counts] == [(dt.date(2023, 7, 1), SWITCH), (SWITCH, None)]
        assert _core_groups(rows) == EXPECTED_CORE_GROUPS
    assert outcomes["reference"] == outcomes["python"] == outcomes["duckdb"]
    for r in outcomes["reference"]:  # every occurrence from the version in force on its trigger date
        assert (r.trigger_date < SWITCH) == (judging_version(series, r.trigger_date).version == "4")


def test_audit_cli_with_several_versions(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tree / "events.csv"
    with events.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["child_id", "event", "date"])
        for c in CHILDREN:
            w.writerows((c.child_id, r.event, r.date.isoformat()) for r in c.records)
    outputs = {}
    for engine in ("duckdb", "python"):
        out = tree / f"rows-{engine}.json"
        assert main(["audit", "--policy", V4, V5, "--events", str(events), "--as-of", AS_OF.isoformat(),
                     "--engine", engine, "--format", "json", "--out", str(out)]) == 0
        text = capsys.readouterr().out
        assert "version 4, effective 2023-07-01 (policies/somerset/practice-standards-2023.policy, in force from " \
               "2023-07-01 until 2025-04-01) judged" in text
        doc = json.loads(out.read_text(encoding="utf-8"))
        outputs[engine] = doc["rows"]
        versions = {v["version"]: v["occurrences"] for v in doc["versions"]}
        rows = [r for r in doc["rows"] if r["outcome"] != "not_applicable"]
        assert sum(versions.values()) == len(rows) and versions["4"] > 0 and versions["5"] > 0
        core = [(r["child_id"], r["trigger_date"], r["due_date"], r["done_date"], r["outcome"])
                for r in doc["rows"] if r["obligation"] == "core_groups"]
        assert core == EXPECTED_CORE_GROUPS
    assert outputs["duckdb"] == outputs["python"]
    # two different documents cannot be audited together
    assert main(["audit", "--policy", V4, CJF, "--events", str(events)]) == 2
    assert "audit the versions of one document at a time" in capsys.readouterr().err


# ---- diff against git history -------------------------------------------------------------------------------------
def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


def test_diff_against_git_history(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Version 4 committed, then replaced in place by version 5: the change comes from git, with the
    vocabulary as it was in that revision (the working copy's vocabulary is then broken on purpose)."""
    (tree / V5).unlink()
    _git(tree, "init", "-q")
    _git(tree, "add", "policies")
    _git(tree, "commit", "-qm", "version 4")
    v5 = FIXTURE.read_text(encoding="utf-8").replace('  supersedes "practice-standards-2023.policy"\n', "")
    (tree / V4).write_text(v5, encoding="utf-8")
    assert main(["diff", "--rev", "HEAD", V4]) == 0
    md = capsys.readouterr().out
    assert md.startswith("## Changes to The Somerset Children's Services Practice Standards (4 → 5)")
    loosened = md.split("### Loosened (2)")[1].split("###")[0]
    assert "- **core\\_groups** Core group meetings every 6 weeks (3.17): every 4 weeks → every 6 weeks" in loosened
    assert "> 3.17: “A Core Group meeting must take place every 4 weeks" in loosened
    assert "### Re-worded (2)" in md and "### Tightened" not in md
    _git(tree, "commit", "-qam", "version 5")
    assert main(["diff", "HEAD~1..HEAD", "policies/", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["old"]["path"] == "HEAD~1:" + V4 and doc["new"]["version"] == "5"
    assert [c["id"] for c in doc["changes"]["loosened"]] == ["core_groups", "core_groups_table"]
    # the old revision is read with its own vocabulary, whatever the working copy holds now
    (tree / "policies" / "vocabulary.policy").write_text("vocabulary broken", encoding="utf-8")
    assert main(["diff", "HEAD~1..HEAD", "policies/somerset"]) == 0
    assert "every 4 weeks → every 6 weeks" in capsys.readouterr().out
    # a new version in its own file is compared with the version it supersedes, as committed
    _git(tree, "checkout", "policies/vocabulary.policy")
    shutil.copy(FIXTURE, tree / V5)
    assert main(["diff", "--rev", "HEAD~1", V5]) == 0
    md = capsys.readouterr().out
    assert "(4 → 5)" in md and "every 4 weeks → every 6 weeks" in md
    assert main(["diff", "--rev", "no-such-rev", V4]) == 2
    assert "`no-such-rev` is not a revision" in capsys.readouterr().err

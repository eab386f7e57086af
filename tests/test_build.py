"""`policyc build`: deterministic, and `--check` notices stale and stray files."""

from __future__ import annotations

import shutil
from pathlib import Path

from compiler.build import assemble as B
from compiler.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def test_build_is_byte_identical_from_run_to_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    first = B.compute(ROOT)
    second = B.compute(ROOT)
    assert not first.errors
    assert first.outputs == second.outputs
    assert "generated/site/nav.json" in first.outputs and any(k.endswith("process-map.dot") for k in first.outputs)
    assert all(k.startswith("generated/") for k in first.outputs), "the build writes only inside generated/"


def test_shipped_generated_files_are_up_to_date(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["build", "--check"]) == 0, capsys.readouterr().out


def test_check_lists_stale_and_stray_files(tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    for name in ("policies", "docs", "generated"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "generated" / "stray.md").write_text("left behind\n")
    dot = next((project / "generated").rglob("process-map.dot"))
    dot.write_text("digraph changed {}\n")
    monkeypatch.chdir(project)
    code = main(["build", "--check"])
    out = capsys.readouterr().out
    assert code == 1
    assert "stale: generated/stray.md (no longer generated)" in out
    assert f"stale: {dot.relative_to(project)} (out of date)" in out
    assert main(["build"]) == 0
    assert main(["build", "--check"]) == 0

"""`policyc build` on its files, through the CLI: it writes and deletes only regular files inside
generated/, never through a symbolic link, refuses output paths that collide, does the same from any
folder of the project, and without Graphviz says so once and leaves the SVG maps alone."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POLICY = '''policy "Town practice standards"
  authority "Town Council"
  uses "../vocabulary.policy"

obligation visits "Visits"
  while child_protection
  social_worker must do statutory_visit every 2 weeks
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "policies" / "town").mkdir(parents=True)
    shutil.copy(ROOT / "policies" / "vocabulary.policy", root / "policies" / "vocabulary.policy")
    (root / "policies" / "town" / "standards.policy").write_text(POLICY, encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.policyc]\n", encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_symlinked_managed_folder_touches_nothing_outside(policyc, project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "sentinel.txt").write_text("keep me\n")
    (outside / "town").mkdir()
    (outside / "town" / "stale.md").write_text("not the build's\n")
    (project / "generated").symlink_to(outside, target_is_directory=True)
    before = snapshot(outside)
    for command in ("build", "build --check"):
        run = policyc(command, cwd=project)
        assert run.code == 2, run
        assert "generated/ is a symbolic link" in run.err and "nothing was written" in run.err
        assert snapshot(outside) == before


def test_a_symlink_inside_the_managed_folder_is_refused(policyc, project, tmp_path):
    assert policyc("build", cwd=project).code == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "sentinel.txt").write_text("keep me\n")
    site = project / "generated" / "site" / "authorities"
    shutil.rmtree(site)
    site.symlink_to(outside, target_is_directory=True)
    run = policyc("build", cwd=project)
    assert run.code == 2 and "generated/site/authorities is a symbolic link" in run.err
    assert snapshot(outside) == {"sentinel.txt": b"keep me\n"}


def test_a_symlinked_output_file_is_not_written_through(policyc, project, tmp_path):
    assert policyc("build", cwd=project).code == 0
    target = tmp_path / "precious.txt"
    target.write_text("precious\n")
    info = project / "generated" / "BUILD-INFO.md"
    info.unlink()
    info.symlink_to(target)
    run = policyc("build", cwd=project)
    assert run.code == 2 and "generated/BUILD-INFO.md is a symbolic link" in run.err
    assert target.read_text() == "precious\n"


def test_two_policies_with_one_slug_collide(policyc, project):
    (project / "policies" / "town" / "older").mkdir()
    (project / "policies" / "town" / "older" / "standards.policy").write_text(
        POLICY.replace("../vocabulary", "../../vocabulary"), encoding="utf-8")
    run = policyc("build", cwd=project)
    assert run.code == 1
    assert "would both write" in run.err and "policies/town/older/standards.policy" in run.err
    assert not (project / "generated").exists()


def test_an_authority_folder_may_not_take_a_name_the_build_uses(policyc, project):
    (project / "policies" / "town").rename(project / "policies" / "site")
    run = policyc("build", cwd=project)
    assert run.code == 1 and "policies/site/" in run.err
    assert not (project / "generated").exists()


def test_the_build_is_the_same_from_a_subfolder(policyc, project):
    assert policyc("build", cwd=project).code == 0
    from_root = snapshot(project / "generated")
    shutil.rmtree(project / "generated")
    run = policyc("build", cwd=project / "policies" / "town")
    assert run.code == 0, run.err
    assert snapshot(project / "generated") == from_root
    assert not [name for name, data in from_root.items() if str(project).encode() in data]
    assert policyc("build --check", cwd=project / "policies").code == 0


def test_without_graphviz_svg_maps_are_left_alone_and_said_once(policyc, project, monkeypatch):
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz to draw the maps first")
    assert policyc("build", cwd=project).code == 0
    maps = sorted((project / "generated").rglob("process-map.svg"))
    assert maps
    before = snapshot(project / "generated")
    bin_dir = Path(shutil.which("python3") or "/usr/bin/python3").parent
    monkeypatch.setenv("PATH", os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep)
                                                 if not (Path(d) / "dot").exists()) or str(bin_dir))
    assert shutil.which("dot") is None
    for command in ("build --check", "build"):
        run = policyc(command, cwd=project)
        assert run.code == 0, run.out + run.err
        notes = [line for line in run.out.splitlines() if "Graphviz" in line]
        assert len(notes) == 1 and "not installed" in notes[0], run.out
        assert "stale" not in run.out
    assert snapshot(project / "generated") == before


def test_an_output_path_that_would_escape_is_refused(policyc, project):
    (project / "policies" / "town" / "standards.policy").rename(project / "policies" / "town" / "...policy")
    run = policyc("build", cwd=project)
    assert run.code == 2 and "is not a plain path inside generated/" in run.err
    assert not (project / "generated").exists()
    assert sorted(p.name for p in project.iterdir()) == ["policies", "pyproject.toml"]

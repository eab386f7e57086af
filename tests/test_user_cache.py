"""The user's cache folder (dsl.user_cache) and the analysed grammar kept in it (dsl.parser)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dsl import parser, user_cache  # noqa: E402

POLICY = ROOT / "policies" / "somerset" / "practice-standards-2023.policy"

# parse a policy in a new process and print its AST's repr: the same text with the grammar built or loaded
PARSE = ("import sys; from pathlib import Path; from dsl.parser import parse; from dsl.source import read_source; "
         "tree, diags = parse(read_source(Path(sys.argv[1]))); print(repr(tree)); print(len(diags))")


def test_the_folder_is_the_users_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = user_cache.cache_folder()
    assert folder == tmp_path / "policyc"
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)  # another user could write to it: not used
    assert user_cache.cache_folder() is None
    folder.chmod(0o700)
    assert user_cache.cache_folder() == folder
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # cannot be made
    assert user_cache.cache_folder() is None


def test_a_link_is_not_private(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert user_cache.private(target) and not user_cache.private(link)


def test_the_grammar_file_is_named_for_the_grammar_and_not_used_if_others_can_write_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    grammar = parser.GRAMMAR_PATH.read_text(encoding="utf-8")
    kept = parser._grammar_cache(grammar)
    assert kept is not None and kept.parent == tmp_path / "policyc"
    assert parser._grammar_cache(grammar + "\n") != kept  # another grammar, another file
    kept.write_bytes(b"")
    kept.chmod(0o666)
    assert parser._grammar_cache(grammar) is None


def test_a_policy_parses_the_same_with_the_grammar_built_then_loaded(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, "-c", PARSE, str(POLICY)], capture_output=True, text=True, env=env,
                           cwd=ROOT, check=True).stdout for _ in range(2)]
    kept = list((tmp_path / "policyc").glob("grammar-*.pickle"))
    assert len(kept) == 1 and kept[0].stat().st_size > 0  # written by the first run, read by the second
    assert runs[0] == runs[1] and runs[0].startswith("PolicyFile(")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    env["XDG_CACHE_HOME"] = str(tmp_path / "a-file" / "cache")  # no cache folder can be made
    without = subprocess.run([sys.executable, "-c", PARSE, str(POLICY)], capture_output=True, text=True, env=env,
                             cwd=ROOT, check=True).stdout
    assert without == runs[0]


def test_the_grammar_file_is_made_the_users_alone_under_a_group_umask(tmp_path: Path) -> None:
    """Where the umask is 002 (Debian's user groups), Lark writes the file group-writable; it is then made
    the user's alone, so the next command uses it."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    subprocess.run(["bash", "-c", f'umask 002 && "{sys.executable}" -c "$0" "$1"', PARSE, str(POLICY)], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    kept = list((tmp_path / "policyc").glob("grammar-*.pickle"))
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o777 == 0o600 and user_cache.private(kept[0])

"""No input makes policyc print a traceback: hostile files, and mutated valid policies (hypothesis)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.analyses.check import check_paths
from dsl.parser import parse
from dsl.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = {
    "empty": b"",
    "binary": b"\x00\xff\xfe junk \x1b[31m" * 20,
    "long_line": b"x" * 1_000_000,
    "long_string": b'policy "' + b"a" * 1_000_000 + b'"\n',
    "unterminated": b'policy "never closed\n',
    "deep_nesting": b"policy \"P\"\n" + b"(" * 100_000,
    "invalid_utf8": b'policy "P"\n  authority "\xc3\x28"\n',
    "bom": b'\xef\xbb\xbfpolicy "P"\n',
    "only_comments": b"# nothing here\n# at all\n",
    "nul_in_string": b'policy "a\x00b"\n',
    "crlf": b'policy "P"\r\n  authority "A"\r\n',
    "many_declarations": b'policy "P"\n' + b'role r "R"\n' * 1,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gives_diagnostics_not_tracebacks(name, tmp_path):
    path = tmp_path / f"{name}.policy"
    path.write_bytes(HOSTILE[name])
    r = subprocess.run([sys.executable, "-m", "compiler.cli", "check", str(path)], capture_output=True, text=True,
                       timeout=120, cwd=ROOT)
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert "checked" in r.stdout


def _valid_policy_texts() -> list[str]:
    files = sorted((ROOT / "policies").rglob("*.policy"))
    return [f.read_text(encoding="utf-8") for f in files][:8]


TEXTS = _valid_policy_texts()
NOISE = st.sampled_from(["withn", "evry", "->", "{", "}", ":", "working_dayz", "9999-99-99", "éè", '"', "\\",
                         "must", "within", "of", "then", "every", "\n", "  ", "#", "0", "1st", "§", "\x00"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_policies_never_raise(data, tmp_path_factory):
    text = data.draw(st.sampled_from(TEXTS))
    lines = text.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "cut", "insert", "swap"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
        elif op == "insert":
            pos = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + " " + data.draw(NOISE) + " " + lines[i][pos:]
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    mutated = "".join(lines)
    tree, diags = parse(SourceFile("m.policy", mutated))
    assert tree is not None or diags
    folder = tmp_path_factory.mktemp("m")
    (folder / "vocabulary.policy").write_text((ROOT / "policies" / "vocabulary.policy").read_text(), encoding="utf-8")
    sub = folder / "x"
    sub.mkdir()
    (sub / "m.policy").write_text(mutated, encoding="utf-8")
    result = check_paths([sub / "m.policy"], [])
    for d in result.diagnostics:
        assert d.code and d.message and d.span.line >= 0

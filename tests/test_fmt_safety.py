"""The formatter's three safety checks (same tree, idempotent, comments kept) run on every format:
a layout that broke any of them is refused, and `policyc fmt` leaves the file as it was."""

from __future__ import annotations

import pytest

from dsl import formatter
from dsl.formatter import UnsafeFormat, format_source
from dsl.parser import parse
from dsl.source import SourceFile

TEXT = '''# a comment of its own
policy "P"
  authority "A"

obligation visit "Visit"  # a trailing comment
  social_worker must do statutory_visit every 2 weeks
'''


def _tree(text: str):
    tree, diags = parse(SourceFile("p.policy", text))
    assert tree is not None, diags
    return tree


def test_a_good_layout_passes_all_three_checks():
    assert format_source(_tree(TEXT), SourceFile("p.policy", TEXT)) == TEXT


@pytest.mark.parametrize(("broken", "check"), [
    (lambda text: text.replace("every 2 weeks", "every 3 weeks"), "same tree"),
    (lambda text: text.replace("  # a trailing comment", ""), "comments kept"),
    (lambda text: text + "# once more\n", "idempotent"),  # a comment added on every pass
])
def test_each_check_refuses_a_layout_that_breaks_it(monkeypatch, broken, check):
    real = formatter.format_file
    monkeypatch.setattr(formatter, "format_file", lambda tree, text: broken(real(tree, text)))
    with pytest.raises(UnsafeFormat) as err:
        format_source(_tree(TEXT), SourceFile("p.policy", TEXT))
    assert err.value.check == check


def test_fmt_leaves_the_file_alone_when_a_check_fails(policyc, tmp_path, monkeypatch):
    path = tmp_path / "p.policy"
    path.write_text(TEXT.replace("obligation visit", "obligation   visit"), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    real = formatter.format_file
    monkeypatch.setattr(formatter, "format_file",
                        lambda tree, text: real(tree, text).replace("  # a trailing comment", ""))
    run = policyc(f"fmt {path}")
    assert run.code == 1
    assert "comments kept" in run.err and "file left as it is" in run.err
    assert path.read_text(encoding="utf-8") == before

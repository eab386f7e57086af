"""`policyc fmt`: idempotent, keeps comments, never changes meaning; on every shipped policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsl.ast import strip_spans
from dsl.formatter import format_file
from dsl.parser import parse
from dsl.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "policies").rglob("*.policy"))


def fmt(text: str) -> str:
    tree, diags = parse(SourceFile("f.policy", text))
    assert tree is not None, diags
    return format_file(tree, text)


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_shipped_policies_are_formatted_and_fmt_is_idempotent(path):
    text = path.read_text(encoding="utf-8")
    once = fmt(text)
    assert fmt(once) == once
    assert once == text, f"{path} is not in canonical layout: run `policyc fmt {path}`"


MESSY = '''# header comment
policy   "P"   authority "A"
   version "1"   # trailing on version
obligation core_group "Core"
      social_worker must hold core_group_meeting first within 10 working days of icpc then every 4 weeks
 cite "3.17" "A \\"quoted\\" thing"    while child_protection
# comment before the role
role chair "Chair"    same as cp_chair
obligation v social_worker must do statutory_visit every 2 weeks   # trailing on duty
'''


def test_fmt_keeps_comments_and_meaning_and_is_idempotent():
    once = fmt(MESSY)
    assert fmt(once) == once
    before, _ = parse(SourceFile("a", MESSY))
    after, _ = parse(SourceFile("b", once))
    assert strip_spans(before) == strip_spans(after)
    for comment in ["# header comment", "# trailing on version", "# comment before the role", "# trailing on duty"]:
        assert comment in once
    assert "  cite \"3.17\" \"A \\\"quoted\\\" thing\"\n  while child_protection\n" in once
    assert "    first within 10 working days of icpc\n    then every 4 weeks\n" in once


def test_fmt_check_through_the_cli(policyc, tmp_path):
    path = tmp_path / "messy.policy"
    path.write_text(MESSY, encoding="utf-8")
    run = policyc(f"fmt --check {path}")
    assert run.code == 1 and "would reformat" in run.out
    assert path.read_text(encoding="utf-8") == MESSY
    assert policyc(f"fmt {path}").code == 0
    assert policyc(f"fmt --check {path}").code == 0


def test_fmt_refuses_a_broken_file(policyc, tmp_path):
    path = tmp_path / "broken.policy"
    path.write_text('policy "P"\nobligation o must\n', encoding="utf-8")
    run = policyc(f"fmt {path}")
    assert run.code == 1 and "E104" in run.err


EXCEPTIONS = '''policy "P"
obligation rule "Rule" unless visits_reduced social_worker should do statutory_visit
  every 2 weeks restart within 1 week of placement_change and must every 1 month
obligation relaxed "Relaxed" social_worker must do statutory_visit every 3 weeks
  unless "formally reduced"   when team is fis decided by service_manager on visits_reduced instead of rule
obligation aim "Aim" all_staff should do message_acknowledged within 24 hours of message_received and must within 3 working days
'''


def test_fmt_round_trips_exceptions_and_aims():
    once = fmt(EXCEPTIONS)
    assert fmt(once) == once
    before, _ = parse(SourceFile("a", EXCEPTIONS))
    after, _ = parse(SourceFile("b", once))
    assert before is not None and strip_spans(before) == strip_spans(after)
    assert ("  instead of rule\n  decided by service_manager on visits_reduced\n  when team is fis\n"
            '  unless "formally reduced"\n  social_worker must do statutory_visit every 3 weeks\n') in once
    assert "    restart within 1 week of placement_change\n    and must every 1 month\n" in once
    assert "within 24 hours of message_received and must within 3 working days\n" in once

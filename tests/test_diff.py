"""`policyc diff OLD NEW`: a second version made by editing a copy of the first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "policies" / "vocabulary.policy"
SWINDON = ROOT / "policies" / "swindon" / "practice-standards-2020.policy"

OLD = '''policy "Test standards"
  authority "Test Council"
  version "1"
  uses "vocabulary.policy"

obligation cp_visits "Children on a plan are visited fortnightly"
  cite "3.1" "seen every two weeks"
  while child_protection
  social_worker must visit statutory_visit every 2 weeks

obligation core_group "Core groups"
  cite "3.2" "first core group within 10 working days"
  while child_protection
  social_worker must hold core_group_meeting within 10 working days of icpc

obligation cin_visits "Children in need are visited"
  cite "4.1" "seen every four weeks"
  while child_in_need
  social_worker must visit statutory_visit every 4 weeks

obligation supervision "Supervision"
  cite "5.1" "supervised every three months"
  team_manager must hold supervision every 3 months

obligation rcpc "Review conferences"
  cite "3.3" "review conference within three months"
  while child_protection
  cp_chair must hold rcpc within 3 months of icpc

obligation minutes "Minutes"
  cite "6.1" "minutes within five working days"
  must do minutes_distributed within 5 working days of icpc
'''

EDITS = [  # (old text, new text): one of each kind of change
    ("statutory_visit every 2 weeks", "statutory_visit every 1 week"),  # cp_visits tightened
    ("within 10 working days of icpc", "within 15 working days of icpc"),  # core_group loosened
    ('cite "4.1" "seen every four weeks"', 'cite "4.1" "seen at least every four weeks"'),  # re-worded quote
    ('obligation supervision "Supervision"', 'obligation supervision "Case supervision"'),  # re-worded title
    ('cite "3.3"', 'cite "3.4"'),  # rcpc re-cited
    ("obligation minutes ", "obligation minutes_distributed "),  # renamed
]
ADDED = '''
obligation pathway "Pathway plans"
  cite "7.1" "a pathway plan by 16 and 3 months"
  while looked_after
  social_worker must complete pathway_plan by age 16 years 3 months
'''


@pytest.fixture
def versions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vocabulary.policy").write_text(VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "old.policy").write_text(OLD, encoding="utf-8")
    new = OLD
    for before, after in EDITS:
        assert before in new
        new = new.replace(before, after, 1)
    new = new.replace('version "1"', 'version "2"') + ADDED
    (tmp_path / "new.policy").write_text(new, encoding="utf-8")
    return tmp_path


def _changes(policyc, old="old.policy", new="new.policy") -> dict:
    run = policyc(f"diff {old} {new} --format json")
    assert run.code == 0, run.err
    return json.loads(run.out)


def _ids(changes: dict, kind: str) -> list[str]:
    return [c["id"] for c in changes["changes"][kind]]


def test_each_kind_of_change(versions, policyc):
    new = (versions / "new.policy").read_text(encoding="utf-8")  # and remove one obligation
    cin_visits = new[new.index("obligation cin_visits"):new.index("obligation supervision")]
    (versions / "new.policy").write_text(new.replace(cin_visits, ""), encoding="utf-8")
    data = _changes(policyc)
    assert _ids(data, "tightened") == ["cp_visits"]
    assert data["changes"]["tightened"][0]["details"] == ["every 2 weeks → every 1 week"]
    assert _ids(data, "loosened") == ["core_group"]
    assert data["changes"]["loosened"][0]["details"] == ["first within 10 working days → first within 15 working days"]
    assert _ids(data, "added") == ["pathway"]
    assert _ids(data, "removed") == ["cin_visits"]
    assert _ids(data, "reworded") == ["supervision"]
    assert _ids(data, "recited") == ["rcpc"]
    assert data["changes"]["recited"][0]["details"] == ["cites 3.3 → 3.4"]
    assert [(c["old_id"], c["new_id"]) for c in data["changes"]["renamed"]] == [("minutes", "minutes_distributed")]
    assert data["changes"]["changed"] == []
    assert data["header"] == ["version: 1 → 2"]


def test_a_changed_quote_is_reworded(versions, policyc):
    data = _changes(policyc)
    reworded = {c["id"]: c["details"] for c in data["changes"]["reworded"]}
    assert reworded["cin_visits"] == ["quote removed: “seen every four weeks”",
                                      "quote added: “seen at least every four weeks”"]
    assert reworded["supervision"] == ["title: “Supervision” → “Case supervision”"]


def test_markdown_for_a_changelog(versions, policyc):
    run = policyc("diff old.policy new.policy")
    assert run.code == 0, run.err
    md = run.out
    assert md.startswith("## Changes to Test standards (1 → 2)")
    for heading in ("### Added (1)", "### Tightened (1)", "### Loosened (1)", "### Re-worded (2)",
                    "### Re-cited (1)", "### Renamed (1)"):
        assert heading in md
    assert "- **cp\\_visits** Children on a plan are visited fortnightly (3.1): every 2 weeks → every 1 week" in md


def test_calendar_dependent_and_equivalent_changes_are_changed(versions, policyc):
    new = OLD.replace("every 2 weeks", "every 10 working days").replace("every 4 weeks", "every 28 days")
    (versions / "new.policy").write_text(new, encoding="utf-8")
    data = _changes(policyc)
    changed = {c["id"]: c["details"] for c in data["changes"]["changed"]}
    assert changed["cp_visits"] == ["every 2 weeks → every 10 working days (stricter on some start dates, laxer on others)"]
    assert changed["cin_visits"] == ["every 4 weeks → every 28 days (the same deadline on every date)"]
    assert data["changes"]["tightened"] == data["changes"]["loosened"] == []


def test_modality_and_vague_timings(versions, policyc):
    new = OLD.replace("must visit statutory_visit every 2 weeks", "should visit statutory_visit every 2 weeks")
    new = new.replace("team_manager must hold supervision every 3 months", "team_manager must hold supervision regularly")
    (versions / "new.policy").write_text(new, encoding="utf-8")
    data = _changes(policyc)
    loosened = {c["id"]: c["details"] for c in data["changes"]["loosened"]}
    assert loosened == {"cp_visits": ["must → should"], "supervision": ["every 3 months → regularly"]}


def test_identical_versions(versions, policyc):
    run = policyc("diff old.policy old.policy")
    assert run.code == 0 and "No obligation changed." in run.out


def test_usage_errors(versions, policyc):
    assert policyc("diff old.policy missing.policy").code == 2
    (versions / "broken.policy").write_text('policy "x"\n  uses "vocabulary.policy"\nobligation', encoding="utf-8")
    assert policyc("diff old.policy broken.policy").code == 1


def test_a_shipped_policy_edited(tmp_path, monkeypatch, policyc):
    assert SWINDON.exists()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vocabulary.policy").write_text(VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")
    old = SWINDON.read_text(encoding="utf-8").replace('uses "../vocabulary.policy"', 'uses "vocabulary.policy"')
    (tmp_path / "old.policy").write_text(old, encoding="utf-8")
    target = "social_worker must visit statutory_visit every 10 working days"
    assert target in old, "Swindon's CP visits were re-encoded: update this test's target line"
    (tmp_path / "new.policy").write_text(old.replace(target, target.replace("10 working days", "5 working days")),
                                         encoding="utf-8")
    data = _changes(policyc)
    assert _ids(data, "tightened") == ["cp_visits"]
    assert sum(len(v) for v in data["changes"].values()) == 1

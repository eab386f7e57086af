"""The five encoded documents and the statutory floor: key obligations through `policyc export`
(number, unit, clause as the document states them), clean checks, and coverage of the source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (ROOT.parent / "shared" / "seeds").resolve()
needs_sources = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source documents not present at {SEEDS}")

DOCUMENTS = {
    "somerset/practice-standards-2023.policy": "somerset-practice-standards-2023.txt",
    "somerset/childs-journey-framework-2021.policy": "somerset-childs-journey-framework-2021.txt",
    "swindon/practice-standards-2020.policy": "swindon-practice-standards-2020.txt",
    "bcp/practice-standards-2023.policy": "bcp-practice-standards-2023.txt",
    "banes/cypss-service-statement-2013.policy": "banes-cypss-service-statement-2013.txt",
}

# (file, obligation id, status, action, trigger, kind, amount, unit, later steps, clause)
KEY_OBLIGATIONS = [
    ("somerset/practice-standards-2023.policy", "cla_reviews", "looked_after", "cla_review", "became_looked_after",
     "schedule", 20, "days", [("within", 3, "months"), ("every", 6, "months")], "3.26"),
    ("somerset/practice-standards-2023.policy", "cla_reviews_table", "looked_after", "cla_review",
     "became_looked_after", "schedule", 20, "working days", [("within", 3, "months"), ("every", 6, "months")],
     "Minimum standards at a glance: Review of the plan, Children Looked After"),
    ("somerset/practice-standards-2023.policy", "cin_visits_table", "child_in_need", "statutory_visit", None,
     "recurrence", 4, "weeks", [], "Minimum standards at a glance: How often the child/ young person will be seen, "
     "Children in Need"),
    ("somerset/practice-standards-2023.policy", "cin_assessment_table", "assessment", "assessment_completed",
     "referral", "deadline", 45, "working days", [], "Minimum standards at a glance: Assessments of circumstances, "
     "Children in Need"),
    ("somerset/childs-journey-framework-2021.policy", "core_group", "child_protection", "core_group_meeting", "icpc",
     "schedule", 10, "days", [("every", 6, "weeks")], "6.2.4"),
    ("somerset/childs-journey-framework-2021.policy", "icpc_timescale", "section_47", "icpc", "strategy_discussion",
     "deadline", 15, "working days", [], "6.2.2"),
    ("somerset/childs-journey-framework-2021.policy", "cla_review", "looked_after", "cla_review",
     "became_looked_after", "schedule", 20, "days", [("within", 3, "months"), ("every", 6, "months")], "7.1.2"),
    ("swindon/practice-standards-2020.policy", "cla_reviews", "looked_after", "cla_review", "became_looked_after",
     "schedule", 20, "working days", [("within", 3, "months"), ("every", 6, "months")], "15.3"),
    ("swindon/practice-standards-2020.policy", "cin_visits", "child_in_need", "statutory_visit", None,
     "recurrence", 4, "weeks", [], "4.3"),
    ("swindon/practice-standards-2020.policy", "cla_visits", "looked_after", "statutory_visit", "placement_start",
     "schedule", 5, "working days", [("every", 1, "weeks"), ("every", 6, "weeks")], "9.1"),
    ("bcp/practice-standards-2023.policy", "assessment_45_days", "assessment", "assessment_completed", "referral",
     "deadline", 45, "working days", [], "16. CFF (S.17 and S.47/CIN and CP), bullet 1"),
    ("bcp/practice-standards-2023.policy", "assessment_20_days", "assessment", "assessment_completed", "referral",
     "deadline", 20, "working days", [], "13. Assessment service, bullet 1"),
    ("bcp/practice-standards-2023.policy", "cla_visits", "looked_after", "statutory_visit", "became_looked_after",
     "schedule", 5, "working days", [("every", 5, "working days"), ("every", 20, "working days")],
     "24. Children in Care (CIC) - visiting, bullet 4"),
    ("banes/cypss-service-statement-2013.policy", "cla_review_first", "looked_after", "cla_review",
     "became_looked_after", "deadline", 4, "weeks", [], "7.1.3"),
]


def export(policyc, rel: str) -> dict:
    run = policyc(f"export {ROOT / 'policies' / rel}")
    assert run.code == 0, run.err
    return json.loads(run.out)


@pytest.mark.parametrize("row", KEY_OBLIGATIONS, ids=[f"{r[0].split('/')[0]}:{r[1]}" for r in KEY_OBLIGATIONS])
def test_key_obligation(row, policyc):
    rel, oid, status, action, trigger, kind, amount, unit, steps, clause = row
    obligations = {o["id"]: o for o in export(policyc, rel)["obligations"]}
    o = obligations[oid]
    t = o["timing"]
    assert (o["status"], o["action"], t["trigger"], t["kind"], t["amount"], t["unit"]) == (
        status, action, trigger, kind, amount, unit)
    assert [(s["kind"], s["amount"], s["unit"]) for s in t["then"]] == steps
    assert o["clause"] == clause


def test_somerset_documents_disagree_and_checks_say_so(policyc):
    run = policyc(f"check {ROOT / 'policies' / 'somerset'} --format json")
    diags = json.loads(run.out)["diagnostics"]
    across = [d for d in diags if d["code"] == "W508"]
    messages = " ".join(d["message"] for d in across)
    assert "every 6 weeks against every 4 weeks" in messages  # core groups
    assert "within 20 days against within 20 working days" in messages  # first looked-after review
    w502 = [d for d in diags if d["code"] == "W513" and "looked-after review" in d["message"]]
    assert w502, "the practice standards' own 20 days / 20 working days clash"


@needs_sources
@pytest.mark.parametrize("rel", sorted(DOCUMENTS))
def test_document_checks_clean_with_every_quote_verified(rel, policyc):
    run = policyc(f"check {ROOT / 'policies' / rel} --source-dir {SEEDS} --format json")
    diags = json.loads(run.out)["diagnostics"]
    assert run.code == 0, [d for d in diags if d["severity"] == "error"][:3]
    assert not [d for d in diags if d["code"] in ("E301", "W302")]


@needs_sources
@pytest.mark.parametrize("rel", sorted(DOCUMENTS))
def test_coverage_at_least_95_percent(rel, policyc):
    run = policyc(f"coverage {ROOT / 'policies' / rel} --source-dir {SEEDS} --format json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["sentences"] > 20
    assert report["percent"] >= 95.0, report["uncovered"][:5]


def test_national_floor_checks_clean(policyc):
    run = policyc(f"check {ROOT / 'policies' / 'national'} --format json")
    assert run.code == 0
    obligations = {o["id"]: o for o in export(policyc, "national/care-planning-regulations-2010.policy")["obligations"]}
    reviews = [o for o in obligations.values() if o["action"] == "cla_review" and o["timing"]["kind"] == "schedule"]
    assert reviews and reviews[0]["timing"]["amount"] == 20 and reviews[0]["timing"]["unit"] == "working days"
    assert [(s["kind"], s["amount"], s["unit"]) for s in reviews[0]["timing"]["then"]] == [
        ("within", 3, "months"), ("every", 6, "months")]


def test_stated_exceptions_and_aims_are_encoded_as_such():
    """No `allow` hides a stated exception (W501/W502/W506); "unless formally reduced" is an `unless`,
    "often ... certainly ..." and "ideally ..., as a minimum ..." are aim-plus-minimum duties, and the
    variants of reg 28 are exceptions to its general rule."""
    from compiler.analyses.check import check_paths

    result = check_paths(sorted((ROOT / "policies").glob("*/*.policy")), [], analyse=False)
    assert not [d for d in result.diagnostics if d.severity.value == "error"]
    for path in (ROOT / "policies").rglob("*.policy"):
        text = path.read_text(encoding="utf-8")
        for code in ("W501", "W502", "W506"):
            assert f"allow {code}" not in text, f"{path.name} suppresses {code}: state the exception with `instead of`"
    obligations = [o for p in result.policies for o in p.obligations]

    def citing(*words: str) -> list:
        return [o for o in obligations if all(any(w in c.quote.lower() for c in o.citations) for w in words)]

    reduced = citing("unless formally reduced")
    assert reduced and all(o.unless for o in reduced)
    for words in (("often within 24 hours", "certainly within"), ("ideally", "as a minimum")):
        found = citing(*words)
        assert found and all(o.aim is not None for o in found), words
    statute = next(p for p in result.policies if p.path.endswith("care-planning-regulations-2010.policy"))
    variants = [o for o in statute.obligations if o.id.startswith("visits_") and o.id != "visits_placement"
                and o.status]
    assert variants and all(o.exception_of == "visits_placement" for o in variants)

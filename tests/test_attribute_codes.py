"""DfE codes become attribute values through the vocabulary's declarations, and conditions that a
dataset can never satisfy are reported before an audit."""

from __future__ import annotations

import csv
import shlex
from pathlib import Path

from compiler.adapters.codes import never_true, unreachable_values
from compiler.analyses.check import check_paths
from compiler.model.ir import AttributeIs

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"

SMALL_VOCAB = '''vocabulary "Codes"

attribute legal_status "Legal status"
  recorded as ssda903 "LS"
  value interim "Interim care order"
    coded as ssda903 "C1"

attribute placement_type "Placement type"
  recorded as ssda903 "PLACE"
  value kin "With a relative or friend"
    coded as ssda903 "U1" or "U3"
  value reg_24 "Temporarily approved connected person"
'''


def q(path: Path) -> str:
    return shlex.quote(str(path))


def _column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh)]


def test_codes_follow_the_vocabulary_not_tables_in_code(policyc, tmp_path):
    vocab = tmp_path / "v.policy"
    vocab.write_text(SMALL_VOCAB, encoding="utf-8")
    out = tmp_path / "ev.csv"
    run = policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(out)} --vocabulary {q(vocab)}")
    assert run.code == 0, run.err
    legal = set(_column(out, "legal_status")) - {""}
    place = set(_column(out, "placement_type")) - {""}
    assert "interim" in legal and "C1" not in legal  # mapped by this vocabulary's own name
    assert "kin" in place and not {"U1", "U3"} & place
    # codes this vocabulary does not declare stay as they are, and the summary says so
    assert "C2" in legal
    assert "LS code `C2`" in run.out and "is not `coded as` any value of `legal_status`" in run.out


def test_the_project_vocabulary_maps_every_code_of_the_fixture(policyc, tmp_path):
    out = tmp_path / "ev.csv"
    run = policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(out)} "
                  f"--vocabulary {q(ROOT / 'policies' / 'vocabulary.policy')}")
    assert run.code == 0, run.err
    assert "is not `coded as`" not in run.out
    assert set(_column(out, "legal_status")) - {""} <= {"interim_care_order", "care_order", "placement_order", "s20"}


def test_a_vocabulary_with_errors_is_a_usage_error(policyc, tmp_path):
    vocab = tmp_path / "v.policy"
    vocab.write_text('vocabulary "V"\n\nattribute a "A"\n  type integer\n', encoding="utf-8")
    run = policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(tmp_path / 'ev.csv')} --vocabulary {q(vocab)}")
    assert run.code == 2
    assert "not a usable vocabulary: unknown attribute type `integer` (line 4)" in run.err


def test_values_without_a_code_are_unreachable_on_that_dataset(write_policy):
    path = write_policy('obligation o "O"\n  cite "1" "some words"\n'
                        "  when placement_type is connected_person_temporary_approval\n"
                        "  social_worker must do statutory_visit every 2 weeks\n"
                        'obligation p "P"\n  cite "1" "some words"\n'
                        "  when placement_type is placed_with_parents or connected_person_temporary_approval\n"
                        "  social_worker must do statutory_visit every 2 weeks\n")
    policy = check_paths([path], [], analyse=False).policies[0]
    assert "connected_person_temporary_approval" in unreachable_values(policy, "ssda903")["placement_type"]
    conditions = [(o.id, c) for o in policy.obligations for c in o.conditions if isinstance(c, AttributeIs)]
    assert never_true(conditions, policy, "ssda903") == [
        "`o`: `when placement_type is connected_person_temporary_approval` can never be true on ssda903 data: "
        "no ssda903 code stands for that value in the vocabulary"]
    assert never_true(conditions, policy, "cin_census") == []  # the CIN census does not record placement type


def test_audit_reports_a_condition_never_true_on_the_dataset_before_running(policyc, tmp_path):
    events = tmp_path / "ev.csv"
    assert policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(events)}").code == 0
    policy = ROOT / "policies" / "national" / "care-planning-regulations-2010.policy"
    run = policyc(f"audit --policy {q(policy)} --events {q(events)} --dataset ssda903 --as-of 2023-01-01 "
                  f"--out {q(tmp_path / 'rows.csv')} --no-progress")
    assert run.code == 0, run.err
    first = run.err.splitlines()[0]
    assert first.startswith("warning: `visits_connected_person_temporary`: `when placement_type is "
                            "connected_person_temporary_approval` can never be true on ssda903 data")


def test_conditions_are_evaluated_on_imported_data(policyc, tmp_path):
    """SSDA903 codes C2 and P1 become care_order and placed_with_parents, which the conditions test."""
    folder = tmp_path / "903"
    folder.mkdir()
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
        "X1,01/04/2022,S,C2,N1,P1,PR1,,\n"
        "Y2,01/04/2022,S,V2,N1,U6,PR1,,\n", encoding="utf-8")
    (folder / "header.csv").write_text("CHILD,SEX,DOB\nX1,1,01/01/2012\nY2,2,02/02/2012\n", encoding="utf-8")
    (folder / "reviews.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\n", encoding="utf-8")
    events = tmp_path / "ev.csv"
    assert policyc(f"import ssda903 {q(folder)} --out {q(events)}").code == 0
    policy = ROOT / "policies" / "national" / "care-planning-regulations-2010.policy"
    rows_out = tmp_path / "rows.csv"
    run = policyc(f"audit --policy {q(policy)} --events {q(events)} --as-of 2022-12-31 --out {q(rows_out)} "
                  "--include-not-applicable --no-progress")
    assert run.code == 0, run.err
    with rows_out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    not_applicable = {(r["child_id"], r["obligation"]) for r in rows if r["outcome"] == "not_applicable"}
    assert ("Y2", "visits_care_order_with_parents") in not_applicable
    assert ("X1", "visits_care_order_with_parents") not in not_applicable
    assert ("X1", "visits_placed_with_parents_before_assessment") not in not_applicable

"""No data is not overdue: `policyc import` declares what the return records (EVENTS_STEM.source.json)
and `policyc audit` reports every duty that needs anything else as `no_data`, with the data item that
would measure it; the as-of date defaults to the end of the return's collection year."""

from __future__ import annotations

import csv
import json
import shlex
from pathlib import Path

from compiler.adapters import cin_census, ssda903
from compiler.analyses.check import check_paths
from compiler.model.semantics import SourceRecords

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "national" / "care-planning-regulations-2010.policy"


def q(path: Path) -> str:
    return shlex.quote(str(path))


def make_return(tmp_path: Path) -> Path:
    folder = tmp_path / "return"
    folder.mkdir()
    (folder / "episodes.csv").write_text("CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n"
                                         "A,01/02/2021,S,C2,U1,,\n"
                                         "B,01/06/2020,S,C2,U1,01/09/2020,E11\n", encoding="utf-8")
    (folder / "reviews.csv").write_text("CHILD,REVIEW,REVIEW_CODE\nA,15/02/2021,PN1\nA,01/06/2022,PN1\n",
                                        encoding="utf-8")
    return folder


def test_import_declares_what_the_return_records(policyc, tmp_path):
    run = policyc(f"import ssda903 {q(make_return(tmp_path))} --out {q(tmp_path / 'events.csv')}")
    assert run.code == 0, run.err
    declared = SourceRecords.from_json((tmp_path / "events.source.json").read_text(encoding="utf-8"))
    assert declared.source == "SSDA903"
    assert set(declared.events) == {"became_looked_after", "placement_start", "placement_change",
                                    "ceased_looked_after", "cla_review"}
    assert declared.facts["collection_year_end"] == "2021-03-31"  # the latest DECOM is 01/02/2021
    assert declared.facts["events_after_collection_year"] == 1  # the review of 01/06/2022
    assert declared.facts["rejects"] == "events.rejects.csv"
    assert "events.source.json" in run.out


def test_audit_reports_no_data_not_overdue(policyc, tmp_path):
    policyc(f"import ssda903 {q(make_return(tmp_path))} --out {q(tmp_path / 'events.csv')}")
    out = tmp_path / "audit.csv"
    run = policyc(f"audit --policy {q(POLICY)} --events {q(tmp_path / 'events.csv')} --out {q(out)} --no-progress")
    assert run.code == 0, run.err
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_duty = {}
    for r in rows:
        by_duty.setdefault(r["obligation"], set()).add(r["outcome"])
    # the SSDA903 return has no visits, care plans or placement plans: never overdue, always no_data
    for duty in ("visits_placement", "care_plan_timescale", "placement_plan_timescale"):
        assert by_duty[duty] == {"no_data"}, (duty, by_duty[duty])
    assert all(r["done_date"] == "" and r["working_days_late"] == "" for r in rows if r["outcome"] == "no_data")
    assert "no_data" not in by_duty["cla_reviews"]  # reviews are in the return
    # its own line, naming the data item that would measure it
    assert "visits_placement: no_data (" in run.out
    assert "`statutory_visit` (the action) is not in the SSDA903 return; recorded as annex_a " \
           "'Date of last statutory visit'" in run.out
    # as of the end of the collection year, with a warning for the row after it
    assert "as of 2021-03-31 (the end of the return's collection year)" in run.out
    assert "warning: 1 used rows are dated after the as-of date 2021-03-31" in run.out
    assert "import problems: 0 in " in run.out and "events.rejects.csv" in run.out


def test_without_a_declaration_everything_is_taken_as_recorded(policyc, tmp_path):
    policyc(f"import ssda903 {q(make_return(tmp_path))} --out {q(tmp_path / 'events.csv')}")
    (tmp_path / "events.source.json").unlink()
    run = policyc(f"audit --policy {q(POLICY)} --events {q(tmp_path / 'events.csv')} --out "
                  f"{q(tmp_path / 'a.csv')} --no-progress")
    assert run.code == 0, run.err
    # nothing is missing from the data: the only no_data lines are the statute's exceptions in prose
    lines = [line for line in run.out.splitlines() if ": no_data (" in line]
    assert lines and all("an exception in prose may apply" in line and "is not in the" not in line for line in lines)
    assert "as of 2022-06-01 (the latest event date in the file)" in run.out


def test_a_broken_declaration_is_one_line_and_exit_2(policyc, tmp_path):
    policyc(f"import ssda903 {q(make_return(tmp_path))} --out {q(tmp_path / 'events.csv')}")
    (tmp_path / "events.source.json").write_text("{not json", encoding="utf-8")
    run = policyc(f"audit --policy {q(POLICY)} --events {q(tmp_path / 'events.csv')} --no-progress")
    assert run.code == 2
    assert "events.source.json: not a source declaration" in run.err
    assert "Traceback" not in run.err


def test_declarations_agree_with_the_adapters_and_the_vocabulary():
    assert set(ssda903.RECORDS.attributes) == set(ssda903.ATTRIBUTES)
    assert set(cin_census.RECORDS.attributes) == set(cin_census.ATTRIBUTES)
    vocabulary = check_paths([POLICY], [], analyse=False).policies[0]  # it uses the shared vocabulary
    for records in (ssda903.RECORDS, cin_census.RECORDS):
        assert set(records.events) <= set(vocabulary.events), records.source
    # every event the vocabulary says an SSDA903 return records is declared by the adapter
    said = {e.id for e in vocabulary.events.values() if any(d == "ssda903" for d, _ in e.recorded_as)}
    assert said <= set(ssda903.RECORDS.events)


def test_the_declaration_round_trips():
    doc = json.loads(ssda903.RECORDS.to_json())
    assert SourceRecords.from_json(json.dumps(doc)) == ssda903.RECORDS

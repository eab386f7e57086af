"""`policyc import ssda903` and `policyc import cin`, end to end as a user types them: the exact rows
written, the rejects file, the summary, the exit codes; and the real fake SSDA903 return, where every
input row must be used or rejected."""

from __future__ import annotations

import csv
import re
import shlex
from collections import Counter
from pathlib import Path

import pytest

from compiler.adapters.cin_census import parse_xs_date
from compiler.adapters.ssda903 import parse_dmy

FIXTURES = Path(__file__).resolve().parent / "fixtures"
QLAC = Path(__file__).resolve().parents[2] / "shared" / "data" / "qlac-903-fake"


def q(path: Path) -> str:
    return shlex.quote(str(path))


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# ---- SSDA903 ---------------------------------------------------------------------------------------

SSDA903_EVENTS = """\
child_id,event,date,legal_status,placement_type,rne,carer_changed,reason_ceased,review_code,source
A1,became_looked_after,2020-04-01,interim_care_order,long_term_foster_connected_person,S,,,,episodes.csv:2
A1,placement_start,2020-04-01,interim_care_order,long_term_foster_connected_person,S,true,,,episodes.csv:2
A1,placement_change,2020-04-15,interim_care_order,foster_connected_person,P,true,,,episodes.csv:3
A1,placement_start,2020-04-15,interim_care_order,foster_connected_person,P,true,,,episodes.csv:3
A1,cla_review,2020-04-28,,,,,,PN1,reviews.csv:2
A1,placement_change,2020-07-01,care_order,long_term_foster_other,T,false,,,episodes.csv:5
A1,placement_start,2020-07-01,care_order,long_term_foster_other,T,false,,,episodes.csv:5
A1,cla_review,2020-07-28,,,,,,PN2,reviews.csv:3
A1,placement_change,2020-08-01,placement_order,fostering_for_adoption_other,B,true,,,episodes.csv:6
A1,placement_start,2020-08-01,placement_order,fostering_for_adoption_other,B,true,,,episodes.csv:6
A1,placement_change,2020-09-01,placement_order,placed_for_adoption,U,false,,,episodes.csv:7
A1,placement_start,2020-09-01,placement_order,placed_for_adoption,U,false,,,episodes.csv:7
A1,ceased_looked_after,2020-09-30,placement_order,placed_for_adoption,,,E11,,episodes.csv:7
A1,became_looked_after,2021-01-01,s20,residential_care_home,S,,,,episodes.csv:16
A1,placement_start,2021-01-01,s20,residential_care_home,S,true,,,episodes.csv:16
B2,placement_change,2021-01-10,s20,long_term_foster_connected_person,P,true,,,episodes.csv:8
B2,placement_start,2021-01-10,s20,long_term_foster_connected_person,P,true,,,episodes.csv:8
B2,cla_review,2021-03-01,,,,,,PN0,reviews.csv:5
C3,became_looked_after,2021-03-05,s20,long_term_foster_connected_person,S,,,,episodes.csv:10
C3,placement_start,2021-03-05,s20,long_term_foster_connected_person,S,true,,,episodes.csv:10
C3,ceased_looked_after,2021-03-12,s20,long_term_foster_connected_person,,,E13,,episodes.csv:10
D4,became_looked_after,2022-02-02,s20,long_term_foster_connected_person,S,,,,episodes.csv:12
D4,placement_start,2022-02-02,s20,long_term_foster_connected_person,S,true,,,episodes.csv:12
E5,became_looked_after,2022-05-01,s20,long_term_foster_connected_person,S,,,,episodes.csv:13
E5,placement_start,2022-05-01,s20,long_term_foster_connected_person,S,true,,,episodes.csv:13
F6,ceased_looked_after,2022-06-10,s20,long_term_foster_connected_person,,,E3,,episodes.csv:14
H8,cla_review,2021-05-15,,,,,,PN0,reviews.csv:8
"""

SSDA903_CHILDREN = """\
child_id,date_of_birth,sex
A1,2010-01-01,male
B2,2012-02-02,female
C3,,male
D4,2013-03-03,
"""

SSDA903_REJECTS = """\
source,row,line,child_id,field,value,outcome,reason
episodes.csv,8,9,C3,DECOM,31/02/2021,rejected,DECOM is not a date (dd/mm/YYYY): the episode cannot be placed
episodes.csv,10,11,,CHILD,,rejected,no child id (CHILD is empty)
episodes.csv,11,12,D4,REC,E4A,ignored,REC without DEC: the episode is treated as open
episodes.csv,12,13,E5,DEC,40/05/2022,ignored,"DEC is not a date (dd/mm/YYYY): the episode is treated as open, no ceased_looked_after"
episodes.csv,13,14,F6,RNE,Q,ignored,"unknown RNE code 'Q' (expected S, L, P, T, B or U): no event for DECOM"
episodes.csv,14,15,G7,,"G7,01/01/2022,S",rejected,"unparsable row: 3 fields, the header has 9"
reviews.csv,3,4,A1,REVIEW,28/07/2020,rejected,duplicate: same CHILD and REVIEW date as row 2; one cla_review is written
reviews.csv,5,6,C3,REVIEW,32/01/2021,rejected,REVIEW is not a date (dd/mm/YYYY)
reviews.csv,6,7,,CHILD,,rejected,no child id (CHILD is empty)
header.csv,3,4,C3,DOB,30/02/2015,ignored,DOB is not a date (dd/mm/YYYY): date_of_birth left empty
header.csv,4,5,D4,SEX,3,ignored,unknown SEX code (expected 1 or 2): sex left empty
header.csv,5,6,A1,CHILD,A1,rejected,duplicate: the child is already in row 1
"""


def test_ssda903_fixture_exact_rows(policyc, tmp_path):
    events, children = tmp_path / "events.csv", tmp_path / "children.csv"
    run = policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(events)} --children-out {q(children)}")
    assert run.code == 0, run.err
    assert run.err == ""
    assert text(events) == SSDA903_EVENTS
    assert text(children) == SSDA903_CHILDREN
    assert text(tmp_path / "events.rejects.csv") == SSDA903_REJECTS  # the default rejects file


def test_ssda903_summary_counts_every_row(policyc, tmp_path):
    run = policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(tmp_path / 'e.csv')} "
                  f"--children-out {q(tmp_path / 'c.csv')} --rejects {q(tmp_path / 'bad.csv')}")
    assert run.code == 0
    assert run.out.splitlines() == [
        "episodes.csv: 15 rows read, 12 used, 3 rejected; 23 events",
        "reviews.csv: 7 rows read, 4 used, 3 rejected; 4 events",
        "header.csv: 5 rows read, 4 used, 1 rejected",
        "note: collection year ends 2023-03-31 (the 31 March on or after the latest DECOM): the audit's default "
        "as-of date",
        "note: 1 child: the first episode is not RNE S, so the looked-after period began before this data: "
        "no became_looked_after is written for it",
        "note: 1 episode with RNE L (change of legal status only): no placement event",
        "note: 1 child with reviews but no episodes: the cla_review events are written, but no looked-after "
        "period is known",
        "note: 3 children with events but not in header.csv: no date of birth",
        f"wrote 27 events to {tmp_path / 'e.csv'} and 4 children to {tmp_path / 'c.csv'}",
        f"{tmp_path / 'bad.csv'}: 12 problems (7 rejections, 5 fields ignored)",
        f"{tmp_path / 'e.source.json'}: what the SSDA903 return records, for `policyc audit` (duties it cannot "
        "measure are no_data, not overdue)",
    ]
    assert text(tmp_path / "bad.csv") == SSDA903_REJECTS
    assert not (tmp_path / "e.rejects.csv").exists()


def test_ssda903_parquet_holds_the_same_rows(policyc, tmp_path):
    import pyarrow.parquet as pq

    events, children = tmp_path / "events.parquet", tmp_path / "children.parquet"
    run = policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(events)} --children-out {q(children)}")
    assert run.code == 0, run.err
    table = pq.read_table(events)
    assert str(table.schema.field("date").type) == "date32[day]"
    got = [[("" if v is None else v.isoformat() if k == "date" else v) for k, v in row.items()]
           for row in table.to_pylist()]
    want = list(csv.reader(SSDA903_EVENTS.splitlines()))
    assert [list(table.column_names)] + got == want
    kids = pq.read_table(children).to_pylist()
    assert [k["child_id"] for k in kids] == ["A1", "B2", "C3", "D4"]
    assert kids[2]["date_of_birth"] is None and kids[0]["date_of_birth"].isoformat() == "2010-01-01"
    assert (tmp_path / "events.rejects.csv").is_file()


def test_ssda903_without_children_out_skips_the_header(policyc, tmp_path):
    run = policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(tmp_path / 'e.csv')}")
    assert run.code == 0
    assert "header.csv" not in run.out
    assert "header.csv" not in text(tmp_path / "e.rejects.csv")


EPISODES_HEAD = "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n"


def test_ssda903_period_warnings(policyc, tmp_path):
    """Episodes that do not follow on are written as recorded, each with a warning saying why."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "episodes.csv").write_text(EPISODES_HEAD + (
        "W1,01/01/2020,S,C1,U1,10/01/2020,X1\n"  # X1, but the next episode starts later
        "W1,15/01/2020,P,C1,U2,01/02/2020,E11\n"  # period ends
        "W1,01/03/2020,P,C1,U3,,\n"  # a placement change outside any period
        "W1,01/04/2020,S,C1,U3,,\n"  # S while the period (begun 01/03) is still open
    ), encoding="utf-8")
    run = policyc(f"import ssda903 {q(tmp_path / 'in')} --out {q(tmp_path / 'e.csv')}")
    assert run.code == 0, run.err
    warnings = [(r["row"], r["reason"]) for r in rows(tmp_path / "e.rejects.csv") if r["outcome"] == "warning"]
    assert warnings == [
        ("2", "the episode in row 1 (line 2) ended on 2020-01-10 with REC X1 (a new episode the same day), but this "
              "one starts on 2020-01-15 (DfE rule 433)"),
        ("3", "the period ended on 2020-02-01 (row 2 (line 3), REC E11) but this episode has RNE P, not S (DfE rule "
              "432): no became_looked_after is written"),
        ("4", "RNE S while the episode in row 3 (line 4) is still open (it has no DEC; DfE rules 142 and 501): that "
              "period of care is closed on 2020-04-01, the day this one starts"),
    ]
    assert [r["event"] for r in rows(tmp_path / "e.csv")] == [
        "became_looked_after", "placement_start", "placement_change", "placement_start", "ceased_looked_after",
        "placement_change", "placement_start", "became_looked_after", "placement_start"]  # no period was open to close
    assert "note: no reviews.csv" in run.out


# ---- CIN census --------------------------------------------------------------------------------------

CIN_EVENTS = """\
child_id,event,date,cin_episode,referral_source,primary_need,referral_nfa,reason_for_closure,icpc_not_required,\
category_of_abuse,previous_cp_plans,source
K1,referral,2023-04-03,1,la_services,abuse_or_neglect,false,,,,,cin.xml:25
K1,assessment_start,2023-04-04,1,,,,,,,,cin.xml:32
K1,s47_start,2023-04-10,1,,,,,false,,,cin.xml:44
K1,cp_plan_start,2023-05-02,1,,,,,,NEG,1,cin.xml:51
K1,icpc,2023-05-02,1,,,,,,,,cin.xml:46
K1,assessment_completed,2023-05-30,1,,,,,,,,cin.xml:34
K1,rcpc,2023-07-31,1,,,,,,,,cin.xml:57
K1,rcpc,2023-10-30,1,,,,,,,,cin.xml:58
K1,cin_plan_start,2023-11-01,1,,,,,,,,cin.xml:40
K1,cp_plan_end,2023-11-01,1,,,,,,EMO,,cin.xml:52
K1,cin_plan_end,2024-02-28,1,,,,,,,,cin.xml:41
K1,closure,2024-02-28,1,,,,died,,,,cin.xml:28
K1,referral,2024-03-01,2,individual,parental_disability,false,,,,,cin.xml:63
M3,referral,2023-06-12,1,health_services,child_disability,false,,,,,cin.xml:99
M3,assessment_completed,2023-06-13,1,,,,,,,,cin.xml:104
M3,assessment_start,2023-06-20,1,,,,,,,,cin.xml:103
"""

CIN_CHILDREN = """\
child_id,date_of_birth,sex,disabilities
K1,2015-06-01,female,HAND;LD
M3,,male,
"""

CIN_REJECTS = """\
source,row,line,child_id,field,value,outcome,reason
cin.xml,1,67,K1,AssessmentActualStartDate,04/03/2024,rejected,AssessmentActualStartDate is not a date (YYYY-MM-DD): \
no assessment_start event
cin.xml,2,72,,LAchildID,,rejected,no child id (LAchildID is missing or empty): its 2 dates are not imported
cin.xml,3,92,M3,PersonBirthDate,2018-02-30,ignored,PersonBirthDate is not a date (YYYY-MM-DD): date_of_birth left empty
cin.xml,3,104,M3,AssessmentAuthorisationDate,2023-06-13,warning,AssessmentAuthorisationDate is before \
AssessmentActualStartDate (2023-06-20); both written as recorded
"""


def test_cin_fixture_exact_rows(policyc, tmp_path):
    events, children = tmp_path / "cin.csv", tmp_path / "kids.csv"
    run = policyc(f"import cin {q(FIXTURES / 'cin' / 'cin.xml')} --out {q(events)} --children-out {q(children)}")
    assert run.code == 0, run.err
    assert text(events) == CIN_EVENTS
    assert text(children) == CIN_CHILDREN
    assert text(tmp_path / "cin.rejects.csv") == CIN_REJECTS
    assert run.out.splitlines() == [
        "cin.xml: 20 dates read, 17 used, 3 rejected (1 merged into an identical event); 16 events",
        "cin.xml: 3 children read, 2 used, 1 rejected",
        "note: collection year ends 2024-03-31 (ReferenceDate): the audit's default as-of date",
        "note: elements with no event or attribute in the vocabulary, not imported: AssessmentFactors (1), "
        "AssessmentInternalReviewDate (1), Ethnicity (3), FactorsIdentifiedAtAssessment (1), InitialCPCtarget (1)",
        f"wrote 16 events to {events} and 2 children to {children}",
        f"{tmp_path / 'cin.rejects.csv'}: 4 problems (2 rejections, 1 field ignored, 1 warning)",
        f"{tmp_path / 'cin.source.json'}: what the CIN census return records, for `policyc audit` (duties it "
        "cannot measure are no_data, not overdue)",
    ]


def test_cin_every_module_maps_to_its_event(policyc, tmp_path):
    run = policyc(f"import cin {q(FIXTURES / 'cin' / 'cin.xml')} --out {q(tmp_path / 'e.parquet')}")
    assert run.code == 0, run.err
    import pyarrow.parquet as pq

    events = {r["event"] for r in pq.read_table(tmp_path / "e.parquet").to_pylist()}
    assert events == {"referral", "assessment_start", "assessment_completed", "s47_start", "icpc", "cp_plan_start",
                      "cp_plan_end", "rcpc", "cin_plan_start", "cin_plan_end", "closure"}


@pytest.mark.parametrize("name", ["CIN_Census_2021.xml", "CIN_Census_2024.xml", "CIN_Census_2026.xml",
                                  "fake_CIN_data.xml"])
def test_cin_shared_samples_import(policyc, tmp_path, name):
    path = QLAC.parent / "cin-validator-fake" / name
    if not path.is_file():
        pytest.skip(f"the shared CIN sample {path} is not on this machine")
    run = policyc(f"import cin {q(path)} --out {q(tmp_path / 'e.csv')}")
    assert run.code == 0, run.err
    m = re.search(r"(\d+) dates read, (\d+) used, (\d+) rejected(?: \((\d+) merged)?", run.out)
    assert m, run.out
    read, used, rejected, merged = (int(g or 0) for g in m.groups())
    assert read == used + rejected
    assert len(rows(tmp_path / "e.csv")) == used - merged


# ---- inputs that cannot be read: one line, exit 2, nothing written --------------------------------------


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


UNREADABLE = [
    ("no-folder", "ssda903", None, "no such folder"),
    ("no-episodes", "ssda903", ("reviews.csv", "CHILD,DOB,REVIEW,REVIEW_CODE\n"), "no episodes.csv"),
    ("missing-column", "ssda903", ("episodes.csv", "CHILD,DECOM,RNE,DEC\nA,01/01/2020,S,\n"),
     "missing required column REC"),
    ("empty-file", "ssda903", ("episodes.csv", ""), "the file is empty"),
    ("not-utf8", "ssda903", ("episodes.csv", b"CHILD,DECOM,RNE,DEC,REC\n\xe9A,01/01/2020,S,,\n"), "not UTF-8"),
    ("no-file", "cin", None, "no such file"),
    ("bad-xml", "cin", ("c.xml", "<Message><Children><Child>\n</Children></Message>\n"), "not well-formed XML"),
    ("no-child", "cin", ("c.xml", "<Message><Children/></Message>\n"), "no <Child> elements"),
]


@pytest.mark.parametrize("kind,make,message", [u[1:] for u in UNREADABLE], ids=[u[0] for u in UNREADABLE])
def test_unreadable_input_is_one_line_and_exit_2(policyc, tmp_path, kind, make, message):
    target = tmp_path / "in"
    if make is not None:
        written = _write(target / make[0], make[1])
        target = target if kind == "ssda903" else written
    out = tmp_path / "out" / "events.csv"
    run = policyc(f"import {kind} {q(target)} --out {q(out)}")
    assert run.code == 2
    assert message in run.err
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err
    assert not out.exists() and not (tmp_path / "out" / "events.rejects.csv").exists()


def test_output_must_be_csv_or_parquet(policyc, tmp_path):
    run = policyc(f"import ssda903 {q(FIXTURES / 'ssda903')} --out {q(tmp_path / 'events.xlsx')}")
    assert run.code == 2
    assert "must end in .csv or .parquet" in run.err


def test_date_formats():
    assert str(parse_dmy("05/03/2021")) == "2021-03-05"
    assert str(parse_dmy("5/3/2021")) == "2021-03-05"
    assert str(parse_dmy("2021-03-05")) == "2021-03-05"
    for bad in ("31/02/2021", "05/03/21", "2021/03/05", "", "05-03-2021"):
        assert parse_dmy(bad) is None, bad
    assert str(parse_xs_date("2023-04-03Z")) == "2023-04-03"
    for bad in ("04/03/2024", "2023-02-30", "2023-4-3"):
        assert parse_xs_date(bad) is None, bad


# ---- the shared fake SSDA903 return: every input row used or rejected ---------------------------------------


@pytest.mark.skipif(not QLAC.is_dir(), reason=f"the shared sample SSDA903 return is not on this machine ({QLAC})")
def test_qlac_903_fake_every_row_used_or_rejected(policyc, tmp_path):
    events_path, children_path = tmp_path / "events.csv", tmp_path / "children.csv"
    run = policyc(f"import ssda903 {q(QLAC)} --out {q(events_path)} --children-out {q(children_path)}")
    assert run.code == 0, run.err
    events, rejects, children = rows(events_path), rows(tmp_path / "events.rejects.csv"), rows(children_path)
    raw = {name: rows(QLAC / name) for name in ("episodes.csv", "reviews.csv", "header.csv")}

    # the summary's counts agree with the files: read = used + rejected, for every input
    rejected = {name: {int(r["line"]) for r in rejects if r["source"] == name and r["outcome"] == "rejected"}
                for name in raw}
    made = Counter(e["source"].split(":")[0] for e in events)
    for name, data in raw.items():
        line = f"{name}: {len(data)} rows read, {len(data) - len(rejected[name])} used, {len(rejected[name])} rejected"
        assert line in run.out, run.out
    assert f"wrote {len(events)} events" in run.out
    assert sum(made.values()) == len(events)

    # no event comes from a rejected row
    for e in events:
        name, line = e["source"].split(":")
        assert int(line) not in rejected[name], e

    # the episode rules, counted independently from the raw rows (no episode row of this file is rejected)
    episodes = raw["episodes.csv"]
    assert not rejected["episodes.csv"]
    kinds = Counter(e["event"] for e in events)
    starts = sum(r["RNE"] == "S" for r in episodes)
    moves = sum(r["RNE"] in ("P", "T", "B", "U") for r in episodes)
    # an S episode that follows an end on the same day continues the period (DfE rule 431): a placement change
    same_day = sum("DfE rule 431" in r["reason"] for r in rejects)
    assert kinds["placement_start"] == starts + moves
    assert kinds["became_looked_after"] == starts - same_day
    assert kinds["placement_change"] == moves + same_day
    assert made["episodes.csv"] == sum(kinds[k] for k in ("became_looked_after", "placement_start",
                                                          "placement_change", "ceased_looked_after"))

    # reviews: one cla_review per distinct (child, date); the repeats are rejected as duplicates
    reviews = raw["reviews.csv"]
    distinct = {(r["CHILD"], r["REVIEW"]) for r in reviews}
    assert kinds["cla_review"] == made["reviews.csv"] == len(distinct)
    assert len(rejected["reviews.csv"]) == len(reviews) - len(distinct)

    # the children table: one row per header row not rejected
    assert len(children) == len(raw["header.csv"]) - len(rejected["header.csv"])
    assert {c["sex"] for c in children} <= {"male", "female", ""}

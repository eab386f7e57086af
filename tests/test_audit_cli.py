"""End-to-end tests of `policyc audit`, run exactly as a user types it, on hand-written histories.

Every expected date below was worked out by hand from the calendar (England and Wales bank holidays:
Good Friday 29 March 2024, Easter Monday 1 April, 6 and 27 May 2024) and the rules in docs/audit.md:
the trigger day is day 0, deadlines are inclusive, N working days is the Nth working day after.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from audit_samples import write_policy

from compiler.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
POLICYC = [sys.executable, "-m", "compiler.cli"]

POLICY = """policy "Audit CLI test"
  authority "Test"
  uses "{vocab}"

obligation assessment "Assessment within 10 working days of referral"
  cite "1" "an assessment within ten working days"
  social_worker must complete assessment_completed within 10 working days of referral

obligation cin_review "First child in need review within a month"
  cite "2" "first review within a month"
  social_worker must hold cin_review within 1 month of cin_plan_start

obligation core_group "Core groups"
  cite "3" "within 10 working days of the ICPC, then every 4 weeks"
  while child_protection
  social_worker must hold core_group_meeting
    first within 10 working days of icpc
    then every 4 weeks

obligation cp_visits "Visits every two weeks"
  cite "4" "seen every two weeks"
  while child_protection
  social_worker must do statutory_visit every 2 weeks

obligation rcpc_report "Report before a review conference"
  cite "5" "five working days before the review conference"
  social_worker must do conference_report_shared at least 5 working days before rcpc

obligation cla_reviews "Looked-after reviews"
  cite "6" "within 20 working days; again after a placement change"
  while looked_after
  iro must hold cla_review
    first within 20 working days of became_looked_after
    then within 3 months
    restart within 20 working days of placement_change

obligation pathway "Pathway plan by 16 years 3 months"
  cite "7" "a pathway plan by sixteen and a quarter"
  while looked_after
  social_worker must do pathway_plan by age 16 years 3 months

obligation permanence "Permanence planning before the second review"
  cite "8" "before the second review"
  while looked_after
  social_worker should hold permanence_planning_meeting before the 2nd cla_review

obligation kinship "Connected persons assessments"
  cite "9" "within 16 weeks, extendable"
  social_worker must complete connected_persons_assessment within 16 weeks of allocation
  extendable by team_manager up to 8 weeks

obligation minutes "Minutes"
  cite "10" "as soon as possible"
  must do minutes_distributed as soon as possible

obligation agreed "Fewer visits by agreement"
  cite "11" "if the child agrees"
  when "the child has agreed"
  social_worker must do supervision within 5 days of allocation
"""

# child, event, date (blank lines and comments are not part of the CSV: see events_csv)
EVENTS = """
# deadline in working days across Easter; inclusive due date; weekend trigger
A1,referral,2024-03-25
A1,assessment_completed,2024-04-10
A2,referral,2024-03-25
A2,assessment_completed,2024-04-12
A3,referral,2024-05-20
A4,referral,2024-06-24
A5,referral,2024-03-30
A5,assessment_completed,2024-04-15
# month ends: 31 January + 1 month
B1,cin_plan_start,2024-01-31
B1,cin_review,2024-02-29
B2,cin_plan_start,2023-01-31
B2,cin_review,2023-03-01
# schedule and recurrence in a child protection episode that ends
C1,cp_plan_start,2024-01-08
C1,icpc,2024-01-08
C1,core_group_meeting,2024-01-19
C1,core_group_meeting,2024-02-20
C1,statutory_visit,2024-01-15
C1,statutory_visit,2024-02-05
C1,statutory_visit,2024-02-26
C1,cp_plan_end,2024-03-10
# recurrence never met, episode still open
C2,cp_plan_start,2024-05-27
# advance notice
D1,rcpc,2024-04-08
D1,conference_report_shared,2024-03-28
D1,rcpc,2024-06-10
D1,conference_report_shared,2024-06-06
D2,rcpc,2024-05-20
# schedule with a restart; ordinal milestone; age milestone
E1,became_looked_after,2024-01-02
E1,cla_review,2024-01-29
E1,placement_change,2024-03-15
E1,cla_review,2024-04-18
E1,permanence_planning_meeting,2024-04-20
E1,pathway_plan,2024-05-29
F1,became_looked_after,2024-03-01
F2,became_looked_after,2024-01-10
F2,ceased_looked_after,2024-03-01
# extensions
G1,allocation,2024-01-02
G1,extension:kinship,2024-04-01,2024-05-31
G1,connected_persons_assessment,2024-05-15
G2,allocation,2024-01-02
G2,extension:kinship,2024-04-01,2024-09-30
# an episode of one day
H1,cp_plan_start,2024-02-01
H1,cp_plan_end,2024-02-01
# after the as-of date: read, then ignored
H1,referral,2024-07-01
"""

BAD_ROWS = """X1,referral,2024-13-01,
,referral,2024-01-05,
X2,made_up_event,2024-01-05,
A1,referral,2024-03-25,
X3,referral,01/07/2024,
X4,referral,2024-01-03,2024-01-04,surplus
X5,extension:assessment,2024-01-03,2024-02-01
"""

CHILDREN = """child_id,date_of_birth
E1,2008-02-29
F1,2007-11-30
F2,2008-01-31
"""

AS_OF = "2024-06-28"


def events_csv(bad: bool = False) -> str:
    lines = [ln for ln in EVENTS.splitlines() if ln.strip() and not ln.startswith("#")]
    rows = [ln.split(",") for ln in lines]
    text = "child_id,event,date,extended_until\n" + "".join(
        ",".join(r + [""] * (4 - len(r))) + "\n" for r in rows)
    if bad:
        text += BAD_ROWS
    return text


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    policy = tmp_path / "test.policy"
    write_policy(policy, POLICY.format(vocab="vocabulary.policy"))
    events = tmp_path / "events.csv"
    events.write_text(events_csv(bad=True), encoding="utf-8")
    children = tmp_path / "children.csv"
    children.write_text(CHILDREN, encoding="utf-8")
    return {"policy": policy, "events": events, "children": children, "dir": tmp_path}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*POLICYC, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def by(rows: list[dict[str, str]], child: str, obligation: str) -> list[tuple[str, ...]]:
    return [(r["trigger_date"], r["due_date"], r["done_date"], r["outcome"], r["working_days_late"])
            for r in rows if r["child_id"] == child and r["obligation"] == obligation]


@pytest.fixture
def audited(files: dict[str, Path]) -> dict:
    out = files["dir"] / "audit.csv"
    proc = run(["audit", "--policy", str(files["policy"]), "--events", str(files["events"]),
                "--children", str(files["children"]), "--as-of", AS_OF, "--out", str(out)], files["dir"])
    assert proc.returncode == 0, proc.stderr
    return {"rows": read_rows(out), "stdout": proc.stdout, "stderr": proc.stderr,
            "rejects": read_rows(files["dir"] / "audit.rejects.csv"), "out": out}


# ---- the columns and every timing form ------------------------------------------------------------
def test_columns(audited: dict) -> None:
    header = audited["out"].read_text(encoding="utf-8").splitlines()[0]
    assert header == "child_id,obligation,clause,trigger_date,due_date,done_date,outcome,working_days_late,step"


def test_deadline_working_days_easter_and_weekend(audited: dict) -> None:
    rows = audited["rows"]
    # 10 working days after Mon 25 March skip Good Friday, the weekend and Easter Monday: Wed 10 April
    assert by(rows, "A1", "assessment") == [("2024-03-25", "2024-04-10", "2024-04-10", "met", "0")]
    assert by(rows, "A2", "assessment") == [("2024-03-25", "2024-04-10", "2024-04-12", "met_late", "2")]
    # after Mon 20 May, the 27 May bank holiday is skipped: Tue 4 June; 18 working days late by Fri 28 June
    assert by(rows, "A3", "assessment") == [("2024-05-20", "2024-06-04", "", "overdue", "18")]
    assert by(rows, "A4", "assessment") == [("2024-06-24", "2024-07-08", "", "pending", "")]
    # a Saturday trigger: working days after it, Easter skipped
    assert by(rows, "A5", "assessment") == [("2024-03-30", "2024-04-15", "2024-04-15", "met", "0")]


def test_deadline_months_end_of_month(audited: dict) -> None:
    rows = audited["rows"]
    assert by(rows, "B1", "cin_review") == [("2024-01-31", "2024-02-29", "2024-02-29", "met", "0")]
    assert by(rows, "B2", "cin_review") == [("2023-01-31", "2023-02-28", "2023-03-01", "met_late", "1")]


def test_schedule_counts_from_done_date_and_discharges_at_episode_end(audited: dict) -> None:
    assert by(audited["rows"], "C1", "core_group") == [
        ("2024-01-08", "2024-01-22", "2024-01-19", "met", "0"),
        ("2024-01-19", "2024-02-16", "2024-02-20", "met_late", "2"),
        ("2024-02-20", "2024-03-19", "", "discharged", ""),
    ]


def test_recurrence(audited: dict) -> None:
    rows = audited["rows"]
    assert by(rows, "C1", "cp_visits") == [
        ("2024-01-08", "2024-01-22", "2024-01-15", "met", "0"),
        ("2024-01-15", "2024-01-29", "2024-02-05", "met_late", "5"),
        ("2024-02-05", "2024-02-19", "2024-02-26", "met_late", "5"),
        ("2024-02-26", "2024-03-11", "", "discharged", ""),
    ]
    # never visited: each missed visit is overdue, the next counts from its due date; then one pending
    assert by(rows, "C2", "cp_visits") == [
        ("2024-05-27", "2024-06-10", "", "overdue", "14"),
        ("2024-06-10", "2024-06-24", "", "overdue", "4"),
        ("2024-06-24", "2024-07-08", "", "pending", ""),
    ]
    assert by(rows, "C2", "core_group") == []  # no ICPC: the schedule never starts


def test_advance_notice(audited: dict) -> None:
    rows = audited["rows"]
    # 5 working days before Mon 8 April: sharing on Easter Monday 1 April still gives 5 working days
    assert by(rows, "D1", "rcpc_report") == [
        ("2024-04-08", "2024-04-01", "2024-03-28", "met", "0"),
        ("2024-06-10", "2024-06-03", "2024-06-06", "met_late", "3"),
    ]
    # never shared: overdue, lateness counted to the conference
    assert by(rows, "D2", "rcpc_report") == [("2024-05-20", "2024-05-13", "", "overdue", "5")]


def test_restart_ordinal_and_age_milestones(audited: dict) -> None:
    rows = audited["rows"]
    assert by(rows, "E1", "cla_reviews") == [
        ("2024-01-02", "2024-01-30", "2024-01-29", "met", "0"),
        # the placement change on 15 March supersedes this occurrence before it fell due
        ("2024-01-29", "2024-04-29", "", "discharged", ""),
        # 20 working days after Fri 15 March, across Easter: Tue 16 April
        ("2024-03-15", "2024-04-16", "2024-04-18", "met_late", "2"),
        ("2024-04-18", "2024-07-18", "", "pending", ""),
    ]
    assert by(rows, "E1", "permanence") == [("2024-01-02", "2024-04-18", "2024-04-20", "met_late", "1")]
    # born on a leap day: 16 years on 29 February 2024, then 3 months
    assert by(rows, "E1", "pathway") == [("2024-01-02", "2024-05-29", "2024-05-29", "met", "0")]
    assert by(rows, "F1", "pathway") == []  # looked after only after the milestone had passed
    assert by(rows, "F2", "pathway") == [("2024-01-10", "2024-04-30", "", "discharged", "")]
    assert by(rows, "F2", "permanence") == [("2024-01-10", "", "", "discharged", "")]
    assert by(rows, "F1", "permanence") == [("2024-03-01", "", "", "pending", "")]


def test_extensions(audited: dict) -> None:
    rows = audited["rows"]
    assert by(rows, "G1", "kinship") == [("2024-01-02", "2024-05-31", "2024-05-15", "extended", "0")]
    # asked for more than 8 weeks: the extension is capped at 8 weeks after the due date
    assert by(rows, "G2", "kinship") == [("2024-01-02", "2024-06-18", "", "overdue", "8")]


def test_one_day_episode(audited: dict) -> None:
    assert by(audited["rows"], "H1", "cp_visits") == [("2024-02-01", "2024-02-15", "", "discharged", "")]


def test_summary_lists_not_measurable_and_counts(audited: dict) -> None:
    out = audited["stdout"]
    assert "minutes: not measurable (vague timing (as soon as possible))" in out
    assert "agreed: not measurable (a condition in prose)" in out
    assert "warning: 1 used rows are dated after the as-of date 2024-06-28; they are ignored" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("assessment "))
    assert line.split() == ["assessment", "5", "2", "1", "1", "1", "0", "0", "0", "50.0"]
    assert audited["stderr"] == ""  # no progress bar when stderr is not a terminal and the input is small


# ---- bad data ---------------------------------------------------------------------------------------
def test_rejects_have_row_number_and_reason_and_are_counted(audited: dict, files: dict[str, Path]) -> None:
    rejects = audited["rejects"]
    good = len([ln for ln in EVENTS.splitlines() if ln.strip() and not ln.startswith("#")])
    got = {(r["file"], int(r["row"])): r["reason"] for r in rejects}
    assert got == {
        ("events", good + 1): "unparsable date `2024-13-01` (dates are YYYY-MM-DD)",
        ("events", good + 2): "missing child_id",
        ("events", good + 3): "unknown event `made_up_event` (not declared in the policy or its vocabulary)",
        ("events", good + 4): "duplicate of row 1",
        ("events", good + 5): "unparsable date `01/07/2024` (dates are YYYY-MM-DD)",
        ("events", good + 6): "expected 4 fields, found 5",
        ("events", good + 7): "obligation `assessment` has no `extendable` rule",
    }
    raw = {int(r["row"]): r["raw"] for r in rejects}
    assert raw[good + 4] == "A1,referral,2024-03-25,"
    assert raw[good + 6] == "X4,referral,2024-01-03,2024-01-04,surplus"
    out = audited["stdout"]
    total = good + 7
    assert f"events: {total} rows, {good} used, 7 rejected" in out
    assert "rejected (events: unparsable date): 2" in out
    assert "rejected (events: malformed row): 1" in out


def test_used_plus_rejected_equals_input_rows(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out = files["dir"] / "a.json"
    code = main(["audit", "--policy", str(files["policy"]), "--events", str(files["events"]), "--format", "json",
                 "--out", str(out), "--rejects", str(files["dir"] / "r.csv")])
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    data_rows = len(files["events"].read_text(encoding="utf-8").strip().splitlines()) - 1
    i = doc["input"]
    assert i["events_rows"] == data_rows
    assert i["events_used"] + i["events_rejected"] == data_rows
    assert len(read_rows(files["dir"] / "r.csv")) == i["events_rejected"]
    assert doc["as_of"] == "2024-07-01"  # the latest event date, when --as-of is not given
    assert "no children table" in " ".join(doc["notes"])
    # without a children table the age milestone cannot be measured: counted as not_applicable
    pathway = next(s for s in doc["summary"] if s["obligation"] == "pathway")
    assert pathway["not_applicable"] == 3 and pathway["occurrences"] == 0


def test_missing_column_is_one_line_exit_2(files: dict[str, Path]) -> None:
    bad = files["dir"] / "nodate.csv"
    bad.write_text("child_id,event,when\nA,referral,2024-01-01\n", encoding="utf-8")
    proc = run(["audit", "--policy", str(files["policy"]), "--events", str(bad)], files["dir"])
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"policyc: error: {bad}: missing column `date` (the columns are: child_id, event, "
                                   "when)")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("name,content,message", [
    ("missing.csv", None, "no such file"),
    ("empty.csv", b"", "is empty"),
    ("latin1.csv", "child_id,event,date\nJos\xe9,referral,2024-01-01\n".encode("latin-1"), "not UTF-8"),
    ("events.xlsx", b"PK", "cannot tell the format"),
    ("broken.parquet", b"not parquet at all", "cannot be read as Parquet"),
])
def test_unreadable_file_is_one_line_exit_2(files: dict[str, Path], name: str, content: bytes | None, message: str) -> None:
    path = files["dir"] / name
    if content is not None:
        path.write_bytes(content)
    proc = run(["audit", "--policy", str(files["policy"]), "--events", str(path)], files["dir"])
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr, proc.stderr


def test_policy_with_errors_exits_1(files: dict[str, Path]) -> None:
    bad = files["dir"] / "bad.policy"
    write_policy(bad, POLICY.format(vocab="vocabulary.policy").replace("of referral", "of refferal"))
    proc = run(["audit", "--policy", str(bad), "--events", str(files["events"])], files["dir"])
    assert proc.returncode == 1
    assert "E201" in proc.stderr and "refferal" in proc.stderr


def test_default_rejects_file_in_cwd(files: dict[str, Path]) -> None:
    proc = run(["audit", "--policy", str(files["policy"]), "--events", str(files["events"])], files["dir"])
    assert proc.returncode == 0, proc.stderr
    assert (files["dir"] / "rejects.csv").exists()
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))  # rows on stdout, the summary on stderr
    assert rows and set(rows[0]) == {"child_id", "obligation", "clause", "trigger_date", "due_date", "done_date",
                                     "outcome", "working_days_late", "step"}
    assert "not measurable" in proc.stderr


# ---- engines, formats, inputs ------------------------------------------------------------------------
def test_python_engine_gives_the_same_rows(files: dict[str, Path]) -> None:
    outs = {}
    for engine in ("duckdb", "python"):
        out = files["dir"] / f"{engine}.csv"
        code = main(["audit", "--policy", str(files["policy"]), "--events", str(files["events"]), "--children",
                     str(files["children"]), "--as-of", AS_OF, "--engine", engine, "--out", str(out),
                     "--include-not-applicable"])
        assert code == 0
        outs[engine] = read_rows(out)
    assert outs["duckdb"] == outs["python"]


def test_parquet_input_with_typed_columns(files: dict[str, Path]) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "child_id": ["P1", "P1", "P2", None],
        "event": ["referral", "assessment_completed", "referral", "referral"],
        "date": pa.array([dt.datetime(2024, 3, 25, 9, 30), dt.datetime(2024, 4, 12, 17, 0), None,
                          dt.datetime(2024, 1, 1)], type=pa.timestamp("us")),
    })
    path = files["dir"] / "events.parquet"
    pq.write_table(table, path)
    out = files["dir"] / "p.csv"
    code = main(["audit", "--policy", str(files["policy"]), "--events", str(path), "--out", str(out)])
    assert code == 0
    assert by(read_rows(out), "P1", "assessment") == [("2024-03-25", "2024-04-10", "2024-04-12", "met_late", "2")]
    rejects = read_rows(files["dir"] / "p.rejects.csv")
    assert [(r["row"], r["reason"]) for r in rejects] == [("3", "missing date"), ("4", "missing child_id")]


def test_markdown_and_json_formats(files: dict[str, Path]) -> None:
    md = files["dir"] / "a.md"
    assert main(["audit", "--policy", str(files["policy"]), "--events", str(files["events"]), "--as-of", AS_OF,
                 "--format", "md", "--out", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Audit: Audit CLI test")
    assert "| assessment | 1 | deadline | 5 | 2 | 1 | 1 | 1 | 0 | 0 | 0 | 50.0 |" in text
    assert "| A3 | assessment | 1 | 2024-05-20 | 2024-06-04 |  | overdue | 18 |  |" in text
    js = files["dir"] / "a.json"
    assert main(["audit", "--policy", str(files["policy"]), "--events", str(files["events"]), "--as-of", AS_OF,
                 "--format", "json", "--out", str(js)]) == 0
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert {"child_id": "A3", "obligation": "assessment", "clause": "1", "trigger_date": "2024-05-20",
            "due_date": "2024-06-04", "done_date": None, "outcome": "overdue", "working_days_late": 18,
            "step": None} in doc["rows"]
    assert [m["obligation"] for m in doc["not_measurable"]] == ["minutes", "agreed"]


def test_csv_quirks_blank_lines_bom_datetimes_and_newlines_in_values(files: dict[str, Path]) -> None:
    path = files["dir"] / "quirks.csv"
    path.write_bytes(("\ufeffchild_id,event,date,note\n"
                      "Q1,referral,2024-03-25T08:15:00Z,\"two\nlines\"\n"
                      "\n"
                      " Q1 , assessment_completed ,2024-04-10 16:00,\n"
                      "Q2,referral,2024-3-25,\n").encode("utf-8"))
    out = files["dir"] / "q.csv"
    assert main(["audit", "--policy", str(files["policy"]), "--events", str(path), "--out", str(out)]) == 0
    assert by(read_rows(out), "Q1", "assessment") == [("2024-03-25", "2024-04-10", "2024-04-10", "met", "0")]
    rejects = read_rows(files["dir"] / "q.rejects.csv")
    # the blank line is not a row: Q2 is data row 3
    assert [(r["row"], r["reason"]) for r in rejects] == [("3", "unparsable date `2024-3-25` (dates are YYYY-MM-DD)")]


def test_same_policy_same_bytes(files: dict[str, Path]) -> None:
    outs = []
    for i in range(2):
        out = files["dir"] / f"same{i}.csv"
        assert main(["audit", "--policy", str(files["policy"]), "--events", str(files["events"]), "--children",
                     str(files["children"]), "--out", str(out)]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]

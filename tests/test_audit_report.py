"""`policyc audit ... --report DIR`: the workbook's numbers are the CSV's, the page is one self-contained
file that loads in headless Chromium with no console error, and both are the same bytes every run."""

from __future__ import annotations

import csv
import os
import re
import shlex
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_site import console_errors, serve

ROOT = Path(__file__).resolve().parent.parent
QLAC = ROOT.parent / "shared" / "data" / "qlac-903-fake"
POLICY = ROOT / "policies" / "national" / "care-planning-regulations-2010.policy"


def q(path: Path) -> str:
    return shlex.quote(str(path))


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> dict:
    """The fake SSDA903 return imported and audited with a report, as the worked example does."""
    from compiler.cli.main import main

    tmp = tmp_path_factory.mktemp("report")
    if not QLAC.is_dir():
        pytest.fail(f"the shared fake SSDA903 return is not on this machine ({QLAC})")
    assert main(shlex.split(f"import ssda903 {q(QLAC)} --out {q(tmp / 'events.csv')}")) == 0
    out = tmp / "audit.csv"
    run_audit(tmp, "report")
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {"dir": tmp / "report", "rows": rows, "tmp": tmp}


def run_audit(folder: Path, report: str) -> None:
    """`policyc audit` in `folder`, with relative paths as a user types them (the page names the files)."""
    from compiler.cli.main import main

    here = os.getcwd()
    os.chdir(folder)
    try:
        assert main(shlex.split(f"audit --policy {q(POLICY)} --events events.csv --out audit.csv "
                                f"--report {report} --no-progress")) == 0
    finally:
        os.chdir(here)


def sheet(book, name: str) -> list[dict]:
    ws = book[name]
    values = list(ws.iter_rows(values_only=True))
    head = list(values[0][:values[0].index(None)] if None in values[0] else values[0])  # the chart's block is apart
    return [dict(zip(head, r[:len(head)], strict=True)) for r in values[1:] if r[0] is not None]


def test_workbook_numbers_equal_the_csv(audited):
    book = load_workbook(audited["dir"] / "audit-report.xlsx")
    assert book.sheetnames == ["About", "Summary", "By month", "By quarter", "Overdue", "No data"]
    counts = Counter((r["obligation"], r["outcome"]) for r in audited["rows"])
    summary = {r["duty"]: r for r in sheet(book, "Summary")}
    assert summary["cla_reviews"]["occurrences"] == sum(n for (ob, _), n in counts.items() if ob == "cla_reviews")
    assert summary["cla_reviews"]["overdue"] == counts["cla_reviews", "overdue"]
    assert summary["cla_reviews"]["late"] == counts["cla_reviews", "met_late"]
    assert summary["cla_reviews"]["on time"] == counts["cla_reviews", "met"]
    # the steps of the schedule add up to the duty
    steps = [r for name, r in summary.items() if name.startswith("cla_reviews step ")]
    assert [r["title"] for r in steps] == ["first within 20 working days of became_looked_after",
                                           "then within 3 months", "then every 6 months"]
    for column in ("occurrences", "on time", "late", "overdue", "pending", "discharged"):
        assert sum(r[column] for r in steps) == summary["cla_reviews"][column], column
    for k, r in enumerate(steps, start=1):  # each step's line counts the CSV's rows of that step
        assert r["occurrences"] == sum(1 for row in audited["rows"] if row["obligation"] == "cla_reviews"
                                       and row["step"] == str(k) and row["outcome"] != "not_applicable")
    # every overdue row, with its working days late
    overdue = {(r["child"], r["duty"], r["step"], r["due date"].date().isoformat(), r["working days late"])
               for r in sheet(book, "Overdue")}
    assert overdue == {(r["child_id"], r["obligation"], int(r["step"]), r["due_date"], int(r["working_days_late"]))
                       for r in audited["rows"] if r["outcome"] == "overdue"}
    # the duties the return cannot measure are apart, never overdue
    no_data = {r["duty"]: r["occurrences not measured"] for r in sheet(book, "No data")}
    assert "visits_placement" in no_data and "cla_reviews" not in no_data
    for duty, n in no_data.items():
        assert n == counts[duty, "no_data"]
        assert counts[duty, "overdue"] == 0
    # by month: decided occurrences by the month they fell due, up to the as-of date
    monthly = sheet(book, "By month")
    decided = Counter(r["due_date"][:7] for r in audited["rows"] if r["obligation"] == "cla_reviews"
                      and r["outcome"] in ("met", "met_late", "overdue") and r["due_date"] <= "2018-03-31")
    assert {m["month"]: m["fell due (decided)"] for m in monthly if m["duty"] == "cla_reviews"} == dict(decided)
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["as of"].startswith("as of 2018-03-31")
    assert "SSDA903 return, events dated 2015-01-01" in about["data"]


def test_page_is_self_contained_and_says_what_it_is_of(audited):
    page = (audited["dir"] / "audit-report.html").read_text(encoding="utf-8")
    for loads in ("<script", "stylesheet", " src=", 'href="http', "url(http"):  # nothing to fetch: one file
        assert loads not in page, loads
    first = page.index("Duties measured")
    for fact in ("as of 2018-03-31", "policy: The Care Planning", "data: SSDA903 return, events dated",
                 "children left out: 1856"):
        assert page.index(fact) < first, fact
    assert page.count("<svg") == 2 and page.count('role="img"') == 2 and "aria-label=\"Share on time by month" in page
    assert "Not measured by this data" in page and "visits_placement" in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # the two inline charts share no id


def test_page_loads_in_chromium_without_console_errors(audited, tmp_path):
    with serve(audited["dir"]) as server:
        url = server.base + "audit-report.html"
        reports = console_errors([url], tmp_path / "chromium.log")
    assert reports[url].errors == []


def test_report_is_deterministic(audited):
    run_audit(audited["tmp"], "again")
    again = audited["tmp"] / "again"
    for name in ("audit-report.html", "audit-report.xlsx"):
        assert (again / name).read_bytes() == (audited["dir"] / name).read_bytes(), name


def test_the_workbook_holds_no_formula_from_the_data(audited):
    """A child id such as `=HYPERLINK(...)` is text in the workbook, never a formula (OWASP CSV/formula
    injection): Excel users open it."""
    tmp = audited["tmp"]
    events = (tmp / "events.csv").read_text(encoding="utf-8").split("\n")
    head = events[0].split(",")
    child = head.index("child_id")
    first = next(r["child_id"] for r in audited["rows"] if r["outcome"] == "overdue")
    hostile = tmp / "hostile"
    hostile.mkdir()
    (hostile / "events.csv").write_text("\n".join(
        line.replace(first + ",", '"=HYPERLINK(""http://x"",""y"")",', 1) if line.split(",")[child] == first else line
        for line in events), encoding="utf-8")
    run_audit(hostile, "report")
    book = load_workbook(hostile / "report" / "audit-report.xlsx")
    formulas = [c.coordinate for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    kept = [c.value for row in book["Overdue"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert kept and kept[0].endswith('=HYPERLINK("http://x","y")')  # there, as text


def test_a_long_workbook_written_by_another_process_is_the_same(audited, monkeypatch):
    """A workbook whose overdue list is long is written by a second process while the rows are written;
    it is byte for byte the one this process writes."""
    import tempfile

    from compiler.audit import qa_report

    monkeypatch.setattr(qa_report, "BACKGROUND_ROWS", 1)
    figures = audited["tmp"] / "figures-background"
    figures.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(figures))  # where the figures are pickled for the process
    started = []
    real_popen = qa_report.subprocess.Popen
    monkeypatch.setattr(qa_report.subprocess, "Popen", lambda *a, **k: started.append(a[0]) or real_popen(*a, **k))
    run_audit(audited["tmp"], "background")
    made = audited["tmp"] / "background"
    assert [cmd[1:3] for cmd in started] == [["-m", "compiler.audit.workbook_process"]]
    assert (made / "audit-report.xlsx").read_bytes() == (audited["dir"] / "audit-report.xlsx").read_bytes()
    assert not list(made.glob("*.tmp")) and not list(figures.iterdir())  # no partial file, no pickle left


def test_a_workbook_the_other_process_cannot_write_is_an_error_not_a_traceback(audited, monkeypatch, capsys):
    from compiler.audit import qa_report
    from compiler.cli.main import main

    monkeypatch.setattr(qa_report, "BACKGROUND_ROWS", 1)
    tmp = audited["tmp"]
    blocked = tmp / "blocked"
    (blocked / "audit-report.xlsx").mkdir(parents=True)  # a folder where the workbook goes
    code = main(shlex.split(f"audit --policy {q(POLICY)} --events {q(tmp / 'events.csv')} "
                            f"--out {q(tmp / 'blocked.csv')} --report {q(blocked)} --no-progress"))
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot write the report in {blocked}: " in err and "Traceback" not in err
    assert not list(blocked.glob("*.tmp"))


def test_rows_that_cannot_be_written_stop_the_workbook_too(audited, monkeypatch, capsys):
    from compiler.audit import qa_report
    from compiler.cli.main import main

    monkeypatch.setattr(qa_report, "BACKGROUND_ROWS", 1)
    cancelled = []
    real_cancel = qa_report.ReportJob.cancel
    monkeypatch.setattr(qa_report.ReportJob, "cancel", lambda job: cancelled.append(job) or real_cancel(job))
    tmp = audited["tmp"]
    stopped = tmp / "stopped"
    code = main(shlex.split(f"audit --policy {q(POLICY)} --events {q(tmp / 'events.csv')} "
                            f"--out {q(tmp / 'no-such-folder' / 'audit.csv')} --report {q(stopped)} --no-progress"))
    err = capsys.readouterr().err
    assert code == 2 and "cannot write" in err and "Traceback" not in err
    assert len(cancelled) == 1 and cancelled[0]._worker.returncode is not None  # the process was stopped
    assert not (stopped / "audit-report.xlsx").exists() and not list(stopped.glob("*.tmp"))

"""Periods of care read as the DfE SSDA903 guidance means them, one rule a test, on small hand-made
returns imported and audited exactly as a user types it (`policyc import ssda903`, `policyc audit`).

The rules (docs/adapters.md, "Periods of care"): an episode with RNE S starts a period of care; an
older episode still open then is closed the day the new period starts (a warning naming both rows);
no period is closed by another period's end date; an end and a restart on one day keep the child
looked after; and one placement gives one placement-plan occurrence, not two.
"""

from __future__ import annotations

import csv
import shlex
from pathlib import Path

POLICY = Path(__file__).resolve().parent.parent / "policies" / "national" / "care-planning-regulations-2010.policy"
HEAD = "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n"


def q(path: Path) -> str:
    return shlex.quote(str(path))


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run_import(policyc, tmp_path: Path, episodes: str, reviews: str = "") -> tuple[list[dict], list[dict], str]:
    folder = tmp_path / "return"
    folder.mkdir()
    (folder / "episodes.csv").write_text(HEAD + episodes, encoding="utf-8")
    (folder / "reviews.csv").write_text("CHILD,REVIEW,REVIEW_CODE\n" + reviews, encoding="utf-8")
    run = policyc(f"import ssda903 {q(folder)} --out {q(tmp_path / 'events.csv')}")
    assert run.code == 0, run.err
    return rows(tmp_path / "events.csv"), rows(tmp_path / "events.rejects.csv"), run.out


def looked_after(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["event"], e["date"]) for e in events if e["event"] in ("became_looked_after", "ceased_looked_after")]


def audit(policyc, tmp_path: Path, obligation: str, as_of: str = "2021-12-31") -> list[tuple[str, ...]]:
    out = tmp_path / "audit.csv"
    run = policyc(f"audit --policy {q(POLICY)} --events {q(tmp_path / 'events.csv')} --as-of {as_of} "
                  f"--out {q(out)} --no-progress")
    assert run.code == 0, run.err
    return [(r["trigger_date"], r["due_date"], r["done_date"], r["outcome"]) for r in rows(out)
            if r["obligation"] == obligation]


def test_s_episode_starts_a_period(policyc, tmp_path):
    events, issues, _ = run_import(policyc, tmp_path, "A,01/02/2021,S,C2,U1,,\n", "A,15/02/2021,PN1\n")
    assert looked_after(events) == [("became_looked_after", "2021-02-01")]
    assert not issues
    # first review: 20 working days after 2021-02-01 (day 0) is 2021-03-01; held on 2021-02-15
    assert audit(policyc, tmp_path, "cla_reviews")[0] == ("2021-02-01", "2021-03-01", "2021-02-15", "met")


def test_s_while_an_older_episode_is_open_closes_it_that_day(policyc, tmp_path):
    events, issues, out = run_import(policyc, tmp_path, (
        "A,01/02/2021,S,C2,U1,,\n"  # never ended
        "A,01/06/2021,S,C2,U1,,\n"))  # a new period of care
    assert looked_after(events) == [("became_looked_after", "2021-02-01"), ("became_looked_after", "2021-06-01"),
                                    ("ceased_looked_after", "2021-06-01")]  # same day: sorted by name
    [warning] = issues
    assert (warning["row"], warning["line"], warning["outcome"]) == ("2", "3", "warning")
    assert "row 1 (line 2) is still open" in warning["reason"] and "closed on 2021-06-01" in warning["reason"]
    assert "1 warning" in out
    # two periods, each with its own first review
    reviews = audit(policyc, tmp_path, "cla_reviews")
    assert ("2021-02-01", "2021-03-01", "", "overdue") in reviews
    assert ("2021-06-01", "2021-06-29", "", "overdue") in reviews


def test_an_older_end_date_never_closes_a_newer_period(policyc, tmp_path):
    events, issues, _ = run_import(policyc, tmp_path, (
        "A,01/02/2021,S,C2,U1,01/09/2021,E11\n"  # ends after the next period began
        "A,01/06/2021,S,C2,U1,,\n"))
    assert looked_after(events) == [("became_looked_after", "2021-02-01"), ("became_looked_after", "2021-06-01"),
                                    ("ceased_looked_after", "2021-06-01")]  # same day: sorted by name
    assert [i["row"] for i in issues] == ["2"]
    assert "ends on 2021-09-01, after this DECOM" in issues[0]["reason"]
    # the second period is still open at the as-of date: its first review is overdue, not discharged
    assert ("2021-06-01", "2021-06-29", "", "overdue") in audit(policyc, tmp_path, "cla_reviews")


def test_overlapping_placement_keeps_the_child_looked_after(policyc, tmp_path):
    events, issues, _ = run_import(policyc, tmp_path, (
        "A,01/02/2021,S,C2,U1,01/05/2021,E11\n"  # an end date after the next episode began
        "A,01/04/2021,P,C2,U2,01/07/2021,E11\n"))
    assert looked_after(events) == [("became_looked_after", "2021-02-01"), ("ceased_looked_after", "2021-07-01")]
    assert [(i["row"], i["field"]) for i in issues] == [("2", "DECOM")]
    assert "before the episode in row 1 (line 2) ends" in issues[0]["reason"]


def test_end_and_restart_on_one_day_keep_the_child_looked_after(policyc, tmp_path):
    events, issues, _ = run_import(policyc, tmp_path, (
        "A,01/02/2021,S,C2,U1,01/03/2021,E11\n"
        "A,01/03/2021,S,C2,U2,,\n"), "A,20/03/2021,PN1\n")
    assert looked_after(events) == [("became_looked_after", "2021-02-01")]
    [warning] = issues
    assert warning["row"] == "2" and "DfE rule 431" in warning["reason"] and "row 1 (line 2)" in warning["reason"]
    reviews = audit(policyc, tmp_path, "cla_reviews")
    # one period from 2021-02-01: no zero-day period, no second first review
    assert reviews[0] == ("2021-02-01", "2021-03-01", "2021-03-20", "met_late")
    assert all(r[0] != "2021-03-01" for r in reviews)


def test_one_placement_is_one_placement_plan_occurrence(policyc, tmp_path):
    run_import(policyc, tmp_path, (
        "A,01/02/2021,S,C2,U1,01/03/2021,X1\n"
        "A,01/03/2021,P,C2,U2,,\n"))  # writes placement_change and placement_start on 2021-03-01
    plans = audit(policyc, tmp_path, "placement_plan_timescale")
    assert [r[0] for r in plans] == ["2021-02-01", "2021-03-01"]

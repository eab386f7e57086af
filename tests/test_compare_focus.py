"""`policyc compare` focused on the question asked: topics from the vocabulary, one duty, only the
duties below the statutory floor; columns named by short titles; a CSV that is one table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _compare(policyc, *args: str):
    return policyc("compare policies/ --against policies/national/ " + " ".join(args), cwd=ROOT)


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_topic_keeps_only_its_duties(policyc):
    r = _compare(policyc, "--topic", "visits", "--format", "csv")
    assert r.code == 0, r.err
    rows = _csv(r.out)
    actions = {row[3] for row in rows[1:]}
    assert "statutory_visit" in actions
    assert not actions & {"cla_review", "icpc", "care_plan"}
    everything = _csv(_compare(policyc, "--format", "csv").out)
    assert len(rows) < len(everything)


def test_several_topics_and_an_unknown_one(policyc):
    both = _csv(_compare(policyc, "--topic", "visits,reviews", "--format", "csv").out)
    assert {"statutory_visit", "cla_review"} <= {row[3] for row in both[1:]}
    r = _compare(policyc, "--topic", "visit")
    assert r.code == 2
    assert "unknown topic `visit`" in r.err and "`visits`" in r.err


def test_one_duty_by_its_event_or_obligation(policyc):
    rows = _csv(_compare(policyc, "--duty", "cla_review", "--format", "csv").out)
    assert rows[1:] and {row[3] for row in rows[1:]} == {"cla_review"}
    r = _compare(policyc, "--duty", "no_such_duty")
    assert r.code == 2 and "no duty `no_such_duty`" in r.err


def test_below_floor_is_only_duties_weaker_than_the_statute(policyc):
    r = _compare(policyc, "--below-floor", "--format", "json")
    assert r.code == 0, r.err
    md = _compare(policyc, "--below-floor").out
    assert "below the statutory floor" in md
    assert "Local terms with no shared equivalent" not in md
    full = _compare(policyc).out
    assert full.count("\n| ") > md.count("\n| ")


def test_columns_are_short_titles_with_the_year(policyc):
    header = _csv(_compare(policyc, "--format", "csv").out)[0]
    assert "Care planning regulations 2010" in header
    assert "Somerset practice standards 2023" in header
    assert not any("UK Government" in h for h in header)


def test_csv_is_one_table_and_the_local_terms_are_their_own(policyc):
    rows = _csv(_compare(policyc, "--format", "csv").out)
    assert len({len(row) for row in rows}) == 1
    terms = _csv(_compare(policyc, "--format", "terms-csv").out)
    assert terms[0] == ["local term", "document", "kind", "label", "used by"]
    assert len({len(row) for row in terms}) == 1 and len(terms) > 1


def test_same_day_timings_read_plainly(policyc):
    md = _compare(policyc).out
    assert "within 0 days" not in md and "at least 0 days" not in md
    assert "on the same day as" in md

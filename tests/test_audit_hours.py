"""Hours on timestamps: times of day read from the events, deadlines in hours judged on them where both
records carry a time, on dates (hours rounded up to days) where one does not (docs/audit.md, "Hours on
timestamps"). The three engines' agreement on generated histories with times is in
test_audit_differential.py; here: the loader, the arithmetic as properties, and the CLI end to end."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shlex
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from audit_samples import clock_policy, write_policy
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.analyses.check import check_paths
from compiler.audit.engines import run_all
from compiler.audit.inputs import RejectKind, load
from compiler.cli.main import main
from compiler.model.semantics import Child, Record, Row

DAY = dt.date(2024, 3, 4)  # a Monday


@pytest.fixture(scope="module")
def policy_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_policy(tmp_path_factory.mktemp("clock") / "clock.policy", clock_policy())


@pytest.fixture(scope="module")
def policy(policy_path: Path):
    result = check_paths([policy_path], [], analyse=False)
    assert not [d for d in result.diagnostics if d.severity.value == "error"]
    return result.policies[0]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _times(loaded) -> dict[int, int | None]:
    return dict(loaded.con.execute("SELECT row, time_of_day FROM events").fetchall())


# ---- the loader -------------------------------------------------------------------------------------
def test_times_from_a_time_column_and_from_iso_datetimes(policy, tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", ["child_id", "event", "date", "time"], [
        ["A", "referral", "2024-03-04", "09:30"],
        ["A", "referral", "2024-03-05", "23:59:59"],
        ["A", "referral", "2024-03-06T10:15:30Z", ""],
        ["A", "referral", "2024-03-07 00:00", ""],
        ["A", "referral", "2024-03-08T08:00:00.250+01:00", " "],
        ["A", "referral", "2024-03-09", ""],
    ])
    loaded = load(policy, path)
    assert loaded.events_rejected == 0 and loaded.timed == 5
    assert _times(loaded) == {1: 9 * 3600 + 30 * 60, 2: 86399, 3: 10 * 3600 + 15 * 60 + 30, 4: 0, 5: 8 * 3600, 6: None}


def test_malformed_times_are_rejected_with_row_and_reason(policy, tmp_path: Path) -> None:
    bad = ["24:00", "9:30", "09:60", "0930", "noon", "09:30:61", "09:30 "]  # a space around is trimmed: accepted
    rows = [["A", "referral", "2024-03-04", t] for t in bad]
    rows.append(["A", "referral", "2024-03-04T08:00", "08:00"])  # a time in both columns
    rows.append(["A", "referral", "2024-03-04", "08:00"])
    loaded = load(policy, _write(tmp_path / "e.csv", ["child_id", "event", "date", "time"], rows))
    got = loaded.con.execute("SELECT row, reason, kind FROM rejects ORDER BY row").fetchall()
    assert [r[0] for r in got] == [1, 2, 3, 4, 5, 6, 8]
    assert all(k == RejectKind.UNPARSABLE_TIME.value for _, _, k in got)
    assert got[1][1] == "unparsable time `9:30` (times are HH:MM or HH:MM:SS)"
    assert got[-1][1] == "a time of day in both `date` and `time`: give it in one of them"
    assert loaded.reject_kinds == {"events: unparsable time": 7}
    assert _times(loaded) == {7: 9 * 3600 + 30 * 60, 9: 8 * 3600}


def test_parquet_timestamps_and_times(policy, tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({
        "child_id": ["A", "A", "B"],
        "event": ["referral", "referral", "referral"],
        "date": pa.array([dt.datetime(2024, 3, 4, 9, 30), dt.datetime(2024, 3, 5, 0, 0), dt.datetime(2024, 3, 6)],
                         type=pa.timestamp("us")),
    }), path)
    loaded = load(policy, path)
    assert _times(loaded) == {1: 9 * 3600 + 30 * 60, 2: 0, 3: 0}  # a TIMESTAMP carries its time, midnight too
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({
        "child_id": ["A", "A"], "event": ["referral", "referral"],
        "date": pa.array([DAY, DAY + dt.timedelta(days=1)], type=pa.date32()),
        "time": pa.array([dt.time(7, 5), None], type=pa.time64("us")),
    }), path)
    loaded = load(policy, path)
    assert _times(loaded) == {1: 7 * 3600 + 5 * 60, 2: None}


def test_date_only_events_have_no_times(policy, tmp_path: Path) -> None:
    loaded = load(policy, _write(tmp_path / "e.csv", ["child_id", "event", "date"], [["A", "referral", "2024-03-04"]]))
    assert loaded.timed == 0 and _times(loaded) == {1: None}


# ---- the arithmetic, as properties --------------------------------------------------------------------
_MOMENT = st.tuples(st.integers(0, 3), st.integers(0, 86399))  # (days after DAY, seconds after midnight)


def _at(moment: tuple[int, int]) -> tuple[dt.date, dt.time]:
    days, secs = moment
    return DAY + dt.timedelta(days=days), dt.time(secs // 3600, secs // 60 % 60, secs % 60)


def _row(rows: list[Row], obligation: str) -> Row:
    found = [r for r in rows if r.obligation == obligation]
    assert len(found) == 1, found
    return found[0]


@settings(max_examples=30, deadline=None)
@given(trigger=st.integers(0, 86399), action=st.one_of(st.none(), _MOMENT))
def test_met_exactly_when_the_action_is_within_n_hours(policy, trigger: int, action: tuple[int, int] | None) -> None:
    """`within 90 minutes` and `within 24 hours`, trigger and action both timed: on timestamps, due = trigger +
    N, met iff the action's moment is at or before it; the due date is the due moment's day. An action
    before the trigger's time on its day does not count."""
    start = dt.datetime.combine(DAY, dt.time(trigger // 3600, trigger // 60 % 60, trigger % 60))
    records = [Record(1, "strategy_discussion", DAY, time=start.time()), Record(2, "contact_received", DAY, time=start.time())]
    if action is not None:
        day, time = _at(action)
        records += [Record(3, "strategy_outcome_recorded", day, time=time), Record(4, "contact_decision", day, time=time)]
    as_of = DAY + dt.timedelta(days=4)
    rows = run_all(policy, [Child("A", None, tuple(records))], as_of, [])
    assert rows["duckdb"] == rows["python"] == rows["reference"]
    for obligation, hours in (("strategy_notes", 1.5), ("contact_decision", 24)):
        row = _row(rows["reference"], obligation)
        due = start + dt.timedelta(hours=hours)
        assert row.on_times is True and row.due_date == due.date()
        done = dt.datetime.combine(*_at(action)) if action is not None else None
        if done is None or done < start:
            assert row.done_date is None and row.outcome == "overdue"  # the due moment has passed as of DAY + 4
        else:
            assert row.done_date == done.date()
            assert row.outcome == ("met" if done <= due else "met_late")


@settings(max_examples=30, deadline=None)
@given(trigger=st.integers(0, 86399), action=_MOMENT, hours=st.sampled_from(("strategy_notes", "strategy_notes_cp",
                                                                                   "contact_decision", "case_notes")))
def test_timestamps_are_never_more_lenient_than_dates(policy, trigger: int, action: tuple[int, int], hours: str) -> None:
    """On timestamps the due date is never later than the rounded one, and an occurrence met on timestamps is
    met on dates too (the same records without their times)."""
    day, time = _at(action)
    trig = dt.time(trigger // 3600, trigger // 60 % 60, trigger % 60)
    timed = (Record(1, "cp_plan_start", DAY), Record(2, "strategy_discussion", DAY, time=trig),
             Record(3, "contact_received", DAY, time=trig), Record(4, "statutory_visit", DAY, time=trig),
             Record(5, "strategy_outcome_recorded", day, time=time), Record(6, "contact_decision", day, time=time),
             Record(7, "case_note_recorded", day, time=time))
    bare = tuple(r._replace(time=None) for r in timed)
    as_of = DAY + dt.timedelta(days=5)
    on_times = _row(run_all(policy, [Child("A", None, timed)], as_of, [])["reference"], hours)
    on_dates = _row(run_all(policy, [Child("A", None, bare)], as_of, [])["reference"], hours)
    # an exception in prose may apply to `strategy_notes_cp`: what would be late is no_data, judged neither way
    assert on_times.on_times is (None if on_times.outcome == "no_data" else True)
    assert on_dates.on_times is (None if on_dates.outcome == "no_data" else False)
    assert on_times.due_date is not None and on_dates.due_date is not None and on_times.due_date <= on_dates.due_date
    if on_times.outcome == "met":
        assert on_dates.outcome == "met"


def test_a_record_without_a_time_falls_back_to_dates(policy) -> None:
    """The trigger timed, the action not (or the other way round): judged on dates, hours rounded up."""
    rows = run_all(policy, [
        Child("A", None, (Record(1, "strategy_discussion", DAY, time=dt.time(10)),
                          Record(2, "strategy_outcome_recorded", DAY + dt.timedelta(days=1)))),
        Child("B", None, (Record(1, "strategy_discussion", DAY),
                          Record(2, "strategy_outcome_recorded", DAY, time=dt.time(23)))),
        # two records of the trigger that day, one without a time: the day has no moment
        Child("C", None, (Record(1, "strategy_discussion", DAY, time=dt.time(10)), Record(2, "strategy_discussion", DAY),
                          Record(3, "strategy_outcome_recorded", DAY, time=dt.time(23)))),
    ], DAY + dt.timedelta(days=3), [])
    assert rows["duckdb"] == rows["python"] == rows["reference"]
    got = {r.child_id: r for r in rows["reference"] if r.obligation == "strategy_notes"}
    assert [(r.on_times, r.due_date, r.outcome) for r in got.values()] == [
        (False, DAY + dt.timedelta(days=1), "met"), (False, DAY + dt.timedelta(days=1), "met"),
        (False, DAY + dt.timedelta(days=1), "met")]


def test_same_day_and_other_hour_timings(policy) -> None:
    """`on the same day as` is judged on the day whatever the times; advance notice and `of A or B` in hours
    are judged on dates, and say so."""
    records = (Record(1, "strategy_discussion", DAY, time=dt.time(23, 30)),
               Record(2, "strategy_outcome_recorded", DAY, time=dt.time(8)),
               Record(3, "contact_received", DAY, time=dt.time(9)), Record(4, "contact_decision", DAY, time=dt.time(10)))
    rows = run_all(policy, [Child("A", None, records)], DAY + dt.timedelta(days=3), [])
    assert rows["duckdb"] == rows["python"] == rows["reference"]
    same_day = _row(rows["reference"], "same_day")
    assert (same_day.outcome, same_day.on_times) == ("met", None)  # recorded that day, before the discussion
    assert _row(rows["reference"], "either").on_times is False
    assert _row(rows["reference"], "contact_decision").on_times is True
    assert _row(rows["reference"], "decided_days").on_times is None


# ---- through the CLI -----------------------------------------------------------------------------------
EVENTS = """child_id,event,date,time
A,strategy_discussion,2024-03-04,10:00
A,strategy_outcome_recorded,2024-03-04,09:00
A,strategy_outcome_recorded,2024-03-04,11:45
A,contact_received,2024-03-04,23:00
A,contact_decision,2024-03-05,22:00
B,contact_received,2024-03-04T08:15:00,
B,contact_decision,2024-03-05 08:16,
C,contact_received,2024-03-04,
C,contact_decision,2024-03-05,07:00
D,contact_received,2024-03-04,25:00
"""


def test_audit_of_events_with_times_through_the_cli(policy_path: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    outputs = {}
    for engine in ("duckdb", "python"):
        out = tmp_path / f"{engine}.csv"
        code = main(shlex.split(f"audit --policy {shlex.quote(str(policy_path))} --events {shlex.quote(str(events))} "
                                f"--engine {engine} --no-progress --sort --out {shlex.quote(str(out))}"))
        assert code == 0
        outputs[engine] = out.read_bytes()
        printed = capsys.readouterr().out
        assert "rejected (events: unparsable time): 1" in printed
        assert ("note: contact_decision: judged on timestamps: 2, on dates (hours rounded up to days: 24 hours "
                "counted as 1 day): 1") in printed
        assert "note: strategy_notes: judged on timestamps: 1, on dates" in printed
    assert outputs["duckdb"] == outputs["python"]
    with open(tmp_path / "duckdb.csv", newline="", encoding="utf-8") as f:
        rows = {(r["child_id"], r["obligation"]): r for r in csv.DictReader(f)}
    assert list(next(iter(rows.values()))) == ["child_id", "obligation", "clause", "trigger_date", "due_date",
                                               "done_date", "outcome", "working_days_late", "step"]
    # 10:00 + 90 minutes is 11:30: the record at 09:00 came before the discussion, the one at 11:45 is late
    assert (rows[("A", "strategy_notes")]["outcome"], rows[("A", "strategy_notes")]["working_days_late"]) == ("met_late", "0")
    assert rows[("A", "contact_decision")]["outcome"] == "met"  # 23:00 + 24 hours: 22:00 the next day
    assert rows[("B", "contact_decision")]["outcome"] == "met_late"  # 08:15 + 24 hours, done 08:16
    assert rows[("C", "contact_decision")]["outcome"] == "met"  # the contact has no time: on dates
    with open(tmp_path / "duckdb.rejects.csv", newline="", encoding="utf-8") as f:
        rejects = list(csv.DictReader(f))
    assert [(r["row"], r["reason"]) for r in rejects] == [("10", "unparsable time `25:00` (times are HH:MM or HH:MM:SS)")]
    out = tmp_path / "summary.json"
    assert main(shlex.split(f"audit --policy {shlex.quote(str(policy_path))} --events {shlex.quote(str(events))} "
                            f"--no-progress --format json --out {shlex.quote(str(out))}")) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    line = next(o for o in doc["summary"] if o["obligation"] == "contact_decision")
    assert (line["on_timestamps"], line["on_dates"]) == (2, 1)

"""Reading case events: every input row is used or rejected, with its row number and reason."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from audit_samples import kitchen_sink_policy, write_policy

from compiler.analyses.check import check_paths
from compiler.audit.inputs import InputError, RejectKind, load

KINDS = ("good", "bad_date", "unknown_event", "no_child", "no_event", "no_date", "duplicate", "attr_only_differs",
         "out_of_range", "extension_ok", "extension_no_until", "extension_not_extendable", "datetime")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("p") / "k.policy"
    write_policy(path, kitchen_sink_policy())
    return check_paths([path], [], analyse=False).policies[0]


def _rows(n: int, seed: int) -> list[list[str]]:  # noqa: C901 - an oracle written independently of compiler/audit/inputs.py, one check per reject rule
    """Random rows, each good or broken in one of the ways of KINDS."""
    rnd = random.Random(seed)
    rows: list[list[str]] = []
    for i in range(n):
        kind = rnd.choice(KINDS) if rows else "good"
        child, event, date = f"C{rnd.randrange(50)}", rnd.choice(["referral", "cla_review", "statutory_visit"]), \
            f"2024-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}"
        row = [child, event, date, "", rnd.choice(["a", "b"])]
        if kind == "bad_date":
            row[2] = rnd.choice(["2024-02-30", "31/01/2024", "yesterday", "2024-1-5", "20240105"])
        elif kind == "unknown_event":
            row[1] = f"not_an_event_{i}"
        elif kind == "no_child":
            row[0] = rnd.choice(["", "   "])
        elif kind == "no_event":
            row[1] = ""
        elif kind == "no_date":
            row[2] = ""
        elif kind == "duplicate":
            row = list(rnd.choice(rows))
        elif kind == "attr_only_differs":
            row = list(rnd.choice(rows))
            row[4] = f"v{i}"  # not a duplicate: another column differs
        elif kind == "out_of_range":
            row[2] = "1812-06-01"
        elif kind == "extension_ok":
            row[1], row[3] = "extension:kinship", "2024-12-01"
        elif kind == "extension_no_until":
            row[1] = "extension:cla_reviews"
        elif kind == "extension_not_extendable":
            row[1], row[3] = "extension:core_group", "2024-12-01"
        elif kind == "datetime":
            row[2] = row[2] + rnd.choice(["T10:00:00", " 23:59", "T00:00:00Z", "T12:00:00+01:00"])
        rows.append(row)
    return rows


def _expected_rejects(rows: list[list[str]]) -> int:
    """Count rejects the slow, obvious way (an independent model of the rules in docs/audit.md)."""
    import datetime as dt
    import re

    seen: set[tuple[str, ...]] = set()
    rejected = 0
    for row in rows:
        child, event, date, until = (x.strip() for x in row[:4])
        ok = bool(child) and bool(event) and bool(date)
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})([T ].*)?", date)
        try:
            day = dt.date.fromisoformat(m.group(1)) if m else None
        except ValueError:
            day = None
        ok = ok and day is not None and 1900 <= day.year <= 2099
        if event.startswith("extension:"):
            ok = ok and event in ("extension:kinship", "extension:cla_reviews") and bool(until)
        ok = ok and not event.startswith("not_an_event")
        key = tuple(row)
        if ok and key in seen:
            ok = False
        seen.add(key)
        rejected += not ok
    return rejected


@pytest.mark.parametrize("child_keys", [True, False], ids=["integer-keys", "text-ids"])
@pytest.mark.parametrize("malformed", [False, True], ids=["fast-csv", "row-by-row-csv"])
def test_used_plus_rejected_is_every_row(policy, tmp_path: Path, malformed: bool, child_keys: bool) -> None:
    """(Duplicates are found from neighbours in the sort by event, key and day with integer keys, and from
    hashes with text ids: both against the same independent count.)"""
    rows = _rows(3000, seed=11)
    path = tmp_path / "events.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["child_id", "event", "date", "extended_until", "note"])
        w.writerows(rows)
        if malformed:  # a row with too few fields sends the reader down the row-by-row path
            f.write("C1,referral\n")
    loaded = load(policy, path, child_keys=child_keys)
    total = len(rows) + malformed
    assert loaded.events_rows == total
    assert loaded.events_used + loaded.events_rejected == total
    assert loaded.events_used == loaded.con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    assert loaded.events_rejected == _expected_rejects(rows) + malformed
    numbers = [r[0] for r in loaded.con.execute("SELECT row FROM rejects ORDER BY row").fetchall()]
    used = [r[0] for r in loaded.con.execute("SELECT row FROM events ORDER BY row").fetchall()]
    assert sorted(numbers + used) == list(range(1, total + 1))  # each row exactly once, numbered from 1
    if malformed:
        assert loaded.con.execute(f"SELECT reason FROM rejects WHERE row = {total}").fetchall() == [
            ("expected 5 fields, found 2",)]
    # every reject has a kind from the enum, named by the rule that rejected it, and counted under it
    kinds = dict(loaded.con.execute("SELECT kind, count(*) FROM rejects GROUP BY kind").fetchall())
    assert set(kinds) <= {k.value for k in RejectKind}
    assert sum(loaded.reject_kinds.values()) == loaded.events_rejected
    assert kinds.get(RejectKind.DUPLICATE.value) and kinds.get(RejectKind.UNKNOWN_EVENT.value)


@pytest.mark.parametrize("child_keys", [True, False], ids=["integer-keys", "text-ids"])
def test_parquet_and_csv_agree(policy, tmp_path: Path, child_keys: bool) -> None:
    rows = _rows(1500, seed=5)
    csv_path = tmp_path / "e.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["child_id", "event", "date", "extended_until", "note"])
        w.writerows(rows)
    pq_path = tmp_path / "e.parquet"
    cols = list(zip(*rows, strict=True))
    pq.write_table(pa.table({name: pa.array(col, type=pa.string()) for name, col in
                             zip(["child_id", "event", "date", "extended_until", "note"], cols, strict=True)}), pq_path)
    a, b = load(policy, csv_path, child_keys=child_keys), load(policy, pq_path, child_keys=child_keys)
    q = "SELECT row, reason FROM rejects ORDER BY row"
    assert a.con.execute(q).fetchall() == b.con.execute(q).fetchall()
    q = "SELECT row, child_id, CAST(event AS VARCHAR), date, extended_until FROM events ORDER BY row"
    assert a.con.execute(q).fetchall() == b.con.execute(q).fetchall()


def test_header_is_matched_loosely_but_required(policy, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(" Child_ID ,EVENT,Date\nA,referral,2024-01-01\n", encoding="utf-8")
    assert load(policy, path).events_used == 1
    path.write_text("child,event,date\nA,referral,2024-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column `child_id`"):
        load(policy, path)
    path.write_text("child_id,event,date,date\nA,referral,2024-01-01,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="appears twice"):
        load(policy, path)


@pytest.mark.parametrize("child_keys", [True, False], ids=["integer-keys", "text-ids"])
def test_values_that_differ_only_by_surrounding_spaces_are_one(policy, tmp_path: Path, child_keys: bool) -> None:
    """Distinct raw values are trimmed once each (maps from the value as read): ' A', 'A ' and 'A' are one
    child, ' referral' is the event referral, and a blank id or event is still missing, however padded."""
    path = tmp_path / "e.csv"
    path.write_text("child_id,event,date\n A,referral,2024-01-01\nA , referral,2024-01-02\nA,referral ,2024-01-03\n"
                    "  ,referral,2024-01-04\nB,  ,2024-01-05\nB,extension:kinship ,2024-01-06\n", encoding="utf-8")
    loaded = load(policy, path, child_keys=child_keys)
    named = ("SELECT e.row, k.child_id, CAST(e.event AS VARCHAR) FROM events e JOIN child_keys k ON k.key = e.child_id"
             if child_keys else "SELECT e.row, e.child_id, CAST(e.event AS VARCHAR) FROM events e")
    assert loaded.con.execute(f"{named} ORDER BY e.row").fetchall() == [
        (1, "A", "referral"), (2, "A", "referral"), (3, "A", "referral")]
    assert loaded.con.execute("SELECT row, reason FROM rejects ORDER BY row").fetchall() == [
        (4, "missing child_id"), (5, "missing event"), (6, "an extension needs a date in `extended_until`")]
    if child_keys:  # one key for A, in the ids' order (a blank id has none)
        assert loaded.con.execute("SELECT key, child_id FROM child_keys ORDER BY key").fetchall() == [
            (1, "A"), (2, "B")]


@pytest.mark.parametrize("sample", [100_000, 1], ids=["whole-sample", "first-row-sample"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("case", ["covered", "blank-ids", "id-not-in-children", "padded-id"])
def test_children_keyed_from_the_children_file(policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               sample: int, fmt: str, case: str) -> None:
    """With a children file, the keys come from its ids alone when they cover the events' ids; an id of the
    events that it lacks (or has only without spaces), seen in the first rows or only afterwards (a sample
    of one row), gets a key as well: the keys, events and rejects are those of numbering every id."""
    import compiler.audit.inputs as inputs

    monkeypatch.setattr(inputs, "_SAMPLE_ROWS", sample)
    later = {"covered": "B", "blank-ids": "  ", "id-not-in-children": "AB", "padded-id": " B"}[case]
    rows = [["B", "referral", "2024-01-01"], ["A", "referral", "2024-01-02"], [later, "cla_review", "2024-01-03"],
            ["", "referral", "2024-01-04"], ["C", "referral", "2024-01-05"], ["B", "referral", "2024-01-01"]]
    events = tmp_path / f"e.{fmt}"
    if fmt == "csv":
        events.write_text("child_id,event,date\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.table({n: [r[i] for r in rows] for i, n in enumerate(["child_id", "event", "date"])}), events)
    children = tmp_path / "c.csv"
    children.write_text("child_id,date_of_birth\nC,2010-01-01\nA,2011-01-01\nB,2012-01-01\n", encoding="utf-8")
    loaded = load(policy, events, children, child_keys=True)
    ids = ["A", "B", "C"] + (["AB"] if case == "id-not-in-children" else [])
    assert loaded.con.execute("SELECT child_id FROM child_keys ORDER BY key").fetchall() == [(i,) for i in sorted(ids)]
    assert loaded.con.execute("SELECT e.row, k.child_id FROM events e JOIN child_keys k ON k.key = e.child_id "
                              "ORDER BY e.row").fetchall() == (
        [(1, "B"), (2, "A")] + ([] if case == "blank-ids" else [(3, later.strip())]) + [(5, "C")])
    assert loaded.con.execute("SELECT row, reason FROM rejects ORDER BY row").fetchall() == (
        ([(3, "missing child_id")] if case == "blank-ids" else []) + [(4, "missing child_id"), (6, "duplicate of row 1")])
    assert loaded.con.execute("SELECT k.child_id, c.date_of_birth FROM children c JOIN child_keys k ON k.key = c.child_id "
                              "ORDER BY k.key").fetchall() == [
        ("A", dt.date(2011, 1, 1)), ("B", dt.date(2012, 1, 1)), ("C", dt.date(2010, 1, 1))]


def test_typed_child_ids_are_keyed_by_their_text(policy, tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"child_id": pa.array([7, 7, None, 12], type=pa.int64()),
                             "event": ["referral", "cla_review", "referral", "referral"],
                             "date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]}), path)
    loaded = load(policy, path, child_keys=True)
    assert loaded.con.execute("SELECT e.row, k.child_id FROM events e JOIN child_keys k ON k.key = e.child_id "
                              "ORDER BY e.row").fetchall() == [(1, "7"), (2, "7"), (4, "12")]
    assert loaded.con.execute("SELECT row, reason FROM rejects").fetchall() == [(3, "missing child_id")]


@pytest.mark.parametrize("child_keys", [True, False], ids=["integer-keys", "text-ids"])
def test_a_policy_without_events_rejects_every_row_without_an_error(tmp_path: Path, child_keys: bool) -> None:
    """No events to code: nothing is packed by (event, key, day), so duplicates go the hash way whatever the
    ids (an SQL error on a missing hash column before). Every row names an unknown event."""
    path = tmp_path / "empty.policy"
    path.write_text('policy "Nothing yet"\n  authority "policyc tests"\n', encoding="utf-8")
    empty = check_paths([path], [], analyse=False).policies[0]
    events = tmp_path / "e.csv"
    events.write_text("child_id,event,date\nA,referral,2024-01-01\nA,referral,2024-01-01\n", encoding="utf-8")
    loaded = load(empty, events, child_keys=child_keys)
    assert (loaded.events_rows, loaded.events_used, loaded.events_rejected) == (2, 0, 2)
    assert [kind for (kind,) in loaded.con.execute("SELECT kind FROM rejects ORDER BY row").fetchall()] == [
        RejectKind.UNKNOWN_EVENT.value] * 2


@pytest.mark.parametrize("child_keys", [True, False], ids=["integer-keys", "text-ids"])
@pytest.mark.parametrize("case", ["clean", "rejected", "duplicates", "rejected-and-duplicates", "near-duplicates"])
def test_rejected_rows_and_duplicates_alone_or_together(policy, tmp_path: Path, child_keys: bool, case: str) -> None:
    """A clean file reads nothing again and deletes nothing; rejected rows, duplicates, or both, are each
    rejected once with their reason and every other row is used. Rows that share their (event, child,
    day) but differ as written (a padded event) are compared and both used."""
    rows = [["A", "referral", "2024-01-01"], ["B", "referral", "2024-01-01"], ["A", "cla_review", "2024-01-02"]]
    expected: list[tuple[int, str]] = []
    if case in ("rejected", "rejected-and-duplicates"):
        rows += [["", "referral", "2024-01-03"], ["C", "referral", "2024-02-30"]]
        expected += [(len(rows) - 1, "missing child_id"),
                     (len(rows), "unparsable date `2024-02-30` (dates are YYYY-MM-DD)")]
    if case in ("duplicates", "rejected-and-duplicates"):
        rows += [["B", "referral", "2024-01-01"], ["A", "cla_review", "2024-01-02"], ["B", "referral", "2024-01-01"]]
        expected += [(len(rows) - 2, "duplicate of row 2"), (len(rows) - 1, "duplicate of row 3"),
                     (len(rows), "duplicate of row 2")]
    if case == "near-duplicates":
        rows += [["A", "referral ", "2024-01-01"]]
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({n: [r[i] for r in rows] for i, n in enumerate(["child_id", "event", "date"])}), path)
    loaded = load(policy, path, child_keys=child_keys)
    assert loaded.con.execute("SELECT row, reason FROM rejects ORDER BY row").fetchall() == expected
    rejected = {r for r, _ in expected}
    assert loaded.con.execute("SELECT row FROM events ORDER BY row").fetchall() == [
        (r,) for r in range(1, len(rows) + 1) if r not in rejected]
    assert (loaded.events_rows, loaded.events_rejected) == (len(rows), len(expected))


def test_duplicate_candidates_do_not_depend_on_the_order_of_the_scan() -> None:
    """The packed keys are compared with their neighbours; keys that come back out of order are sorted
    first (with their rows), so the candidates are the same."""
    import duckdb

    from compiler.audit.inputs import _duplicate_candidates_by_key

    con = duckdb.connect()
    con.execute("CREATE TYPE policyc_event AS ENUM ('a', 'b')")
    con.execute("CREATE TABLE events(row BIGINT, child_id INTEGER, event policyc_event, date DATE, _bad BOOLEAN)")
    con.execute("INSERT INTO events VALUES (1, 2, 'b', DATE '2024-01-01', FALSE), (2, 1, 'a', DATE '2024-01-01', FALSE), "
                "(3, 2, 'b', DATE '2024-01-01', FALSE), (4, 1, 'a', DATE '2024-01-02', FALSE), "
                "(5, 1, 'a', DATE '2024-01-01', TRUE), (6, 1, 'a', DATE '2024-01-01', FALSE)")
    _duplicate_candidates_by_key(con)
    assert con.execute("SELECT row FROM dup_candidates ORDER BY row").fetchall() == [(1,), (2,), (3,), (6,)]


def test_duplicate_candidates_across_batches() -> None:
    """Keys read a batch at a time: equal keys on either side of a batch's end are both found, once each;
    keys out of order in any batch, or between two, give None (all are then fetched and sorted)."""
    from compiler.audit.inputs import _candidates_of_sorted

    def reader(*batches: tuple[list[int], list[int]]) -> pa.RecordBatchReader:
        schema = pa.schema([("k", pa.int64()), ("row", pa.int64())])
        return pa.RecordBatchReader.from_batches(schema, [pa.record_batch([pa.array(k, pa.int64()), pa.array(r, pa.int64())],
                                                                          schema=schema) for k, r in batches])

    found = _candidates_of_sorted(reader(([1, 2, 5], [10, 11, 12]), ([5], [13]), ([5, 7], [14, 15]), ([7, 8], [16, 17]),
                                         ([], [])))
    assert found is not None and found.tolist() == [12, 13, 14, 15, 16]
    assert _candidates_of_sorted(reader()).tolist() == []  # type: ignore[union-attr]
    assert _candidates_of_sorted(reader(([1, 2], [1, 2]), ([1], [3]))) is None
    assert _candidates_of_sorted(reader(([2, 1], [1, 2]))) is None


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_children_rejected_with_the_first_row_of_a_duplicate_id(policy, tmp_path: Path, fmt: str) -> None:
    """Every later row of an id (as trimmed) is rejected naming the id's first row; a missing id or an
    unparsable date of birth is rejected as such, and the first row of an id is used."""
    events = tmp_path / "e.csv"
    events.write_text("child_id,event,date\nA,referral,2024-01-01\n", encoding="utf-8")
    rows = [["B", "2011-01-01"], ["A", "2010-01-01"], [" A", "2010-01-02"], ["", "2010-01-03"], ["C", "2010-02-30"],
            ["A ", "2010-01-04"], ["B", "2011-01-01"]]
    children = tmp_path / f"c.{fmt}"
    if fmt == "csv":
        children.write_text("child_id,date_of_birth\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.table({"child_id": [r[0] for r in rows], "date_of_birth": [r[1] for r in rows]}), children)
    loaded = load(policy, events, children, child_keys=True)
    assert loaded.con.execute("SELECT row, reason FROM rejects WHERE file = 'children' ORDER BY row").fetchall() == [
        (3, "duplicate child_id `A` (first on row 2)"), (4, "missing child_id"),
        (5, "unparsable date_of_birth `2010-02-30` (dates are YYYY-MM-DD)"), (6, "duplicate child_id `A` (first on row 2)"),
        (7, "duplicate child_id `B` (first on row 1)")]
    assert (loaded.children_rows, loaded.children_rejected) == (7, 5)
    assert loaded.con.execute("SELECT k.child_id, c.date_of_birth FROM children c JOIN child_keys k ON k.key = c.child_id "
                              "ORDER BY k.key").fetchall() == [("A", dt.date(2010, 1, 1)), ("B", dt.date(2011, 1, 1))]

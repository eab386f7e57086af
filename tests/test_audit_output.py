"""`policyc audit` output formats: Parquet (from DuckDB's columns, sorted only when asked) and an
xlsx workbook, chosen by `--format` or by the extension of `--out`; both engines give the same rows."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from test_audit_cli import AS_OF, files  # noqa: F401 - the fixture

from compiler.cli.main import main


def _audit(files: dict[str, Path], out: Path, *extra: str) -> int:  # noqa: F811
    return main(["audit", "--policy", str(files["policy"]), "--events", str(files["events"]), "--children",
                 str(files["children"]), "--as-of", AS_OF, "--out", str(out), "--no-progress", *extra])


def _csv_rows(path: Path) -> list[tuple[str, ...]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [tuple(r) for r in csv.reader(f)][1:]


def _text(v: object) -> str:
    if v is None:
        return ""
    return v.isoformat() if isinstance(v, dt.date) else str(v)


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_parquet_by_extension_has_the_csvs_rows(files: dict[str, Path], tmp_path: Path, engine: str) -> None:  # noqa: F811
    assert _audit(files, tmp_path / "a.csv", "--engine", engine) == 0
    assert _audit(files, tmp_path / "a.parquet", "--engine", engine) == 0
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.column_names == ["child_id", "obligation", "clause", "trigger_date", "due_date", "done_date",
                                  "outcome", "working_days_late", "step"]
    assert str(table.schema.field("due_date").type) == "date32[day]"
    assert str(table.schema.field("working_days_late").type) == "int32"
    assert str(table.schema.field("step").type) == "int32"
    got = [tuple(_text(v) for v in r.values()) for r in table.to_pylist()]
    assert sorted(got) == sorted(_csv_rows(tmp_path / "a.csv"))


def test_parquet_sorted_when_asked_is_the_csv_in_order(files: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    assert _audit(files, tmp_path / "a.csv") == 0
    assert _audit(files, tmp_path / "a.pq", "--sort") == 0
    got = [tuple(_text(v) for v in r.values()) for r in pq.read_table(tmp_path / "a.pq").to_pylist()]
    assert got == _csv_rows(tmp_path / "a.csv")
    # the rejects file is named after --out as for CSV
    assert (tmp_path / "a.rejects.csv").exists()


def test_format_option_wins_over_the_extension(files: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "rows.data"
    assert _audit(files, out, "--format", "parquet") == 0
    assert pq.read_table(out).num_rows > 0
    assert _audit(files, tmp_path / "plain.data") == 0  # no known extension: CSV
    assert (tmp_path / "plain.data").read_text(encoding="utf-8").startswith("child_id,obligation,")


def test_xlsx_workbook_has_the_csvs_rows_in_order(files: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    assert _audit(files, tmp_path / "a.csv") == 0
    assert _audit(files, tmp_path / "a.xlsx") == 0
    ws = load_workbook(tmp_path / "a.xlsx", read_only=True)["Audit"]
    values = [tuple(c for c in r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == ("child_id", "obligation", "clause", "trigger_date", "due_date", "done_date", "outcome",
                         "working_days_late", "step")
    width = len(values[0])  # a read-only sheet leaves out empty cells at the end of a row
    got = [tuple(_text(v.date() if isinstance(v, dt.datetime) else v) for v in (*r, *[None] * (width - len(r))))
           for r in values[1:]]
    assert got == _csv_rows(tmp_path / "a.csv")
    first = (tmp_path / "a.xlsx").read_bytes()
    assert _audit(files, tmp_path / "a.xlsx") == 0
    assert (tmp_path / "a.xlsx").read_bytes() == first  # deterministic


def test_binary_formats_need_out(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    code = main(["audit", "--policy", str(files["policy"]), "--events", str(files["events"]), "--format", "parquet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--format parquet writes a binary file: give it with --out FILE" in err
    assert "Traceback" not in err


def test_rejects_file_has_the_bytes_of_the_projects_csv_writer(tmp_path: Path) -> None:
    """The rejects are written by DuckDB, line by line in SQL, with the bytes `CsvWriter` would write:
    quotes, commas, line breaks, a leading `=` and a control character in the raw row."""
    import io

    from audit_samples import write_policy

    from compiler.analyses.check import check_paths
    from compiler.audit.inputs import load
    from compiler.audit.report import write_rejects
    from compiler.emitters.escape import CsvWriter

    policy = write_policy(tmp_path / "p.policy", 'policy "P"\n  authority "T"\n  uses "vocabulary.policy"\n\n'
                          'obligation a "A"\n  cite "1" "an assessment within ten days"\n'
                          "  social_worker must complete assessment_completed within 10 working days of referral\n")
    events = tmp_path / "e.csv"
    events.write_text('child_id,event,date\nC1,referral,2024-01-02\nC1,referral,2024-01-02\n=X,made_up,2024-01-02\n'
                      '"a\x1fb",referral,2024-13-01\nC2,referral,2024-01-03,extra\n"q,""x",referral,\n'
                      '"two\nlines",referral,2024-02-30\n-1,referral,\n', encoding="utf-8")
    loaded = load(check_paths([policy], [], analyse=False).policies[0], events)
    write_rejects(loaded, str(tmp_path / "r.csv"))
    expected = io.StringIO()
    w = CsvWriter(expected)
    w.writerow(("file", "row", "reason", "raw"))
    w.writerows(loaded.con.execute("SELECT file, row, reason, raw FROM rejects ORDER BY file DESC, row").fetchall())
    got = (tmp_path / "r.csv").read_bytes().decode("utf-8")
    assert got == expected.getvalue()
    assert got.count("\n") > 7  # every reject is there


def test_rejects_file_with_nothing_rejected_has_its_header(files: dict[str, Path], tmp_path: Path) -> None:  # noqa: F811
    good = tmp_path / "good.csv"
    good.write_text("child_id,event,date\nC1,referral,2024-01-02\n", encoding="utf-8")
    assert main(["audit", "--policy", str(files["policy"]), "--events", str(good), "--out", str(tmp_path / "o.csv"),
                 "--no-progress"]) == 0
    assert (tmp_path / "o.rejects.csv").read_text(encoding="utf-8") == "file,row,reason,raw\n"

"""`policyc audit --engine postgres|spark`: a missing option, an unreachable server or a missing package
is one line on stderr and exit code 2, never a traceback. (The rows themselves are compared with
DuckDB's in test_audit_differential.py.)"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from compiler.audit.warehouse import redact

POLICY = Path(__file__).resolve().parents[1] / "policies" / "national" / "care-planning-regulations-2010.policy"


@pytest.fixture
def events(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("child_id,event,date\nA,became_looked_after,2024-01-02\n", encoding="utf-8")
    return path


def _audit(policyc, events: Path, options: str):
    return policyc(f"audit --policy {shlex.quote(str(POLICY))} --events {shlex.quote(str(events))} --no-progress {options}")


def test_postgres_needs_a_dsn(policyc, events: Path) -> None:
    run = _audit(policyc, events, "--engine postgres")
    assert run.code == 2 and "--engine postgres needs --dsn" in run.err and "Traceback" not in run.err


def test_options_of_another_engine_are_refused(policyc, events: Path) -> None:
    assert "--dsn is for --engine postgres" in _audit(policyc, events, "--dsn host=/tmp").err
    assert "--spark-master is for --engine spark" in _audit(policyc, events, "--spark-master local[1]").err


def test_an_unreachable_server_is_one_line(policyc, events: Path, tmp_path: Path) -> None:
    dsn = f"host={tmp_path} dbname=audit password=hunter2"  # no server listens on a socket there
    run = _audit(policyc, events, f"--engine postgres --dsn {shlex.quote(dsn)}")
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("policyc: error: cannot connect to PostgreSQL at ") and "Traceback" not in run.err
    assert "hunter2" not in run.err and len(run.err.strip().splitlines()) == 1


def test_spark_without_pyspark_says_how_to_install_it(policyc, events: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if pyspark were not installed
    run = _audit(policyc, events, "--engine spark")
    assert run.code == 2 and "pip install 'policyc[spark]'" in run.err and "Traceback" not in run.err


def test_passwords_are_never_shown() -> None:
    assert redact("host=db password=s3cret user=a") == "host=db password=*** user=a"
    assert redact("postgresql://audit:s3cret@db:5432/warehouse") == "postgresql://audit:***@db:5432/warehouse"

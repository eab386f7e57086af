"""Shared test helpers: run `policyc` exactly as a user types it, and write policies to temp folders."""

from __future__ import annotations

import shlex
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from compiler.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "policies" / "vocabulary.policy"
SEEDS = (ROOT.parent / "shared" / "seeds").resolve()


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def policyc(capsys, monkeypatch):
    """`policyc("check x.policy")` → Run(code, stdout, stderr), in-process, as typed at a shell."""

    def run(command: str, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main(shlex.split(command))
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def write_policy(tmp_path):
    """Write a policy that uses the shared vocabulary; returns its path."""
    (tmp_path / "vocabulary.policy").write_text(VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")

    def write(body: str, name: str = "test.policy", header: bool = True) -> Path:
        text = textwrap.dedent(body).lstrip("\n")
        if header:
            text = 'policy "Test policy"\n  authority "Test Council"\n  uses "vocabulary.policy"\n\n' + text
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_floor(tmp_path, write_policy):
    """Write `national/statute.policy` (a statutory floor with the given obligations) beside the
    policies that `write_policy` writes; returns the folder."""

    def write(body: str) -> Path:
        floor = tmp_path / "national"
        floor.mkdir(exist_ok=True)
        (floor / "vocabulary.policy").write_text((tmp_path / "vocabulary.policy").read_text())
        (floor / "statute.policy").write_text(
            'policy "Statute"\n  authority "Parliament"\n  uses "vocabulary.policy"\n\n' + body)
        return floor

    return write


@pytest.fixture(scope="session")
def postgres_dsn():
    """A private PostgreSQL server for the whole test session (tests/pg_server.py): its DSN."""
    from pg_server import private_postgres

    with private_postgres() as dsn:
        yield dsn


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test session (starting one takes seconds)."""
    from compiler.audit.warehouse import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()

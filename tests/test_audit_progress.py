"""The audit's progress bar: one line on standard error, redrawn in place while the input is read and
checked and while the duties are judged, and only when standard error is a terminal (tested with a
pseudo-terminal); into a pipe it writes nothing, and it never mixes with the summary."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from test_audit_cli import AS_OF, files  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[1]


def _command(files: dict[str, Path], engine: str, *extra: str) -> list[str]:  # noqa: F811
    return [sys.executable, "-m", "compiler.cli", "audit", "--policy", str(files["policy"]), "--events",
            str(files["events"]), "--children", str(files["children"]), "--as-of", AS_OF, "--out",
            str(files["dir"] / f"rows-{engine}.csv"), "--engine", engine, *extra]


def _run_on_pty(cmd: list[str]) -> tuple[int, str, str]:
    """Run with standard error on a pseudo-terminal; return the exit code, stdout and what the terminal got."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    got = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child has closed its end
                break
            if not chunk:
                break
            got += chunk
        elif proc.poll() is not None:
            break
    out = proc.stdout.read().decode("utf-8") if proc.stdout else ""
    os.close(master)
    return proc.wait(), out, got.decode("utf-8", "replace")


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_bar_on_a_terminal_moves_through_loading_and_judging(files: dict[str, Path], engine: str) -> None:  # noqa: F811
    code, out, tty = _run_on_pty(_command(files, engine))
    assert code == 0, tty
    # every stage is drawn, each time over the same line (carriage returns, no new lines)
    for stage in ("reading events", "reading children", "checking events", "judging"):
        assert stage in tty, tty
    assert "\r" in tty and "\n" not in tty.replace("\r\n", "").strip("\n"), repr(tty)
    assert "Traceback" not in tty
    # the summary goes to standard output, not onto the bar's line
    assert out.startswith("audit of 'Audit CLI test'") and "reading events" not in out


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_no_bar_into_a_pipe_or_with_no_progress(files: dict[str, Path], engine: str) -> None:  # noqa: F811
    piped = subprocess.run(_command(files, engine), cwd=ROOT, capture_output=True, text=True)
    assert piped.returncode == 0
    assert piped.stderr == ""
    code, _, tty = _run_on_pty(_command(files, engine, "--no-progress"))
    assert code == 0
    assert tty == ""

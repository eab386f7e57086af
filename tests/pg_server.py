"""A private PostgreSQL server for the tests: `initdb` in a temporary folder, listening only on a Unix
socket in that folder (no TCP), stopped and removed afterwards.

PostgreSQL refuses to run as root, so as root (CI) the server runs as the unprivileged `nobody`
(`runuser`), which owns the folder; as any other user it runs as that user. The binaries are those of
the newest /usr/lib/postgresql/N/bin (Debian's `postgresql` package), else `pg_config --bindir`,
else those on PATH.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

UNPRIVILEGED = "nobody"


def bindir() -> Path | None:
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if versions:
        return Path(versions[-1]).parent
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _run(prefix: list[str], cmd: list[str]) -> None:
    done = subprocess.run(prefix + cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


@contextmanager
def private_postgres() -> Iterator[str]:
    """Start a server; yield a libpq DSN for it (its superuser `policyc`, database `postgres`)."""
    bins = bindir()
    if bins is None:
        raise RuntimeError("PostgreSQL's server programs are not installed: run scripts/setup.sh "
                           "(apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="policyc-pg-"))  # under /tmp: `nobody` can reach it
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, UNPRIVILEGED)
        prefix = ["runuser", "-u", UNPRIVILEGED, "--"]
    data = folder / "data"
    options = (f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=20")
    try:
        _run(prefix, [str(bins / "initdb"), "-D", str(data), "-A", "trust", "-U", "policyc", "-E", "UTF8",
                      "--locale=C", "--no-sync"])
        _run(prefix, [str(bins / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o", options,
                      "start"])
        try:
            yield f"host={folder} dbname=postgres user=policyc"
        finally:
            _run(prefix, [str(bins / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)

"""Policies as they were at a git revision, for `policyc diff --rev` and `policyc diff REV1..REV2`.

The policy files of the revision (every `*.policy` file in it, so that `uses` finds the vocabulary
as it was then) are written to a temporary folder with their paths in the repository; the caller
loads them from there. git is run as a subprocess (`git ls-tree`, `git cat-file`), with no shell.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

POLICY_SUFFIX = ".policy"


class RevisionError(Exception):
    """git is missing, the folder is not in a repository, or the revision is unknown: one line."""


def _git(cwd: Path, *args: str, input_bytes: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], input=input_bytes, capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(message[0] if message else f"git {args[0]} failed")
    return done.stdout


def repository_root(path: Path) -> Path:
    """The top folder of the git repository holding `path` (a file or folder)."""
    folder = path if path.is_dir() else path.parent
    return Path(_git(folder.resolve(), "rev-parse", "--show-toplevel").decode("utf-8").strip())


def in_repository(root: Path, path: Path) -> str:
    """`path` as a path inside the repository (with `/`)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise RevisionError(f"{path} is not inside the git repository at {root}") from None


def commit_of(root: Path, rev: str) -> str:
    """The commit that `rev` names (a branch, tag, `HEAD~1`...)."""
    if rev.startswith("-"):
        raise RevisionError(f"`{rev}` is not a revision")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}").decode().strip()
    except RevisionError:
        raise RevisionError(f"`{rev}` is not a revision of the repository at {root}") from None


def changed_policies(root: Path, old: str, new: str, paths: list[str]) -> list[str]:
    """Policy files (repository paths) that differ between two commits, under `paths`."""
    out = _git(root, "diff", "--name-only", "-z", "--no-renames", old, new, "--", *(paths or ["."]))
    return sorted(p for p in out.decode("utf-8").split("\0") if p.endswith(POLICY_SUFFIX))


@dataclass
class Snapshot:
    """The policy files of one commit, written under `folder` with their repository paths."""

    rev: str
    commit: str
    folder: Path
    files: set[str] = field(default_factory=set)
    _tmp: tempfile.TemporaryDirectory | None = None

    def path(self, repo_path: str) -> Path | None:
        return self.folder / repo_path if repo_path in self.files else None

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def snapshot(root: Path, rev: str) -> Snapshot:
    """Write every policy file of `rev` to a temporary folder (removed by `close()`)."""
    commit = commit_of(root, rev)
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit).decode("utf-8")
    blobs: list[tuple[str, str]] = []
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, _, name = entry.partition("\t")
        kind, sha = meta.split()[1:3]
        if kind == "blob" and name.endswith(POLICY_SUFFIX):
            blobs.append((sha, name))
    tmp = tempfile.TemporaryDirectory(prefix="policyc-rev-")
    snap = Snapshot(rev, commit, Path(tmp.name), _tmp=tmp)
    if blobs:
        data = _git(root, "cat-file", "--batch", input_bytes="".join(f"{sha}\n" for sha, _ in blobs).encode())
        pos = 0
        for _, name in blobs:
            header_end = data.index(b"\n", pos)
            size = int(data[pos:header_end].split()[2])
            body = data[header_end + 1: header_end + 1 + size]
            pos = header_end + 1 + size + 1
            target = snap.folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            snap.files.add(name)
    return snap

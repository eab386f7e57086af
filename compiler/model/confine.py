"""Where a policy file's `uses` and `source` may point (docs/security.md).

A policy file is untrusted: `uses "/etc/passwd"` or `source "../../.git/config"` must not make
policyc read a file, let alone echo it in a diagnostic. So a path written in a policy is

- relative (an absolute path is refused),
- inside one of the allowed folders once `..` and every symbolic link are resolved,
- a regular file (not a device such as `/dev/zero`, a pipe or `/dev/stdin`), of limited size.

The allowed folders of a policy file: the `policies/` folder of the policyc project it belongs to
(the nearest folder above it with a pyproject.toml that has `[tool.policyc]`); for a file outside
any project, the current folder if the file is in it, otherwise the folder named on the command line
that holds it, or else the folder above the file's own (the `policies/<authority>/` layout, where
the vocabulary is `../vocabulary.policy`). `source` may also name a file in the source folders (`source-dir` in
pyproject.toml, or `--source-dir`), which the user chose.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from compiler.model.settings import find_project_root

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # the largest source document shipped is under 100 KiB


class Refused(Exception):
    """A path a policy may not name; `reason` completes "`uses` path `x` ..."."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def policy_roots(policy_file: Path, named: Path | None = None) -> list[Path]:
    """The folders a policy file's `uses` (and, with the source folders, `source`) may point into;
    `named` is the folder named on the command line that holds the file, if any."""
    here = policy_file.resolve().parent
    root = find_project_root(here)
    if root is not None:
        return [(root / "policies").resolve()]
    cwd = Path.cwd().resolve()
    if here.is_relative_to(cwd):
        return [cwd]
    return [named.resolve() if named is not None else here.parent]


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def confine(base: Path, written: str, roots: list[Path]) -> Path | None:
    """The file that `written` (relative to the folder `base`) names, if it is allowed; None if there
    is no such file; Refused if it is absolute, outside `roots` or not a regular file."""
    if not written or Path(written).is_absolute() or written.startswith(("~", "\\")) or ":" in written[:3]:
        raise Refused("is an absolute path: give it relative to the policy file")
    candidate = (base / written)
    try:
        real = candidate.resolve(strict=True)
    except FileNotFoundError:
        if not _within(Path(os.path.abspath(candidate)), roots):
            raise Refused("leaves the folders a policy may read from") from None
        return None
    except (OSError, RuntimeError):  # a loop of links, a name too long
        raise Refused("cannot be resolved to a file") from None
    if not _within(real, roots):
        raise Refused("leaves the folders a policy may read from" + (" (through a link)" if _within(
            Path(os.path.abspath(candidate)), roots) else ""))
    mode = real.stat().st_mode
    if stat.S_ISDIR(mode):
        raise Refused("is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise Refused("is not a regular file (a device, pipe or socket)")
    return real


def roots_shown(roots: list[Path]) -> str:
    """The allowed folders, for a hint, relative to the current folder where possible."""
    here = Path.cwd().resolve()
    return ", ".join(str(r.relative_to(here)) if r.is_relative_to(here) else str(r) for r in roots)

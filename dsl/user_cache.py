"""The user's own cache folder for policyc: what is slow to work out at a command's start and the same
every time (the analysed grammar, `dsl.parser`; England's bank holidays, `compiler.model.bank_holidays`).

`$XDG_CACHE_HOME/policyc`, else `~/.cache/policyc`, made readable and writable by the user alone. It
is used only while it is the user's own and no one else can write to it: the grammar is kept as a
pickle, and a pickle runs code when read, so a folder that another user could write to is not used.
Nothing fails without it; every command only takes longer.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def cache_folder() -> Path | None:
    """The folder, made if need be; None if it cannot be made or is not the user's alone."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "policyc"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder if private(folder) else None
    except OSError:
        return None


def private(path: Path) -> bool:
    """Whether `path` (a file or folder) belongs to this user and no one else can write to it."""
    try:
        st = path.lstat()
    except OSError:
        return False
    return _mine(st) and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def keep_private(path: Path) -> None:
    """Make a file this process wrote readable and writable by the user alone (nothing if it is gone, a
    link or not the user's)."""
    try:
        if _mine(path.lstat()):
            path.chmod(0o600)
    except OSError:
        pass


def _mine(st: os.stat_result) -> bool:
    """Whether a file (not a link) belongs to this user."""
    if stat.S_ISLNK(st.st_mode):
        return False
    return st.st_uid == os.getuid() if hasattr(os, "getuid") else True

"""The build's files on disk: written and deleted only inside the managed folder, never through a link.

`policyc build` owns one folder, `generated/`. Before it reads, writes or deletes anything there it
checks the whole tree: the folder itself, every folder and file in it, and every output's path must
be a real folder or a regular file, not a symbolic link (git carries links, so a pull request can
plant one), and every output path must stay inside the folder. A problem stops the build before it
touches anything. Files are opened with O_NOFOLLOW, so a link planted between the check and the
write is refused by the system too.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath

MANAGED = "generated"


class UnsafeTree(Exception):
    """The managed folder or an output path cannot be used safely; nothing was touched."""


def output_path(rel: str) -> PurePosixPath:
    """A build output's path, checked: relative, inside the managed folder, no `.`/`..`/empty parts."""
    path = PurePosixPath(rel)
    parts = path.parts
    bad = [p for p in parts if p in ("", ".", "..") or "\\" in p or any(ord(ch) < 32 for ch in p)]
    if path.is_absolute() or len(parts) < 2 or parts[0] != MANAGED or bad:
        raise UnsafeTree(f"output path `{rel}` is not a plain path inside {MANAGED}/")
    return path


def existing(root: Path) -> set[str]:
    """Every regular file under the managed folder (as root-relative POSIX paths), after checking
    that no folder or file there is a symbolic link or anything but a regular file."""
    top = root / MANAGED
    if top.is_symlink():
        raise UnsafeTree(f"{MANAGED}/ is a symbolic link (to {os.readlink(top)}); refusing to follow it")
    if not top.exists():
        return set()
    if not top.is_dir():
        raise UnsafeTree(f"{MANAGED} is not a folder")
    found: set[str] = set()
    for folder, dirs, files in os.walk(top, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs + files):
            path = here / name
            mode = path.lstat().st_mode
            rel = path.relative_to(root).as_posix()
            if stat.S_ISLNK(mode):
                raise UnsafeTree(f"{rel} is a symbolic link (to {os.readlink(path)}); refusing to follow it")
            if name in files:
                if not stat.S_ISREG(mode):
                    raise UnsafeTree(f"{rel} is not a regular file")
                found.add(rel)
    return found


def read(root: Path, rel: str) -> str | None:
    """A managed file's text, or None if it does not exist (never through a link)."""
    try:
        fd = os.open(root / output_path(rel), os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise UnsafeTree(f"{rel} is a symbolic link; refusing to follow it") from err
        raise
    with open(fd, encoding="utf-8") as f:
        return f.read()


def write(root: Path, rel: str, text: str) -> None:
    path = root / output_path(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with open(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def remove(root: Path, rel: str) -> None:
    path = root / output_path(rel)
    if not stat.S_ISREG(path.lstat().st_mode):
        raise UnsafeTree(f"{rel} is not a regular file")
    path.unlink()
    # drop folders the build emptied, up to (not including) the managed folder
    parent = path.parent
    while parent != root / MANAGED and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent

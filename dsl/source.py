"""Source files: their text, path and line lookup for diagnostics."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_POLICY_BYTES = 32 * 1024 * 1024  # a 100,000-line policy is about 4 MiB


@dataclass
class SourceFile:
    path: str  # as shown to the user
    text: str
    _lines: list[str] | None = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def line(self, number: int) -> str:
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1].rstrip("\r")
        return ""


class SourceReadError(Exception):
    """A file that could not be read as UTF-8 text; carries a one-line reason."""

    def __init__(self, path: str, reason: str, line: int = 0, column: int = 0):
        super().__init__(reason)
        self.path = path
        self.reason = reason
        self.line = line
        self.column = column


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A device, a FIFO or a folder is refused
    before it is opened (`/dev/zero` would never end, `/dev/stdin` would wait), and a file that grows
    past the limit while it is read is refused too. Raises OSError with a one-line `strerror`."""
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise OSError(0, "is not a regular file (a device, pipe or socket)")
    if info.st_size > limit:
        raise OSError(0, f"is larger than the limit of {limit // (1024 * 1024)} MiB")
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise OSError(0, f"is larger than the limit of {limit // (1024 * 1024)} MiB")
    return data


def read_source(path: Path, shown: str | None = None) -> SourceFile:
    """Read a .policy file strictly as UTF-8; report the first bad byte's line and column."""
    shown = shown or str(path)
    try:
        data = read_limited(path, MAX_POLICY_BYTES)
    except FileNotFoundError:
        raise SourceReadError(shown, "no such file") from None
    except IsADirectoryError:
        raise SourceReadError(shown, "is a directory, not a file") from None
    except OSError as err:
        raise SourceReadError(shown, err.strerror or str(err)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise SourceReadError(
            shown, f"is not valid UTF-8 text (byte 0x{data[err.start]:02x})", line, column
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceFile(shown, text)

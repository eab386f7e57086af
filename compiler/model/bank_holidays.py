"""The weekday bank holidays of England and Wales, as the installed `holidays` library lists them.

`holidays.country_holidays("GB", subdiv="ENG")` is the source. Importing the library and listing 71
years cost about a quarter of a second at the start of every command that counts working days
(`policyc check`, `build` and `audit` among them), so the answer is kept in the user's cache folder
(`dsl.user_cache`), in a text file named for the version of `holidays` that gave it and the years: one
ISO date a line. Another version of the library is another file, so the list is always the installed
library's. A file that cannot be read as such a list is ignored and written again; a cache folder that
cannot be written only costs the time.
"""

from __future__ import annotations

import contextlib
import os
from datetime import date
from importlib import metadata
from pathlib import Path

from dsl.user_cache import cache_folder


def weekday_bank_holidays(years: range) -> list[date]:
    """The bank holidays of England and Wales in `years` that fall on a weekday, sorted."""
    path = cache_file(years)
    kept = _read(path) if path is not None else None
    if kept is not None:
        return kept
    found = _from_library(years)
    if path is not None:
        _write(path, found)
    return found


def cache_file(years: range) -> Path | None:
    """Where the list of `years` from the installed `holidays` is kept; None if `holidays` has no version or
    there is no cache folder."""
    try:
        version = metadata.version("holidays")
    except metadata.PackageNotFoundError:
        return None
    folder = cache_folder()
    if folder is None:
        return None
    return folder / f"bank-holidays-england-{years.start}-{years.stop - 1}-holidays-{version}.txt"


def _read(path: Path) -> list[date] | None:
    """The dates in the file, or None if it is missing or is not a sorted list of weekdays."""
    try:
        days = [date.fromisoformat(line) for line in path.read_text(encoding="ascii").split()]
    except (OSError, ValueError):
        return None
    if not days or any(b <= a for a, b in zip(days, days[1:], strict=False)) or any(d.weekday() > 4 for d in days):
        return None
    return days


def _write(path: Path, days: list[date]) -> None:
    """Write the file whole or not at all (another process may be reading it)."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:  # (the folder is made by `cache_folder`)
        partial.write_text("".join(f"{d.isoformat()}\n" for d in days), encoding="ascii")
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def _from_library(years: range) -> list[date]:
    import holidays  # here: most commands find the list in the cache

    found = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return sorted({d for d in found if d.weekday() < 5})

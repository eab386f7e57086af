"""Versions of one document that cannot be ordered (W520): two published versions taking effect on the
same day, or a version that supersedes one taking effect after it. Either way, which version is in
force on a date is a guess."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from compiler.model.ir import Policy
from compiler.model.versions import label, series_of, superseded_path
from dsl.diagnostics import Diagnostic, Related


def _w509(p: Policy, message: str, hint: str, other: Policy) -> Diagnostic:
    return Diagnostic("W520", message, p.path, p.span, hint, (Related(other.path, other.span, f"{label(other)} is here"),))


def version_order(policies: list[Policy]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for series in series_of(policies):
        first_on: dict[dt.date | None, Policy] = {}
        for p in series.versions:
            other = first_on.setdefault(p.effective, p) if not p.draft else p
            if other is not p:
                out.append(_w509(p, f"{label(p)} and {label(other)} of “{p.title}” take effect on the same day",
                                 "give each version its own `effective` date, or mark the unpublished one `draft`", other))
        by_path = {Path(p.path).resolve(): p for p in series.versions}
        for p in series.versions:
            old = by_path.get(superseded_path(p) or Path())
            if old is not None and old.effective and p.effective and old.effective > p.effective:
                out.append(_w509(p, f"{label(p)} supersedes {label(old)}, which takes effect later",
                                 "check the `effective` dates, or the file named by `supersedes`", old))
    return out

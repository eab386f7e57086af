"""Versions of a document: which policies form a series, and which version is in force on a date.

Two policies are versions of one document when one names the other in `supersedes "FILE"` (a path
relative to the superseding file), or when they have the same authority, the same title and each an
effective date, all different (two files with the same title and date are two documents). A
series is ordered by `effective` date (a version without one comes first), then by the
`supersedes` links, then by path.

The version in force on a date is the latest version, not marked `draft`, whose effective date is
on or before that date (a version without an effective date is in force from the beginning). With
no date, the version in force is the latest published one: the build and the cross-document checks
describe the newest standard, whether or not its effective date has come (the output then does
not depend on the day it is built). Earlier versions and drafts are the series' history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from compiler.model.ir import Policy


@dataclass(frozen=True)
class Series:
    """The versions of one document, oldest first."""

    versions: tuple[Policy, ...]

    @property
    def latest(self) -> Policy:
        return self.versions[-1]

    def in_force(self, on: dt.date | None = None) -> Policy | None:
        """The version in force on `on` (None: the latest published); None if none is in force then."""
        published = [p for p in self.versions if not p.draft]
        if on is not None:
            published = [p for p in published if p.effective is None or p.effective <= on]
        return published[-1] if published else None

    def period(self, policy: Policy) -> tuple[dt.date | None, dt.date | None]:
        """[from, until) during which `policy` is in force: its effective date, and the effective date
        of the next published version (None: open). A draft is never in force: (None, None)."""
        if policy.draft:
            return None, None
        later = [p for p in self.versions[self.versions.index(policy) + 1:] if not p.draft and p.effective]
        return policy.effective, (later[0].effective if later else None)

    def next_after(self, policy: Policy) -> Policy | None:
        i = self.versions.index(policy)
        return self.versions[i + 1] if i + 1 < len(self.versions) else None


def _key(p: Policy) -> Path:
    return Path(p.path).resolve()


def superseded_path(p: Policy) -> Path | None:
    """The file named by `supersedes`, resolved against the policy's own folder."""
    return (Path(p.path).parent / p.supersedes).resolve() if p.supersedes else None


def series_of(policies: list[Policy]) -> list[Series]:
    """Group policies into series (each policy in exactly one), sorted by their first version's path."""
    by_path = {_key(p): p for p in policies}
    parent: dict[Path, Path] = {k: k for k in by_path}

    def find(k: Path) -> Path:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: Path, b: Path) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    named: dict[tuple[str, str], list[Path]] = {}
    for k, p in sorted(by_path.items()):
        old = superseded_path(p)
        if old is not None and old in by_path:
            union(old, k)
        if p.authority and p.effective:
            named.setdefault((p.authority, p.title), []).append(k)
    for group in named.values():  # a series by title needs a distinct effective date for each version
        if len({by_path[k].effective for k in group}) == len(group):
            for k in group[1:]:
                union(group[0], k)
    groups: dict[Path, list[Policy]] = {}
    for k, p in by_path.items():
        groups.setdefault(find(k), []).append(p)
    return sorted((Series(tuple(_ordered(g))) for g in groups.values()), key=lambda s: s.versions[0].path)


def _ordered(group: list[Policy]) -> list[Policy]:
    """Oldest first: by effective date, then a superseded version before the one superseding it, then by path."""
    depth: dict[Path, int] = {}
    by_path = {_key(p): p for p in group}

    def chain(p: Policy, seen: frozenset[Path] = frozenset()) -> int:
        k = _key(p)
        if k not in depth:
            old = superseded_path(p)
            depth[k] = 0 if old is None or old not in by_path or old in seen else 1 + chain(by_path[old], seen | {k})
        return depth[k]

    return sorted(group, key=lambda p: (p.effective or dt.date.min, chain(p), p.path))


def in_force(policies: list[Policy], on: dt.date | None = None) -> list[Policy]:
    """The versions in force on `on` (None: the latest published), in the order given."""
    keep = {id(v) for s in series_of(policies) if (v := s.in_force(on)) is not None}
    return [p for p in policies if id(p) in keep]


def history(policies: list[Policy]) -> list[Policy]:
    """The versions that are not the latest published one of their series (earlier ones and drafts)."""
    current = {id(p) for p in in_force(policies)}
    return [p for p in policies if id(p) not in current]


def label(p: Policy) -> str:
    """`version 4, effective 2023-07-01, draft` (the parts that are known)."""
    parts = [f"version {p.version}" if p.version else "", f"effective {p.effective.isoformat()}" if p.effective else "",
             "draft" if p.draft else ""]
    return ", ".join(x for x in parts if x) or Path(p.path).name

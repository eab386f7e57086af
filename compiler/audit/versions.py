"""An audit against several versions of one document: each occurrence judged by the version in force.

Every published version is run over the same case events with the chosen engine; an occurrence is
kept from the version in force on its trigger date (`Series.in_force`). An occurrence triggered
before the first version's effective date is judged by the first version (no later version can
have applied to it). Drafts judge nothing. The summary counts, for each version, how many
occurrences it judged, with the dates between which it was in force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

from compiler.model.ir import Policy
from compiler.model.semantics import Row, audited, row_sort_key
from compiler.model.versions import Series, label


def judging_version(series: Series, day: dt.date) -> Policy:
    """The version that judges an occurrence triggered on `day`."""
    found = series.in_force(day)
    if found is not None:
        return found
    return next(p for p in series.versions if not p.draft)


def published(series: Series) -> list[Policy]:
    return [p for p in series.versions if not p.draft]


def merged_policy(series: Series) -> Policy:
    """One policy with every version's events and obligations (the newest version's where ids
    repeat, in its order, then older ones'): the input is checked and summarised against it."""
    versions = published(series)
    newest = versions[-1]
    events: dict = {}
    obligations: dict = {}
    for p in reversed(versions):
        for k, v in p.events.items():
            events.setdefault(k, v)
        for ob in p.obligations:
            obligations.setdefault(ob.id, ob)
    return dataclasses.replace(newest, events=events, obligations=list(obligations.values()))


@dataclasses.dataclass
class VersionCount:
    policy: Policy
    start: dt.date | None
    until: dt.date | None
    occurrences: int

    def to_json(self) -> dict:
        return {"version": self.policy.version, "path": self.policy.path, "label": label(self.policy),
                "in_force_from": self.start.isoformat() if self.start else None,
                "in_force_until": self.until.isoformat() if self.until else None, "occurrences": self.occurrences}


def evaluate_versions(series: Series, run: Callable[[Policy], Sequence[Row]],
                      as_of: dt.date) -> tuple[list[Row], list[VersionCount]]:
    """`run(version)` gives one version's rows; keep each row from the version that judges it."""
    order = {ob.id: i for i, ob in enumerate(audited(merged_policy(series)))}
    rows: list[Row] = []
    counts: list[VersionCount] = []
    for v in published(series):
        mine = [r for r in run(v) if judging_version(series, r.trigger_date or r.due_date or as_of) is v]
        rows.extend(mine)
        start, until = series.period(v)
        counts.append(VersionCount(v, start, until, sum(r.outcome != "not_applicable" for r in mine)))
    rows.sort(key=lambda r: row_sort_key(r, order))
    return rows, counts


def version_notes(counts: list[VersionCount]) -> list[str]:
    """One line per version for the summary: which version judged how many occurrences."""
    out = []
    for c in counts:
        when = (f"in force from {c.start or 'the beginning'}" + (f" until {c.until}" if c.until else ""))
        out.append(f"{label(c.policy)} ({c.policy.path}, {when}) judged {c.occurrences} occurrences")
    return out

"""An independent hand reading of the fake SSDA903 return, compared with `policyc audit`.

The oracle below reads `episodes.csv` and `reviews.csv` itself (no adapter, no engine, no
`compiler.timescales`) and works out, for every period of care, when the first looked-after review
was due and what happened, as a careful reader of regulation 33(1) of the Care Planning Regulations
2010 and of the DfE SSDA903 guidance would:

- a period of care starts at an episode with RNE `S`, unless an earlier episode ended that same day
  (DfE rule 431: the child never stopped being looked after);
- it ends at the DEC of its last episode when REC is not `X1` and no later episode has started by
  then, or else the day the next period starts (an older episode still open is closed that day);
- the first review is due 20 working days after the start (day 0 the start; working days are Monday
  to Friday except England's bank holidays), and a review on the due day is on time;
- the outcome: `met` (first review in the period on or before the due date), `met_late` (later, in
  the period), `overdue` (none by the end of the period or the as-of date, which is on or after the due
  date), `discharged` (the period ended before the due date), `pending` (still open, not yet due).

Done when at least 98% of the periods agree with the audit (issue 13).
"""

from __future__ import annotations

import csv
import datetime as dt
import shlex
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import holidays
import pytest

ROOT = Path(__file__).resolve().parent.parent
QLAC = ROOT.parent / "shared" / "data" / "qlac-903-fake"
POLICY = ROOT / "policies" / "national" / "care-planning-regulations-2010.policy"
AS_OF = dt.date(2031, 1, 1)


def _day(text: str) -> dt.date | None:
    try:
        d, m, y = (int(x) for x in text.strip().split("/"))
        return dt.date(y, m, d)
    except ValueError:
        return None


@dataclass
class Ep:
    order: int
    start: dt.date
    rne: str
    end: dt.date | None
    rec: str


def hand_periods(path: Path) -> dict[str, list[tuple[dt.date, dt.date | None]]]:
    """child → [(start, last day or None while open)]."""
    by_child: dict[str, list[Ep]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh)):
            start = _day(r["DECOM"])
            if start is None or not r["CHILD"].strip():
                continue
            end = _day(r["DEC"]) if r["DEC"].strip() and r["REC"].strip() else None
            by_child[r["CHILD"].strip()].append(Ep(i, start, r["RNE"].strip().upper(), end, r["REC"].strip().upper()))
    out: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    for child, eps in by_child.items():
        eps.sort(key=lambda e: (e.start, e.order))
        starts = [e for k, e in enumerate(eps)
                  if e.rne == "S" and not any(p.end == e.start for p in eps[:k])]
        periods = []
        for n, s in enumerate(starts):
            next_start = starts[n + 1].start if n + 1 < len(starts) else None
            inside = [e for e in eps if e.start >= s.start and (next_start is None or e.start < next_start)]
            last: dt.date | None = None
            for k, e in enumerate(inside):
                later = inside[k + 1].start if k + 1 < len(inside) else None
                if e.end is not None and e.rec != "X1" and (later is None or later > e.end):
                    last = e.end
                    break
            if next_start is not None and (last is None or last > next_start):
                last = next_start
            periods.append((s.start, last))
        out[child] = periods
    return out


def hand_reviews(path: Path) -> dict[str, list[dt.date]]:
    found: dict[str, set[dt.date]] = defaultdict(set)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            day = _day(r["REVIEW"])
            if day is not None and r["CHILD"].strip():
                found[r["CHILD"].strip()].add(day)
    return {c: sorted(d) for c, d in found.items()}


BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2010, 2033))


def twenty_working_days_after(start: dt.date) -> dt.date:
    day, counted = start, 0
    while counted < 20:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in BANK_HOLIDAYS:
            counted += 1
    return day


def hand_first_review(start: dt.date, last: dt.date | None, reviews: list[dt.date]) -> tuple[str, str, str]:
    due = twenty_working_days_after(start)
    end = last if last is not None else AS_OF
    held = [d for d in reviews if start <= d <= end and d <= AS_OF]
    if held:
        return due.isoformat(), held[0].isoformat(), "met" if held[0] <= due else "met_late"
    if due <= end:
        return due.isoformat(), "", "overdue"
    return due.isoformat(), "", "discharged" if last is not None else "pending"


@pytest.mark.skipif(not QLAC.is_dir(), reason=f"the shared fake SSDA903 return is not on this machine ({QLAC})")
def test_first_review_matches_a_hand_reading(policyc, tmp_path):
    events = tmp_path / "events.csv"
    run = policyc(f"import ssda903 {shlex.quote(str(QLAC))} --out {shlex.quote(str(events))}")
    assert run.code == 0, run.err
    out = tmp_path / "audit.csv"
    run = policyc(f"audit --policy {shlex.quote(str(POLICY))} --events {shlex.quote(str(events))} "
                  f"--as-of {AS_OF} --out {shlex.quote(str(out))} --no-progress")
    assert run.code == 0, run.err
    with out.open(encoding="utf-8", newline="") as fh:
        audit_rows = [r for r in csv.DictReader(fh) if r["obligation"] == "cla_reviews"]
    first: dict[tuple[str, str], tuple[str, str, str]] = {}
    for r in sorted(audit_rows, key=lambda r: r["due_date"]):  # the first step has the earliest due date
        first.setdefault((r["child_id"], r["trigger_date"]), (r["due_date"], r["done_date"], r["outcome"]))
    with events.open(encoding="utf-8", newline="") as fh:
        audited_starts = {(e["child_id"], e["date"]) for e in csv.DictReader(fh) if e["event"] == "became_looked_after"}

    reviews = hand_reviews(QLAC / "reviews.csv")
    expected = {(child, start.isoformat()): hand_first_review(start, last, reviews.get(child, []))
                for child, periods in hand_periods(QLAC / "episodes.csv").items() for start, last in periods}
    keys = set(expected) | audited_starts
    agree = [k for k in keys if k in expected and first.get(k) == expected[k]]
    differ = sorted(k for k in keys if k not in agree)
    share = len(agree) / len(keys)
    assert len(keys) > 300
    print(f"{len(agree)} of {len(keys)} periods agree ({share:.1%})")
    assert share >= 0.98, (f"{len(agree)} of {len(keys)} periods agree ({share:.1%}); first differences: " +
                           "; ".join(f"{k}: hand {expected.get(k)} audit {first.get(k)}" for k in differ[:8]))

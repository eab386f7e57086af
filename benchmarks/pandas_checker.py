"""A per-rule pandas checker of three rules, written by hand as the DfE's data validators are: the point
of comparison for `policyc audit` (benchmarks/audit_bench.py). One function a rule, each a few
group-bys over the events table; no policy, no compiler.

The rules, as `THREE_RULES` states them for policyc (and with policyc's meaning, docs/audit.md):

- `first_cla_review`: while looked after, a review within 20 working days of becoming looked after
  (a deadline: each day of `became_looked_after` in a period of care starts one; done by the first
  review on or after it in the period);
- `cla_visits`: while looked after, the child is seen every 6 weeks;
- `cin_visits`: while a child in need, the child is seen every 4 weeks (each visit fulfils one
  occurrence, the next is due a step after it; an occurrence not done is overdue, and the next one
  counts from its due date; the last is pending, or discharged once the period has ended).

A period (episode) of a status runs from an entering event to the next leaving one; a day with both
ends the open period and starts a new one, or is a period of its own. Working days are England's
(Monday to Friday, not a bank holiday of `holidays.country_holidays('GB', subdiv='ENG')`).

    .venv/bin/python benchmarks/pandas_checker.py EVENTS.parquet [--as-of YYYY-MM-DD] [--out rows.csv]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

THREE_RULES = '''policy "Three rules: the pandas comparison"
  authority "policyc benchmarks"
  uses "vocabulary.policy"

obligation first_cla_review "First looked-after review within 20 working days"
  cite "33" "within 20 working days of the date on which the child becomes looked after"
  while looked_after
  iro must hold cla_review within 20 working days of became_looked_after

obligation cla_visits "Looked-after children seen every 6 weeks"
  cite "28" "seen every 6 weeks"
  while looked_after
  social_worker must do statutory_visit every 6 weeks

obligation cin_visits "Children in need seen every 4 weeks"
  cite "4" "seen every 4 weeks"
  while child_in_need
  social_worker must do statutory_visit every 4 weeks
'''

LOOKED_AFTER = ({"became_looked_after"}, {"ceased_looked_after"})
CHILD_IN_NEED = ({"cin_plan_start"}, {"cin_plan_end", "cp_plan_start", "became_looked_after", "closure", "step_down"})
COLUMNS = ["child_id", "obligation", "clause", "trigger_date", "due_date", "done_date", "outcome", "working_days_late"]

_HOLIDAYS = np.array(sorted(d for d, _ in holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2110)).items()
                            if d.weekday() < 5), dtype="datetime64[D]")
_CAL = np.busdaycalendar(holidays=_HOLIDAYS)


def add_working_days(days: np.ndarray, n: int) -> np.ndarray:
    """The nth working day after each day (a weekend or holiday counts from the working day before it)."""
    return np.busday_offset(np.busday_offset(days, 0, roll="backward", busdaycal=_CAL), n, busdaycal=_CAL)


def working_days_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Working days in (a, b]."""
    return np.busday_count(a + np.timedelta64(1, "D"), b + np.timedelta64(1, "D"), busdaycal=_CAL)


def periods(ev: pd.DataFrame, status: tuple[set[str], set[str]], as_of: np.datetime64) -> pd.DataFrame:
    """child_id, ep_start, ep_last (NaT while open), ep_end (ep_last or the as-of date), closed."""
    enter, leave = status
    days = ev[ev["event"].isin(enter | leave)].assign(E=lambda d: d["event"].isin(enter),
                                                      L=lambda d: d["event"].isin(leave))
    days = days.groupby(["child_id", "date"], sort=True, observed=True)[["E", "L"]].any().reset_index()
    state = np.where(days["E"] & ~days["L"], 1.0, np.where(days["L"] & ~days["E"], 0.0, np.nan))
    days["open_after"] = pd.Series(state, index=days.index).groupby(days["child_id"], observed=True).ffill().fillna(0)
    days["open_before"] = days.groupby("child_id", observed=True)["open_after"].shift(1).fillna(0).astype(bool)
    e, lv, ob = days["E"], days["L"], days["open_before"]
    starts = days.loc[(e & ~lv & ~ob) | (e & lv), ["child_id", "date"]].rename(columns={"date": "ep_start"})
    # a period ends on a leaving day while one is open, and a period of one day ends where it starts
    ends = pd.concat([days.loc[lv & ob, ["child_id", "date"]], days.loc[e & lv & ~ob, ["child_id", "date"]]])
    ends = ends.sort_values(["child_id", "date"], kind="stable").rename(columns={"date": "ep_last"})
    starts["n"] = starts.groupby("child_id", observed=True).cumcount()
    ends["n"] = ends.groupby("child_id", observed=True).cumcount()
    eps = starts.merge(ends, on=["child_id", "n"], how="left")
    eps["closed"] = eps["ep_last"].notna()
    eps["ep_end"] = eps["ep_last"].fillna(pd.Timestamp(as_of))
    return eps[["child_id", "ep_start", "ep_last", "ep_end", "closed"]]


def _days(ev: pd.DataFrame, event: str) -> pd.DataFrame:
    return ev.loc[ev["event"] == event, ["child_id", "date"]].drop_duplicates()


def _within_period(eps: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """Each day joined to the period it falls in (first day to last day of the period, both counted)."""
    both = eps.merge(days, on="child_id")
    return both[(both["date"] >= both["ep_start"]) & (both["date"] <= both["ep_end"])]


def first_review(ev: pd.DataFrame, as_of: np.datetime64) -> pd.DataFrame:
    """A deadline: each day of became_looked_after in a period; done by the first review on or after it."""
    eps = periods(ev, LOOKED_AFTER, as_of)
    eps["ep"] = np.arange(len(eps))
    occ = _within_period(eps, _days(ev, "became_looked_after")).rename(columns={"date": "trigger"})
    reviews = _within_period(eps, _days(ev, "cla_review"))[["ep", "date"]].sort_values("date")
    occ = pd.merge_asof(occ.sort_values("trigger"), reviews.rename(columns={"date": "done"}), left_on="trigger",
                        right_on="done", by="ep", direction="forward")
    trig = occ["trigger"].to_numpy("datetime64[D]")
    occ["due"] = add_working_days(trig, 20).astype("datetime64[ns]")
    return _judge(occ, "first_cla_review", "33")


def visits(ev: pd.DataFrame, status: tuple[set[str], set[str]], weeks: int, name: str, clause: str,
           as_of: np.datetime64) -> pd.DataFrame:
    """`every N weeks` in each period: each visit fulfils the next occurrence (due N weeks after the one
    before it was done, the first N weeks after the period starts); then overdue ones every N weeks until
    the last, which is pending (or discharged when the period has ended)."""
    step = pd.Timedelta(weeks=weeks)
    eps = periods(ev, status, as_of)
    eps["ep"] = np.arange(len(eps))
    seen = _within_period(eps, _days(ev, "statutory_visit")).sort_values(["ep", "date"])
    seen["trigger"] = seen.groupby("ep")["date"].shift(1).fillna(seen["ep_start"])
    done = seen.assign(done=seen["date"], due=seen["trigger"] + step)
    # after the last visit (or from the start, if none): whole steps that fit before the period's end
    last = seen.groupby("ep")["date"].max()
    tail = eps.assign(base=eps["ep"].map(last)).assign(base=lambda d: d["base"].fillna(d["ep_start"]))
    missed = ((tail["ep_end"] - tail["base"]) // step).astype(int)  # overdue ones, then one more
    tail = tail.loc[tail.index.repeat(missed + 1)]
    k = tail.groupby(level=0).cumcount()
    tail = tail.assign(trigger=tail["base"] + k * step, due=tail["base"] + (k + 1) * step, done=pd.NaT)
    occ = pd.concat([done[["child_id", "ep_end", "closed", "trigger", "due", "done"]],
                     tail[["child_id", "ep_end", "closed", "trigger", "due", "done"]]], ignore_index=True)
    return _judge(occ, name, clause)


def _judge(occ: pd.DataFrame, name: str, clause: str) -> pd.DataFrame:
    """The outcome of each occurrence: met, met_late, overdue, pending or discharged, and days late."""
    due, done, end = (occ[c].to_numpy("datetime64[D]") for c in ("due", "done", "ep_end"))
    has_done = ~np.isnat(done)
    outcome = np.select(
        [has_done & (done <= due), has_done, due <= end, occ["closed"].to_numpy(bool)],
        ["met", "met_late", "overdue", "discharged"], "pending")
    late = np.full(len(occ), np.nan)
    safe = np.where(np.isnat(done), due, done)
    late = np.where(outcome == "met", 0, late)
    late = np.where(outcome == "met_late", working_days_between(due, safe), late)
    late = np.where(outcome == "overdue", working_days_between(due, end), late)
    return pd.DataFrame({"child_id": occ["child_id"].to_numpy(), "obligation": name, "clause": clause,
                         "trigger_date": occ["trigger"].to_numpy("datetime64[D]"), "due_date": due,
                         "done_date": done, "outcome": outcome, "working_days_late": pd.array(late, dtype="Int64")})


def check(events: pd.DataFrame, as_of: np.datetime64 | None = None) -> pd.DataFrame:
    """The three rules' rows for `events` (child_id, event, date), as at `as_of` (default: the latest date)."""
    ev = events[["child_id", "event", "date"]].copy()
    ev["date"] = pd.to_datetime(ev["date"])
    as_of = np.datetime64(ev["date"].max(), "D") if as_of is None else as_of
    ev = ev[ev["date"] <= pd.Timestamp(as_of)]
    return pd.concat([first_review(ev, as_of),
                      visits(ev, LOOKED_AFTER, 6, "cla_visits", "28", as_of),
                      visits(ev, CHILD_IN_NEED, 4, "cin_visits", "4", as_of)], ignore_index=True)


def read_events(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path, columns=["child_id", "event", "date"])
    return pd.read_csv(path, usecols=["child_id", "event", "date"], dtype=str)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("events", type=Path)
    ap.add_argument("--as-of")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    t = time.perf_counter()
    rows = check(read_events(args.events), np.datetime64(args.as_of, "D") if args.as_of else None)
    print(f"{len(rows):,} rows in {time.perf_counter() - t:.2f} s", file=sys.stderr)
    if args.out:
        rows.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Timescales: units, durations and deadline arithmetic for practice standards.

Semantics (decided; the rest of the compiler relies on them exactly):

Units
    ``Unit`` is a ``StrEnum`` (a ``str`` enum).  It has eight members: minutes, hours, days, working days, weeks,
    months, years and school terms.  ``parse_unit`` accepts the singular and
    plural of each, plus "calendar day(s)" for days, case-insensitively (runs
    of whitespace count as one space); it returns ``None`` for anything else.
    ``suggest_unit`` gives the closest canonical unit name (``difflib``) for a
    "did you mean" hint.

Durations
    ``Duration(amount, unit)`` is a frozen dataclass.  ``amount`` is a
    non-negative ``int``.  ``str()`` gives plain English: "1 week",
    "20 working days", "1 school term".

Working days
    Monday to Friday, excluding the bank holidays of England and Wales as
    listed by ``holidays.country_holidays("GB", subdiv="ENG")`` for
    1990-2060.  The subdivision matters: without it Easter Monday and the
    summer bank holiday are silently missing.  Only weekday dates are kept.
    Substitute ("observed") days are real days off, so they are bank
    holidays.  Outside 1990-2060 only weekends are excluded.  The list is kept
    in the user's cache folder, one file per version of ``holidays``
    (``compiler.model.bank_holidays``).

Deadlines (``add``)
    Deadlines are inclusive and the trigger day is day 0: ``add(d, dur)`` is
    the last date on which the action is still on time.

    * DAYS: ``d + N`` days.  WEEKS: ``d + 7N`` days.
    * HOURS and MINUTES: on dates the time is rounded up to whole days: N
      hours is ``d + ceil(N / 24)`` days, and N minutes is ``d + ceil(N /
      1440)`` days.  This is an APPROXIMATION, and the caller reports it (the
      audit judges a deadline in hours on timestamps where the data has them).
    * WORKING_DAYS: the Nth working day strictly after ``d``.  ``d`` itself
      never counts, whatever day it is.  N = 0 gives ``d``.
    * MONTHS and YEARS: calendar months (``dateutil.relativedelta``) with the
      END-OF-MONTH RULE.  If the target month is too short, the date becomes
      that month's last day: 31 Jan + 1 month = 28 Feb (29 Feb in a leap
      year), 31 Mar + 1 month = 30 Apr, 29 Feb 2024 + 1 year = 28 Feb 2025.
      One year is 12 months.
    * SCHOOL_TERMS: APPROXIMATED as 1 term = 4 months (three terms a year).

    ``add_many`` applies several durations in order, e.g. for an age such as
    "16 years 3 months".

Counting
    ``working_days_between(a, b)`` is the number of working days in
    ``(a, b]`` when ``b > a``.  It is minus ``working_days_between(b, a)``
    when ``b < a``, and 0 when they are equal.  So
    ``working_days_between(d, add(d, Duration(n, WORKING_DAYS))) == n``.

Vectorised helpers
    ``add_array``, ``add_working_days_array`` and
    ``working_days_between_array`` work on ``datetime64[D]`` arrays.  They
    agree exactly with the scalar functions.

Comparing durations of different units
    Every comparison looks at every start date from 2000-01-01 to 2040-12-31
    (``START_DATE_RANGE``).

    * ``bounds_in_days(dur)`` gives the minimum and maximum of
      ``(add(d, dur) - d).days``.
    * ``compare(a, b)`` looks at the signs of ``add(d, a) - add(d, b)``.  All
      zero gives EQUAL.  All <= 0 with some < 0 gives STRICTER (a allows less
      time).  All >= 0 with some > 0 gives WEAKER.  Anything else gives
      DEPENDS.
    * ``worst_case(a, b)`` is the maximum of ``(add(d, a) - add(d, b)).days``:
      how many days a can exceed b at worst.

    The results are exact for that range, computed by brute force with
    numpy, and cached.

    Hours and minutes are clock time: ``clock_compare`` compares them with
    hours, minutes, days and weeks exactly (a day is 24 hours), and with
    working days as DEPENDS. The analyses use it before ``compare``.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt
from dateutil.relativedelta import relativedelta

from compiler.model.bank_holidays import weekday_bank_holidays

__all__ = [
    "HOLIDAY_YEARS",
    "START_DATE_RANGE",
    "Duration",
    "Ordering",
    "Unit",
    "add",
    "add_array",
    "add_many",
    "add_working_days_array",
    "bank_holidays",
    "bounds_in_days",
    "busday_calendar",
    "clock_compare",
    "compare",
    "is_working_day",
    "parse_unit",
    "suggest_unit",
    "working_days_between",
    "working_days_between_array",
    "worst_case",
]

DateArray = npt.NDArray[np.datetime64]
IntArray = npt.NDArray[np.int64]

#: Years for which bank holidays are known (outside them only weekends are off).
HOLIDAY_YEARS: range = range(1990, 2061)

#: Start dates (inclusive) over which durations are compared.
START_DATE_RANGE: tuple[date, date] = (date(2000, 1, 1), date(2040, 12, 31))

_WEEKMASK = "1111100"


class Unit(StrEnum):
    """A unit of time that a practice standard may use."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"
    SCHOOL_TERMS = "school terms"

    @property
    def singular(self) -> str:
        """The singular English name, e.g. "working day"."""
        return self.value[:-1]


def _build_spellings() -> dict[str, Unit]:
    spellings: dict[str, Unit] = {}
    for unit in Unit:
        spellings[unit.value] = unit
        spellings[unit.singular] = unit
    spellings["calendar days"] = Unit.DAYS
    spellings["calendar day"] = Unit.DAYS
    return spellings


_SPELLINGS: dict[str, Unit] = _build_spellings()


def _normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def parse_unit(text: str) -> Unit | None:
    """Parse a unit name (singular or plural, any case); ``None`` if unknown."""
    return _SPELLINGS.get(_normalise(text))


def suggest_unit(text: str) -> str | None:
    """The closest canonical unit name to ``text``, for a did-you-mean hint."""
    matches = difflib.get_close_matches(_normalise(text), list(_SPELLINGS), n=1, cutoff=0.6)
    if not matches:
        return None
    return _SPELLINGS[matches[0]].value


@dataclass(frozen=True)
class Duration:
    """An amount of some unit of time, e.g. ``Duration(20, Unit.WORKING_DAYS)``."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool):
            raise TypeError(f"duration amount must be an int, got {self.amount!r}")
        try:  # accept any integral type (e.g. numpy.int64) and store a plain int
            object.__setattr__(self, "amount", operator.index(self.amount))
        except TypeError:
            raise TypeError(f"duration amount must be an int, got {self.amount!r}") from None
        if self.amount < 0:
            raise ValueError(f"duration amount must be >= 0, got {self.amount}")
        if not isinstance(self.unit, Unit):
            raise TypeError(f"duration unit must be a Unit, got {self.unit!r}")

    def __str__(self) -> str:
        name = self.unit.singular if self.amount == 1 else self.unit.value
        return f"{self.amount} {name}"


class Ordering(Enum):
    """How duration ``a`` relates to duration ``b`` over all start dates."""

    STRICTER = "stricter"  # a allows no more time on every start date, less on some
    EQUAL = "equal"  # the same deadline on every start date
    WEAKER = "weaker"  # a allows no less time on every start date, more on some
    DEPENDS = "depends"  # a is shorter on some start dates and longer on others

    def reverse(self) -> Ordering:
        """The ordering of ``b`` relative to ``a``."""
        if self is Ordering.STRICTER:
            return Ordering.WEAKER
        if self is Ordering.WEAKER:
            return Ordering.STRICTER
        return self


# --------------------------------------------------------------------------
# Bank holidays and the business-day calendar (computed once, lazily)


@dataclass(frozen=True)
class _Calendar:
    holidays: DateArray  # sorted weekday bank holidays, datetime64[D]
    holiday_set: frozenset[date]
    busdaycal: np.busdaycalendar


@cache
def _calendar() -> _Calendar:
    weekday_dates = weekday_bank_holidays(HOLIDAY_YEARS)
    array = np.array(weekday_dates, dtype="datetime64[D]")
    array.setflags(write=False)
    return _Calendar(
        holidays=array,
        holiday_set=frozenset(weekday_dates),
        busdaycal=np.busdaycalendar(weekmask=_WEEKMASK, holidays=array),
    )


def bank_holidays() -> DateArray:
    """Sorted (read-only) ``datetime64[D]`` array of weekday bank holidays."""
    return _calendar().holidays


def busday_calendar() -> np.busdaycalendar:
    """The numpy business-day calendar for England and Wales working days."""
    return _calendar().busdaycal


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def is_working_day(d: date) -> bool:
    """True if ``d`` is Monday-Friday and not an England and Wales bank holiday."""
    d = _as_date(d)
    return d.weekday() < 5 and d not in _calendar().holiday_set


# --------------------------------------------------------------------------
# Scalar arithmetic


def _ceil_div(n: int, k: int) -> int:
    return -(-n // k)


def _calendar_days(dur: Duration) -> int | None:
    """Fixed number of calendar days for units that have one, else None."""
    if dur.unit is Unit.DAYS:
        return dur.amount
    if dur.unit is Unit.WEEKS:
        return 7 * dur.amount
    if dur.unit is Unit.HOURS:
        return _ceil_div(dur.amount, 24)
    if dur.unit is Unit.MINUTES:
        return _ceil_div(dur.amount, 24 * 60)
    return None


def _months(dur: Duration) -> int | None:
    """Number of calendar months for month-like units, else None."""
    if dur.unit is Unit.MONTHS:
        return dur.amount
    if dur.unit is Unit.YEARS:
        return 12 * dur.amount
    if dur.unit is Unit.SCHOOL_TERMS:
        return 4 * dur.amount
    return None


def add(d: date, dur: Duration) -> date:
    """The last date on which an action due ``dur`` after ``d`` is on time."""
    d = _as_date(d)
    days = _calendar_days(dur)
    if days is not None:
        return d + timedelta(days=days)
    months = _months(dur)
    if months is not None:
        result: date = d + relativedelta(months=months)
        return result
    assert dur.unit is Unit.WORKING_DAYS
    if dur.amount == 0:
        return d
    cal = _calendar().busdaycal
    start = np.datetime64(d, "D")
    before = np.busday_offset(start, 0, roll="backward", busdaycal=cal)
    out = np.busday_offset(before, dur.amount, busdaycal=cal)
    value = out.item()
    assert isinstance(value, date)  # numpy gives a datetime.date for a datetime64[D]; its stubs say less
    return value


def add_many(d: date, durations: Sequence[Duration]) -> date:
    """Apply ``durations`` in order, e.g. ``[16 years, 3 months]`` for an age."""
    for dur in durations:
        d = add(d, dur)
    return _as_date(d)


def working_days_between(a: date, b: date) -> int:
    """Working days in ``(a, b]`` if ``b > a``; negated if ``b < a``; 0 if equal."""
    return int(working_days_between_array(np.datetime64(_as_date(a), "D"), np.datetime64(_as_date(b), "D")))


# --------------------------------------------------------------------------
# Vectorised arithmetic


def _as_date_array(dates: npt.ArrayLike) -> DateArray:
    return np.asarray(dates, dtype="datetime64[D]")


def add_working_days_array(dates: npt.ArrayLike, n: int | npt.ArrayLike) -> DateArray:
    """Vectorised ``add(d, Duration(n, WORKING_DAYS))``; ``n`` broadcasts."""
    days = _as_date_array(dates)
    counts = np.asarray(n, dtype=np.int64)
    if np.any(counts < 0):
        raise ValueError("number of working days must be >= 0")
    cal = _calendar().busdaycal
    before = np.busday_offset(days, 0, roll="backward", busdaycal=cal)
    out = np.busday_offset(before, counts, busdaycal=cal)
    result: DateArray = np.where(counts == 0, days, out)
    return result


def working_days_between_array(a: npt.ArrayLike, b: npt.ArrayLike) -> IntArray:
    """Vectorised ``working_days_between``; ``a`` and ``b`` broadcast."""
    # busday_count counts [begin, end); for end < begin it does not count the
    # mirror image of that interval, so always count forwards and set the sign.
    first, second = _as_date_array(a), _as_date_array(b)
    low, high = np.minimum(first, second), np.maximum(first, second)
    one = np.timedelta64(1, "D")
    counts = np.busday_count(low + one, high + one, busdaycal=_calendar().busdaycal)
    result: IntArray = np.where(second >= first, counts, -counts).astype(np.int64)
    return result


def _add_months_array(days: DateArray, months: int) -> DateArray:
    """Vectorised ``relativedelta(months=...)`` with the end-of-month rule."""
    month_start = days.astype("datetime64[M]")
    day_index = (days - month_start.astype("datetime64[D]")).astype(np.int64)
    target = month_start + np.timedelta64(months, "M")
    target_first = target.astype("datetime64[D]")
    month_length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target_first).astype(np.int64)
    offset = np.minimum(day_index, month_length - 1)
    result: DateArray = target_first + offset.astype("timedelta64[D]")
    return result


def add_array(dates: npt.ArrayLike, dur: Duration) -> DateArray:
    """Vectorised ``add``: the same deadline for every date in ``dates``."""
    days = _as_date_array(dates)
    fixed = _calendar_days(dur)
    if fixed is not None:
        return days + np.timedelta64(fixed, "D")
    months = _months(dur)
    if months is not None:
        return _add_months_array(days, months)
    assert dur.unit is Unit.WORKING_DAYS
    return add_working_days_array(days, dur.amount)


# --------------------------------------------------------------------------
# Comparing durations


@cache
def _start_dates() -> DateArray:
    first, last = START_DATE_RANGE
    dates = np.arange(
        np.datetime64(first, "D"),
        np.datetime64(last, "D") + np.timedelta64(1, "D"),
        dtype="datetime64[D]",
    )
    dates.setflags(write=False)
    return dates


def _offsets(dur: Duration) -> IntArray:
    starts = _start_dates()
    result: IntArray = (add_array(starts, dur) - starts).astype(np.int64)
    return result


@lru_cache(maxsize=4096)
def bounds_in_days(dur: Duration) -> tuple[int, int]:
    """Min and max of ``(add(d, dur) - d).days`` over ``START_DATE_RANGE``."""
    offsets = _offsets(dur)
    return int(offsets.min()), int(offsets.max())


@lru_cache(maxsize=4096)
def _difference_range(a: Duration, b: Duration) -> tuple[int, int]:
    """Min and max of ``(add(d, a) - add(d, b)).days`` over the start dates."""
    da, db = _calendar_days(a), _calendar_days(b)
    if da is not None and db is not None:  # fixed lengths: the same difference on every date
        return da - db, da - db
    diff = _offsets(a) - _offsets(b)
    return int(diff.min()), int(diff.max())


#: Clock units in minutes: hours and minutes are compared exactly with each other and with days and weeks.
_CLOCK = {Unit.MINUTES: 1, Unit.HOURS: 60, Unit.DAYS: 24 * 60, Unit.WEEKS: 7 * 24 * 60}


def clock_compare(a: Duration, b: Duration) -> Ordering | None:
    """How ``a`` relates to ``b`` as clock time, when one of them is in hours or minutes; else None.

    Against hours, minutes, days and weeks the comparison is exact (a day is 24 hours, so 25 hours
    is stricter than 30 hours, although both are 2 days on dates); against working days it is
    DEPENDS (two different clocks: which allows more depends on the weekday and the time of day of
    the trigger), except that clock time no longer than N whole days is certainly stricter than N
    working days: the Nth working day after the trigger's date ends at least N x 24 hours after
    it, whatever the weekday (48 hours never allows more than 3 working days). Against months,
    years and terms it is None: `compare` decides on dates."""
    if a.unit not in (Unit.HOURS, Unit.MINUTES) and b.unit not in (Unit.HOURS, Unit.MINUTES):
        return None
    if a.unit in _CLOCK and b.unit in _CLOCK:
        x, y = a.amount * _CLOCK[a.unit], b.amount * _CLOCK[b.unit]
        return Ordering.EQUAL if x == y else Ordering.STRICTER if x < y else Ordering.WEAKER
    if Unit.WORKING_DAYS in (a.unit, b.unit):
        working, clock = (a, b) if a.unit is Unit.WORKING_DAYS else (b, a)
        if clock.unit in _CLOCK and clock.amount * _CLOCK[clock.unit] <= working.amount * _CLOCK[Unit.DAYS]:
            return Ordering.STRICTER if clock is a else Ordering.WEAKER
        return Ordering.DEPENDS
    return None


def compare(a: Duration, b: Duration) -> Ordering:
    """How ``a`` relates to ``b`` on every start date in ``START_DATE_RANGE`` (on dates: hours rounded up)."""
    low, high = _difference_range(a, b)
    if low == 0 and high == 0:
        return Ordering.EQUAL
    if high <= 0:
        return Ordering.STRICTER
    if low >= 0:
        return Ordering.WEAKER
    return Ordering.DEPENDS


def worst_case(a: Duration, b: Duration) -> int:
    """The most days by which ``a``'s deadline can exceed ``b``'s."""
    return _difference_range(a, b)[1]

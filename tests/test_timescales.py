"""Tests for compiler.model.timescales: units, working days, deadlines, comparisons."""

from __future__ import annotations

import calendar
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

# The project has no packaging config yet: make the repository root importable.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from compiler.model.timescales import (  # noqa: E402
    HOLIDAY_YEARS,
    START_DATE_RANGE,
    Duration,
    Ordering,
    Unit,
    add,
    add_array,
    add_many,
    add_working_days_array,
    bank_holidays,
    bounds_in_days,
    compare,
    is_working_day,
    parse_unit,
    suggest_unit,
    working_days_between,
    working_days_between_array,
    worst_case,
)

U = Unit
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))

MAX_AMOUNT: dict[Unit, int] = {
    Unit.MINUTES: 10_000,
    Unit.HOURS: 2_000,
    Unit.DAYS: 800,
    Unit.WORKING_DAYS: 400,
    Unit.WEEKS: 120,
    Unit.MONTHS: 60,
    Unit.YEARS: 20,
    Unit.SCHOOL_TERMS: 15,
}


@st.composite
def durations(draw: st.DrawFn, units: tuple[Unit, ...] = tuple(Unit)) -> Duration:
    unit = draw(st.sampled_from(units))
    return Duration(draw(st.integers(0, MAX_AMOUNT[unit])), unit)


def d(text: str) -> date:
    return date.fromisoformat(text)


# --------------------------------------------------------------------------
# Units and durations


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("minute", U.MINUTES),
        ("Minutes", U.MINUTES),
        ("hour", U.HOURS),
        ("HOURS", U.HOURS),
        ("day", U.DAYS),
        ("days", U.DAYS),
        ("calendar day", U.DAYS),
        ("Calendar Days", U.DAYS),
        ("working day", U.WORKING_DAYS),
        ("Working  Days", U.WORKING_DAYS),
        ("week", U.WEEKS),
        ("weeks", U.WEEKS),
        ("month", U.MONTHS),
        ("months", U.MONTHS),
        ("year", U.YEARS),
        ("Years", U.YEARS),
        ("school term", U.SCHOOL_TERMS),
        ("School Terms", U.SCHOOL_TERMS),
        ("  days ", U.DAYS),
    ],
)
def test_parse_unit_accepts_variants(text: str, unit: Unit) -> None:
    assert parse_unit(text) is unit


@pytest.mark.parametrize("text", ["", "fortnight", "workingdays", "business days", "terms", "dayz", "wk"])
def test_parse_unit_rejects_others(text: str) -> None:
    assert parse_unit(text) is None


def test_parse_unit_round_trips_canonical_names() -> None:
    for unit in Unit:
        assert parse_unit(unit.value) is unit
        assert parse_unit(unit.singular) is unit


def test_suggest_unit() -> None:
    assert suggest_unit("wroking days") == "working days"
    assert suggest_unit("mnths") == "months"
    assert suggest_unit("school trem") == "school terms"
    assert suggest_unit("hrs") == "hours"
    assert suggest_unit("days") == "days"
    assert suggest_unit("xylophone") is None


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (Duration(1, U.WEEKS), "1 week"),
        (Duration(20, U.WORKING_DAYS), "20 working days"),
        (Duration(1, U.WORKING_DAYS), "1 working day"),
        (Duration(3, U.MONTHS), "3 months"),
        (Duration(1, U.SCHOOL_TERMS), "1 school term"),
        (Duration(0, U.DAYS), "0 days"),
        (Duration(24, U.HOURS), "24 hours"),
        (Duration(1, U.MINUTES), "1 minute"),
        (Duration(1, U.YEARS), "1 year"),
    ],
)
def test_duration_str(duration: Duration, text: str) -> None:
    assert str(duration) == text


def test_duration_is_frozen_hashable_and_validated() -> None:
    dur = Duration(5, U.DAYS)
    assert dur == Duration(5, U.DAYS)
    assert len({dur, Duration(5, U.DAYS), Duration(5, U.WORKING_DAYS)}) == 2
    with pytest.raises(AttributeError):
        dur.amount = 6  # type: ignore[misc]
    with pytest.raises(ValueError):
        Duration(-1, U.DAYS)
    with pytest.raises(TypeError):
        Duration(1.5, U.DAYS)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Duration(1, "days")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Duration(True, U.DAYS)
    numpy_amount = Duration(np.int64(3), U.DAYS)  # type: ignore[arg-type]
    assert type(numpy_amount.amount) is int and numpy_amount == Duration(3, U.DAYS)


def test_unit_is_a_str_enum() -> None:
    assert U.WORKING_DAYS == "working days"
    assert str(U.SCHOOL_TERMS) == "school terms"


# --------------------------------------------------------------------------
# Working days and bank holidays


@pytest.mark.parametrize(
    "day",
    [
        "2023-05-08",  # coronation of Charles III
        "2022-06-03",  # platinum jubilee
        "2022-06-02",  # spring bank holiday moved for the jubilee
        "2022-09-19",  # state funeral of Queen Elizabeth II
        "2020-05-08",  # VE day (May Day moved)
        "2024-04-01",  # Easter Monday (missing without subdiv="ENG")
        "2024-08-26",  # summer bank holiday (missing without subdiv="ENG")
        "2024-03-29",  # Good Friday
        "2023-12-25",
        "2023-12-26",
        "2024-01-01",
        "2022-01-03",  # New Year's Day (observed)
        "2021-12-27",  # Christmas Day (observed)
        "2021-12-28",  # Boxing Day (observed)
        "1999-12-31",  # millennium
        "2011-04-29",  # royal wedding
        "2024-01-06",  # a Saturday
        "2024-01-07",  # a Sunday
    ],
)
def test_not_working_days(day: str) -> None:
    assert not is_working_day(d(day))


@pytest.mark.parametrize("day", ["2024-04-02", "2023-05-09", "2023-12-22", "2023-12-27", "2024-01-02"])
def test_working_days(day: str) -> None:
    assert is_working_day(d(day))


def test_bank_holiday_array() -> None:
    hols = bank_holidays()
    assert hols.dtype == np.dtype("datetime64[D]")
    assert np.all(hols[1:] > hols[:-1])  # sorted, no duplicates
    as_dates = [h.item() for h in hols]
    assert all(h.weekday() < 5 for h in as_dates)
    assert d("2022-01-01") not in as_dates  # Saturday: only its substitute counts
    assert d("2022-01-03") in as_dates
    assert d("2024-08-26") in as_dates
    assert hols[0].item().year == 1990 and hols[-1].item().year == 2060
    # England and Wales has 8 normal bank holidays a year
    per_year = {y: sum(1 for h in as_dates if h.year == y) for y in range(1990, 2061)}
    assert all(n >= 8 for n in per_year.values())


def test_bank_holidays_kept_in_the_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed library's list is written to the cache folder once, then read from it; a damaged
    file is written again; a folder that cannot be written only costs the time."""
    import holidays

    from compiler.model import bank_holidays as kept

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    found = holidays.country_holidays("GB", subdiv="ENG", years=HOLIDAY_YEARS)
    library = sorted(d for d in found if d.weekday() < 5)
    path = kept.cache_file(HOLIDAY_YEARS)
    assert path is not None and path.parent == tmp_path / "policyc" and holidays.__version__ in path.name
    assert kept.weekday_bank_holidays(HOLIDAY_YEARS) == library
    assert path.read_text(encoding="ascii").split() == [d.isoformat() for d in library]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left

    def no_library(years: range) -> list[date]:
        raise AssertionError("the library was asked")

    monkeypatch.setattr(kept, "_from_library", no_library)
    assert kept.weekday_bank_holidays(HOLIDAY_YEARS) == library  # read from the file
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for damage in ("2025-13-01\n", "2025-12-25\n2025-01-01\n", "2025-12-27\n", ""):  # not a date, unsorted, Saturday
        path.write_text(damage, encoding="ascii")
        assert kept.weekday_bank_holidays(HOLIDAY_YEARS) == library
        assert path.read_text(encoding="ascii").split() == [d.isoformat() for d in library]
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="ascii")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # a file where the folder would be
    assert kept.weekday_bank_holidays(HOLIDAY_YEARS) == library


def test_twenty_working_days_over_christmas() -> None:
    # Fri 22 Dec 2023: Mon 25, Tue 26 Dec and Mon 1 Jan are bank holidays.
    # Wed 27 (1), Thu 28 (2), Fri 29 (3), Tue 2 Jan (4), Wed 3 (5), Thu 4 (6),
    # Fri 5 (7), 8-12 Jan (8-12), 15-19 Jan (13-17), Mon 22 (18), Tue 23 (19),
    # Wed 24 Jan 2024 (20).
    start = d("2023-12-22")
    end = add(start, Duration(20, U.WORKING_DAYS))
    assert end == d("2024-01-24")
    assert working_days_between(start, end) == 20
    assert working_days_between(end, start) == -20


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2024-01-05", 1, "2024-01-08"),  # Friday -> Monday
        ("2024-01-06", 1, "2024-01-08"),  # Saturday -> Monday
        ("2024-01-07", 1, "2024-01-08"),  # Sunday -> Monday
        ("2024-01-06", 0, "2024-01-06"),  # N = 0 is the trigger day itself
        ("2024-01-08", 0, "2024-01-08"),
        ("2024-01-08", 5, "2024-01-15"),
        ("2024-03-28", 1, "2024-04-02"),  # over Easter
        ("2024-03-29", 1, "2024-04-02"),  # from Good Friday
        ("2024-04-01", 1, "2024-04-02"),  # from Easter Monday
        ("2023-05-05", 1, "2023-05-09"),  # over the coronation
        ("2022-06-01", 1, "2022-06-06"),  # over the jubilee
    ],
)
def test_add_working_days(start: str, n: int, expected: str) -> None:
    assert add(d(start), Duration(n, U.WORKING_DAYS)) == d(expected)


def test_working_days_between_examples() -> None:
    assert working_days_between(d("2024-01-08"), d("2024-01-08")) == 0
    assert working_days_between(d("2024-01-05"), d("2024-01-08")) == 1
    assert working_days_between(d("2024-01-06"), d("2024-01-07")) == 0
    assert working_days_between(d("2024-03-28"), d("2024-04-02")) == 1
    assert working_days_between(d("2024-04-02"), d("2024-03-28")) == -1
    # 262 weekdays in 2024 less 8 weekday bank holidays (1 Jan is one of them)
    assert working_days_between(d("2024-01-01"), d("2024-12-31")) == 254


# --------------------------------------------------------------------------
# Calendar arithmetic


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("2023-01-31", Duration(1, U.MONTHS), "2023-02-28"),
        ("2024-01-31", Duration(1, U.MONTHS), "2024-02-29"),
        ("2023-03-31", Duration(1, U.MONTHS), "2023-04-30"),
        ("2024-02-29", Duration(1, U.YEARS), "2025-02-28"),
        ("2024-02-29", Duration(4, U.YEARS), "2028-02-29"),
        ("2023-08-31", Duration(6, U.MONTHS), "2024-02-29"),
        ("2023-01-15", Duration(0, U.MONTHS), "2023-01-15"),
        ("2023-01-15", Duration(1, U.SCHOOL_TERMS), "2023-05-15"),
        ("2023-10-31", Duration(1, U.SCHOOL_TERMS), "2024-02-29"),
        ("2023-01-15", Duration(3, U.SCHOOL_TERMS), "2024-01-15"),
        ("2023-01-15", Duration(10, U.DAYS), "2023-01-25"),
        ("2023-12-25", Duration(1, U.WEEKS), "2024-01-01"),
        ("2023-01-15", Duration(0, U.HOURS), "2023-01-15"),
        ("2023-01-15", Duration(1, U.HOURS), "2023-01-16"),
        ("2023-01-15", Duration(24, U.HOURS), "2023-01-16"),
        ("2023-01-15", Duration(25, U.HOURS), "2023-01-17"),
        ("2023-01-15", Duration(72, U.HOURS), "2023-01-18"),
        ("2023-01-15", Duration(1, U.MINUTES), "2023-01-16"),
        ("2023-01-15", Duration(1440, U.MINUTES), "2023-01-16"),
        ("2023-01-15", Duration(1441, U.MINUTES), "2023-01-17"),
    ],
)
def test_add_examples(start: str, duration: Duration, expected: str) -> None:
    assert add(d(start), duration) == d(expected)


def test_add_many_for_ages() -> None:
    born = d("2008-11-30")
    age = [Duration(16, U.YEARS), Duration(3, U.MONTHS)]
    assert add_many(born, age) == d("2025-02-28")
    assert add_many(born, []) == born


def test_month_array_matches_relativedelta_exhaustively() -> None:
    starts = np.arange(np.datetime64("2023-01-01"), np.datetime64("2025-01-01"), dtype="datetime64[D]")
    for n in (1, 2, 3, 11, 12, 13, 25):
        got = add_array(starts, Duration(n, U.MONTHS))
        want = [s.item() + relativedelta(months=n) for s in starts]
        assert [g.item() for g in got] == want


# --------------------------------------------------------------------------
# Comparing durations


@pytest.mark.parametrize(
    ("a", "b", "ordering"),
    [
        (Duration(45, U.WORKING_DAYS), Duration(45, U.DAYS), Ordering.WEAKER),
        (Duration(4, U.WEEKS), Duration(20, U.WORKING_DAYS), Ordering.DEPENDS),
        (Duration(1, U.MONTHS), Duration(4, U.WEEKS), Ordering.WEAKER),
        (Duration(6, U.WEEKS), Duration(42, U.DAYS), Ordering.EQUAL),
        (Duration(45, U.DAYS), Duration(45, U.WORKING_DAYS), Ordering.STRICTER),
        (Duration(24, U.HOURS), Duration(1, U.DAYS), Ordering.EQUAL),
        (Duration(1, U.YEARS), Duration(12, U.MONTHS), Ordering.EQUAL),
        (Duration(3, U.SCHOOL_TERMS), Duration(1, U.YEARS), Ordering.EQUAL),
        (Duration(1, U.MONTHS), Duration(30, U.DAYS), Ordering.DEPENDS),
        (Duration(1, U.YEARS), Duration(365, U.DAYS), Ordering.WEAKER),
        (Duration(3, U.DAYS), Duration(3, U.WORKING_DAYS), Ordering.STRICTER),
    ],
)
def test_compare_examples(a: Duration, b: Duration, ordering: Ordering) -> None:
    assert compare(a, b) is ordering
    assert compare(b, a) is ordering.reverse()


def test_worst_case_examples() -> None:
    assert worst_case(Duration(6, U.WEEKS), Duration(42, U.DAYS)) == 0
    assert worst_case(Duration(1, U.MONTHS), Duration(4, U.WEEKS)) == 3
    assert worst_case(Duration(4, U.WEEKS), Duration(1, U.MONTHS)) == 0
    assert worst_case(Duration(1, U.YEARS), Duration(365, U.DAYS)) == 1
    # 4 weeks can end up to 2 days after 20 working days (from a weekend) ...
    assert worst_case(Duration(4, U.WEEKS), Duration(20, U.WORKING_DAYS)) == 2
    # ... and 20 working days can run past 4 weeks over Christmas and Easter.
    assert worst_case(Duration(20, U.WORKING_DAYS), Duration(4, U.WEEKS)) > 0


def test_bounds_in_days_examples() -> None:
    assert bounds_in_days(Duration(10, U.DAYS)) == (10, 10)
    assert bounds_in_days(Duration(2, U.WEEKS)) == (14, 14)
    assert bounds_in_days(Duration(25, U.HOURS)) == (2, 2)
    assert bounds_in_days(Duration(1, U.MONTHS)) == (28, 31)
    assert bounds_in_days(Duration(1, U.YEARS)) == (365, 366)
    assert bounds_in_days(Duration(0, U.WORKING_DAYS)) == (0, 0)
    # From a Sunday, 1 working day is the next day; the longest gap is
    # Christmas Eve on a Friday -> Tue 28 Dec (both Christmas days observed).
    assert bounds_in_days(Duration(1, U.WORKING_DAYS)) == (1, 5)


@pytest.mark.parametrize("dur", [Duration(5, U.WORKING_DAYS), Duration(1, U.SCHOOL_TERMS)])
def test_bounds_in_days_match_scalar_brute_force(dur: Duration) -> None:
    first, last = START_DATE_RANGE
    offsets = [
        (add(first + timedelta(days=i), dur) - (first + timedelta(days=i))).days for i in range((last - first).days + 1)
    ]
    assert bounds_in_days(dur) == (min(offsets), max(offsets))


def test_bounds_in_days_is_fast() -> None:
    bounds_in_days(Duration(1, U.WORKING_DAYS))  # warm the calendar caches
    for dur in (
        Duration(173, U.WORKING_DAYS),
        Duration(37, U.MONTHS),
        Duration(1234, U.DAYS),
    ):
        started = time.perf_counter()
        bounds_in_days(dur)
        assert time.perf_counter() - started < 0.05


# --------------------------------------------------------------------------
# Properties


@PROPERTY_SETTINGS
@given(start=dates, n=st.integers(0, 400))
def test_add_then_count_working_days(start: date, n: int) -> None:
    end = add(start, Duration(n, U.WORKING_DAYS))
    assert working_days_between(start, end) == n
    assert working_days_between(end, start) == -n


@PROPERTY_SETTINGS
@given(start=dates, n=st.integers(1, 400))
def test_add_working_days_lands_on_a_working_day(start: date, n: int) -> None:
    end = add(start, Duration(n, U.WORKING_DAYS))
    assert end > start
    assert is_working_day(end)
    # and it is the first such date: the day before has n - 1 working days
    assert working_days_between(start, end - timedelta(days=1)) == n - 1


@PROPERTY_SETTINGS
@given(start=dates, unit=st.sampled_from(list(Unit)), data=st.data())
def test_add_is_monotonic_in_amount(start: date, unit: Unit, data: st.DataObject) -> None:
    top = MAX_AMOUNT[unit]
    m = data.draw(st.integers(0, top))
    n = data.draw(st.integers(m, top))
    assert add(start, Duration(0, unit)) == start
    assert start <= add(start, Duration(m, unit)) <= add(start, Duration(n, unit))


@PROPERTY_SETTINGS
@given(
    first=dates,
    gap=st.integers(0, 60),
    unit=st.sampled_from([U.DAYS, U.WEEKS, U.WORKING_DAYS]),
    n=st.integers(0, 300),
)
def test_add_is_monotonic_in_start(first: date, gap: int, unit: Unit, n: int) -> None:
    second = first + timedelta(days=gap)
    assert add(first, Duration(n, unit)) <= add(second, Duration(n, unit))


@PROPERTY_SETTINGS
@given(
    start=dates,
    unit=st.sampled_from([U.MONTHS, U.YEARS, U.SCHOOL_TERMS]),
    n=st.integers(0, 60),
)
def test_month_addition_clamps_to_month_end(start: date, unit: Unit, n: int) -> None:
    months = n * {U.MONTHS: 1, U.YEARS: 12, U.SCHOOL_TERMS: 4}[unit]
    end = add(start, Duration(n, unit))
    index = start.year * 12 + start.month - 1 + months
    assert (end.year, end.month) == (index // 12, index % 12 + 1)
    last_day = calendar.monthrange(end.year, end.month)[1]
    assert end.day == start.day or (end.day == last_day and start.day > last_day)


@PROPERTY_SETTINGS
@given(starts=st.lists(dates, min_size=1, max_size=20), dur=durations())
def test_add_array_matches_scalar(starts: list[date], dur: Duration) -> None:
    got = add_array(np.array(starts, dtype="datetime64[D]"), dur)
    assert [g.item() for g in got] == [add(s, dur) for s in starts]


@PROPERTY_SETTINGS
@given(pairs=st.lists(st.tuples(dates, st.integers(0, 400)), min_size=1, max_size=20))
def test_add_working_days_array_matches_scalar(pairs: list[tuple[date, int]]) -> None:
    starts = np.array([p[0] for p in pairs], dtype="datetime64[D]")
    counts = np.array([p[1] for p in pairs])
    got = add_working_days_array(starts, counts)
    want = [add(s, Duration(n, U.WORKING_DAYS)) for s, n in pairs]
    assert [g.item() for g in got] == want
    # a scalar n broadcasts
    n = pairs[0][1]
    got_scalar = add_working_days_array(starts, n)
    assert [g.item() for g in got_scalar] == [add(s, Duration(n, U.WORKING_DAYS)) for s, _ in pairs]


@PROPERTY_SETTINGS
@given(pairs=st.lists(st.tuples(dates, dates), min_size=1, max_size=20))
def test_working_days_between_array_matches_scalar(
    pairs: list[tuple[date, date]],
) -> None:
    a = np.array([p[0] for p in pairs], dtype="datetime64[D]")
    b = np.array([p[1] for p in pairs], dtype="datetime64[D]")
    got = working_days_between_array(a, b)
    assert got.tolist() == [working_days_between(x, y) for x, y in pairs]


@PROPERTY_SETTINGS
@given(a=dates, b=dates, c=dates)
def test_working_days_between_is_antisymmetric_and_additive(a: date, b: date, c: date) -> None:
    assert working_days_between(a, b) == -working_days_between(b, a)
    assert working_days_between(a, c) == (working_days_between(a, b) + working_days_between(b, c))


@PROPERTY_SETTINGS
@given(a=durations(), b=durations())
def test_compare_is_antisymmetric(a: Duration, b: Duration) -> None:
    forward = compare(a, b)
    assert compare(b, a) is forward.reverse()
    if forward is Ordering.EQUAL:
        assert worst_case(a, b) == 0 and worst_case(b, a) == 0
    elif forward is Ordering.STRICTER:
        assert worst_case(a, b) <= 0 < worst_case(b, a)
    elif forward is Ordering.WEAKER:
        assert worst_case(b, a) <= 0 < worst_case(a, b)
    else:
        assert worst_case(a, b) > 0 and worst_case(b, a) > 0


@PROPERTY_SETTINGS
@given(dur=durations())
def test_compare_with_itself_is_equal(dur: Duration) -> None:
    assert compare(dur, dur) is Ordering.EQUAL
    low, high = bounds_in_days(dur)
    assert 0 <= low <= high

"""Reading case events and children, checking every row, and normalising them for the engines.

Every data row of the input is either used or rejected with its row number (1-based, the header
not counted; blank lines are not rows) and a reason. A file that cannot be read, or lacks a
required column, raises `InputError` with a one-line message (the CLI exits 2).

The result is a DuckDB connection holding:
- `events`: the accepted rows in the normalised shape that the generated checks read
  (row, child_id, event (canonical id), date, extended_until, time_of_day (seconds after midnight, or
  NULL), attr_NAME...);
- `rejects`: file, row, reason, kind, raw (the rejected row as a line of CSV);
- with `child_keys`: `child_keys(key INTEGER, child_id VARCHAR)`, every child id (not blank) of the events
  and the children numbered in the ids' order, and `events.child_id` and `children.child_id` hold the key, not
  the text: the checks group and join on a 4-byte integer, and the rows are named when written
  (`compiler.audit.run`). The key's order is the text's, so sorting by key sorts by id.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from compiler.emitters.sqltext import sql_ident, sql_string
from compiler.model.ir import AgeLimit, AgeMilestone, Policy
from compiler.model.semantics import (
    ATTRIBUTE_PREFIX,
    EXTENDED_UNTIL,
    FIRST_YEAR,
    LAST_YEAR,
    attributes_used,
    extension_event,
    not_measurable,
)

EVENT_COLUMNS = ("child_id", "event", "date")
CHILD_COLUMNS = ("child_id", "date_of_birth")
TIME = "time"  # the optional column of a time of day (HH:MM or HH:MM:SS)
RESERVED = {"child_id", "event", "date", EXTENDED_UNTIL, TIME}

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
_ISO = r"^\d{4}-\d{2}-\d{2}([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$"


class RejectKind(StrEnum):
    """Why a row was rejected, as the summary counts it. Each rule that rejects a row names its kind;
    the kind is never worked out from the reason's wording."""

    MISSING = "missing value"
    UNPARSABLE_DATE = "unparsable date"
    UNPARSABLE_TIME = "unparsable time"
    UNKNOWN_EVENT = "unknown event"
    DUPLICATE = "duplicate row"
    MALFORMED = "malformed row"


def _cases(rules: list[tuple[str, str, RejectKind]]) -> tuple[str, str]:
    """(reason, kind) as two SQL CASE expressions over the same (condition, reason, kind) rules."""
    reason = "".join(f"    WHEN {cond} THEN {why}\n" for cond, why, _ in rules)
    kind = "".join(f"    WHEN {cond} THEN {sql_string(k.value)}\n" for cond, _, k in rules)
    return f"CASE\n{reason}  END", f"CASE\n{kind}  END"


class Progress(Protocol):
    """Told of `n` more steps done, and of what is being done now (a few words), if it changed."""

    def __call__(self, n: int, stage: str | None = None) -> None: ...


#: the steps of `load` that it reports to its `progress`
LOAD_STEPS = 4


class InputError(Exception):
    """A problem with an input file as a whole: one line, exit code 2."""


@dataclass
class Loaded:
    con: duckdb.DuckDBPyConnection
    as_of: dt.date | None
    attributes: list[str]
    events_rows: int = 0
    events_rejected: int = 0
    children_rows: int = 0
    children_rejected: int = 0
    after_as_of: int = 0
    timed: int = 0  # used events with a time of day
    as_of_from: str = "given"  # "given", "collection_year" (the import's declaration) or "latest_event"
    child_keys: bool = False  # events and children hold integer keys of `child_keys`, not the ids' text
    reject_kinds: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def events_used(self) -> int:
        return self.events_rows - self.events_rejected

    @property
    def children_used(self) -> int:
        return self.children_rows - self.children_rejected


# ---- reading files ------------------------------------------------------------------------------
def _kind_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".txt")):
        return "csv"
    raise InputError(f"{path}: cannot tell the format from the name; use .csv or .parquet")


def _csv_header(path: Path) -> list[str]:
    try:
        opener = __import__("gzip").open if path.name.lower().endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), None)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except (OSError, csv.Error) as err:
        raise InputError(f"{path}: cannot be read ({err})") from None
    if not header:
        raise InputError(f"{path}: is empty (a header line is needed)")
    return [_outside_internal(h.strip()) for h in header]


def _outside_internal(column: str) -> str:
    """An input column's name kept apart from the audit's own columns (`_row`, `_reason`, `_child`...,
    all beginning with `_`, and DuckDB's `file_row_number`): `_reason` in the input becomes
    `_reason (input)`. No column the audit reads begins with `_` (names in a policy begin with a letter)."""
    return f"{column} (input)" if column.startswith("_") or column.lower() == "file_row_number" else column


def read_csv(path: Path) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    """All columns as text plus `_row`; rows of the wrong width come back as (row, reason, raw).

    Arrow's parser reads the file on every core. When some rows have the wrong number of fields, it
    reads it again on one thread, which numbers each bad row as it skips it (a record's number: blank
    lines not counted, a quoted value over several lines counted once, as `_row` counts), and the
    good rows' numbers are the others, in order: a bad row costs what a good one does."""
    header = _csv_header(path)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"{path}: column `{dupes[0]}` appears twice in the header")
    try:
        table, bad = _arrow_csv(path, header, threads=True)
    except _Malformed:
        table, bad = _arrow_csv(path, header, threads=False)
    if header[0].startswith("\ufeff"):
        header[0] = header[0].lstrip("\ufeff")
    table = table.rename_columns(header)
    if not bad:
        return table.append_column("_row", int64_column(np.arange(1, table.num_rows + 1))), []
    numbers = np.ones(table.num_rows + len(bad) + 1, dtype=bool)
    numbers[0] = False
    numbers[[n for n, _, _ in bad]] = False
    return table.append_column("_row", int64_column(np.flatnonzero(numbers))), bad


class _Malformed(Exception):
    """A row of the wrong width met on the read on every core: read again on one thread."""


def _arrow_csv(path: Path, header: list[str], threads: bool) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    """Read with Arrow, every column as text. On every core, the first row of the wrong width stops the
    read (`_Malformed`); on one thread, such rows come back as (row, reason, raw), numbered (Arrow numbers
    records from 1 at the header line; the header is not a row)."""
    bad: list[tuple[int, str, str]] = []
    width = len(header)
    stopped = False

    def handler(row: pacsv.InvalidRow) -> str:
        nonlocal stopped
        if threads:
            stopped = True
            return "error"
        bad.append((row.number - 1, f"expected {width} fields, found {row.actual_columns}", row.text))
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, use_threads=threads),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, OSError) as err:
        if stopped:
            raise _Malformed from None
        if "UTF8" in str(err) or "UTF-8" in str(err):
            raise InputError(f"{path}: not UTF-8 text") from None
        raise InputError(f"{path}: cannot be read as CSV ({str(err).splitlines()[0]})") from None
    return table, bad


def int64_column(values: np.ndarray) -> pa.Array:
    """An Arrow column of 64-bit integers over a NumPy array's buffer. (`pa.array` imports pandas, whatever
    it is given, to ask whether it is a pandas object: 0.2-0.3 s of every audit's start.)"""
    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def int64_values(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """The values of an Arrow column of 64-bit integers without NULLs (as DuckDB hands a query's result
    over), as one NumPy array read from the chunks' buffers. A result through Arrow costs less than half
    of `fetchnumpy` (10 million pairs of integers: 0.12-0.14 s of CPU against 0.31-0.44 s), and this avoids
    Arrow's own `to_numpy`, which imports pandas."""
    assert column.type == pa.int64() and column.null_count == 0
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = [np.frombuffer(c.buffers()[1], dtype=np.int64, count=len(c), offset=c.offset * 8) for c in chunks]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _register(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Make `name` a table/view over the file, with `_row`; return its columns and structural rejects."""
    kind = _kind_of(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if kind == "csv":
        table, bad = read_csv(path)
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow").fetchall()
        con.unregister(f"{name}_arrow")
        return [c for c in table.column_names if c != "_row"], bad
    try:
        source = f"read_parquet({sql_string(str(path))})"
        inner = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        if "file_row_number" in inner:
            raise InputError(f"{path}: has a column `file_row_number`, a name DuckDB keeps for itself; rename it")
        picked = ", ".join(f"{sql_ident(c)} AS {sql_ident(_outside_internal(c))}" for c in inner)
        # `{name}_numbered` keeps Parquet's own row number, so a filter on it reaches the reader
        # (`raw_rows`): a filter on `_row`, an expression, does not
        con.execute(f"CREATE OR REPLACE VIEW {name}_numbered AS SELECT {picked}, file_row_number "
                    f"FROM read_parquet({sql_string(str(path))}, file_row_number = true)").fetchall()
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row "
                    f"FROM {name}_numbered").fetchall()
        cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
    except duckdb.Error as err:
        raise InputError(f"{path}: cannot be read as Parquet ({str(err).splitlines()[0]})") from None
    return [c for c in cols if c != "_row"], []


def _raw_rows(name: str, parquet: bool, rows: str) -> str:
    """The rows of `name` (registered by `_register`) whose `_row` is in `rows` (a query of one column): for
    Parquet, by the reader's row number, which skips decoding the other rows' values."""
    if parquet:
        return (f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row FROM {name}_numbered\n"
                f"WHERE file_row_number IN (SELECT n - 1 FROM ({rows}) w(n))")
    return f"SELECT * FROM {name} WHERE _row IN ({rows})"


def _find(columns: list[str], wanted: str) -> str | None:
    for c in columns:
        if c.strip().lower() == wanted:
            return c
    return None


def _require(path: Path, columns: list[str], wanted: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for w in wanted:
        c = _find(columns, w)
        if c is None:
            shown = ", ".join(columns) if columns else "none"
            raise InputError(f"{path}: missing column `{w}` (the columns are: {shown})")
        found[w] = c
    return found


# ---- SQL pieces --------------------------------------------------------------------------------------
def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()}


def _text(col: str, prefix: str = "") -> str:
    return f"trim(CAST({prefix}{sql_ident(col)} AS VARCHAR))"


def _date_sql(col: str, type_: str, prefix: str = "") -> str:
    """The day in `col`, or NULL if it is missing or cannot be read as an ISO date (or date and time)."""
    c = prefix + sql_ident(col)
    if type_ == "DATE":
        return c
    if type_.startswith("TIMESTAMP"):
        return f"CAST({c} AS DATE)"
    if type_ != "VARCHAR":
        return "CAST(NULL AS DATE)"
    t = _text(col, prefix)
    return f"CASE WHEN regexp_full_match({t}, {sql_string(_ISO)}) THEN try_cast(substr({t}, 1, 10) AS DATE) END"


#: the time of day of a row whose input can carry none (`_date_time_sql`, `_time_sql`)
_NO_SECONDS = "CAST(NULL AS INTEGER)"


def _seconds(hh: str, mm: str, ss: str | None) -> str:
    """Seconds after midnight from the text of hours, minutes and (optional, else 0) seconds."""
    secs = f"try_cast({ss} AS INTEGER)" if ss else "0"
    return f"try_cast({hh} AS INTEGER) * 3600 + try_cast({mm} AS INTEGER) * 60 + {secs}"


def _clock_of_timestamp(c: str) -> str:
    t = f"CAST({c} AS TIMESTAMP)"
    return f"(hour({t}) * 3600 + minute({t}) * 60 + second({t}))"


def _date_time_sql(col: str, type_: str, prefix: str = "") -> str:
    """The time of day (seconds after midnight) that the date column carries: the time of an ISO date and
    time (a zone or offset is ignored: the time is taken as written, as the day is), or of a TIMESTAMP;
    NULL for a date alone (and for text that is not a date, which is rejected as such)."""
    c = prefix + sql_ident(col)
    if type_.startswith("TIMESTAMP"):
        return _clock_of_timestamp(c)
    if type_ != "VARCHAR":
        return _NO_SECONDS
    t = _text(col, prefix)
    ss = f"CASE WHEN substr({t}, 17, 1) = ':' THEN substr({t}, 18, 2) END"
    return (f"CASE WHEN length({t}) >= 16 THEN "
            f"{_seconds(f'substr({t}, 12, 2)', f'substr({t}, 15, 2)', f'coalesce({ss}, {chr(39)}0{chr(39)})')} END")


def _time_sql(col: str, type_: str, prefix: str = "") -> str:
    """The time of day in the `time` column as seconds after midnight; NULL if missing or not HH:MM[:SS]."""
    c = prefix + sql_ident(col)
    if type_.startswith("TIMESTAMP") or type_ == "TIME":
        return _clock_of_timestamp(f"(DATE '2000-01-01' + {c})" if type_ == "TIME" else c)
    if type_ != "VARCHAR":
        return _NO_SECONDS
    t = _text(col, prefix)
    ss = f"CASE WHEN length({t}) = 8 THEN substr({t}, 7, 2) ELSE '0' END"
    return f"CASE WHEN regexp_full_match({t}, {sql_string(_HHMM)}) THEN {_seconds(f'substr({t}, 1, 2)', f'substr({t}, 4, 2)', ss)} END"


def _blank(col: str, type_: str = "VARCHAR") -> str:
    """Missing: NULL, or (text only) empty or spaces. A typed column (a Parquet DATE) is never turned
    into text to ask."""
    if type_ != "VARCHAR":
        return f"({sql_ident(col)} IS NULL)"
    return f"({sql_ident(col)} IS NULL OR {_text(col)} = '')"


def _trimmed_blank(trimmed: str, type_: str) -> str:
    """`_blank` of a column whose trimmed text is already worked out as `trimmed` (no second trim a row)."""
    return f"({trimmed} IS NULL OR {trimmed} = '')" if type_ == "VARCHAR" else f"({trimmed} IS NULL)"


def _raw_line(columns: list[str], prefix: str = "") -> str:
    parts = []
    for c in columns:
        v = f"coalesce(CAST({prefix}{sql_ident(c)} AS VARCHAR), '')"
        parts.append(f"CASE WHEN regexp_matches({v}, '[,\"\\r\\n]') THEN '\"' || replace({v}, '\"', '\"\"') || '\"' ELSE {v} END")
    return " || ',' || ".join(parts) if parts else "''"


def _shown(col: str) -> str:
    """A value quoted for a reason, cut to 40 characters."""
    return f"left({_text(col)}, 40)"


# ---- the whole load ----------------------------------------------------------------------------------
def load(policy: Policy, events_path: Path, children_path: Path | None = None, as_of: dt.date | None = None,
         memory_limit: str | None = None, unrecorded_attributes: frozenset[str] = frozenset(),
         progress: Progress | None = None, attributes: list[str] | None = None, child_keys: bool = False) -> Loaded:
    """Read, check and normalise the input; `progress` hears of LOAD_STEPS steps. `attributes`: the attribute
    columns to load (default: those the policy reads; several versions of a document read the union).
    `child_keys`: give the children integer keys (the module's header); only the DuckDB engine reads them."""

    def step(n: int, stage: str) -> None:
        if progress is not None:
            progress(n, stage)

    step(0, "reading events")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'").fetchall()
    if memory_limit:
        con.execute(f"SET memory_limit = {sql_string(memory_limit)}").fetchall()
    con.execute("CREATE TABLE rejects(file VARCHAR, row BIGINT, reason VARCHAR, kind VARCHAR, raw VARCHAR)").fetchall()
    ev_cols, ev_bad = _register(con, "raw_events", events_path)
    step(1, "reading children" if children_path is not None else "checking events")
    req = _require(events_path, ev_cols, EVENT_COLUMNS)
    ext_col = _find(ev_cols, EXTENDED_UNTIL)
    time_col = _find(ev_cols, TIME)
    ch_cols: list[str] = []
    ch_req: dict[str, str] = {}
    if children_path is not None:
        ch_cols, ch_bad = _register(con, "raw_children", children_path)
        ch_req = _require(children_path, ch_cols, CHILD_COLUMNS)
        _add_structural(con, "children", ch_bad)
    _add_structural(con, "events", ev_bad)

    attributes = attributes_used(policy) if attributes is None else attributes
    notes, ev_attrs, ch_attrs = _attribute_columns(attributes, ev_cols, ch_cols if children_path is not None else None,
                                                   unrecorded_attributes)
    if children_path is not None:
        _check_children(con, ch_cols, ch_req, ch_attrs)
    else:
        cols = "".join(f", {sql_ident(ATTRIBUTE_PREFIX + a)} VARCHAR" for a in attributes)
        con.execute(f"CREATE OR REPLACE TABLE children(child_id VARCHAR, date_of_birth DATE{cols})").fetchall()
    step(1, "checking events")
    keys_from_children = _first_keys(con, req["child_id"], children_path is not None) if child_keys else False
    checked_rows = _check_events(con, policy, ev_cols, req, ext_col, ev_attrs, time_col, child_keys,
                                 parquet=_kind_of(events_path) == "parquet", keys_from_children=keys_from_children)
    if child_keys:
        con.execute("CREATE OR REPLACE TABLE children AS SELECT k.key AS child_id, c.* EXCLUDE (child_id)\n"
                    "FROM children c JOIN child_keys k ON k.child_id = c.child_id").fetchall()
    step(1, "counting")

    loaded = Loaded(con, None, attributes, notes=notes, child_keys=child_keys)
    loaded.events_rows = checked_rows + len(ev_bad)
    loaded.events_rejected = _count(con, "SELECT count(*) FROM rejects WHERE file = 'events'")
    loaded.timed, last = con.execute("SELECT count(time_of_day), max(date) FROM events").fetchall()[0]
    if children_path is not None:
        loaded.children_rows = _count(con, "SELECT count(*) FROM raw_children") + len(ch_bad)
        loaded.children_rejected = _count(con, "SELECT count(*) FROM rejects WHERE file = 'children'")
    for kind, n in con.execute("SELECT file || ': ' || kind, count(*) FROM rejects GROUP BY ALL").fetchall():
        loaded.reject_kinds[kind] = n
    loaded.as_of = as_of if as_of is not None else last
    if as_of is not None and last is not None and last > as_of:  # else no used row lies after it
        loaded.after_as_of = _count(con, f"SELECT count(*) FROM events WHERE date > DATE '{loaded.as_of.isoformat()}'")
    if children_path is None and any(
            isinstance(ob.timing, AgeMilestone) or any(isinstance(c, AgeLimit) for c in ob.conditions)
            for ob in policy.obligations if not_measurable(policy, ob) is None):
        notes.append("no children table: the date of birth is unknown, so age milestones and age conditions are "
                     "not_applicable")
    step(1, "judging")
    return loaded


def _attribute_columns(attributes: list[str], ev_cols: list[str], ch_cols: list[str] | None,
                       unrecorded: frozenset[str]) -> tuple[list[str], list[tuple[str, str | None]], list[str]]:
    """(notes, events side, children-side SQL) of each attribute a condition reads: the events side is
    (column, expression), the expression None where the events have no such column. It comes from the
    events file if it has the column, else from the children table; the other side's column is left
    empty, so the checks can read coalesce(event side, child side)."""
    notes: list[str] = []
    ev_attrs: list[tuple[str, str | None]] = []
    ch_attrs: list[str] = []
    for a in attributes:
        col = sql_ident(ATTRIBUTE_PREFIX + a)
        in_events = _find(ev_cols, a.lower())
        in_children = _find(ch_cols, a.lower()) if ch_cols is not None else None
        if a.lower() in RESERVED or a.lower() in CHILD_COLUMNS:
            notes.append(f"condition attribute `{a}` is a reserved column name: it is never met")
            in_events = in_children = None
        elif in_events is None and in_children is None and a not in unrecorded:
            notes.append(f"no column `{a}` in the events or children: conditions on it are never met (not_applicable)")
        ev_attrs.append((col, _text_of("b", in_events) if in_events else None))
        ch_attrs.append(f"{_text_of('c', in_children) if in_events is None and in_children else 'CAST(NULL AS VARCHAR)'}"
                        f" AS {col}")
    return notes, ev_attrs, ch_attrs


def _text_of(alias: str, col: str) -> str:
    return f"trim(CAST({alias}.{sql_ident(col)} AS VARCHAR))"


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def _add_structural(con: duckdb.DuckDBPyConnection, file: str, bad: list[tuple[int, str, str]]) -> None:
    """Rows of the wrong width, added to `rejects` in one statement (an INSERT a row took minutes for a
    file of a million bad rows)."""
    if bad:
        table = pa.table({"row": pa.array([b[0] for b in bad], type=pa.int64()),
                          "reason": pa.array([b[1] for b in bad], type=pa.string()),
                          "raw": pa.array([b[2] for b in bad], type=pa.string())})
        con.register("_malformed_arrow", table)
        con.execute(f"INSERT INTO rejects SELECT {sql_string(file)}, row, reason, {sql_string(RejectKind.MALFORMED.value)}, raw "
                    "FROM _malformed_arrow").fetchall()
        con.unregister("_malformed_arrow")


def with_child_text(rows: str) -> str:
    """A relation of `rows` (a table or view whose `child_id` holds a key of `child_keys`) with the child's
    id as text in one more column, `child_text`: how the audit's rows are named when written. (The cast:
    with no measurable obligation, the generated `audit_rows` is an empty placeholder typed as text.)"""
    return (f"(SELECT r.*, k.child_id AS child_text FROM {rows} r JOIN child_keys k "
            "ON k.key = CAST(r.child_id AS INTEGER))")


def _map_key(col: str, type_: str, prefix: str = "") -> str:
    """What a map of a column's distinct values is keyed on: the text as it is (no trim), or a typed value's
    text. The trimmed text is a function of this, so a row joined to its map on it gets what trimming the
    row itself would give."""
    c = prefix + sql_ident(col)
    return c if type_ == "VARCHAR" else f"CAST({c} AS VARCHAR)"


def _number_children(con: duckdb.DuckDBPyConnection, cid: str, type_: str, events: bool) -> None:
    """`child_keys`: the distinct child ids of the children and (if `events`) of the events (trimmed, as
    `_check_events` reads them), numbered from 1 in their order; `child_map` takes each raw id of the events
    (`_raw`, keyed as `_map_key`) to its trimmed text and key, so the events are joined to it on the value as
    read. The events' distinct raw ids are trimmed once each, not 10 million times. Without `events`, the map
    holds the children's ids alone, each as its own raw value: the same keys whenever every id of the events
    is one of them as written (`_unkeyed_ids` tells), without reading 10 million ids for their distinct
    values (0.7-1.0 s of CPU). A blank id has no key: rows of events whose id is blank are rejected."""
    if not events:
        con.execute("CREATE OR REPLACE TABLE child_keys AS\n"
                    "SELECT CAST(row_number() OVER (ORDER BY child_id) AS INTEGER) AS key, child_id\n"
                    "FROM (SELECT DISTINCT child_id FROM children) ids").fetchall()
        con.execute("CREATE OR REPLACE TABLE child_map AS SELECT child_id AS _raw, child_id AS _child, key FROM child_keys"
                    ).fetchall()
        return
    con.execute(f"CREATE OR REPLACE TABLE child_ids AS SELECT DISTINCT {_map_key(cid, type_)} AS _raw FROM raw_events"
                ).fetchall()
    con.execute(
        "CREATE OR REPLACE TABLE child_keys AS\n"
        "SELECT CAST(row_number() OVER (ORDER BY child_id) AS INTEGER) AS key, child_id\n"
        "FROM (SELECT trim(_raw) AS child_id FROM child_ids UNION SELECT child_id FROM children) ids\n"
        "WHERE child_id <> ''").fetchall()
    con.execute("CREATE OR REPLACE TABLE child_map AS SELECT i._raw, k.child_id AS _child, k.key\n"
                "FROM child_ids i JOIN child_keys k ON k.child_id = trim(i._raw)").fetchall()
    con.execute("DROP TABLE child_ids").fetchall()


def _first_keys(con: duckdb.DuckDBPyConnection, cid: str, with_children: bool) -> bool:
    """Number the children before the events are read (`_number_children`); whether by the children file's
    ids alone. With a children file, they are unless the events' first rows show an id it lacks;
    `_check_events` numbers the events' ids too (and reads the events again) if any later row has one."""
    cid_type = _types(con, "raw_events")[cid]
    _number_children(con, cid, cid_type, events=not with_children)
    if with_children and _unkeyed_in_sample(con, cid, cid_type):
        _number_children(con, cid, cid_type, events=True)
        return False
    return with_children


#: how many of the events' first rows are looked at before keying the children by the children file alone
_SAMPLE_ROWS = 100_000


def _unkeyed_in_sample(con: duckdb.DuckDBPyConnection, cid: str, type_: str) -> bool:
    """Whether one of the events' first rows has an id (not blank) that the children file lacks: then the
    events' ids are numbered as well from the start, rather than found lacking after the whole pass."""
    return _count(con, f"SELECT count(*) FROM (SELECT {sql_ident(cid)} FROM raw_events LIMIT {_SAMPLE_ROWS}) r\n"
                       f"WHERE NOT {_blank(cid, type_)} AND {_map_key(cid, type_)} NOT IN (SELECT _raw FROM child_map)") > 0


def _unkeyed_ids(con: duckdb.DuckDBPyConnection, cid: str, type_: str, parquet: bool) -> bool:
    """Whether a row of `events` lacks a key for an id that is not blank (an id the children file lacks, or
    has only without the spaces around it): such a row was rejected as missing its id, and only those
    rejected rows are read again to ask."""
    lacking = "SELECT row FROM events WHERE _bad AND child_id IS NULL"
    if _count(con, f"SELECT count(*) FROM ({lacking})") == 0:
        return False
    return _count(con, f"SELECT count(*) FROM ({_raw_rows('raw_events', parquet, lacking)}) r "
                       f"WHERE NOT {_blank(cid, type_)}") > 0


def _check_events(con: duckdb.DuckDBPyConnection, policy: Policy, columns: list[str], req: dict[str, str],
                  ext_col: str | None, attr_sql: list[tuple[str, str | None]], time_col: str | None = None,
                  child_keys: bool = False, parquet: bool = False, keys_from_children: bool = False) -> int:
    """Create `events` from `raw_events` in one pass (each row with `_reason` NULL, used, or a reason), then
    mark duplicates, copy every rejected row to `rejects` and delete it from `events`; return how many rows
    `events` had before (every row of the input that has the file's width). `keys_from_children`: `child_keys` holds the
    children file's ids alone (`_number_children`); if a row's id is not among them, they are numbered again
    with the events' ids, and the pass is made again."""
    types = _types(con, "raw_events")
    known = {e: policy.canonical_event(e) for e in policy.events}
    extendable = {ob.id for ob in policy.obligations if ob.extension is not None}
    for ob_id in sorted(extendable):
        known[extension_event(ob_id)] = extension_event(ob_id)
    # one look-up for every event name a row can hold: the policy's events (canonical name), extensions
    # of extendable obligations, and extensions of the others (no canonical name, refused as such)
    rows: list[tuple[str, str | None, bool]] = [(k, v, False) for k, v in sorted(known.items())]
    rows += [(extension_event(ob.id), None, True) for ob in sorted(policy.obligations, key=lambda o: o.id)
             if ob.id not in extendable]
    values = ",\n".join(f"  ({sql_string(k)}, {sql_string(v) if v else 'NULL'}, {str(x).upper()})" for k, v, x in rows)
    con.execute("CREATE OR REPLACE TABLE known_events(k_event VARCHAR, k_canonical VARCHAR, k_not_extendable BOOLEAN)"
                ).fetchall()
    if values:
        con.execute(f"INSERT INTO known_events VALUES\n{values}").fetchall()
    cid, ev, date = req["child_id"], req["event"], req["date"]
    # each distinct event value of the input, trimmed and looked up once (a file holds a few dozen)
    con.execute(
        "CREATE OR REPLACE TABLE event_map AS\n"
        "SELECT e._raw, e._event, k.k_canonical AS _canonical, k.k_not_extendable IS TRUE AS _not_extendable,\n"
        "       starts_with(e._event, 'extension:') AS _is_ext\n"
        f"FROM (SELECT _raw, trim(_raw) AS _event FROM (SELECT DISTINCT {_map_key(ev, types[ev])} AS _raw FROM raw_events)) e\n"
        "LEFT JOIN known_events k ON k.k_event = e._event").fetchall()
    date_sql = _date_sql(date, types[date], "r.")
    until_sql = _date_sql(ext_col, types[ext_col], "r.") if ext_col else "CAST(NULL AS DATE)"
    until_blank = _blank(ext_col, types[ext_col]) if ext_col else "TRUE"
    ext_shown = _shown(ext_col) if ext_col else "''"
    # the time of day: from the `time` column, or from the date column (an ISO date and time)
    date_secs = _date_time_sql(date, types[date], "r.")
    time_secs = _time_sql(time_col, types[time_col], "r.") if time_col else _NO_SECONDS
    time_blank = _blank(time_col, types[time_col]) if time_col else "TRUE"
    time_rules = [
        (f"NOT {time_blank} AND _tsecs IS NULL",
         f"'unparsable time `' || {_shown(time_col)} || '` (times are HH:MM or HH:MM:SS)'", RejectKind.UNPARSABLE_TIME),
        (f"NOT {time_blank} AND _dsecs IS NOT NULL", "'a time of day in both `date` and `time`: give it in one of them'",
         RejectKind.UNPARSABLE_TIME),
    ] if time_col else []
    all_cols = ", ".join(sql_ident(c) for c in columns)
    row_hash = f"hash({', '.join('b.' + sql_ident(c) for c in columns)})"
    is_ext = "_is_ext"
    rng = f"BETWEEN DATE '{FIRST_YEAR}-01-01' AND DATE '{LAST_YEAR}-12-31'"
    K = RejectKind
    rules = [
        # a key is never missing but for a blank id (`child_keys` holds no blank id)
        ("_key IS NULL" if child_keys else _trimmed_blank("_child", types[cid]), "'missing child_id'", K.MISSING),
        (_trimmed_blank("_event", types[ev]), "'missing event'", K.MISSING),
        (_blank(date, types[date]), "'missing date'", K.MISSING),
        ("_date IS NULL", f"'unparsable date `' || {_shown(date)} || '` (dates are YYYY-MM-DD)'", K.UNPARSABLE_DATE),
        (f"NOT (_date {rng})", f"'date out of range: ' || CAST(_date AS VARCHAR) || ' (years {FIRST_YEAR} to "
                               f"{LAST_YEAR})'", K.UNPARSABLE_DATE),
        *time_rules,
        ("_not_extendable", "'obligation `' || substr(_event, 11) || '` has no `extendable` rule'", K.UNKNOWN_EVENT),
        ("_canonical IS NULL", "'unknown event `' || left(_event, 60) || '` (not declared in the policy or its "
                               "vocabulary)'", K.UNKNOWN_EVENT),
        (f"{is_ext} AND {until_blank}", "'an extension needs a date in `extended_until`'", K.MISSING),
        (f"{is_ext} AND _until IS NULL", f"'unparsable extended_until `' || {ext_shown} || '` (dates are YYYY-MM-DD)'",
         K.UNPARSABLE_DATE),
        (f"{is_ext} AND NOT (_until {rng})", "'extended_until out of range: ' || CAST(_until AS VARCHAR)",
         K.UNPARSABLE_DATE),
    ]
    reason, kind = _cases(rules)
    # the event as an ENUM of the policy's (canonical) events, and the table sorted by it: the checks
    # read one event at a time, and DuckDB then skips the blocks of the others
    canonical = sorted(set(known.values()))
    event = "b._canonical"
    if canonical:
        con.execute(f"CREATE TYPE policyc_event AS ENUM ({', '.join(sql_string(c) for c in canonical)})").fetchall()
        event = "CAST(b._canonical AS policyc_event)"
    # every row's values, read once: the trimmed text, the day, the event's look-up (the rules above read these)
    # (the child's key from `child_map` with integer keys, else the trimmed text here: a join costs more)
    child = "cm.key AS _key" if child_keys else f"{_text(cid, 'r.')} AS _child"
    child_join = f" LEFT JOIN child_map cm ON cm._raw = {_map_key(cid, types[cid], 'r.')}" if child_keys else ""
    checked = (
        f"  SELECT r.*, {child}, {date_sql} AS _date, CASE WHEN m._is_ext THEN {until_sql} END AS _until,\n"
        "         m._canonical, m._not_extendable, m._event, m._is_ext,\n"
        f"         {date_secs} AS _dsecs, {time_secs} AS _tsecs\n"
        f"  FROM {{source}} r LEFT JOIN event_map m ON m._raw = {_map_key(ev, types[ev], 'r.')}{child_join}\n")
    # 10 million rows are only told apart into used and rejected here (TRUE if any rule rejects the row);
    # the reason and kind are worked out afterwards for the rejected rows alone
    bad = "CASE\n" + "".join(f"    WHEN {cond} THEN TRUE\n" for cond, _, _ in rules) + "    ELSE FALSE END"
    # with integer keys the table is sorted by event, child and day: the checks read one event at a time
    # (DuckDB skips the other events' blocks), and every one of them partitions by child and orders by
    # day, which then costs less (the three-rule audit's evaluation 6.7-8.3 s of CPU against 5.5 s, for
    # 0.3-0.5 s more in this sort); equal (event, key, day) are then neighbours, so duplicates need no
    # hash and no second sort (`_duplicate_candidates_by_key`). Text ids (the generated Python, the
    # reference interpreter, PostgreSQL and Spark) keep the sort by event alone and the hash of every
    # column: a text id cannot be packed into one integer with the event and day.
    # (without events to code, nothing packs: the hash path, whatever the ids)
    by_key = child_keys and bool(canonical)
    order = "event, child_id, date" if by_key else "event"
    # (column, expression) of `events`; a column NULL in every row (no such column in the input: expression
    # None) is added after the sort, which then carries fewer (Somerset's events: six of eleven)
    no_time = date_secs == time_secs == _NO_SECONDS
    out = [("row", "b._row"), ("child_id", "b._key" if child_keys else "b._child"), ("event", event), ("date", "b._date"),
           ("extended_until", "b._until" if ext_col else None),
           ("time_of_day", None if no_time else "CAST(coalesce(b._tsecs, b._dsecs) AS INTEGER)"),
           *attr_sql, ("_bad", "b._bad"), *([] if by_key else [("_hash", row_hash)])]
    null_types = {"extended_until": "DATE", "time_of_day": "INTEGER"}  # the attributes' are text
    sorted_part = ", ".join(f"{e} AS {c}" for c, e in out if e is not None)
    make_events = (
        "CREATE OR REPLACE TABLE events AS\n"
        f"WITH b AS (\n{checked.replace('{source}', 'raw_events')}), c AS (SELECT b.*, {bad} AS _bad FROM b)\n"
        "SELECT " + ", ".join(c if e is not None else f"CAST(NULL AS {null_types.get(c, 'VARCHAR')}) AS {c}" for c, e in out)
        + f"\nFROM (SELECT {sorted_part}\nFROM c AS b\nORDER BY {order})")
    con.execute(make_events).fetchall()
    if keys_from_children and _unkeyed_ids(con, cid, types[cid], parquet):
        _number_children(con, cid, types[cid], events=True)
        con.execute(make_events).fetchall()
    # duplicates: rows identical in every column to an earlier row. Identical rows are all used or all
    # rejected, so only used rows are looked at. The candidates (`dup_candidates`, few) are the used rows
    # that share their (event, key, day), or their hash, with another; they are then compared column by
    # column, so only identical rows are rejected.
    if by_key:
        _duplicate_candidates_by_key(con)
    else:
        _duplicate_candidates_by_hash(con)
    # the raw rows that are needed again, in one read of the input: the rejected ones and the candidates
    # (none in a clean file: then nothing is read again, and nothing is deleted)
    total = _count(con, "SELECT count(*) FROM events")
    bad_rows = _count(con, "SELECT count(*) FROM events WHERE _bad")
    if bad_rows == 0 and _count(con, "SELECT count(*) FROM dup_candidates") == 0:
        _drop_checks(con, hashed=not by_key)
        return total
    con.execute("CREATE OR REPLACE TABLE wanted_rows AS\n"
                "SELECT row FROM events WHERE _bad UNION ALL SELECT row FROM dup_candidates").fetchall()
    con.execute("CREATE OR REPLACE TABLE raw_wanted AS "
                + _raw_rows("raw_events", parquet, "SELECT row FROM wanted_rows")).fetchall()
    con.execute(
        "CREATE OR REPLACE TABLE dup_rows AS\n"
        "WITH rows AS (SELECT r.* FROM raw_wanted r WHERE r._row IN (SELECT row FROM dup_candidates)),\n"
        f"firsts AS (SELECT *, min(_row) OVER (PARTITION BY {all_cols}) AS _first FROM rows)\n"
        "SELECT _row, _first FROM firsts WHERE _row > _first").fetchall()
    con.execute(
        "INSERT INTO rejects\n"
        f"SELECT 'events', b._row, {reason}, {kind}, {_raw_line(columns, 'b.')}\n"
        f"FROM ({checked.replace('{source}', 'raw_wanted')}) b\n"
        "WHERE b._row IN (SELECT row FROM events WHERE _bad)\n"
        "UNION ALL\n"
        f"SELECT 'events', d._row, 'duplicate of row ' || CAST(d._first AS VARCHAR), {sql_string(K.DUPLICATE)}, "
        f"{_raw_line(columns, 'r.')}\n"
        "FROM dup_rows d JOIN raw_wanted r ON r._row = d._row").fetchall()
    # the rejected rows leave `events`: the DELETE names only what there is
    dropped = ["_bad"] if bad_rows else []
    if _count(con, "SELECT count(*) FROM dup_rows"):
        dropped.append("row IN (SELECT _row FROM dup_rows)")
    if dropped:
        con.execute(f"DELETE FROM events WHERE {' OR '.join(dropped)}").fetchall()
    _drop_checks(con, hashed=not by_key)
    return total


def _drop_checks(con: duckdb.DuckDBPyConnection, hashed: bool) -> None:
    """Drop the columns of `events` that only the checks read: `_bad`, and `_hash` if it was made."""
    con.execute("ALTER TABLE events DROP COLUMN _bad").fetchall()
    if hashed:
        con.execute("ALTER TABLE events DROP COLUMN _hash").fetchall()


#: bits of a day number (days after 1 January FIRST_YEAR) and of a child key in `_packed_key`
_DAY_BITS, _KEY_BITS = 17, 31
assert (LAST_YEAR - FIRST_YEAR + 1) * 366 < 2 ** _DAY_BITS


def _packed_key(event_code: str, key: str, day: str) -> str:
    """(event code, child key, day) of a used row as one BIGINT, in their order: the event code (an ENUM's
    index, under 2^15) above the key (an INTEGER from 1) above the day (a date of FIRST_YEAR to LAST_YEAR)."""
    return (f"(CAST({event_code} AS BIGINT) << {_KEY_BITS + _DAY_BITS}) | (CAST({key} AS BIGINT) << {_DAY_BITS}) | "
            f"CAST({day} - DATE '{FIRST_YEAR}-01-01' AS BIGINT)")


def _duplicate_candidates_by_key(con: duckdb.DuckDBPyConnection) -> None:
    """`dup_candidates(row)`: the used rows whose (event, child key, day) another used row shares. `events`
    was written sorted by these, so they come back from a scan in that order (DuckDB keeps the insertion
    order), and equal ones are neighbours: comparing each packed key with the next finds them in one pass
    over 10 million integers, where sorting 10 million hashes cost 1.0-1.2 s of CPU. Each key comes with its
    row, a batch at a time (all 10 million pairs at once cost 160 MB more at the peak), so the candidates
    are picked here, not by a second scan that packs every key again. If the keys ever came back out of
    order they are all fetched and sorted here, so the answer never depends on the order of the scan."""
    query = f"SELECT {_packed_key('enum_code(event)', 'child_id', 'date')} AS k, row FROM events WHERE NOT _bad"
    found = _candidates_of_sorted(con.sql(query).to_arrow_reader())
    if found is None:
        got = con.sql(query).to_arrow_table()
        keys, rows = int64_values(got.column("k")), int64_values(got.column("row"))
        order = np.argsort(keys, kind="stable")
        found = _neighbours_alike(keys[order], rows[order])
    con.register("_candidates_arrow", pa.Table.from_arrays([int64_column(found)], names=["row"]))
    con.execute("CREATE OR REPLACE TABLE dup_candidates AS SELECT row FROM _candidates_arrow").fetchall()
    con.unregister("_candidates_arrow")


def _neighbours_alike(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The rows whose key (sorted) equals the one before or after it."""
    shared = keys[1:] == keys[:-1]
    alike = np.zeros(len(keys), dtype=bool)
    alike[1:] = shared
    alike[:-1] |= shared
    return rows[alike]


def _candidates_of_sorted(batches: pa.RecordBatchReader) -> np.ndarray | None:
    """`_neighbours_alike` of batches of (key, row), each batch taken with the last pair of the one before
    (a row may then be found twice: the answer is the distinct rows); None if the keys are not in order."""
    found: list[np.ndarray] = []
    last_key, last_row = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    for batch in batches:
        keys = np.concatenate([last_key, int64_values(batch.column(0))])
        rows = np.concatenate([last_row, int64_values(batch.column(1))])
        if not bool(np.all(keys[1:] >= keys[:-1])):
            return None
        found.append(_neighbours_alike(keys, rows))
        last_key, last_row = keys[-1:], rows[-1:]
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def _duplicate_candidates_by_hash(con: duckdb.DuckDBPyConnection) -> None:
    """`dup_candidates(row)`: the used rows whose hash of every column another used row shares, found by
    sorting the hashes (cheaper than grouping 10 million of them) and comparing neighbours."""
    con.execute(
        "CREATE OR REPLACE TABLE dup_candidates AS SELECT row FROM events WHERE NOT _bad AND _hash IN (\n"
        "  SELECT _hash FROM (SELECT _hash, lag(_hash) OVER (ORDER BY _hash) AS _prev FROM events WHERE NOT _bad) h\n"
        "  WHERE _hash = _prev)").fetchall()


def _check_children(con: duckdb.DuckDBPyConnection, columns: list[str], req: dict[str, str],
                    attr_sql: list[str]) -> None:
    types = _types(con, "raw_children")
    cid, dob = req["child_id"], req["date_of_birth"]
    dob_sql = _date_sql(dob, types[dob])
    rng = f"BETWEEN DATE '{FIRST_YEAR}-01-01' AND DATE '{LAST_YEAR}-12-31'"
    K = RejectKind
    reason, kind = _cases([
        (_blank(cid, types[cid]), "'missing child_id'", K.MISSING),
        (f"NOT {_blank(dob, types[dob])} AND _dob IS NULL",
         f"'unparsable date_of_birth `' || {_shown(dob)} || '` (dates are YYYY-MM-DD)'", K.UNPARSABLE_DATE),
        (f"_dob IS NOT NULL AND NOT (_dob {rng})", "'date_of_birth out of range: ' || CAST(_dob AS VARCHAR)",
         K.UNPARSABLE_DATE),
        # a later row of the same id (one window, the first row of each id: not a second one numbering them)
        ("_row > _first", "'duplicate child_id `' || _child || '` (first on row ' || CAST(_first AS VARCHAR) || ')'",
         K.DUPLICATE),
    ])
    con.execute(
        "CREATE OR REPLACE TABLE checked_children AS\n"
        "WITH b AS (\n"
        f"  SELECT r.*, {_text(cid)} AS _child, {dob_sql} AS _dob,\n"
        f"         min(r._row) OVER (PARTITION BY {_text(cid)}) AS _first\n"
        "  FROM raw_children r\n"
        ")\n"
        f"SELECT *, {reason} AS _reason, {kind} AS _kind FROM b").fetchall()
    con.execute(
        "INSERT INTO rejects\n"
        f"SELECT 'children', _row, _reason, _kind, {_raw_line(columns)} FROM checked_children WHERE _reason IS NOT NULL"
    ).fetchall()
    extra = "".join(", " + a for a in attr_sql)
    con.execute("CREATE OR REPLACE TABLE children AS SELECT c._child AS child_id, c._dob AS date_of_birth"
                f"{extra} FROM checked_children c WHERE c._reason IS NULL").fetchall()

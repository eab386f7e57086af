"""SSDA903 (children looked after return) → case events.

Reads `episodes.csv`, `reviews.csv` and `header.csv` from one folder (the DfE CSV layouts, dates
dd/mm/YYYY) and returns case events, a children table and one `Issue` for every input problem.
The mapping and each decision behind it are in docs/adapters.md.

The records shared by every adapter (`Event`, `Issue`, `SourceCount`, `ImportResult`,
`AdapterError`) are defined here too, and `cin_census` imports them from this module.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from compiler.model.semantics import SourceRecords

# ---- records shared by the adapters ------------------------------------------------------------

Outcome = Literal["rejected", "ignored", "warning"]
ISSUE_COLUMNS = ("source", "row", "line", "child_id", "field", "value", "outcome", "reason")


class AdapterError(Exception):
    """The input cannot be read at all (no such file, a required column missing, not text)."""


@dataclass(frozen=True)
class Issue:
    """One problem with the input. `rejected`: nothing of the row (or item) was used; `ignored`: the
    row was used without this field; `warning`: the row was used as recorded but looks wrong."""

    source: str  # file name
    row: int  # CSV: data row (1 = first row under the header); XML: the child's position
    line: int  # line in the file
    child_id: str
    field: str
    value: str
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class Event:
    child_id: str
    event: str
    date: date
    source: str  # file name
    line: int  # line in the file of the row or element the event comes from
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class SourceCount:
    """What was done with one input: `read` rows (or dates) = used + `rejected`."""

    source: str
    unit: str  # singular: "row", "date", "child"
    read: int = 0
    rejected: int = 0
    events: int = 0
    merged: int = 0  # items that repeat an event already written (same child, event and date)


@dataclass
class ImportResult:
    attribute_columns: tuple[str, ...]
    children_columns: tuple[str, ...]
    events: list[Event] = field(default_factory=list)
    children: list[dict[str, str | date | None]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    counts: list[SourceCount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: what the source records, and facts for the audit (collection year, children left out...)
    records: SourceRecords | None = None
    collection_year_end: date | None = None
    children_before_data: int = 0


def collection_facts(result: ImportResult) -> dict[str, object]:
    """Facts about one import that `policyc audit` reads from `EVENTS_STEM.source.json`."""
    days = [e.date for e in result.events]
    end = result.collection_year_end
    return {
        "collection_year_end": end.isoformat() if end else None,
        "first_date": min(days).isoformat() if days else None,
        "last_date": max(days).isoformat() if days else None,
        "events_after_collection_year": sum(d > end for d in days) if end else 0,
        "children_before_data": result.children_before_data,
    }


# ---- reading CSV ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRow:
    row: int
    line: int
    values: dict[str, str]  # upper-cased column name → stripped value
    raw: list[str]
    width: int  # fields in the header


def read_csv(path: Path, required: Sequence[str]) -> tuple[list[CsvRow], int]:
    """All data rows of a CSV file and the number of blank rows skipped. Column names are matched
    without regard to case or surrounding spaces; a UTF-8 byte-order mark is allowed."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise AdapterError(f"{path}: the file is empty (no header row)")
            names = [h.strip().upper() for h in header]
            missing = [c for c in required if c not in names]
            if missing:
                raise AdapterError(f"{path}: missing required column{'s' if len(missing) > 1 else ''} "
                                   f"{', '.join(missing)} (found: {', '.join(n for n in names if n)})")
            rows: list[CsvRow] = []
            blank = 0
            previous_line = reader.line_num
            for number, record in enumerate(reader, start=1):
                line, previous_line = previous_line + 1, reader.line_num
                if not any(v.strip() for v in record):
                    blank += 1
                    continue
                values = {n: v.strip() for n, v in zip(names, record, strict=False)}
                rows.append(CsvRow(number, line, values, record, len(names)))
    except OSError as err:
        raise AdapterError(f"cannot read {path}: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise AdapterError(f"{path}: not UTF-8 text (byte {err.object[err.start]:#04x} at offset {err.start}); "
                           "save it as 'CSV UTF-8'") from None
    except csv.Error as err:
        raise AdapterError(f"{path}: unreadable CSV: {err}") from None
    return rows, blank


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_dmy(text: str) -> date | None:
    """dd/mm/YYYY (the SSDA903 layout; one-digit day or month allowed) or YYYY-MM-DD; None if neither."""
    m = _DMY.fullmatch(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ---- SSDA903 ---------------------------------------------------------------------------------------

FILES = {"episodes": "episodes.csv", "reviews": "reviews.csv", "header": "header.csv"}
EPISODE_REQUIRED = ("CHILD", "DECOM", "RNE", "DEC", "REC")
REVIEW_REQUIRED = ("CHILD", "REVIEW")
HEADER_REQUIRED = ("CHILD", "DOB")
ATTRIBUTES = ("legal_status", "placement_type", "rne", "carer_changed", "reason_ceased", "review_code")
CHILDREN_COLUMNS = ("child_id", "date_of_birth", "sex")
#: What an SSDA903 return records, each with the DfE data item it comes from. A duty whose action,
#: trigger or condition is not here is `no_data` in the audit, not overdue (docs/audit.md).
RECORDS = SourceRecords(
    "SSDA903",
    events={
        "became_looked_after": "episodes DECOM where RNE is S",
        "placement_start": "episodes DECOM where RNE is S, P, B, T or U",
        "placement_change": "episodes DECOM where RNE is P, B, T or U",
        "ceased_looked_after": "episodes DEC where REC is not X1",
        "cla_review": "reviews REVIEW",
    },
    attributes={
        "legal_status": "episodes LS", "placement_type": "episodes PLACE", "rne": "episodes RNE",
        "carer_changed": "episodes RNE", "reason_ceased": "episodes REC", "review_code": "reviews REVIEW_CODE",
    },
)

STARTED = "S"  # started to be looked after
LEGAL_STATUS_ONLY = "L"  # change of legal status only: no placement event
# RNE codes that start a new placement → did the carer(s) change?
NEW_PLACEMENT = {
    "P": "true",  # change of placement and carer(s) only
    "B": "true",  # change of legal status and placement and carer(s) at the same time
    "T": "false",  # change of placement (but same carer(s)) only
    "U": "false",  # change of legal status and change of placement (but same carer(s)) at the same time
}
CONTINUES = "X1"  # episode ceases and a new one begins on the same day
SEX = {"1": "male", "2": "female"}


@dataclass(frozen=True)
class Episode:
    row: int
    line: int
    child: str
    decom: date
    rne: str  # "" when the code was not usable
    dec: date | None
    rec: str  # "" when absent or not usable
    legal_status: str
    placement_type: str


class _Collector:
    """Issues and counts for one source file."""

    def __init__(self, result: ImportResult, source: str, unit: str = "row") -> None:
        self.result = result
        self.source = source
        self.count = SourceCount(source, unit)
        result.counts.append(self.count)

    def issue(self, row: CsvRow, child: str, fld: str, value: str, outcome: Outcome, reason: str) -> None:
        self.result.issues.append(Issue(self.source, row.row, row.line, child, fld, value, outcome, reason))
        if outcome == "rejected":
            self.count.rejected += 1

    def event(self, child: str, name: str, when: date, line: int, **attrs: str) -> None:
        self.result.events.append(Event(child, name, when, self.source, line, attrs))
        self.count.events += 1

    def bad_width(self, row: CsvRow) -> bool:
        if len(row.raw) == row.width:
            return False
        self.issue(row, row.values.get("CHILD", ""), "", ",".join(row.raw)[:200], "rejected",
                   f"unparsable row: {len(row.raw)} fields, the header has {row.width}")
        return True


def find_file(folder: Path, name: str) -> Path | None:
    """`name` in `folder`, ignoring case."""
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.name.lower() == name:
            return p
    return None


def import_ssda903(folder: Path, with_children: bool = True) -> ImportResult:
    if not folder.is_dir():
        raise AdapterError(f"no such folder: {folder}")
    episodes_path = find_file(folder, FILES["episodes"])
    if episodes_path is None:
        raise AdapterError(f"{folder}: no {FILES['episodes']} (the SSDA903 episodes table) in this folder")
    result = ImportResult(ATTRIBUTES, CHILDREN_COLUMNS, records=RECORDS)
    episode_children = _episodes(episodes_path, result)
    reviews_path = find_file(folder, FILES["reviews"])
    if reviews_path is None:
        result.notes.append(f"no {FILES['reviews']} in {folder}: no cla_review events")
    else:
        review_children = _reviews(reviews_path, result)
        orphans = len(review_children - episode_children)
        if orphans:
            result.notes.append(f"{_count(orphans, 'child', 'children')} with reviews but no episodes: the "
                                "cla_review events are written, but no looked-after period is known")
    if with_children:
        header_path = find_file(folder, FILES["header"])
        if header_path is None:
            result.notes.append(f"no {FILES['header']} in {folder}: the children table is empty")
        else:
            _header(header_path, result)
            known = {str(c["child_id"]) for c in result.children}
            unknown = len({e.child_id for e in result.events} - known)
            if unknown:
                result.notes.append(f"{_count(unknown, 'child', 'children')} with events but not in "
                                    f"{header_path.name}: no date of birth")
    return result


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _blank_note(result: ImportResult, name: str, blank: int) -> None:
    if blank:
        result.notes.append(f"{name}: {_count(blank, 'blank row', 'blank rows')} skipped")


def _episodes(path: Path, result: ImportResult) -> set[str]:
    rows, out = _open(path, EPISODE_REQUIRED, result)
    by_child: dict[str, list[tuple[Episode, CsvRow]]] = defaultdict(list)
    for row in rows:
        if out.bad_width(row):
            continue
        episode = _episode(row, out)
        if episode is not None:
            by_child[episode.child].append((episode, row))
    began_before, legal_only = 0, 0
    for child in sorted(by_child):
        episodes = sorted(by_child[child], key=lambda pair: (pair[0].decom, pair[0].row))
        began_before += episodes[0][0].rne not in ("", STARTED)
        legal_only += _period(child, episodes, out)
    result.children_before_data = began_before
    result.collection_year_end = _year_end(max((ep.decom for eps in by_child.values() for ep, _ in eps), default=None))
    if result.collection_year_end is not None:
        result.notes.append(f"collection year ends {result.collection_year_end} (the 31 March on or after the "
                            "latest DECOM): the audit's default as-of date")
    if began_before:
        result.notes.append(f"{_count(began_before, 'child', 'children')}: the first episode is not RNE {STARTED}, "
                            "so the looked-after period began before this data: no became_looked_after is written "
                            "for it")
    if legal_only:
        result.notes.append(f"{_count(legal_only, 'episode', 'episodes')} with RNE {LEGAL_STATUS_ONLY} (change of "
                            "legal status only): no placement event")
    return set(by_child)


def _year_end(latest: date | None) -> date | None:
    """The end of the collection year (1 April to 31 March) of a return whose latest episode starts on
    `latest`: every episode in an SSDA903 return starts on or before the year's last day."""
    if latest is None:
        return None
    end = date(latest.year, 3, 31)
    return end if latest <= end else date(latest.year + 1, 3, 31)


def _episode(row: CsvRow, out: _Collector) -> Episode | None:
    v = row.values
    child = v["CHILD"]
    if not child:
        out.issue(row, "", "CHILD", "", "rejected", "no child id (CHILD is empty)")
        return None
    decom = parse_dmy(v["DECOM"])
    if decom is None:
        why = "DECOM is empty" if not v["DECOM"] else "DECOM is not a date (dd/mm/YYYY)"
        out.issue(row, child, "DECOM", v["DECOM"], "rejected", f"{why}: the episode cannot be placed")
        return None
    rne = v["RNE"].upper()
    if rne != STARTED and rne != LEGAL_STATUS_ONLY and rne not in NEW_PLACEMENT:
        out.issue(row, child, "RNE", v["RNE"], "ignored",
                  f"unknown RNE code {v['RNE']!r} (expected S, L, P, T, B or U): no event for DECOM")
        rne = ""
    dec = parse_dmy(v["DEC"]) if v["DEC"] else None
    rec = v["REC"].upper()
    if v["DEC"] and dec is None:
        out.issue(row, child, "DEC", v["DEC"], "ignored",
                  "DEC is not a date (dd/mm/YYYY): the episode is treated as open, no ceased_looked_after")
        rec = ""
    elif dec is None and rec:
        out.issue(row, child, "REC", v["REC"], "ignored", "REC without DEC: the episode is treated as open")
        rec = ""
    elif dec is not None and not rec:
        out.issue(row, child, "DEC", v["DEC"], "ignored",
                  "DEC without REC: cannot tell whether the period ended; the episode is treated as open")
        dec = None
    return Episode(row.row, row.line, child, decom, rne, dec, rec, v.get("LS", ""), v.get("PLACE", ""))


def _period(child: str, episodes: list[tuple[Episode, CsvRow]], out: _Collector) -> int:
    """Events for one child's episodes, in DECOM order, reading periods of care as the DfE guidance does
    (docs/adapters.md, "Periods of care"); returns the number of legal-status-only episodes.

    - An episode with RNE S starts a period of care. If an older episode is still open on its DECOM (no
      DEC, or a DEC after it), the older period is closed that day (DfE rules 142 and 501): a warning.
    - An episode's DEC ends the period only if it is the last episode of the period: when the next
      episode starts on or before that DEC, the child stays looked after, and the DEC closes nothing
      (DfE rule 431 for an end and an RNE S restart on the same day). So no period is closed by an end
      date that belongs to another period.
    """
    legal_only = 0
    is_open = False  # is a period of care open before this episode?
    opened = False  # ... and was its became_looked_after written (not begun before the data)?
    for k, (ep, row) in enumerate(episodes):
        previous = episodes[k - 1] if k else None
        following = episodes[k + 1][0] if k + 1 < len(episodes) else None
        where = {"legal_status": ep.legal_status, "placement_type": ep.placement_type}
        if previous is not None:
            _continuity(previous[0], previous[1], ep, row, is_open, out)
        if ep.rne == STARTED and is_open and previous is not None and previous[0].dec == ep.decom:
            # ended and started again on one day: the child never stopped being looked after
            out.event(child, "placement_change", ep.decom, ep.line, **where, rne=ep.rne, carer_changed="true")
            out.event(child, "placement_start", ep.decom, ep.line, **where, rne=ep.rne, carer_changed="true")
        elif ep.rne == STARTED:
            if is_open and opened:  # an older episode is still open: its period ends the day this one starts
                out.event(child, "ceased_looked_after", ep.decom, ep.line, **where, reason_ceased="")
            out.event(child, "became_looked_after", ep.decom, ep.line, **where, rne=ep.rne)
            opened = True
            out.event(child, "placement_start", ep.decom, ep.line, **where, rne=ep.rne, carer_changed="true")
        elif ep.rne in NEW_PLACEMENT:
            carer = NEW_PLACEMENT[ep.rne]
            out.event(child, "placement_change", ep.decom, ep.line, **where, rne=ep.rne, carer_changed=carer)
            out.event(child, "placement_start", ep.decom, ep.line, **where, rne=ep.rne, carer_changed=carer)
        elif ep.rne == LEGAL_STATUS_ONLY:
            legal_only += 1
        is_open = True
        if ep.dec is None:
            continue
        if ep.dec < ep.decom:
            out.issue(row, child, "DEC", row.values["DEC"], "warning", "DEC is before DECOM; written as recorded")
        if ep.rec == CONTINUES:
            continue
        if following is not None and following.decom <= ep.dec:
            continue  # the next episode carries on (its start is reported by _continuity)
        out.event(child, "ceased_looked_after", ep.dec, ep.line, **where, reason_ceased=ep.rec)
        is_open = opened = False
    return legal_only


def _continuity(previous: Episode, prev_row: CsvRow, ep: Episode, row: CsvRow, is_open: bool, out: _Collector) -> None:
    """Warnings where one episode does not follow on from the one before it; each names both rows."""
    child = ep.child
    other = f"row {previous.row} (line {prev_row.line})"
    if ep.decom == previous.decom:
        out.issue(row, child, "DECOM", row.values["DECOM"], "warning", f"same DECOM as the episode in {other}")
    if ep.rne == STARTED and is_open:
        if previous.dec == ep.decom:
            out.issue(row, child, "RNE", "S", "warning",
                      f"RNE S, but the episode in {other} ended the same day (REC {previous.rec or '?'}; DfE rule "
                      "431): the child stays looked after, so no new period of care starts")
        else:
            why = "has no DEC" if previous.dec is None else f"ends on {previous.dec}, after this DECOM"
            out.issue(row, child, "RNE", "S", "warning",
                      f"RNE S while the episode in {other} is still open (it {why}; DfE rules 142 and 501): that "
                      f"period of care is closed on {ep.decom}, the day this one starts")
        return
    if ep.rne != STARTED and not is_open:
        out.issue(row, child, "RNE", ep.rne, "warning",
                  f"the period ended on {previous.dec} ({other}, REC {previous.rec}) but this episode "
                  f"has RNE {ep.rne or '?'}, not S (DfE rule 432): no became_looked_after is written")
    elif previous.dec is None:
        out.issue(row, child, "DECOM", row.values["DECOM"], "warning",
                  f"the episode in {other} has no usable DEC, yet this later episode starts (DfE rule 142)")
    elif previous.dec > ep.decom:
        out.issue(row, child, "DECOM", row.values["DECOM"], "warning",
                  f"this episode starts on {ep.decom}, before the episode in {other} ends ({previous.dec}; DfE rule "
                  "501): the child stays looked after, and that end date closes nothing")
    elif previous.rec not in (CONTINUES, "") and previous.dec == ep.decom:
        out.issue(row, child, "DECOM", row.values["DECOM"], "warning",
                  f"the episode in {other} ended on {previous.dec} with REC {previous.rec}, yet this episode starts "
                  "the same day: the child stays looked after (REC X1 expected)")
    elif previous.rec == CONTINUES and previous.dec != ep.decom:
        out.issue(row, child, "DECOM", row.values["DECOM"], "warning",
                  f"the episode in {other} ended on {previous.dec} with REC X1 (a new episode the same day), but "
                  f"this one starts on {ep.decom} (DfE rule 433)")


def _open(path: Path, required: tuple[str, ...], result: ImportResult) -> tuple[list, _Collector]:
    """Read one SSDA903 table and start counting its rows."""
    rows, blank = read_csv(path, required)
    _blank_note(result, path.name, blank)
    out = _Collector(result, path.name)
    out.count.read = len(rows)
    return rows, out


def _child_id(out: _Collector, row: CsvRow) -> str | None:
    """The row's CHILD, or None after rejecting a row that has none."""
    child = row.values["CHILD"]
    if not child:
        out.issue(row, "", "CHILD", "", "rejected", "no child id (CHILD is empty)")
        return None
    return child


def _reviews(path: Path, result: ImportResult) -> set[str]:
    rows, out = _open(path, REVIEW_REQUIRED, result)
    seen: dict[tuple[str, date], int] = {}
    for row in rows:
        if out.bad_width(row):
            continue
        v = row.values
        child = _child_id(out, row)
        if child is None:
            continue
        when = parse_dmy(v["REVIEW"])
        if when is None:
            why = "REVIEW is empty" if not v["REVIEW"] else "REVIEW is not a date (dd/mm/YYYY)"
            out.issue(row, child, "REVIEW", v["REVIEW"], "rejected", why)
            continue
        if (child, when) in seen:
            out.issue(row, child, "REVIEW", v["REVIEW"], "rejected",
                      f"duplicate: same CHILD and REVIEW date as row {seen[child, when]}; one cla_review is written")
            continue
        seen[child, when] = row.row
        out.event(child, "cla_review", when, row.line, review_code=v.get("REVIEW_CODE", ""))
    return {child for child, _ in seen}


def _header(path: Path, result: ImportResult) -> None:
    rows, out = _open(path, HEADER_REQUIRED, result)
    seen: dict[str, int] = {}
    for row in rows:
        if out.bad_width(row):
            continue
        v = row.values
        child = _child_id(out, row)
        if child is None:
            continue
        if child in seen:
            out.issue(row, child, "CHILD", child, "rejected", f"duplicate: the child is already in row {seen[child]}")
            continue
        seen[child] = row.row
        dob = parse_dmy(v["DOB"]) if v["DOB"] else None
        if v["DOB"] and dob is None:
            out.issue(row, child, "DOB", v["DOB"], "ignored", "DOB is not a date (dd/mm/YYYY): date_of_birth left empty")
        sex = SEX.get(v.get("SEX", ""), "")
        if v.get("SEX") and not sex:
            out.issue(row, child, "SEX", v["SEX"], "ignored", "unknown SEX code (expected 1 or 2): sex left empty")
        result.children.append({"child_id": child, "date_of_birth": dob, "sex": sex})

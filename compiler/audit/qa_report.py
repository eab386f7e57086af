"""`policyc audit ... --report DIR`: the answer to a QA officer's question, as a page and a workbook.

Writes `DIR/audit-report.html` (one self-contained page: no script, no external file; the charts
are SVG drawn by matplotlib, each with a text alternative and its data as a table) and
`DIR/audit-report.xlsx` (XlsxWriter, row by row): first what the audit is of (as-of date and why, the policy and
its version, the data's source and date range, children left out, the rejects files), then the
summary of each duty with its title and clause, the share of occurrences on time by the month and
by the quarter in which they fell due, the children with overdue duties (child, duty, the step of a
schedule, due date, working days late), and the duties the data cannot measure (`no_data`) apart.

Every figure is computed in DuckDB from the same rows the audit writes, so the workbook's numbers are
the CSV's. The output is deterministic: the same rows give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from compiler.audit.report import FIGURES, NAMES, Summary, about_lines, measured
from compiler.model.ir import Policy

HTML_NAME = "audit-report.html"
XLSX_NAME = "audit-report.xlsx"
#: the page lists at most this many overdue rows, the workbook at most SHEET_ROW_LIMIT (the CSV has all)
PAGE_OVERDUE_ROWS = 500
SHEET_ROW_LIMIT = 100_000

ON_TIME = "outcome = 'met' OR (outcome = 'extended' AND done_date IS NOT NULL)"
DECIDED = f"({ON_TIME}) OR outcome IN ('met_late', 'overdue')"


@dataclass
class Period:
    """On-time share for one duty in one month or quarter (by due date)."""

    obligation: str
    period: str  # "2017-04" or "2017 Q2"
    decided: int
    on_time: int

    @property
    def pct(self) -> float:
        return round(100.0 * self.on_time / self.decided, 1) if self.decided else 0.0


@dataclass
class ReportData:
    summary: Summary
    titles: dict[str, str]
    monthly: list[Period]
    quarterly: list[Period]
    #: child, duty id, clause, due date, working days late, step (of a schedule or recurrence)
    overdue: list[tuple[str, str, str, dt.date, int | None, int | None]]
    overdue_total: int


def gather(con: duckdb.DuckDBPyConnection, policy: Policy, summary: Summary) -> ReportData:
    """The report's figures, from the views that the audit run made (`compiler.audit.report.rows_relation`):
    counted over the rows as the engine keeps them, and only the listed children named."""
    rel = FIGURES
    wanted = [o["obligation"] for o in measured(summary)]
    order = {ob: i for i, ob in enumerate(wanted)}

    # one pass over the rows by month (grouped by the month's first day, named here); the quarters are sums
    # of their months
    got = con.execute(
        f"SELECT obligation, date_trunc('month', due_date) AS month, count(*) FILTER ({DECIDED}), "
        f"count(*) FILTER ({ON_TIME}) FROM {rel} WHERE due_date IS NOT NULL "
        f"AND due_date <= DATE '{summary.as_of or dt.date.max}' GROUP BY ALL HAVING count(*) FILTER ({DECIDED}) > 0"
    ).fetchall()
    monthly = sorted((Period(o, m.strftime("%Y-%m"), int(d), int(t)) for o, m, d, t in got if o in order),
                     key=lambda x: (order[x.obligation], x.period))
    by_quarter: dict[tuple[str, str], list[int]] = {}
    for p in monthly:
        quarter = f"{p.period[:4]} Q{(int(p.period[5:7]) - 1) // 3 + 1}"
        sums = by_quarter.setdefault((p.obligation, quarter), [0, 0])
        sums[0] += p.decided
        sums[1] += p.on_time
    quarterly = [Period(o, q, d, t) for (o, q), (d, t) in by_quarter.items()]
    quarterly.sort(key=lambda x: (order[x.obligation], x.period))
    total = int(con.execute(f"SELECT count(*) FROM {rel} WHERE outcome = 'overdue'").fetchall()[0][0])
    # the SHEET_ROW_LIMIT longest overdue: first the cut-off (a top-N of one integer column), then only the
    # rows at or above it are sorted in full; the children are named after the cut (their keys sort as
    # their ids do)
    cut = ""
    if total > SHEET_ROW_LIMIT:
        least = con.execute(f"SELECT working_days_late FROM {rel} WHERE outcome = 'overdue' "
                            f"ORDER BY working_days_late DESC NULLS LAST LIMIT 1 OFFSET {SHEET_ROW_LIMIT - 1}").fetchall()
        if least and least[0][0] is not None:
            cut = f" AND working_days_late >= {int(least[0][0])}"
    listing = "working_days_late DESC NULLS LAST, child_id, obligation, due_date, step"
    overdue = con.execute(
        f"SELECT n.child_id, o.obligation, o.clause, o.due_date, o.working_days_late, o.step FROM (\n"
        f"  SELECT child_id AS key, obligation, clause, due_date, working_days_late, step FROM {rel}\n"
        f"  WHERE outcome = 'overdue'{cut} ORDER BY {listing.replace('child_id', 'key')} LIMIT {SHEET_ROW_LIMIT}) o\n"
        f"JOIN {NAMES} n ON n.key = o.key ORDER BY {listing.replace('working_days_late', 'o.working_days_late')}"
    ).fetchall()
    titles = {ob.id: ob.title for ob in policy.obligations}
    listed = [(str(c), str(o), str(k), d, late, step) for c, o, k, d, late, step in overdue]
    return ReportData(summary, titles, monthly, quarterly, listed, total)


# ---- the chart -------------------------------------------------------------------------------------------
def chart_svg(points: list[Period], title: str, titles: dict[str, str], prefix: str) -> str:
    """One line per duty: the share on time in each period. SVG text, deterministic."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "policyc", "svg.fonttype": "none", "font.family": "DejaVu Sans",
                         "font.size": 10})
    labels = sorted({p.period for p in points})
    duties = list(dict.fromkeys(p.obligation for p in points))
    # the legend goes under the plot, in columns, each title cut to one short line: with many duties it
    # grows downwards (the figure with it) instead of running off the top and bottom
    columns = 1 if len(duties) <= 6 else 2 if len(duties) <= 24 else 3
    legend_rows = -(-len(duties) // columns)
    height = 4.4 + 0.19 * legend_rows  # inches: the plot keeps its height, the legend's rows are added under it
    fig, ax = plt.subplots(figsize=(9, height))
    fig.subplots_adjust(left=0.08, right=0.98, top=1 - 0.35 / height, bottom=(1.25 + 0.19 * legend_rows) / height)
    try:
        for k, ob in enumerate(duties):
            mine = {p.period: p.pct for p in points if p.obligation == ob}
            xs = [i for i, label in enumerate(labels) if label in mine]
            color, style, marker = _style(k)
            ax.plot(xs, [mine[labels[i]] for i in xs], marker=marker, markersize=3, linewidth=1.5, color=color,
                    linestyle=style, label=_legend_label(ob, titles.get(ob, ob), columns))
        ax.set_ylim(0, 100)
        ax.set_ylabel("% on time")
        ax.set_title(title, loc="left")
        step = max(1, len(labels) // 12)
        ax.set_xticks(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)], rotation=45,
                      ha="right")
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
        if points:
            ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.95 / (height * (ax.get_position().height or 1))),
                      frameon=False, fontsize=8 if columns < 3 else 7, ncols=columns, borderaxespad=0.0,
                      handlelength=2.5)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    finally:
        plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and doctype: the SVG is inline in the page
    # two charts share one page: give every id (and each reference to one) the chart's own prefix
    return (text.replace(' id="', f' id="{prefix}-').replace('url(#', f'url(#{prefix}-')
            .replace('href="#', f'href="#{prefix}-'))


_COLORS = ("#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#505a5f", "#b58840", "#d53880", "#28a197",
           "#0b0c0c")
_LINES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D")


def _style(k: int) -> tuple[str, str, str]:
    """The colour, line style and marker of the k-th duty: 160 distinct combinations."""
    return (_COLORS[k % len(_COLORS)], _LINES[(k // len(_COLORS)) % len(_LINES)],
            _MARKERS[(k // (len(_COLORS) * len(_LINES))) % len(_MARKERS)])


def _legend_label(duty: str, title: str, columns: int) -> str:
    """A legend entry on one short line: the title when there are few duties, else the duty's id and the
    start of its title (titles often begin alike; the ids differ). The full titles are in the table."""
    text = title if columns == 1 else f"{duty}: {title}"
    width = 100 // columns
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def describe_chart(points: list[Period], titles: dict[str, str], unit: str) -> str:
    """The chart's text alternative: per duty, the range of periods, the lowest and highest share."""
    parts = []
    for ob in dict.fromkeys(p.obligation for p in points):
        mine = [p for p in points if p.obligation == ob]
        low, high = min(mine, key=lambda p: p.pct), max(mine, key=lambda p: p.pct)
        total_on, total = sum(p.on_time for p in mine), sum(p.decided for p in mine)
        parts.append(f"{titles.get(ob, ob)}: {len(mine)} {unit}s from {mine[0].period} to {mine[-1].period}; "
                     f"lowest {low.pct}% ({low.period}), highest {high.pct}% ({high.period}); "
                     f"{total_on} of {total} on time overall")
    return ". ".join(parts) + "." if parts else "No occurrence has fallen due yet."


# ---- the page ----------------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #1d70b8;
padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f2f1}td.n{text-align:right;font-variant-numeric:tabular-nums}
.about{background:#f3f2f1;border-left:5px solid #1d70b8;padding:.6rem 1rem;margin:1rem 0}.about li{margin:.15rem 0}
.warn{border-left-color:#d4351c}figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9rem;
color:#505a5f}details{margin:.3rem 0 1rem}.nodata td{color:#505a5f}code{font-size:.9em}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(head: list[str], body: list[list[Any]], numeric: set[int] = frozenset(), cls: str = "") -> str:  # type: ignore[assignment]
    out = [f"<table{f' class={cls!r}' if cls else ''}><thead><tr>"]
    out += [f"<th scope=\"col\">{_e(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in body:
        out.append("<tr>" + "".join(f"<td class=\"n\">{_e(v)}</td>" if i in numeric else f"<td>{_e(v)}</td>"
                                    for i, v in enumerate(row)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(fig_id: str, points: list[Period], title: str, titles: dict[str, str], unit: str) -> str:
    alt = describe_chart(points, titles, unit)
    svg = chart_svg(points, title, titles, fig_id)
    table = _table(["duty", unit, "fell due (decided)", "on time", "% on time"],
                   [[titles.get(p.obligation, p.obligation), p.period, p.decided, p.on_time, p.pct] for p in points],
                   {2, 3, 4})
    return (f"<figure id=\"{fig_id}\"><div role=\"img\" aria-label=\"{_e(title + '. ' + alt)}\">{svg}</div>"
            f"<figcaption>{_e(alt)}</figcaption>"
            f"<details><summary>The figures of this chart as a table</summary>{table}</details></figure>")


def summary_rows(data: ReportData) -> list[list[Any]]:
    """One line a duty, and one a step of a schedule under it."""
    out = []
    for o in measured(data.summary):
        for name, title, f in [(o["obligation"], data.titles.get(o["obligation"], ""), o)] + [
                (f"{o['obligation']} step {st['step']}", st["label"], st) for st in o.get("steps", [])]:
            out.append([name, title, o["clause"], f["occurrences"], f["on_time"], f["late"], f["overdue"],
                        f["pending"], f["discharged"], f["extended"], f["not_applicable"],
                        "" if f["pct_on_time"] is None else f["pct_on_time"]])
    return out


SUMMARY_HEAD = ["duty", "title", "clause", "occurrences", "on time", "late", "overdue", "pending", "discharged",
                "extended", "not applicable", "% on time"]
OVERDUE_HEAD = ["child", "duty", "title", "step", "clause", "due date", "working days late"]
NO_DATA_HEAD = ["duty", "title", "clause", "occurrences not measured", "what is missing"]


def render_html(data: ReportData) -> str:
    s = data.summary
    about = "".join(f"<li>{_e(line)}</li>" for line in about_lines(s))
    warnings = "".join(f"<li>{_e(n.removeprefix('warning: '))}</li>" for n in s.notes if n.startswith("warning:"))
    overdue = [[c, ob, data.titles.get(ob, ""), step, clause, due, late] for c, ob, clause, due, late, step in
               data.overdue[:PAGE_OVERDUE_ROWS]]
    shown = (f"<p>{data.overdue_total} overdue occurrences, longest overdue first"
             + (f"; the first {PAGE_OVERDUE_ROWS} are listed here, all of them in the workbook ({XLSX_NAME})."
                if data.overdue_total > PAGE_OVERDUE_ROWS else ".")
             + (f" The workbook lists the {SHEET_ROW_LIMIT:,} longest overdue; the audit's CSV has every row."
                if data.overdue_total > SHEET_ROW_LIMIT else "") + "</p>")
    no_data = [[m["obligation"], m["title"], m["clause"], m["occurrences"], m["why"]] for m in s.no_data]
    notes = "".join(f"<li>{_e(n)}</li>" for n in s.notes if not n.startswith("warning:"))
    not_measurable = "".join(f"<li><code>{_e(m['obligation'])}</code> ({_e(m['clause'])}): {_e(m['reason'])}</li>"
                             for m in s.not_measurable)
    parts = [
        "<!DOCTYPE html>", "<html lang=\"en-GB\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<link rel=\"icon\" href=\"data:,\">",  # no favicon request: the page needs nothing but itself
        f"<title>Audit: {_e(s.policy)}, as of {_e(s.as_of)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>Audit: {_e(s.policy)}</h1>",
        f"<div class=\"about\"><ul>{about}</ul></div>",
        f"<div class=\"about warn\"><ul>{warnings}</ul></div>" if warnings else "",
        "<h2>Duties measured</h2>",
        "<p>Each occurrence of a duty for a child is on time, late, overdue (not done, due date passed), pending "
        "(not yet due), or discharged (it would have fallen due after the child left). % on time counts on-time "
        "occurrences among those on time, late or overdue.</p>",
        _table(SUMMARY_HEAD, summary_rows(data), set(range(3, 12))),
        "<h2>On time, by the month and the quarter they fell due</h2>",
        _figure("by-month", data.monthly, "Share on time by month due", data.titles, "month"),
        _figure("by-quarter", data.quarterly, "Share on time by quarter due", data.titles, "quarter"),
        "<h2>Children with overdue duties</h2>", shown,
        _table(OVERDUE_HEAD, overdue, {3, 6}),
        "<h2>Not measured by this data (no data)</h2>",
        "<p>These duties need data the return does not hold. Their occurrences are reported as <code>no_data</code>, "
        "never as overdue: missing data is not poor practice.</p>" if no_data else "<p>None: the data records "
        "everything the measured duties need.</p>",
        _table(NO_DATA_HEAD, no_data, {3}, "nodata") if no_data else "",
        f"<h2>Not measurable as written</h2><ul>{not_measurable}</ul>" if not_measurable else "",
        f"<h2>Notes</h2><ul>{notes}</ul>" if notes else "",
        "</main></body></html>", "",
    ]
    return "\n".join(p for p in parts if p)


# ---- the workbook --------------------------------------------------------------------------------------------
#: every workbook's document properties: fixed, so that the same figures give the same bytes (XlsxWriter
#: dates the archive's members 1980-01-01 itself)
_PROPERTIES = {"created": dt.datetime(2000, 1, 1), "author": "policyc"}


class _Book:
    """A workbook written by XlsxWriter row after row (`constant_memory`: each row goes to a temporary
    file as it is written, so a sheet of 100,000 rows holds no cells in memory). Text is always written
    as text, never as a formula or a link (a child id or a title such as `=HYPERLINK(...)` from the data:
    formula injection)."""

    def __init__(self, path: Path):
        import xlsxwriter

        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.wb = xlsxwriter.Workbook(str(self.tmp), {"constant_memory": True, "strings_to_formulas": False,
                                                      "strings_to_urls": False, "strings_to_numbers": False})
        self.wb.set_properties(_PROPERTIES)
        self.bold = self.wb.add_format({"bold": True})
        self.date = self.wb.add_format({"num_format": "yyyy-mm-dd"})

    def sheet(self, name: str, head: Sequence[str], widths: Sequence[int] = (), freeze: bool = True) -> Any:
        ws = self.wb.add_worksheet(name)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        if freeze:
            ws.freeze_panes(1, 0)
        if head:
            self.row(ws, 0, head, self.bold)
        return ws

    def row(self, ws: Any, r: int, values: Any, fmt: Any = None, first: int = 0) -> None:
        for c, v in enumerate(values, start=first):
            if v is None:
                continue
            if isinstance(v, bool):
                ws.write_boolean(r, c, v, fmt)
            elif isinstance(v, int | float):
                ws.write_number(r, c, v, fmt)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, v, self.date)
            else:
                ws.write_string(r, c, str(v), fmt)

    def close(self) -> None:
        self.wb.close()
        self.tmp.replace(self.path)


def write_workbook(data: ReportData, path: Path) -> None:
    book = _Book(path)
    ws = book.sheet("About", (), [24, 110], freeze=False)
    lines = [("Audit", data.summary.policy)]
    for line in about_lines(data.summary):
        key, _, value = line.partition(": ") if ": " in line and not line.startswith("as of") else ("as of", "", line)
        lines.append((key, value or line))
    lines += [("warning" if n.startswith("warning:") else "note", n.removeprefix("warning: ")) for n in data.summary.notes]
    for r, pair in enumerate(lines):
        book.row(ws, r, pair)
    ws = book.sheet("Summary", SUMMARY_HEAD, [28, 44, 12] + [11] * 9)
    for r, values in enumerate(summary_rows(data), start=1):
        book.row(ws, r, values)
    for name, points, unit in (("By month", data.monthly, "month"), ("By quarter", data.quarterly, "quarter")):
        _period_sheet(book, name, points, unit)
    ws = book.sheet("Overdue", OVERDUE_HEAD, [14, 28, 44, 6, 12, 12, 18])
    r = 0
    for r, (child, ob, clause, due, late, step) in enumerate(data.overdue, start=1):
        book.row(ws, r, (child, ob, data.titles.get(ob, ""), step, clause, due, late))
    if data.overdue_total > len(data.overdue):
        book.row(ws, r + 1, [f"... the {len(data.overdue)} longest overdue of {data.overdue_total}: all are in the audit's CSV"])
    ws = book.sheet("No data", NO_DATA_HEAD, [28, 44, 12, 14, 110])
    for r, m in enumerate(data.summary.no_data, start=1):
        book.row(ws, r, (m["obligation"], m["title"], m["clause"], int(m["occurrences"]), m["why"]))
    book.close()


def _period_sheet(book: _Book, name: str, points: list[Period], unit: str) -> None:
    """The share on time by month (or quarter): the table, and beside it a wide block (one column of %
    on time per duty) that the sheet's line chart draws."""
    labels = sorted({p.period for p in points})
    duties = list(dict.fromkeys(p.obligation for p in points))
    table = {(p.obligation, p.period): p for p in points}
    col = 7  # the block's first column (H), apart from the table
    ws = book.sheet(name, ["duty", unit, "fell due (decided)", "on time", "% on time"], [28, 10, 18, 10, 10])
    book.row(ws, 0, [unit, *duties], book.bold, first=col)
    for r in range(1, max(len(points), len(labels)) + 1):  # row by row: the table's row and the block's
        if r <= len(points):
            p = points[r - 1]
            book.row(ws, r, (p.obligation, p.period, p.decided, p.on_time, p.pct))
        if r <= len(labels):
            cells = [table.get((ob, labels[r - 1])) for ob in duties]
            book.row(ws, r, [labels[r - 1], *(c.pct if c is not None else None for c in cells)], first=col)
    if labels and duties:
        chart = book.wb.add_chart({"type": "line"})
        for j in range(len(duties)):
            chart.add_series({"name": [name, 0, col + 1 + j], "categories": [name, 1, col, len(labels), col],
                              "values": [name, 1, col + 1 + j, len(labels), col + 1 + j]})
        chart.set_title({"name": f"Share on time by {unit} due"})
        chart.set_y_axis({"name": "% on time", "min": 0, "max": 100})
        chart.set_size({"width": 830, "height": 340})
        ws.insert_chart(1, col + len(duties) + 1, chart)


#: an Excel sheet holds 1,048,576 rows, the header included
XLSX_MAX_ROWS = 1_048_575


class TooManyRows(ValueError):
    """More rows than a worksheet holds."""


def write_rows_workbook(con: duckdb.DuckDBPyConnection, select: str, head: tuple[str, ...], path: Path) -> int:
    """The audit's rows (`select`, run on `con`) as one sheet of a workbook, streamed row by row; text is
    never a formula. Raises TooManyRows beyond what a sheet holds."""
    total = int(con.execute(f"SELECT count(*) FROM ({select})").fetchall()[0][0])
    if total > XLSX_MAX_ROWS:
        raise TooManyRows(f"{total:,} rows do not fit in a worksheet (at most {XLSX_MAX_ROWS:,}): "
                          "write Parquet (--out FILE.parquet) or CSV instead")
    book = _Book(path)
    ws = book.sheet("Audit", head)
    cur = con.execute(select)
    r = 0
    while chunk := cur.fetchmany(50_000):
        for values in chunk:
            r += 1
            book.row(ws, r, values)
    book.close()
    return total


#: an overdue list at least this long has its workbook written by another process (`ReportJob`); a shorter
#: one is written in this process, where it takes less time than starting another would
BACKGROUND_ROWS = 5_000


class ReportJob:
    """The report, begun: its figures are gathered, and a long workbook is being written by another process
    (XlsxWriter is pure Python on one core; meanwhile this process writes the audit's rows, with DuckDB on
    every core, and the page). `finish` writes the page and waits for the workbook; `cancel` stops it.

    The other process is `python -m compiler.audit.workbook_process FILE`, given the figures pickled in a
    private temporary file: a fresh interpreter that imports only what writes a workbook (not the
    program that started it, as multiprocessing's spawn would, nor a copy of a process running DuckDB's
    threads, as fork would)."""

    def __init__(self, data: ReportData, directory: Path):
        self.data = data
        self.page = directory / HTML_NAME
        self.book = directory / XLSX_NAME
        self._worker: subprocess.Popen[bytes] | None = None
        self._figures: Path | None = None
        if len(data.overdue) >= BACKGROUND_ROWS:
            with tempfile.NamedTemporaryFile("wb", prefix="policyc-report-", suffix=".pickle", delete=False) as fh:
                self._figures = Path(fh.name)
                pickle.dump((data, self.book), fh, protocol=pickle.HIGHEST_PROTOCOL)
            root = str(Path(__file__).resolve().parents[2])  # where `compiler` is, whatever the working folder
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
            try:
                self._worker = subprocess.Popen(
                    [sys.executable, "-m", "compiler.audit.workbook_process", str(self._figures)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            except BaseException:  # no process: no temporary file left behind either
                self._clean_up()
                raise

    def finish(self) -> tuple[Path, Path]:
        """Write the page, then the workbook (or wait for the process writing it); OSError if either fails."""
        try:
            self.page.write_text(render_html(self.data), encoding="utf-8")
        except BaseException:
            self.cancel()
            raise
        if self._worker is None:
            write_workbook(self.data, self.book)
            return self.page, self.book
        try:
            _, err = self._worker.communicate()
        finally:
            if self._worker.returncode is None:  # interrupted while waiting
                self._worker.kill()
                self._worker.communicate()
            self._clean_up()
        if self._worker.returncode != 0:
            said = err.decode("utf-8", "replace").strip().splitlines()
            raise OSError(said[-1] if said else f"the process writing the workbook stopped (exit code "
                                                f"{self._worker.returncode})")
        return self.page, self.book

    def cancel(self) -> None:
        """Stop writing the workbook (the rows could not be written) and leave no partial file."""
        if self._worker is not None:
            self._worker.kill()
            self._worker.communicate()
            self._clean_up()

    def _clean_up(self) -> None:
        if self._figures is not None:
            self._figures.unlink(missing_ok=True)
        self.book.with_name(self.book.name + ".tmp").unlink(missing_ok=True)


def start_report(con: duckdb.DuckDBPyConnection, policy: Policy, summary: Summary, directory: Path) -> ReportJob:
    """Begin the report in `directory` (made if missing): gather its figures from `con`, and start the workbook."""
    directory.mkdir(parents=True, exist_ok=True)
    return ReportJob(gather(con, policy, summary), directory)


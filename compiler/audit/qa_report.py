"""`policyc audit ... --report DIR`: the answer to a QA officer's question, as a page and a workbook.

Writes `DIR/audit-report.html` (one self-contained page: no script, no external file; the charts
are SVG drawn by matplotlib, each with a text alternative and its data as a table) and
`DIR/audit-report.xlsx` (openpyxl): first what the audit is of (as-of date and why, the policy and
its version, the data's source and date range, children left out, the rejects files), then the
summary of each duty with its title and clause, the share of occurrences on time by the month and
by the quarter in which they fell due, the children with overdue duties (child, duty, due date,
working days late), and the duties the data cannot measure (`no_data`) apart.

Every figure is computed in DuckDB from the same rows the audit writes, so the workbook's numbers are
the CSV's. The output is deterministic: the same rows give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from compiler.audit.report import Summary, about_lines, measured
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
    overdue: list[tuple[str, str, str, dt.date, int | None]]  # child, duty id, clause, due date, days late
    overdue_total: int


def gather(con: duckdb.DuckDBPyConnection, policy: Policy, summary: Summary) -> ReportData:
    rel = "report_rows"  # made by the audit run (compiler.audit.report.rows_relation)
    wanted = [o["obligation"] for o in measured(summary)]
    order = {ob: i for i, ob in enumerate(wanted)}
    in_list = "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in wanted) + "]::VARCHAR[]"

    # one pass over the rows by month; the quarters are sums of their months
    got = con.execute(
        f"SELECT obligation, strftime(due_date, '%Y-%m') AS month, count(*) FILTER ({DECIDED}), "
        f"count(*) FILTER ({ON_TIME}) FROM {rel} WHERE list_contains({in_list}, obligation) AND due_date IS NOT NULL "
        f"AND due_date <= DATE '{summary.as_of or dt.date.max}' GROUP BY ALL HAVING count(*) FILTER ({DECIDED}) > 0"
    ).fetchall()
    monthly = sorted((Period(o, m, int(d), int(t)) for o, m, d, t in got), key=lambda x: (order[x.obligation], x.period))
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
    # rows at or above it are sorted in full
    cut = ""
    if total > SHEET_ROW_LIMIT:
        least = con.execute(f"SELECT working_days_late FROM {rel} WHERE outcome = 'overdue' "
                            f"ORDER BY working_days_late DESC NULLS LAST LIMIT 1 OFFSET {SHEET_ROW_LIMIT - 1}").fetchall()
        if least and least[0][0] is not None:
            cut = f" AND working_days_late >= {int(least[0][0])}"
    overdue = con.execute(
        f"SELECT child_id, obligation, clause, due_date, working_days_late FROM {rel} WHERE outcome = 'overdue'{cut} "
        f"ORDER BY working_days_late DESC NULLS LAST, child_id, obligation, due_date LIMIT {SHEET_ROW_LIMIT}"
    ).fetchall()
    titles = {ob.id: ob.title for ob in policy.obligations}
    listed = [(str(c), str(o), str(k), d, late) for c, o, k, d, late in overdue]
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
OVERDUE_HEAD = ["child", "duty", "title", "clause", "due date", "working days late"]
NO_DATA_HEAD = ["duty", "title", "clause", "occurrences not measured", "what is missing"]


def render_html(data: ReportData) -> str:
    s = data.summary
    about = "".join(f"<li>{_e(line)}</li>" for line in about_lines(s))
    warnings = "".join(f"<li>{_e(n.removeprefix('warning: '))}</li>" for n in s.notes if n.startswith("warning:"))
    overdue = [[c, ob, data.titles.get(ob, ""), clause, due, late] for c, ob, clause, due, late in
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
        _table(OVERDUE_HEAD, overdue, {5}),
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
def write_workbook(data: ReportData, path: Path) -> None:  # noqa: C901 - one sheet after another, each a few lines of openpyxl calls
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    assert ws is not None
    ws.title = "About"
    ws.append(["Audit", data.summary.policy])
    for line in about_lines(data.summary):
        key, _, value = line.partition(": ") if ": " in line and not line.startswith("as of") else ("as of", "", line)
        ws.append([key, value or line])
    for n in data.summary.notes:
        ws.append(["warning" if n.startswith("warning:") else "note", n.removeprefix("warning: ")])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 110

    def sheet(name: str, head: list[str], body: list[list[Any]], widths: list[int]) -> Any:
        s = wb.create_sheet(name)
        s.append(head)
        for cell in s[1]:
            cell.font = bold
        for r in body:
            s.append(r)
        s.freeze_panes = "A2"
        for i, w in enumerate(widths):
            s.column_dimensions[chr(ord("A") + i)].width = w
        return s

    sheet("Summary", SUMMARY_HEAD, summary_rows(data), [28, 44, 12] + [11] * 9)
    for name, points, unit in (("By month", data.monthly, "month"), ("By quarter", data.quarterly, "quarter")):
        labels = sorted({p.period for p in points})
        duties = list(dict.fromkeys(p.obligation for p in points))
        table = {(p.obligation, p.period): p for p in points}
        s = sheet(name, ["duty", unit, "fell due (decided)", "on time", "% on time"],
                  [[p.obligation, p.period, p.decided, p.on_time, p.pct] for p in points], [28, 10, 18, 10, 10])
        # a wide block for the chart: one column of % on time per duty
        col = 8
        s.cell(1, col, unit).font = bold
        for j, ob in enumerate(duties):
            s.cell(1, col + 1 + j, ob).font = bold
        for i, label in enumerate(labels):
            s.cell(2 + i, col, label)
            for j, ob in enumerate(duties):
                p = table.get((ob, label))
                if p is not None:
                    s.cell(2 + i, col + 1 + j, p.pct)
        if labels and duties:
            chart = LineChart()
            chart.title = f"Share on time by {unit} due"
            chart.y_axis.title = "% on time"
            chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
            chart.height, chart.width = 9, 22
            chart.add_data(Reference(s, min_col=col + 1, max_col=col + len(duties), min_row=1, max_row=1 + len(labels)),
                           titles_from_data=True)
            chart.set_categories(Reference(s, min_col=col, min_row=2, max_row=1 + len(labels)))
            s.add_chart(chart, f"{get_column_letter(col + len(duties) + 2)}2")
    listed = [[c, ob, data.titles.get(ob, ""), clause, due, late] for c, ob, clause, due, late in data.overdue]
    if data.overdue_total > len(listed):
        listed.append([f"... the {len(listed)} longest overdue of {data.overdue_total}: all are in the audit's CSV"])
    sheet("Overdue", OVERDUE_HEAD, listed, [14, 28, 44, 12, 12, 18])
    for row in wb["Overdue"].iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    sheet("No data", NO_DATA_HEAD, [[m["obligation"], m["title"], m["clause"], int(m["occurrences"]), m["why"]]
                                    for m in data.summary.no_data], [28, 44, 12, 14, 110])
    # text that starts with `=` is never a formula here (a child id or title from the data could be
    # one: formula injection): policyc writes no formulas, so every such cell is kept as text
    for s in wb.worksheets:
        for row in s.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    _save(wb, path)


def _save(wb: Any, path: Path) -> None:
    """Save with deterministic bytes: fixed document times, every member dated 1980-01-01."""
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "policyc"
    buf = io.BytesIO()
    wb.save(buf)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(_fixed_zip(buf.getvalue()))
    tmp.replace(path)


#: an Excel sheet holds 1,048,576 rows, the header included
XLSX_MAX_ROWS = 1_048_575


class TooManyRows(ValueError):
    """More rows than a worksheet holds."""


def write_rows_workbook(con: duckdb.DuckDBPyConnection, select: str, head: tuple[str, ...], path: Path) -> int:
    """The audit's rows (`select`, run on `con`) as one sheet of a workbook, streamed (openpyxl's
    write-only mode); text is never a formula. Raises TooManyRows beyond what a sheet holds."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    total = int(con.execute(f"SELECT count(*) FROM ({select})").fetchall()[0][0])
    if total > XLSX_MAX_ROWS:
        raise TooManyRows(f"{total:,} rows do not fit in a worksheet (at most {XLSX_MAX_ROWS:,}): "
                          "write Parquet (--out FILE.parquet) or CSV instead")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Audit")
    ws.freeze_panes = "A2"
    ws.append(list(head))

    def cell(value: Any) -> Any:
        c = WriteOnlyCell(ws, value=value)
        if c.data_type == "f":  # a child id such as `=HYPERLINK(...)` stays text (formula injection)
            c.data_type = "s"
        elif isinstance(value, dt.date):
            c.number_format = "yyyy-mm-dd"
        return c

    cur = con.execute(select)
    while True:
        chunk = cur.fetchmany(50_000)
        if not chunk:
            break
        for row in chunk:
            ws.append([cell(v) for v in row])
    _save(wb, path)
    return total


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every member dated 1980-01-01, so the same figures give the same bytes."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body)
            dst.writestr(fixed, body)
    return out.getvalue()


def write_report(con: duckdb.DuckDBPyConnection, policy: Policy, summary: Summary,
                 directory: Path) -> tuple[Path, Path]:
    """Write the page and the workbook into `directory` (made if missing); return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    data = gather(con, policy, summary)
    page = directory / HTML_NAME
    page.write_text(render_html(data), encoding="utf-8")
    book = directory / XLSX_NAME
    write_workbook(data, book)
    return page, book

"""Charts of intervals against the statute: per duty, each document's interval as a bar and the
statutory interval as a line, drawn to scale as SVG with a text equivalent (a table).

Only duties that the statute and at least one local document both time are charted (a chart
without a statutory line answers nothing the comparison table does not). A bar's length is the
interval in calendar days; an interval in working days or months has no single length, so its bar
shows the shortest length solid and the longest hatched (over start dates 2000-2040, as the
comparison ranks them); hours are drawn as fractions of a day. Every bar carries its verdict as
text beside it (below the statutory floor, stricter, the same, or depends on the start date), so
colour is never the only cue (WCAG 1.4.1). For notice before an event, a longer interval is the
stricter one; the chart says so.

Drawn by hand, like the timelines: a handful of rectangles and text, deterministic to the byte, with
the title and description an accessible SVG needs, and every piece of policy text escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compiler.analyses.alignment import Comparison, Entry, Row
from compiler.emitters.escape import html_text, md_cell, md_text
from compiler.emitters.pages import inline_svg
from compiler.model import describe
from compiler.model.ir import InProse
from compiler.model.timescales import Duration, Unit, bounds_in_days

WIDTH = 960
LEFT = 300  # the labels' column
RIGHT = 250  # the verdicts' column
BAR = 18
ROW = 38  # a bar and the two lines of its label
TOP = 58

VERDICTS = {
    "weaker": "below the statutory floor",
    "depends": "below the statute on some dates",
    "stricter": "stricter than the statute",
    "equal": "the same as the statute",
    None: "not compared: no statutory entry with its conditions",
}
COLOURS = {"weaker": "#b1251a", "depends": "#8a5300", "stricter": "#1d5f99", "equal": "#1d5f99", None: "#505a5f"}
STATUTE = "#0b0c0c"


@dataclass(frozen=True)
class Bar:
    label: str  # the document's short title
    clause: str
    conditions: str  # "" when the duty applies to every child
    phrase: str  # the timing as the comparison words it
    low: float  # days
    high: float
    verdict: str | None  # a key of VERDICTS; for the statute's own bars, "statute"


@dataclass(frozen=True)
class DutyChart:
    duty: str
    slug: str
    point: str
    statute: tuple[Bar, ...]
    local: tuple[Bar, ...]

    @property
    def scale_days(self) -> float:
        return max(b.high for b in (*self.statute, *self.local)) or 1.0


def days(d: Duration) -> tuple[float, float]:
    """The interval's shortest and longest length in days (hours and minutes as fractions of a day)."""
    if d.unit is Unit.HOURS:
        return d.amount / 24, d.amount / 24
    if d.unit is Unit.MINUTES:
        return d.amount / 1440, d.amount / 1440
    low, high = bounds_in_days(d)
    return float(low), float(high)


def _bar(e: Entry, labels: dict[str, str], verdict: str | None) -> Bar | None:
    if e.measure is None:
        return None
    low, high = days(e.measure.duration)
    conditions = [describe.condition(c) for c in e.conditions]
    conditions += [f'"{c.text}"' for c in e.obligation.conditions if isinstance(c, InProse)]
    return Bar(labels[e.policy.path], ", ".join(e.clauses), "; ".join(conditions), e.phrase, low, high, verdict)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "duty"


def charts(cmp: Comparison) -> list[DutyChart]:
    """One chart per duty that the floor and some local document both time."""
    labels = {c.policy.path: c.label for c in cmp.columns}
    floor_paths = {c.policy.path for c in cmp.columns if c.floor}
    out: list[DutyChart] = []
    seen: dict[str, int] = {}
    for row in cmp.rows:
        chart = _chart(row, labels, floor_paths)
        if chart is None:
            continue
        n = seen.get(chart.slug, 0)
        seen[chart.slug] = n + 1
        if n:
            chart = DutyChart(chart.duty, f"{chart.slug}-{n + 1}", chart.point, chart.statute, chart.local)
        out.append(chart)
    return out


def _chart(row: Row, labels: dict[str, str], floor_paths: set[str]) -> DutyChart | None:
    local = [e for e in row.entries if e.policy.path not in floor_paths and e.measure is not None]
    compared = [e for e in local if e.floor is not None]
    if not compared:
        return None
    base = {id(f): f for e in compared for f in e.floor_entries}
    statute = [b for f in sorted(base.values(), key=lambda f: (labels[f.policy.path], f.obligation.id))
               if (b := _bar(f, labels, "statute")) is not None]
    bars = [b for e in local if (b := _bar(e, labels, e.floor)) is not None]
    if not statute or not bars:
        return None
    return DutyChart(row.duty, _slug(row.duty), row.key[2], tuple(statute), tuple(bars))


# ---- SVG -----------------------------------------------------------------------------------------------
def _fmt_days(low: float, high: float) -> str:
    def one(x: float) -> str:
        if x == int(x):
            return f"{int(x)} day" + ("" if x == 1 else "s")
        return f"{x * 24:g} hours"

    return one(low) if low == high else f"{one(low)} to {one(high)}"


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def chart_height(chart: DutyChart) -> int:
    return TOP + len(chart.local) * ROW + 46


def chart_svg(chart: DutyChart, ident: str) -> str:
    """One duty's chart as a standalone SVG (`ident` prefixes its ids, so several fit one page)."""
    rows = len(chart.local)
    plot = WIDTH - LEFT - RIGHT
    scale = plot / (chart.scale_days * 1.05)
    height = chart_height(chart)
    title = f"{chart.duty}: each document's interval against the statute"
    longer = "a longer interval is stricter (more notice)" if chart.point == "notice" else \
        "a shorter interval is stricter"
    desc = (f"Bars: each document's interval in days; {longer}. Vertical line: the statute ("
            + "; ".join(f"{b.label}: {b.phrase}, {_fmt_days(b.low, b.high)}" for b in chart.statute) + "). "
            + " ".join(f"{b.label} ({b.clause}{'; ' + b.conditions if b.conditions else ''}): {b.phrase}, "
                       f"{_fmt_days(b.low, b.high)}, {VERDICTS[b.verdict]}." for b in chart.local))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" font-family="Helvetica, Arial, sans-serif" '
        'font-size="13">',
        f'<title id="{ident}-title">{html_text(title)}</title>',
        f'<desc id="{ident}-desc">{html_text(desc)}</desc>',
        f'<defs><pattern id="{ident}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#505a5f" stroke-width="3"/></pattern></defs>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{html_text(_short(chart.duty, 110))}</text>',
        f'<text x="10" y="40" fill="#505a5f">Days from the starting event; {html_text(longer)}. '
        'Hatched: the longest length, for working days or months.</text>',
    ]
    axis_y = TOP + rows * ROW + 4
    for tick in _ticks(chart.scale_days * 1.05):
        x = LEFT + tick * scale
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{axis_y}" stroke="#dddddd"/>')
        out.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" fill="#505a5f">{tick:g}</text>')
    out.append(f'<text x="{LEFT + plot + 10}" y="{axis_y + 16}" fill="#505a5f">days</text>')
    for i, b in enumerate(chart.local):
        y = TOP + i * ROW
        colour = COLOURS[b.verdict]
        detail = " · ".join(x for x in (b.clause, b.conditions) if x)
        out.append(f'<text x="{LEFT - 8}" y="{y + 13}" text-anchor="end">{html_text(_short(b.label, 40))}'
                   f'<title>{html_text(b.label + ", " + detail + ": " + b.phrase)}</title></text>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 28}" text-anchor="end" font-size="11" fill="#505a5f">'
                   f"{html_text(_short(detail, 48))}</text>")
        bar_y = y + 4
        out.append(f'<rect x="{LEFT}" y="{bar_y}" width="{max(b.low * scale, 1.5):.1f}" height="{BAR}" fill="{colour}"/>')
        if b.high > b.low:
            out.append(f'<rect x="{LEFT + b.low * scale:.1f}" y="{bar_y}" width="{(b.high - b.low) * scale:.1f}" '
                       f'height="{BAR}" fill="url(#{ident}-hatch)" stroke="{colour}"/>')
        mark = "▼ " if b.verdict in ("weaker", "depends") else ""
        out.append(f'<text x="{LEFT + plot + 10}" y="{bar_y + 13}" fill="{colour}">'
                   f"{html_text(mark + _short(VERDICTS[b.verdict], 38))}</text>")
    for b in chart.statute:
        x0, x1 = LEFT + b.low * scale, LEFT + b.high * scale
        if x1 - x0 > 1:
            out.append(f'<rect x="{x0:.1f}" y="{TOP - 6}" width="{x1 - x0:.1f}" height="{axis_y - TOP + 6}" '
                       f'fill="{STATUTE}" fill-opacity="0.12"/>')
        out.append(f'<line x1="{x0:.1f}" y1="{TOP - 6}" x2="{x0:.1f}" y2="{axis_y}" stroke="{STATUTE}" '
                   'stroke-width="2" stroke-dasharray="6 3"/>')
    names = "; ".join(f"{b.label}: {b.phrase}" for b in chart.statute)
    out.append(f'<text x="10" y="{axis_y + 36}" fill="{STATUTE}">Dashed line: the statute '
               f"({html_text(_short(names, 120))})</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _ticks(top: float) -> list[float]:
    for step in (0.25, 0.5, 1, 2, 5, 7, 10, 14, 20, 30, 50, 60, 100, 182, 365, 730):
        if top / step <= 8:
            break
    n = int(top // step)
    return [step * k for k in range(n + 1)]


def charts_svg(charts_: list[DutyChart]) -> str:
    """Every chart in one SVG file, one under another (`policyc compare --format svg`)."""
    parts = [chart_svg(c, f"c{i}") for i, c in enumerate(charts_)]
    heights = [chart_height(c) for c in charts_]
    total = sum(heights) + 10 * len(parts)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total}" viewBox="0 0 {WIDTH} {total}" '
           'role="img" aria-labelledby="all-title">',
           f'<title id="all-title">Intervals against the statute: {len(parts)} duties</title>']
    y = 0
    for part, h in zip(parts, heights, strict=True):
        out.append(part.replace("<svg ", f'<svg y="{y}" ', 1).rstrip("\n"))
        y += h + 10
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---- the site page ----------------------------------------------------------------------------------------
def table_markdown(chart: DutyChart, ident: str) -> list[str]:
    """The chart's text equivalent: every bar and line with its figures and verdict."""
    lines = [f'<a id="{ident}-table"></a>', "",
             "| Document | Clause | Applies | Timing | Days | Against the statute |", "| --- | --- | --- | --- | --- | --- |"]
    for b in chart.statute:
        lines.append(f"| {md_cell(b.label)} (statute) | {md_cell(b.clause)} | {md_cell(b.conditions or 'every child')} | "
                     f"{md_cell(b.phrase)} | {_fmt_days(b.low, b.high)} | the floor |")
    for b in chart.local:
        lines.append(f"| {md_cell(b.label)} | {md_cell(b.clause)} | {md_cell(b.conditions or 'every child')} | "
                     f"{md_cell(b.phrase)} | {_fmt_days(b.low, b.high)} | {VERDICTS[b.verdict]} |")
    return lines


def page_markdown(cmp: Comparison) -> str:
    """The site's page of charts: one figure per duty, each followed by its table."""
    found = charts(cmp)
    below = sum(1 for c in found if any(b.verdict in ("weaker", "depends") for b in c.local))
    lines = ["---", "hide:", "  - navigation", "  - toc", "---", "",  # the charts need the page's full width
             "# Intervals against the statute", "",
             f"{md_text(cmp.floor_note)}", "",
             f"Each chart is one duty that the statute and at least one local document both time: {len(found)} duties, "
             f"{below} of them with a document below the statute on some start date. The bar is the local interval "
             "in days from the starting event; the dashed line is the statute's. Working days and months have no "
             "single length: the solid part is the shortest, the hatched part the longest. Every chart is followed "
             "by the same figures as a table. The [comparison](compare.md) has every duty.", ""]
    for c in found:
        ident = f"chart-{c.slug}"
        lines += [f"## {md_text(c.duty)}", "", inline_svg(chart_svg(c, ident), described_by=f"{ident}-table"),
                  "", *table_markdown(c, ident), ""]
    return "\n".join(lines)

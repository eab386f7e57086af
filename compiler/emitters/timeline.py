"""Timelines: what falls due in the first year after a child enters a status, one row per
duty, drawn to scale as an SVG (a Gantt-like chart).

Dates are computed with the real calendar (working days skip weekends and bank holidays,
months are calendar months) for a child entering the status on REFERENCE_START, a Monday
with a bank holiday in the following months, so working-day deadlines show their real
length. Every occurrence is assumed done on its due date. A trigger other than the status's
own entry event is assumed to happen on day 0 too; the row says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from compiler.emitters.escape import html_text
from compiler.model import describe
from compiler.model.ir import Deadline, Obligation, Policy, Recurrence, Schedule, Step, Timing, Within, trigger_of
from compiler.model.timescales import Duration, Unit, add

REFERENCE_START = dt.date(2024, 3, 4)  # a Monday; Good Friday and Easter Monday follow within 5 weeks
HORIZON_DAYS = 366
MAX_MARKS = 60

LEFT = 330
WIDTH = 1000
ROW = 26
TOP = 56


@dataclass(frozen=True)
class Row:
    obligation: Obligation
    label: str
    detail: str
    marks: tuple[int, ...]  # days after the start
    assumed_trigger: str | None


def _walk(start: dt.date, first: Duration | None, steps: Sequence[Step], trigger: str | None = None) -> list[int]:
    """Due days of a schedule: the first deadline, then each step. A step or period anchored on the
    trigger counts from the start; one anchored on another event cannot be dated: the walk stops there
    (a step), or shows the first few intervals (a period)."""
    marks: list[int] = []
    cur = start
    if first is not None:
        cur = add(start, first)
        marks.append((cur - start).days)
    for step in steps:
        if isinstance(step, Within):
            if step.anchor is not None and step.anchor != trigger:
                break
            cur = add(start if step.anchor is not None else cur, step.duration)
            marks.append((cur - start).days)
            continue
        d, window, anchor = step.duration, step.for_duration, step.for_from
        end = add(start if anchor is not None else cur, window) if window else None
        undated = step.until is not None or (anchor is not None and anchor != trigger)
        if undated:
            end = None
        count = 0
        while len(marks) < MAX_MARKS:
            nxt = add(cur, d)
            if d.amount == 0 or (nxt - start).days > HORIZON_DAYS or (end is not None and nxt > end):
                break
            if undated and count >= 4:  # bounded by an event we cannot date: show the first few only
                break
            cur = nxt
            marks.append((cur - start).days)
            count += 1
        if (cur - start).days > HORIZON_DAYS:
            break
    return [m for m in marks if m <= HORIZON_DAYS]


def _marks(t: Timing) -> list[int] | None:
    """The due days the timeline draws, or None for a form it does not draw."""
    match t:
        case Deadline():
            return _walk(REFERENCE_START, t.duration, [])
        case Schedule():
            return _walk(REFERENCE_START, t.duration, t.steps, t.trigger)
        case Recurrence():
            return _walk(REFERENCE_START, None, [t.every], t.trigger)
        case _:
            return None


def rows_for(policy: Policy, status: str) -> list[Row]:
    entering = set(policy.statuses[status].entered_on) if status in policy.statuses else set()
    rows: list[Row] = []
    for o in sorted((o for o in policy.obligations if o.status == status and o.timing is not None),
                    key=lambda o: (o.span.line, o.id)):
        t = o.timing
        assert t is not None
        marks = _marks(t)
        if marks is None:
            continue
        trigger = trigger_of(t)
        assumed = trigger if trigger and trigger not in entering else None
        rows.append(Row(o, o.title, describe.timing(t, policy), tuple(marks), assumed))
    return rows


def _x(day: int) -> float:
    return LEFT + (WIDTH - LEFT - 20) * day / HORIZON_DAYS


def timeline_svg(policy: Policy, status: str) -> str | None:
    rows = rows_for(policy, status)
    if not rows:
        return None
    assumed = any(r.assumed_trigger for r in rows)
    axis = TOP + ROW * len(rows) + 26  # baseline of the month labels
    height = axis + 14 + (20 if assumed else 0)
    title = f"{policy.label_of_status(status)}: what falls due in the first year"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="t-{status}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f'<title id="t-{status}">{html_text(title)}</title>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{html_text(title)}</text>',
        f'<text x="10" y="38" fill="#555555">Day 0 = the child enters the status (drawn for {REFERENCE_START.isoformat()},'
        ' a Monday; working days skip weekends and bank holidays). Square: must; circle: should.</text>',
    ]
    # month grid
    for m in range(0, 13):
        day = (add(REFERENCE_START, Duration(m, Unit.MONTHS)) - REFERENCE_START).days
        x = _x(day)
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{axis - 16}" stroke="#dddddd"/>')
        out.append(f'<text x="{x:.1f}" y="{axis}" text-anchor="middle" fill="#555555">'
                   f'{m} m</text>')
    for i, row in enumerate(rows):
        y = TOP + ROW * i
        fill = "#f7f9fc" if i % 2 == 0 else "#ffffff"
        out.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW}" fill="{fill}" fill-opacity="0.6"/>')
        label = row.label if len(row.label) <= 46 else row.label[:45] + "…"
        detail = row.detail
        if row.assumed_trigger:
            label += " *"
            detail += f" (counted from {policy.label_of_event(row.assumed_trigger).lower()}, drawn as if on day 0)"
        out.append(f'<text x="10" y="{y + 17}"><title>{html_text(detail)}</title>{html_text(label)}</text>')
        if row.marks:
            out.append(f'<line x1="{_x(0):.1f}" y1="{y + 13}" x2="{_x(row.marks[-1]):.1f}" y2="{y + 13}" '
                       f'stroke="#9db7d5" stroke-width="2"/>')
        for k, day in enumerate(row.marks):
            out.append(_mark(_x(day), y + 13, 5 if k == 0 else 4, row.obligation.modality,
                             f"{row.label}: {row.obligation.modality}, day {day} ({row.detail})"))
    if assumed:
        out.append(f'<text x="10" y="{axis + 24}" fill="#666666">* counted from another event (named on hover), '
                   "drawn as if it happened on day 0</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _mark(x: float, y: int, r: int, modality: str, text: str) -> str:
    """A due date: a filled red square for `must`, an open blue circle for `should` (told apart by
    shape as well as colour, WCAG 1.4.1)."""
    title = f"<title>{html_text(text)}</title>"
    if modality == "must":
        return (f'<rect x="{x - r:.1f}" y="{y - r}" width="{2 * r}" height="{2 * r}" fill="#b03020">{title}</rect>')
    return (f'<circle cx="{x:.1f}" cy="{y}" r="{r}" fill="#ffffff" stroke="#1f6fa8" stroke-width="2">{title}</circle>')


def timeline_statuses(policy: Policy) -> list[str]:
    """Statuses with at least one duty a timeline can draw."""
    return sorted({o.status for o in policy.obligations
                   if o.status and isinstance(o.timing, Deadline | Schedule | Recurrence)})

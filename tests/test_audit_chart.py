"""The report's chart stays readable with many duties: the legend goes under the plot, in columns, one
short line an entry, each duty with its own colour, line and marker; the figure grows downwards."""

from __future__ import annotations

import re
import warnings

from compiler.audit.qa_report import Period, _style, chart_svg

TITLE = "Children Looked After: child seen within a week of a change in placement, then every 6 weeks"


def _chart(n: int) -> str:
    points = [Period(f"duty_{k}", f"2024-{m:02d}", 10, (k * m) % 11) for k in range(n) for m in range(1, 13)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "tight layout not applied" and the like fail the test
        return chart_svg(points, "Share on time by month due", {f"duty_{k}": f"{TITLE} ({k})" for k in range(n)}, "m")


def _height_pt(svg: str) -> float:
    return float(re.search(r'<svg[^>]* height="([\d.]+)pt"', svg).group(1))  # type: ignore[union-attr]


def _legend_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*duty_\d+[^<]*)</text>", svg)


def test_many_duties_legend_in_columns_under_the_plot() -> None:
    few, many = _chart(3), _chart(72)
    entries = _legend_texts(many)
    assert len(entries) == 72 and all(len(t) <= 34 for t in entries), entries[:3]
    assert len({t.split(":")[0] for t in entries}) == 72  # each entry names its duty
    # 72 entries in 3 columns: 24 rows of about 10 pt each, added to the height of the few-duty chart
    assert _height_pt(few) + 150 < _height_pt(many) < _height_pt(few) + 400
    # with few duties the legend gives the whole title
    assert any(TITLE in t for t in re.findall(r"<text[^>]*>([^<]*)</text>", few))


def test_each_duty_has_its_own_style() -> None:
    assert len({_style(k) for k in range(160)}) == 160


def test_chart_is_deterministic() -> None:
    assert _chart(30) == _chart(30)

"""Charts of each document's interval against the statutory line (`compare --format svg`, the
site's "Intervals against the statute" page): which duties are charted, the verdict words, the
text equivalent, escaping and determinism."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from compiler.analyses.alignment import compare_policies
from compiler.emitters.interval_chart import chart_svg, charts, charts_svg, days, page_markdown
from compiler.model.timescales import Duration, Unit, bounds_in_days
from tests.test_compare import _load, _write, trio  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def test_only_duties_timed_by_both_the_statute_and_a_local_document(trio):  # noqa: F811
    found = charts(compare_policies(_load("north", "south", "national")))
    by_duty = {c.duty: c for c in found}
    assert len(found) == 2, list(by_duty)
    visits = next(c for c in found if "visit" in c.duty.lower())
    verdicts = {b.label.split()[0]: b.verdict for b in visits.local}
    assert verdicts == {"North": "stricter", "South": "weaker"}
    assert [b.phrase for b in visits.statute] == ["every 6 weeks"]
    assert (visits.statute[0].low, visits.statute[0].high) == (42, 42)
    # the local-only duty (a home check every month) has no statutory line: not charted
    assert not any("home check" in c.duty.lower() for c in found)


def test_the_svg_says_the_verdict_in_words_and_has_a_title_and_description(trio):  # noqa: F811
    found = charts(compare_policies(_load("north", "south", "national")))
    visits = next(c for c in found if "visit" in c.duty.lower())
    svg = chart_svg(visits, "v")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "v-title v-desc"
    assert root.find(f"{SVG}title").text.endswith("each document's interval against the statute")
    desc = root.find(f"{SVG}desc").text
    assert "every 8 weeks, 56 days, below the statutory floor" in desc
    assert "every 2 weeks, 14 days, stricter than the statute" in desc
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any("below the statutory floor" in t for t in texts)  # not by colour alone
    # the bar of the weaker document is longer than the statute's line is far from the axis
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "18"]
    assert len(bars) == 2


def test_working_days_and_months_have_a_shortest_and_longest_length():
    low, high = days(Duration(10, Unit.WORKING_DAYS))  # as the comparison ranks them: over start dates 2000-2040
    assert (low, high) == tuple(float(x) for x in bounds_in_days(Duration(10, Unit.WORKING_DAYS)))
    assert 12 <= low < 14 < high <= 20  # weekends always, bank holidays at Christmas and Easter
    low, high = days(Duration(3, Unit.MONTHS))
    assert (low, high) == (89.0, 92.0)
    assert days(Duration(36, Unit.HOURS)) == (1.5, 1.5)


def test_policy_text_is_escaped_and_output_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from tests.test_compare import STATUTE, _obligation
    _write(tmp_path, "national/statute.policy", "Department for Education", STATUTE)
    _write(tmp_path, "evil/evil.policy", "<script>alert(1)</script> & Council",
           _obligation("visits", "visit statutory_visit every 8 weeks", clause='<img src=x onerror="1">'))
    cmp = compare_policies(_load("evil", "national"))
    svg = charts_svg(charts(cmp))
    assert "<script>" not in svg and "<img" not in svg
    ET.fromstring(svg)  # well-formed
    assert svg == charts_svg(charts(compare_policies(_load("evil", "national"))))
    page = page_markdown(cmp)
    assert "<script>" not in page and "<img" not in page


def test_the_page_ties_each_chart_to_its_table(trio):  # noqa: F811
    page = page_markdown(compare_policies(_load("north", "south", "national")))
    assert page.startswith("---\nhide:")
    assert page.count('aria-describedby="chart-') == 2
    for ident in ("chart-core-group-meeting", "chart-statutory-visit"):
        assert any(line.startswith(f'<a id="{ident}') for line in page.splitlines()), ident
    assert "| Document | Clause | Applies | Timing | Days | Against the statute |" in page
    assert "below the statutory floor |" in page


def test_compare_format_svg_through_the_cli(policyc):
    r = policyc("compare policies/ --against policies/national/ --topic reviews --format svg", cwd=ROOT)
    assert r.code == 0, r.err
    root = ET.fromstring(r.out)
    charts_ = [s for s in root.iter(f"{SVG}svg") if s is not root]
    assert charts_ and all(s.get("role") == "img" for s in charts_)
    assert any("Looked-after review" in (s.find(f"{SVG}title").text or "") for s in charts_)


def test_nothing_to_chart_is_a_usage_error(policyc):
    r = policyc("compare policies/somerset/ --format svg", cwd=ROOT)
    assert r.code == 2
    assert "nothing to chart" in r.err and "--against" in r.err

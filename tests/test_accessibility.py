"""The published site is accessible (WCAG 2.2 AA) and readable at 1280 px and on a 390 px phone.

Every page of the built site is opened in headless Chromium and checked with axe-core (installed by
scripts/setup.sh from npm into tests/browser/) for the WCAG 2.0, 2.1 and 2.2 A and AA rules; any
violation fails. Screenshots at 1280 px and 390 px of the home page, a process map, a timeline and
the comparison are written to build/screenshots/ (look at them), with the measurable properties
asserted: no horizontal overflow of the page, process-map labels at least 10 px high.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from test_site import DevTools, chromium, mkdocs_build, serve

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "build" / "screenshots"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MAP = "authorities/somerset/practice-standards-2023/map.html"
VIEWS = {"home": "index.html", "map": MAP, "timeline": MAP + "#timelines", "compare": "compare.html",
         "intervals": "intervals.html"}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("a11y") / "site"
    result = mkdocs_build(out, strict=False)
    assert result.returncode == 0, result.stderr
    chromium()
    with serve(out) as server:
        yield out, server


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = DevTools(tmp_path_factory.mktemp("devtools") / "chromium.log")
    yield b
    b.close()


def _evaluate(b: DevTools, expression: str, timeout: float = 120):
    """Runtime.evaluate with a timeout fit for a loaded machine (axe-core is half a megabyte)."""
    result = b.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=b.session,
                    timeout=timeout)
    return result["result"].get("value")


def _wait(b: DevTools, expression: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = _evaluate(b, expression)
        if value is not None:
            return value
        time.sleep(0.2)
    raise TimeoutError(expression)


def axe_violations(b: DevTools, url: str) -> list[dict]:
    b.visit(url, timeout=120)
    _evaluate(b, AXE.read_text(encoding="utf-8"))
    run = ("window.__axe = null; axe.run(document, {runOnly: WCAG}).then(r => { window.__axe = "
           "r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))"
           ".slice(0, 3)})); })")
    _evaluate(b, run.replace("WCAG", json.dumps(WCAG)))
    return _wait(b, "window.__axe")


def test_axe_core_is_installed():
    assert AXE.is_file(), "run scripts/setup.sh: it installs axe-core into tests/browser/ with npm"


def test_every_page_passes_axe_core(site, browser):
    root, server = site
    pages = sorted(str(p.relative_to(root)) for p in root.rglob("*.html") if p.name != "404.html")
    assert len(pages) > 20
    failures = {}
    for page in pages:
        found = axe_violations(browser, server.base + page)
        if found:
            failures[page] = found
    assert failures == {}


def test_axe_sees_a_violation(site, browser, tmp_path):
    """The check is real: a page with an unlabelled image and low contrast fails it."""
    root, server = site
    bad = root / "axe-bad.html"
    bad.write_text('<!doctype html><html lang="en"><head><title>bad</title></head><body><main>'
                   '<img src="x.png"><p style="color:#aaa;background:#fff">faint</p></main></body></html>')
    ids = {v["id"] for v in axe_violations(browser, server.base + "axe-bad.html")}
    assert {"image-alt", "color-contrast"} <= ids


def _view(b: DevTools, url: str, width: int, name: str) -> dict:
    b.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1,
                                                   "mobile": width < 600}, session=b.session, timeout=120)
    b.visit(url, timeout=120)
    if "#" in url:
        _evaluate(b, f"document.getElementById({json.dumps(url.split('#')[1])}).scrollIntoView()")
    time.sleep(0.3)
    shot = b.call("Page.captureScreenshot", {"format": "png"}, session=b.session, timeout=120)["data"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}-{width}.png").write_bytes(base64.b64decode(shot))
    return _evaluate(b,
        "({sticky: Array.from(document.querySelectorAll('.md-typeset__table table td:first-child')).slice(0, 1)"
        ".map(td => getComputedStyle(td).position),"
        " overflow: document.documentElement.scrollWidth - window.innerWidth,"
        " labels: Array.from(document.querySelectorAll('.policyc-figure svg g.node text, .policyc-figure svg g.edge text'))"
        ".map(t => t.getBoundingClientRect().height).filter(h => h > 0),"
        " charts: Array.from(document.querySelectorAll('.policyc-figure svg[role=img]')).map(s => ({"
        "  text: Math.min(...Array.from(s.querySelectorAll('text')).map(t => t.getBoundingClientRect().height)),"
        "  described: (s.getAttribute('aria-describedby') || '').split(' ').every(i => document.getElementById(i))}))})")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", list(VIEWS))
def test_views_fit_the_screen(site, browser, name, width):
    _, server = site
    found = _view(browser, server.base + VIEWS[name], width, name)
    assert found["overflow"] <= 0, f"{name} at {width} px is {found['overflow']} px wider than the screen"
    if name == "compare":  # the duty stays in view while the documents scroll sideways
        assert found["sticky"] == ["sticky"]
    if name == "intervals":  # every chart legible on a laptop and tied to its table of figures
        assert len(found["charts"]) >= 10
        assert all(c["described"] for c in found["charts"])
        if width == 1280:
            assert min(c["text"] for c in found["charts"]) >= 10
    if name == "map":
        assert found["labels"], "no process-map labels found"
        assert min(found["labels"]) >= 10, f"smallest map label {min(found['labels']):.1f} px high"

"""The docs built_site, built and looked at in a real browser.

Builds the site once (`mkdocs build --strict` into a temp folder; the tree is not touched), serves it on
127.0.0.1, and checks it with headless Chromium: screenshots, the rendered DOM, console errors, and every
local link and image on every page. Deselect with `-m "not browser"`; needs Debian's `chromium`
(scripts/setup.sh installs it).

Console errors: Chromium 156's `--enable-logging=stderr --v=0` prints *every* console message as
`INFO:CONSOLE:<line>] "<text>", source: ...`, whatever its level (console.log, console.warn and
console.error look the same), so grepping stderr for "error" only catches errors whose text happens to
say "error". Uncaught exceptions do show ("Uncaught ReferenceError: ..."), failed loads (a 404 image)
don't show at all. So the console check talks to the browser over the DevTools protocol on
`--remote-debugging-pipe` (standard library only), which reports the real level, uncaught exceptions,
failed resource loads and messages from workers; `test_console_detector_catches_errors` proves it does
on a scratch page, and that a clean page gives nothing. The stderr lines are still scanned for
"Uncaught" as a second signal.
"""

from __future__ import annotations

import html
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

# pytest calls `pytest_configure` only for conftest files and plugins, never for a plain test module, so
# the module lists itself as a plugin: pytest registers it right after importing it, and since
# `pytest_configure` is a historic hook it runs at once. `pytestmark` is looked up lazily (module
# `__getattr__`), after that registration, so `--strict-markers` accepts `browser`.
pytest_plugins = [__name__]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: builds the docs site and checks it in headless Chromium (slow)")


def __getattr__(name: str):
    if name == "pytestmark":
        return [pytest.mark.browser]
    raise AttributeError(name)


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SOMERSET = "authorities/somerset/practice-standards-2023"


@dataclass(frozen=True)
class Page:
    name: str  # screenshot file stem
    path: str  # in the built site
    source: str  # its markdown under docs/ (written by hand) or generated/site/, for the expected heading
    process_map: bool = False  # a Graphviz process map is drawn
    timelines: bool = False  # at least one timeline is drawn


PAGES = [
    Page("home", "index.html", "index.md"),
    Page("authority", "authorities/somerset/index.html", "authorities/somerset/index.md"),
    Page("map", f"{SOMERSET}/map.html", f"{SOMERSET}/map.md", process_map=True, timelines=True),
    Page("obligations", f"{SOMERSET}/obligations.html", f"{SOMERSET}/obligations.md"),
    Page(
        "national-map",
        "authorities/national/working-together-2023/map.html",
        "authorities/national/working-together-2023/map.md",
        process_map=True,
        timelines=True,
    ),
]


# ---------------------------------------------------------------- helpers


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "chromium is not installed: run scripts/setup.sh (it installs Debian's chromium), "
            'or deselect the browser tests with -m "not browser"',
            pytrace=False,
        )
    return path


def mkdocs_build(out: Path, strict: bool) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)]
    command.append("--strict" if strict else "--no-strict")  # mkdocs.yml itself says `strict: true`
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@dataclass
class Server:
    base: str
    root: Path


@contextmanager
def serve(root: Path) -> Iterator[Server]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}/", root)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def run_chromium(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def first_heading(markdown: Path) -> str:
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"{markdown} has no '# ' heading")


class DomSummary(HTMLParser):
    """What the checks need from a page: <title>, <h1> text, the figures' SVGs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1 = ""
        self.svgs: list[dict[str, str]] = []
        self.graphviz = 0  # <g id="graph0" class="graph">, Graphviz's top group
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self.svgs.append(a)
        elif tag == "g" and a.get("class") == "graph":
            self.graphviz += 1
        elif tag == "title" and not self.title and not self.svgs:
            self._in = "title"
        elif tag == "h1" and not self.h1:
            self._in = "h1"
        elif tag == "a" and self._in == "h1":
            self._in = None  # the ¶ permalink

    def handle_endtag(self, tag):
        if tag in ("title", "h1"):
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1 += data

    @property
    def timelines(self) -> list[dict[str, str]]:
        return [s for s in self.svgs if s.get("role") == "img" and s.get("aria-labelledby", "").startswith("t-")]


class LinkCollector(HTMLParser):
    ATTRS = ("href", "src", "xlink:href")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self.ATTRS and value is not None:
                self.links.append((tag, value.strip()))


def is_local(url: str) -> bool:
    if not url or url.startswith("#"):
        return False
    scheme = urlsplit(url).scheme.lower()
    return scheme in ("", "file") and not url.startswith("//")


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# ------------------------------------------------- DevTools protocol over a pipe


@dataclass
class PageReport:
    url: str
    errors: list[str] = field(default_factory=list)
    figures: list[list[float]] = field(default_factory=list)  # [width, height] of each figure's SVG


class DevTools:
    """Headless Chromium driven over `--remote-debugging-pipe` (fd 3 in, fd 4 out, NUL-separated JSON)."""

    SETTLE = 1.0  # seconds to keep listening after the load event

    def __init__(self, log: Path) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        to_child_r, self._out = os.pipe()
        self._in, from_child_w = os.pipe()

        def wire_fds():  # in the child, before exec: dup first, so dup2 always clears close-on-exec
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe",
             "--enable-logging=stderr", "--v=0", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log, close_fds=False, preexec_fn=wire_fds,
        )  # fmt: skip
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._errors: list[str] = []
        self._sessions: set[str] = set()
        self._loaded = False
        self.session = ""
        # Chromium's first answer waits for its start-up, which a loaded machine stretches well past 20 s
        target = self.call("Target.createTarget", {"url": "about:blank"}, timeout=120)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 timeout=120)["sessionId"]
        self._instrument(self.session)

    def _instrument(self, session: str, wait: bool = True) -> None:
        """Turn on the domains that report errors; `wait=False` inside the event handler (no reentry)."""
        self._sessions.add(session)
        send = partial(self.call, session=session) if wait else partial(self._send, session=session)
        for method in ("Runtime.enable", "Log.enable", "Page.enable"):
            send(method)
        # workers (mkdocs-material's search runs in one) report in sessions of their own
        send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True})

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _receive(self, deadline: float) -> dict | None:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                return None
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe (crashed?)")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._event(message)
        return message

    def _event(self, message: dict) -> None:
        method, params = message["method"], message.get("params", {})
        if method == "Page.loadEventFired" and message.get("sessionId") == self.session:
            self._loaded = True
        elif method == "Target.attachedToTarget":
            session = params["sessionId"]
            self._instrument(session, wait=False)
            self._send("Runtime.runIfWaitingForDebugger", session=session)
        elif message.get("sessionId") not in self._sessions:
            return
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self._errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            description = details.get("exception", {}).get("description") or details.get("text", "")
            self._errors.append(
                f"uncaught exception: {description} ({details.get('url', '')}:{details.get('lineNumber')})"
            )
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self._errors.append(f"{entry.get('source')} error: {entry.get('text')} {entry.get('url', '')}".strip())

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 20) -> dict:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message is None:
                raise TimeoutError(f"no answer to {method} within {timeout} s")
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def visit(self, url: str, timeout: float = 20) -> PageReport:
        self._errors = []
        self._loaded = False
        result = self.call("Page.navigate", {"url": url}, session=self.session)
        if result.get("errorText"):
            raise AssertionError(f"{url}: navigation failed: {result['errorText']}")
        deadline = time.monotonic() + timeout
        while not self._loaded:
            # Page.loadEventFired is the signal; seen missing once in a while (Chromium 156), so when the
            # pipe goes quiet, ask the page itself
            if time.monotonic() > deadline:
                raise AssertionError(f"{url}: not loaded within {timeout} s")
            if self._receive(min(deadline, time.monotonic() + 0.25)) is None:
                state = self.evaluate("[document.readyState, location.href]")
                self._loaded = state[0] == "complete" and urldefrag(state[1])[0] == urldefrag(url)[0]
        settle = time.monotonic() + self.SETTLE  # late errors: scripts run after load, the search worker
        while self._receive(settle) is not None:
            pass
        sizes = self.evaluate(
            "Array.from(document.querySelectorAll('.policyc-figure svg'))"
            ".map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
        )
        return PageReport(url, list(self._errors), sizes)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=self.session)
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self._send("Browser.close")
            self.proc.wait(10)
        except Exception:
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(10)
            os.close(self._out)
            os.close(self._in)
            self._log.close()
            self._profile.cleanup()


def console_errors(urls: list[str], log: Path) -> dict[str, PageReport]:
    """Visit each url in one headless Chromium; per url, its console errors and its figures' sizes.

    Uncaught exceptions that reach stderr (`INFO:CONSOLE:<n>] "Uncaught ..."`) are added too."""
    browser = DevTools(log)
    try:
        reports = {url: browser.visit(url) for url in urls}
    finally:
        browser.close()
    for line in log.read_text(errors="replace").splitlines():
        if ":CONSOLE" in line and "Uncaught" in line:
            source = re.search(r"source: (\S+)", line)
            for url, report in reports.items():
                already = any("uncaught" in error.lower() for error in report.errors)
                if source and source.group(1).split("#")[0] == url and not already:
                    report.errors.append(f"stderr: {line.strip()}")
    return reports


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def strict_build(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("mkdocs") / "site"
    return mkdocs_build(out, strict=True), out


@pytest.fixture(scope="module")
def built_site(strict_build, tmp_path_factory) -> Path:
    """The built site; if the strict build aborted, a lenient build, so the browser checks still run."""
    result, out = strict_build
    if result.returncode != 0:
        out = tmp_path_factory.mktemp("mkdocs-lenient") / "site"
        result = mkdocs_build(out, strict=False)
        assert result.returncode == 0, f"mkdocs build failed:\n{result.stdout}\n{result.stderr}"
    assert (out / "index.html").is_file(), f"mkdocs built no index.html in {out}"
    return out


@pytest.fixture(scope="module")
def site_server(built_site) -> Iterator[Server]:
    with serve(built_site) as running:
        yield running


@pytest.fixture(scope="module")
def console_reports(site_server, tmp_path_factory) -> dict[str, PageReport]:
    chromium()
    log = tmp_path_factory.mktemp("devtools") / "chromium.log"
    return console_errors([site_server.base + page.path for page in PAGES], log)


# ---------------------------------------------------------------- tests


def test_mkdocs_build_strict(strict_build):
    result, _ = strict_build
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if "WARNING" in line]
    assert result.returncode == 0 and not warnings, (
        f"`mkdocs build --strict` exited {result.returncode} with {len(warnings)} warning(s):\n"
        + "\n".join(warnings or output.splitlines()[-20:])
    )


def test_search_index_has_obligation_titles(built_site):
    export = subprocess.run(
        [str(Path(sys.executable).with_name("policyc")), "export", f"policies/{SOMERSET.split('/', 1)[1]}.policy"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert export.returncode == 0, export.stderr
    titles = [o["title"] for o in json.loads(export.stdout)["obligations"] if o.get("title")]
    assert titles, "the Somerset practice standards export has no obligation titles"

    # a distinctive word: the longest word that appears in exactly one title (ties: alphabetical)
    def words(title: str) -> set[str]:
        return {w for w in re.findall(r"[a-z]{4,}", title.lower())}

    counts: dict[str, int] = {}
    for title in titles:
        for word in words(title):
            counts[word] = counts.get(word, 0) + 1
    word = sorted((w for w, n in counts.items() if n == 1), key=lambda w: (-len(w), w))[0]
    title = next(t for t in titles if word in words(t))

    index_path = built_site / "search" / "search_index.json"
    assert index_path.is_file(), f"no search index at {index_path}"
    docs = json.loads(index_path.read_text(encoding="utf-8"))["docs"]
    ours = [d for d in docs if d["location"].startswith(SOMERSET + "/")]
    assert ours, f"the search index has no entries under {SOMERSET}/"
    text = re.sub(r"\s+", " ", " ".join(html.unescape(d["title"] + " " + d["text"]) for d in ours)).lower()
    assert word in text, f"search index lacks {word!r} (from obligation title {title!r})"
    assert title.lower() in text, f"search index lacks the obligation title {title!r}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_renders(page, site_server, tmp_path):
    url = site_server.base + page.path

    shot = tmp_path / f"{page.name}.png"
    result = run_chromium(f"--screenshot={shot}", "--window-size=1280,1600", "--virtual-time-budget=3000", url)
    assert shot.is_file(), f"no screenshot of {url}: exit {result.returncode}\n{result.stderr[-2000:]}"
    assert shot.stat().st_size > 10_000, f"{shot} is only {shot.stat().st_size} bytes: a blank page?"
    assert png_size(shot) == (1280, 1600)

    result = run_chromium("--dump-dom", "--virtual-time-budget=3000", url)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = DomSummary()
    dom.feed(result.stdout)
    site_name = re.search(r"^site_name:\s*(.+)$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)[1]
    assert site_name.strip().strip("\"'") in dom.title, f"{url}: <title> is {dom.title!r}"
    source = next(d / page.source for d in (ROOT / "docs", ROOT / "generated" / "site") if (d / page.source).is_file())
    assert dom.h1.strip() == first_heading(source), f"{url}: <h1> is {dom.h1!r}"
    if page.process_map:
        assert "<svg" in result.stdout
        assert dom.graphviz >= 1, f"{url}: no Graphviz process map <svg> in the rendered DOM"
    if page.timelines:
        assert dom.timelines, f"{url}: no timeline <svg> in the rendered DOM"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_console_errors(page, site_server, console_reports):
    report = console_reports[site_server.base + page.path]
    assert not report.errors, f"{report.url}:\n" + "\n".join(report.errors)
    if page.process_map or page.timelines:
        assert report.figures, f"{report.url}: no .policyc-figure svg in the live page"
        empty = [size for size in report.figures if size[0] < 50 or size[1] < 50]
        assert not empty, f"{report.url}: figures drawn with (almost) no size: {empty}"


def test_console_detector_catches_errors(tmp_path):
    """The detector used above reports a console.error whose text says nothing of errors, an uncaught
    exception, a missing image and a worker's console.error, and reports nothing on a clean page."""
    icon = '<link rel="icon" href="data:,">'  # else Chromium asks for /favicon.ico, a 404
    (tmp_path / "clean.html").write_text(
        f"<!doctype html><html><head><title>clean</title>{icon}</head><body><p>fine</p>"
        "<script>console.log('error: only a log'); console.warn('a warning');</script></body></html>"
    )
    (tmp_path / "broken.html").write_text(
        f"<!doctype html><html><head><title>broken</title>{icon}</head><body><p>broken</p>"
        "<script>console.error('self-test marker 7f3a');</script>"
        "<script>undefinedFunction_self_test();</script>"
        '<img src="no-such-image.png" alt="">'
        "<script>new Worker(URL.createObjectURL(new Blob([\"console.error('worker marker 9c1d')\"])));</script>"
        "</body></html>"
    )
    with serve(tmp_path) as base:
        reports = console_errors([base.base + "clean.html", base.base + "broken.html"], tmp_path / "chromium.log")
        clean, broken = reports[base.base + "clean.html"], reports[base.base + "broken.html"]
        assert clean.errors == [], clean.errors
        found = "\n".join(broken.errors)
        assert "console.error: self-test marker 7f3a" in found, found
        assert "undefinedFunction_self_test" in found, found
        assert "no-such-image.png" in found, found
        assert "worker marker 9c1d" in found, found


def test_no_broken_links(built_site, site_server):
    """Every local href/src on every built page answers 200 from the server."""
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 10
    checked: dict[str, int] = {}
    broken: list[str] = []
    for path in pages:
        page_url = site_server.base + path.relative_to(built_site).as_posix()
        collector = LinkCollector()
        collector.feed(path.read_text(encoding="utf-8"))
        for tag, link in collector.links:
            if not is_local(link):
                continue
            target = urldefrag(urljoin(page_url, link))[0].split("?", 1)[0]
            if not target.startswith(site_server.base):
                broken.append(f"{page_url}: <{tag}> {link} leaves the site")
                continue
            if target not in checked:
                checked[target] = http_status(target)
            if checked[target] != 200:
                broken.append(f"{path.relative_to(built_site)}: <{tag}> {link} -> HTTP {checked[target]}")
    assert checked, "no local links found at all"
    assert not broken, f"{len(broken)} broken local link(s):\n" + "\n".join(sorted(set(broken)))

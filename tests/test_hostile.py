"""Hostile input, tried through the CLI as a user (or a pull request in CI) would: policy files and case
data are untrusted (docs/security.md). Every case ends with exit 0, 1 or 2 and a message: never 3
(an internal error) and never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "policies" / "vocabulary.policy"
_SCRIPT = Path(sys.executable).parent / "policyc"
POLICYC = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "compiler.cli"]


def policyc(*args: str | Path, cwd: Path, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`policyc ARGS` in a subprocess, as typed at a shell in `cwd`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run([*POLICYC, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          input=stdin if stdin is not None else "", timeout=timeout, check=False)
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    if proc.returncode:
        assert (proc.stdout + proc.stderr).strip(), "a failure says why"
    return proc


HEADER = 'policy "Hostile"\n  authority "Hostile Council"\n  uses "vocabulary.policy"\n\n'
VISITS = ('obligation visits "Visits"\n  cite "1" "visits are made every four weeks"\n  while child_in_need\n'
          "  social_worker must do statutory_visit every 4 weeks\n")


def folder(tmp_path: Path, body: str, name: str = "p.policy", header: str = HEADER) -> Path:
    """A folder with the shared vocabulary and one policy; returns the policy's path."""
    shutil.copy(VOCABULARY, tmp_path / "vocabulary.policy")
    path = tmp_path / name
    path.write_text(header + textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def codes(proc: subprocess.CompletedProcess) -> list[str]:
    return [d["code"] for d in json.loads(proc.stdout)["diagnostics"]]


# ---- forbidden characters --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["\x00", "\x1b[31m", "\x07", "\x7f", "\x85", "\u202e", "\u2066", "\u2028", "\u2029",
                                  "a\rb"])
def test_control_and_bidi_characters_are_refused(tmp_path: Path, text: str) -> None:
    path = folder(tmp_path, VISITS.replace('"Visits"', f'"Visits {text}"'))
    proc = policyc("check", path.name, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1 and "E004" in codes(proc)


def test_a_line_break_written_inside_text_is_refused(tmp_path: Path) -> None:
    path = folder(tmp_path, VISITS.replace('"Visits"', '"Visits\\nnav:\\n  - evil: x.md"'))
    proc = policyc("check", path.name, cwd=tmp_path)
    assert proc.returncode == 1 and "error[E004]" in proc.stdout and "line break" in proc.stdout


def test_tab_is_allowed(tmp_path: Path) -> None:
    path = folder(tmp_path, VISITS.replace('"Visits"', '"Visits\\tand\tcalls"'))
    proc = policyc("check", path.name, "--format", "json", cwd=tmp_path)
    assert "E004" not in codes(proc)


def test_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    path = folder(tmp_path, "# \x1b]0;owned\x07 \x1b[2J\n" + VISITS)
    proc = policyc("check", path.name, cwd=tmp_path)
    assert proc.returncode == 1
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr
    assert "U+001B (ESC)" in proc.stdout


def test_a_file_name_with_an_escape_sequence_is_shown_safely(tmp_path: Path) -> None:
    path = folder(tmp_path, VISITS.replace("visits every", "visits evry"), name="\x1b[31mred.policy")
    proc = policyc("check", path.name, cwd=tmp_path)
    assert "\x1b" not in proc.stdout + proc.stderr


# ---- reading only what a policy may read ---------------------------------------------------------------------------
@pytest.mark.parametrize("uses", ["/etc/passwd", "/proc/self/environ", "../../../../../../etc/passwd", "/dev/zero",
                                  "/dev/stdin", "~/.bashrc"])
def test_uses_cannot_read_outside_the_allowed_folders(tmp_path: Path, uses: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = folder(work, VISITS, header=HEADER.replace('"vocabulary.policy"', f'"{uses}"'))
    proc = policyc("check", path.name, "--format", "json", cwd=work, timeout=30)
    assert proc.returncode == 1 and "E005" in codes(proc)
    assert "root:" not in proc.stdout and "PATH=" not in proc.stdout


def test_uses_through_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "vocabulary.policy"
    secret.write_text('vocabulary "secret TOKEN=abc123"\n', encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    path = folder(work, VISITS, header=HEADER.replace('"vocabulary.policy"', '"linked.policy"'))
    (work / "linked.policy").symlink_to(secret)
    proc = policyc("check", path.name, cwd=work)
    assert proc.returncode == 1 and "error[E005]" in proc.stdout and "abc123" not in proc.stdout


def project(tmp_path: Path, body: str = VISITS, header: str = HEADER, authority: str = "hostile") -> Path:
    """A policyc project: pyproject.toml with [tool.policyc], policies/ with the vocabulary and one policy."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\n\n[tool.policyc]\n', encoding="utf-8")
    policies = tmp_path / "policies"
    (policies / authority).mkdir(parents=True)
    shutil.copy(VOCABULARY, policies / "vocabulary.policy")
    (policies / authority / "p.policy").write_text(
        header.replace('"vocabulary.policy"', '"../vocabulary.policy"') + textwrap.dedent(body).lstrip("\n"),
        encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("source", ["../../.git/config", "../../pyproject.toml", "/proc/self/environ",
                                    "../../../etc/passwd"])
def test_source_cannot_read_outside_the_allowed_folders(tmp_path: Path, source: str) -> None:
    root = project(tmp_path, header=HEADER + f'  source "{source}"\n'.replace("\n\n  source", "\n  source"))
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text('[http]\n  extraheader = "AUTHORIZATION: basic c2VjcmV0"\n')
    proc = policyc("check", "policies/", "--format", "sarif", cwd=root)
    assert proc.returncode == 1
    results = json.loads(proc.stdout)["runs"][0]["results"]
    assert "E005" in [r["ruleId"] for r in results]
    assert "c2VjcmV0" not in proc.stdout and "extraheader" not in proc.stdout and "[tool.policyc]" not in proc.stdout


def test_a_wrong_quote_shows_no_more_of_the_document_than_the_quote(tmp_path: Path) -> None:
    root = project(tmp_path, header=HEADER.replace("\n\n", '\n  source "doc.txt"\n\n'),
                   body=VISITS.replace("visits are made every four weeks", "The secret is: nothing"))
    (root / "policies" / "hostile" / "doc.txt").write_text("The secret is: hunter2 and the rest of the password")
    proc = policyc("check", "policies/", cwd=root)
    assert proc.returncode == 1 and "E301" in proc.stdout
    assert "hunter2 and the rest" not in proc.stdout


# ---- the vocabulary and `same as` -----------------------------------------------------------------------------------
def test_errors_in_the_vocabulary_are_reported_where_it_is_used(tmp_path: Path) -> None:
    root = project(tmp_path)
    vocab = root / "policies" / "vocabulary.policy"
    vocab.write_text(vocab.read_text(encoding="utf-8") + '\nrole broken "Broken" same as nobody_at_all\n')
    proc = policyc("check", "policies/hostile/", "--format", "json", cwd=root)
    assert proc.returncode == 1 and "E201" in codes(proc)
    build = policyc("build", cwd=root)
    assert build.returncode == 1 and "nobody_at_all" in build.stdout + build.stderr


# ---- the site ---------------------------------------------------------------------------------------------------
XSS = {
    "title": "</title><script>alert('title')</script> \\\" onmouseover=\\\"alert(1)",
    "authority": "<img src=x onerror=alert('authority')>",
    "version": "<svg onload=alert('version')>",
    "status": "<script>alert('status')</script>",
    "obligation": "[click](javascript:alert('obligation')) <a href=\\\"javascript:alert(1)\\\">x</a>",
    "clause": "<b onclick=alert('clause')>1</b>",
    "quote": "the visit is made <script>alert('quote')</script> within ten days",
    "principle": "<iframe src=javascript:alert('principle')>",
    "prose": "the child <details open ontoggle=alert('prose')> agrees",
}
HOSTILE_POLICY = f'''policy "{XSS["title"]}"
  authority "{XSS["authority"]}"
  version "{XSS["version"]}"
  uses "../vocabulary.policy"

status evil_status "{XSS["status"]}"
  entered on referral
  left on closure

obligation visits "{XSS["obligation"]}"
  cite "{XSS["clause"]}" "{XSS["quote"]}"
  while child_in_need
  when "{XSS["prose"]}"
  social_worker must do statutory_visit within 10 working days of referral

principle p1 "{XSS["principle"]}"
  cite "2" "see javascript:alert(2) for the whole of the principle"
'''


class _Active(HTMLParser):
    """Collects what would run in a browser: script elements, on* attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") and value and "alert" in value:
                self.found.append(f"<{tag} {name}={value}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "alert" in data:
            self.found.append(f"<script>{data[:60]}")


def active_content(site: Path) -> list[str]:
    found = []
    for page in sorted(site.rglob("*")):
        if page.suffix in (".html", ".svg"):
            scan = _Active()
            scan.feed(page.read_text(encoding="utf-8"))
            found += [f"{page.relative_to(site)}: {f}" for f in scan.found]
    return found


def test_the_site_carries_no_script_from_policy_text(tmp_path: Path) -> None:
    root = project(tmp_path, header="", body=HOSTILE_POLICY, authority="evil")
    assert policyc("check", "policies/", cwd=root).returncode == 0
    assert policyc("build", cwd=root).returncode == 0
    # mkdocs.yml and docs/ are written by hand; the generated pages join them through the project's hook
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: hostile\ndocs_dir: docs\nstrict: true\nuse_directory_urls: false\n"
        f"theme:\n  name: material\nhooks:\n  - {ROOT / 'compiler' / 'build' / 'site_hook.py'}\n"
        "nav:\n  - Home: index.md\n", encoding="utf-8")
    mkdocs = Path(sys.executable).parent / "mkdocs"
    proc = subprocess.run([str(mkdocs), "build", "--strict", "-q", "-d", str(tmp_path / "site")], cwd=root,
                          capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False)
    assert proc.returncode == 0, proc.stderr
    pages = list((tmp_path / "site").rglob("*.html"))
    assert len(pages) >= 8 and any("alert(" in p.read_text(encoding="utf-8") for p in pages)  # the text is there...
    assert active_content(tmp_path / "site") == []  # ...and none of it runs
    titles = [line for p in pages for line in p.read_text(encoding="utf-8").splitlines() if "<title>" in line]
    assert not [t for t in titles if "<script" in t or "<img" in t]


# ---- limits and cycles ------------------------------------------------------------------------------------------
def test_same_as_cycles_are_an_error(tmp_path: Path) -> None:
    path = folder(tmp_path, 'role lead "Lead" same as boss\nrole boss "Boss" same as chief\nrole chief "Chief" same as lead\n\n'
                  + VISITS)
    proc = policyc("check", path.name, cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout.count("error[E231]") == 3 and "lead → boss → chief → lead" in proc.stdout


@pytest.mark.parametrize("timing", ["within 9999 years of referral", "within 100000 days of referral",
                                    "every 3000 months", "within 99999999999999999999 working days of referral"])
def test_durations_beyond_two_hundred_years_are_refused(tmp_path: Path, timing: str) -> None:
    path = folder(tmp_path, VISITS.replace("every 4 weeks", timing))
    proc = policyc("check", path.name, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1 and "E232" in codes(proc)


def test_a_very_long_title_is_refused_not_crashed_on(tmp_path: Path) -> None:
    root = project(tmp_path, header=HEADER.replace('"Hostile"', '"' + "T" * 16_500 + '"'))
    proc = policyc("check", "policies/", "--format", "json", cwd=root)
    assert proc.returncode == 1 and "E232" in codes(proc)
    assert policyc("build", cwd=root).returncode == 1


def test_long_titles_within_the_limit_are_drawn(tmp_path: Path) -> None:
    long = "&\\\"<" * 999  # 3,996 characters that escaping lengthens the most
    root = project(tmp_path, header=HEADER.replace('"Hostile"', f'"{long}"').replace('"Hostile Council"', f'"{long}"'),
                   body=f'status long_status "{long}"\n  entered on referral\n  left on closure\n\n' + VISITS)
    assert policyc("build", cwd=root).returncode == 0
    svgs = list((root / "generated").rglob("process-map.svg"))
    if shutil.which("dot"):
        assert svgs and all(s.stat().st_size > 0 for s in svgs)


def test_a_long_name_is_refused(tmp_path: Path) -> None:
    path = folder(tmp_path, f'role {"r" * 300} "Long"\n\n' + VISITS)
    proc = policyc("check", path.name, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1 and "E232" in codes(proc)


# ---- the audit ----------------------------------------------------------------------------------------------------
AUDITED = 'obligation visits "Visits"\n  cite "=HYPERLINK(\\"http://evil\\"),#1" "visits are made every four weeks"\n' \
          "  while child_in_need\n  social_worker must do statutory_visit every 4 weeks\n"
HOSTILE_IDS = ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "a\rb", "c\nd", "#hash", "<script>x</script>",
               'q"uote', "plain"]


def hostile_events(folder_: Path, extra_columns: str = "") -> Path:
    lines = [f"child_id,event,date{extra_columns}"]
    pad = "," * extra_columns.count(",")
    for i, child in enumerate(HOSTILE_IDS):
        quoted = '"' + child.replace('"', '""') + '"'
        lines.append(f"{quoted},cin_plan_start,2024-01-{1 + i:02d}{pad}")
        lines.append(f"{quoted},statutory_visit,2024-02-{1 + i:02d}{pad}")
    path = folder_ / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    return path


def test_both_audit_engines_write_identical_neutralised_csv(tmp_path: Path) -> None:
    policy = folder(tmp_path, AUDITED)
    hostile_events(tmp_path)
    outs = {}
    for engine in ("duckdb", "python"):
        proc = policyc("audit", "--policy", policy.name, "--events", "events.csv", "--engine", engine, "--as-of",
                       "2024-06-30", "--out", f"{engine}.csv", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        outs[engine] = (tmp_path / f"{engine}.csv").read_bytes()
    assert outs["duckdb"] == outs["python"]
    stdout = subprocess.run([*POLICYC, "audit", "--policy", policy.name, "--events", "events.csv", "--as-of",
                             "2024-06-30"], cwd=tmp_path, capture_output=True, check=False,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert stdout.returncode == 0 and stdout.stdout == outs["duckdb"]  # bytes: a CR stays a CR
    import csv
    import io

    rows = list(csv.reader(io.StringIO(outs["duckdb"].decode(), newline="")))
    cells = [c for row in rows[1:] for c in (row[0], row[2])]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {"'=cmd|' /C calc'!A0", "'+1+1", "'-2", "'@SUM(A1)", "'\tTAB", "'\rCR", "a\rb", "c\nd"} <= set(cells)
    assert "'=HYPERLINK(\"http://evil\"),#1" in cells


def test_input_columns_named_like_internal_ones_are_kept_apart(tmp_path: Path) -> None:
    policy = folder(tmp_path, AUDITED)
    hostile_events(tmp_path, extra_columns=",_reason,_row,_child,file_row_number")
    proc = policyc("audit", "--policy", policy.name, "--events", "events.csv", "--as-of", "2024-06-30", "--out",
                   "out.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "24 used, 0 rejected" in proc.stdout


def test_audit_markdown_escapes_html(tmp_path: Path) -> None:
    policy = folder(tmp_path, AUDITED)
    hostile_events(tmp_path)
    proc = policyc("audit", "--policy", policy.name, "--events", "events.csv", "--as-of", "2024-06-30", "--format",
                   "md", cwd=tmp_path)
    assert proc.returncode == 0 and "&lt;script&gt;" in proc.stdout and "<script>" not in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["--out", "events.csv"], "--out events.csv is the events file"),
    (["--out", "out.csv", "--rejects", "events.csv"], "--rejects events.csv is the events file"),
    (["--out", "p.policy"], "is the policy"),
    (["--out", "same.csv", "--rejects", "same.csv"], "are the same file"),
    (["--as-of", "9999-12-31"], "out of range"),
    (["--as-of", "1066-10-14"], "out of range"),
])
def test_audit_refuses_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    policy = folder(tmp_path, AUDITED)
    events = hostile_events(tmp_path)
    before = events.read_bytes()
    proc = policyc("audit", "--policy", policy.name, "--events", "events.csv", *args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr
    assert events.read_bytes() == before and "visits" in policy.read_text(encoding="utf-8")


def test_a_daily_duty_over_a_century_is_refused_not_run(tmp_path: Path) -> None:
    policy = folder(tmp_path, AUDITED.replace("every 4 weeks", "every 1 day"))
    (tmp_path / "events.csv").write_text("child_id,event,date\nA,cin_plan_start,1920-01-01\n", encoding="utf-8")
    proc = policyc("audit", "--policy", policy.name, "--events", "events.csv", "--as-of", "2024-01-01",
                   cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and "the limit is 10,000" in proc.stderr


def test_audit_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    policy = folder(tmp_path, AUDITED)
    lines = ["child_id,event,date"] + [f"C{i},cin_plan_start,2020-01-01" for i in range(3000)]
    (tmp_path / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["bash", "-c", f"{' '.join(POLICYC)} audit --policy {policy.name} --events events.csv "
                           "--as-of 2024-01-01 | head -n 1; exit ${PIPESTATUS[0]}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("child_id,") and "Error" not in proc.stderr and "Traceback" not in proc.stderr


# ---- import --------------------------------------------------------------------------------------------------------
CIN = """<?xml version="1.0" encoding="utf-8"?>
<Message><Children><Child>
  <ChildIdentifiers><LAchildID>=HYPERLINK("x")</LAchildID></ChildIdentifiers>
  <CINdetails>
    <CINreferralDate>2024-01-01</CINreferralDate>
    <CINreferralDate>2024-02-01</CINreferralDate>
    <Assessments><AssessmentActualStartDate>2024-01-03</AssessmentActualStartDate></Assessments>
  </CINdetails>
</Child></Children></Message>
"""


def test_cin_import_reports_a_repeated_date_and_neutralises_cells(tmp_path: Path) -> None:
    (tmp_path / "cin.xml").write_text(CIN, encoding="utf-8")
    proc = policyc("import", "cin", "cin.xml", "--out", "events.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rejects = (tmp_path / "events.rejects.csv").read_text(encoding="utf-8")
    assert "CINreferralDate repeated in one CINdetails" in rejects and "2024-02-01" in rejects
    events = (tmp_path / "events.csv").read_text(encoding="utf-8")
    assert "\"'=HYPERLINK(\"\"x\"\")\"" in events and "\n=" not in events


@pytest.mark.parametrize("args, message", [
    (["--out", "cin.xml"], "--out cin.xml must end in .csv or .parquet"),
    (["--out", "events.csv", "--rejects", "cin.xml"], "--rejects cin.xml is the census file"),
    (["--out", "same.csv", "--rejects", "same.csv"], "are the same file"),
    (["--out", "same.csv", "--children-out", "./same.csv"], "are the same file"),
])
def test_import_never_overwrites_its_input(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "cin.xml").write_text(CIN, encoding="utf-8")
    proc = policyc("import", "cin", "cin.xml", *args, cwd=tmp_path)
    assert proc.returncode == 2 and message.split(" must")[0] in proc.stderr
    assert (tmp_path / "cin.xml").read_text(encoding="utf-8") == CIN


def test_ssda903_import_never_overwrites_its_input(tmp_path: Path) -> None:
    data = tmp_path / "903"
    data.mkdir()
    (data / "episodes.csv").write_text("CHILD,DECOM,RNE,DEC,REC\n1,01/01/2024,S,,\n", encoding="utf-8")
    proc = policyc("import", "ssda903", "903", "--out", "903/episodes.csv", cwd=tmp_path)
    assert proc.returncode == 2 and "is the input episodes.csv" in proc.stderr
    assert (data / "episodes.csv").read_text(encoding="utf-8").startswith("CHILD,DECOM")


# ---- SARIF --------------------------------------------------------------------------------------------------------
def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    path = folder(tmp_path, VISITS.replace("every 4 weeks", "every 4 weeks\n  allow W999 because \"x\""),
                  name="a b#c%d?.policy")
    proc = policyc("check", path.name, "--format", "sarif", cwd=tmp_path)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(proc.stdout)["runs"][0]["results"] for loc in r["locations"]}
    assert uris == {"a%20b%23c%25d%3F.policy"}


@pytest.mark.parametrize("text", ["\x00", "\u2028", "\r"])
def test_build_and_audit_refuse_a_policy_with_control_characters(tmp_path: Path, text: str) -> None:
    root = project(tmp_path, header=HEADER.replace('"Hostile"', f'"Hostile{text}"'))
    assert policyc("build", cwd=root).returncode == 1
    (root / "events.csv").write_text("child_id,event,date\nA,cin_plan_start,2024-01-01\n", encoding="utf-8")
    proc = policyc("audit", "--policy", "policies/hostile/p.policy", "--events", "events.csv", cwd=root)
    assert proc.returncode == 1 and "E004" in proc.stderr


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../../../etc/passwd", "../../pyproject.toml"])
def test_a_scenario_file_cannot_read_outside_the_policies(tmp_path: Path, target: str) -> None:
    root = project(tmp_path)
    (root / "policies" / "hostile" / "p.policy-test").write_text(
        f'tests "{target}"\n\nscenario "x"\n  2024-01-01 referral\n  as of 2024-02-01\n', encoding="utf-8")
    proc = policyc("test", "policies/", cwd=root)
    assert proc.returncode == 1 and "E005" in proc.stdout + proc.stderr
    assert "root:" not in proc.stdout + proc.stderr and "[tool.policyc]" not in proc.stdout + proc.stderr

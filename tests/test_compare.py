"""`policyc compare`: alignment through the vocabulary, ranking, the statutory floor, rendering.

Small hand-written policies test the rules; a few cells of the shipped policies are checked
against their source documents (skipped while a file is still being written)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from compiler.analyses.alignment import compare_policies, is_national
from compiler.analyses.check import check_paths
from compiler.emitters.compare import comparison_markdown, differences_from_statute_markdown, md_escape, render

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "policies" / "vocabulary.policy"
SEEDS = (ROOT.parent / "shared" / "seeds").resolve()


def _write(root: Path, rel: str, authority: str, body: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    vocab = root / "vocabulary.policy"
    if not vocab.exists():
        vocab.write_text(VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")
    uses = "../" * (len(Path(rel).parts) - 1) + "vocabulary.policy"
    header = f'policy "{authority} standards"\n  authority "{authority}"\n  uses "{uses}"\n\n'
    path.write_text(header + body.strip("\n") + "\n", encoding="utf-8")
    return path


def _obligation(name: str, duty: str, status: str = "child_protection", clause: str = "1", extra: str = "") -> str:
    return (f'obligation {name} "{name.replace("_", " ").capitalize()}"\n  cite "{clause}" "quoted words"\n'
            f"  while {status}\n{extra}  social_worker must {duty}\n\n")


STATUTE = (_obligation("cp_visits", "visit statutory_visit every 6 weeks", clause="reg 1")
           + _obligation("core_group", "hold core_group_meeting within 10 working days of icpc", clause="reg 2"))


@pytest.fixture
def trio(tmp_path, monkeypatch):
    """Two local authorities and a statute, in a folder named `national`."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "national/statute.policy", "Department for Education", STATUTE)
    _write(tmp_path, "north/north.policy", "North Council",
           'event fortnightly_visit "Home visit" same as statutory_visit\n\n'
           + _obligation("visits", "visit fortnightly_visit every 2 weeks", clause="Minimum standards | at a glance")
           + _obligation("core", "hold core_group_meeting within 5 working days of icpc", clause="3.1"))
    _write(tmp_path, "south/south.policy", "South Council",
           'event home_check "A home check, not in the vocabulary"\n\n'
           + _obligation("visits", "visit statutory_visit every 8 weeks", clause="4.2")
           + _obligation("checks", "do home_check every 1 month", clause="4.3"))
    return tmp_path


def _load(*paths: str | Path):
    result = check_paths([Path(p) for p in paths], [], analyse=False)
    return result.policies


def _row(cmp, status: str, action: str, point: str):
    rows = [r for r in cmp.rows if r.key[:3] == (status, action, point)]
    assert len(rows) == 1, [r.key for r in cmp.rows]
    return rows[0]


def _cell(cmp, row, authority: str):
    col = next(c for c in cmp.columns if c.policy.authority == authority)
    return row.cells.get(col.policy.path, [])


# ---- alignment --------------------------------------------------------------------------------------------
def test_same_as_aligns_a_local_name_with_the_shared_one(trio):
    cmp = compare_policies(_load("north", "south", "national"))
    row = _row(cmp, "child_protection", "statutory_visit", "every")
    assert [e.phrase for e in _cell(cmp, row, "North Council")] == ["every 2 weeks"]
    assert [e.phrase for e in _cell(cmp, row, "South Council")] == ["every 8 weeks"]
    assert [e.phrase for e in _cell(cmp, row, "Department for Education")] == ["every 6 weeks"]


def test_ranks_floor_and_not_stated(trio):
    cmp = compare_policies(_load("north", "south", "national"))
    visits = _row(cmp, "child_protection", "statutory_visit", "every")
    north, south = _cell(cmp, visits, "North Council")[0], _cell(cmp, visits, "South Council")[0]
    assert (north.rank, north.floor) == ("strictest", "stricter")
    assert (south.rank, south.floor) == ("weakest", "weaker")
    core = _row(cmp, "child_protection", "core_group_meeting", "first")
    assert _cell(cmp, core, "South Council") == []  # not stated
    md = render(cmp, "md")
    assert "*not stated*" in md
    assert "(below the statutory floor)" in md and "(strictest)" in md and "(weakest)" in md


def test_a_calendar_dependent_comparison_is_marked_depends_not_stricter(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a/a.policy", "A Council", _obligation("v", "visit statutory_visit every 10 working days"))
    _write(tmp_path, "b/b.policy", "B Council", _obligation("v", "visit statutory_visit every 2 weeks"))
    _write(tmp_path, "c/c.policy", "C Council", _obligation("v", "visit statutory_visit every 4 weeks"))
    cmp = compare_policies(_load("a", "b", "c"))
    row = _row(cmp, "child_protection", "statutory_visit", "every")
    assert [e.rank for e in _cell(cmp, row, "A Council")] == ["depends"]
    assert [e.rank for e in _cell(cmp, row, "B Council")] == ["depends"]
    assert [e.rank for e in _cell(cmp, row, "C Council")] == ["weakest"]
    assert "(depends on the start date)" in render(cmp, "md")


def test_entries_under_different_conditions_are_not_ranked_against_each_other(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a/a.policy", "A Council", _obligation("v", "visit statutory_visit every 1 week",
                                                            extra="  when age under 5 years\n"))
    _write(tmp_path, "b/b.policy", "B Council", _obligation("v", "visit statutory_visit every 4 weeks"))
    cmp = compare_policies(_load("a", "b"))
    row = _row(cmp, "child_protection", "statutory_visit", "every")
    assert [e.rank for e in row.entries] == [None, None]
    assert "when age under 5 years: every week" in render(cmp, "md")


def test_local_terms_are_listed_and_their_duties_kept(trio):
    cmp = compare_policies(_load("north", "south", "national"))
    terms = [(t.id, t.used_by) for t in cmp.local_terms]
    assert ("home_check", ("checks",)) in terms
    assert all(t.id != "fortnightly_visit" for t in cmp.local_terms)  # mapped with `same as`
    assert any(e.obligation.id == "checks" for r in cmp.rows for e in r.entries)
    md = render(cmp, "md")
    assert "## Local terms with no shared equivalent" in md and "home\\_check" in md


def test_local_terms_of_the_same_name_never_align(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b"):
        _write(tmp_path, f"{name}/{name}.policy", f"{name.upper()} Council",
               'event check "Check"\n\n' + _obligation("c", "do check every 1 month"))
    cmp = compare_policies(_load("a", "b"))
    rows = [r for r in cmp.rows if r.key[2] == "every"]
    assert len(rows) == 2 and all(len(r.cells) == 1 for r in rows)
    assert {t.also_in for t in cmp.local_terms} == {("a/a.policy",), ("b/b.policy",)}


def test_a_vague_duty_is_shown_in_the_measured_row_rather_than_not_stated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a/a.policy", "A Council",
           _obligation("iro", "notify iro_notified within 1 working day of became_looked_after", status="looked_after"))
    _write(tmp_path, "b/b.policy", "B Council", _obligation("iro", "notify iro_notified promptly", status="looked_after"))
    cmp = compare_policies(_load("a", "b"))
    row = _row(cmp, "looked_after", "iro_notified", "first")
    assert [e.phrase for e in _cell(cmp, row, "B Council")] == ["promptly"]
    assert all(e.rank is None for e in row.entries)


def test_every_obligation_lands_in_a_row(trio):
    policies = _load("north", "south", "national")
    cmp = compare_policies(policies)
    shown = {(e.policy.path, e.obligation.id) for r in cmp.rows for e in r.entries}
    assert shown == {(p.path, o.id) for p in policies for o in p.obligations}


# ---- the floor ------------------------------------------------------------------------------------------------
def test_floor_is_national_by_folder_or_authority_or_given(trio, policyc):
    policies = _load("north", "south", "national")
    assert [p.authority for p in policies if is_national(p)] == ["Department for Education"]
    explicit = compare_policies(_load("north", "south"), _load("south"))
    assert [c.label for c in explicit.columns if c.floor] == ["South south"]
    run = policyc("compare north south --against national --format json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert [c["label"] for c in data["columns"] if c["floor"]] == ["Statute"]
    assert "given with --against" in data["floor"]


def test_differences_from_statute(trio):
    south = _load("south")[0]
    md = differences_from_statute_markdown(south, _load("national"))
    weaker = md.split("## Weaker than the statute (1)")[1].split("##")[0]
    assert "every 8 weeks" in weaker and "every 6 weeks" in weaker
    not_stated = md.split("## Statutory duties the document does not state (1)")[1].split("##")[0]
    assert "within 10 working days of initial child protection conference" in not_stated
    assert "home\\_check" in md.split("## Local terms with no shared equivalent")[1]


def test_comparison_markdown_for_the_site(trio):
    md = comparison_markdown(_load("north", "south"), _load("national"))
    assert md.startswith("# ") and md.endswith("\n")
    assert "| Duty | Statute | North north | South south |" in md


# ---- rendering -----------------------------------------------------------------------------------------------
def test_md_escape_neutralises_tables_html_and_newlines():
    assert md_escape("a | b <script>x</script>\nnext *bold* _u_") == (
        "a &#124; b &lt;script&gt;x&lt;/script&gt; next \\*bold\\* \\_u\\_")


def test_markdown_table_cells_are_escaped(trio):
    md = render(compare_policies(_load("north", "south", "national")), "md")
    assert "Minimum standards &#124; at a glance" in md
    tables: list[list[str]] = [[]]
    for line in md.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    for table in filter(None, tables):  # every row of a table has as many cells as its header
        assert len({line.count("|") for line in table}) == 1, table


def test_html_is_escaped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a/a.policy", "A <b>Council</b>", _obligation("v", "visit statutory_visit every 2 weeks",
                                                                   clause="<script>alert(1)</script>"))
    out = render(compare_policies(_load("a")), "html")
    assert "<script>" not in out and "&lt;script&gt;" in out and "&lt;b&gt;Council" in out


def test_csv_has_one_column_per_policy(trio):
    out = render(compare_policies(_load("north", "south", "national")), "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][-3:] == ["Statute", "North north", "South south"]
    visits = next(r for r in rows if r[2:5] == ["child_protection", "statutory_visit", "every"])
    assert visits[-2].startswith("every 2 weeks (Minimum standards | at a glance) [strictest]")
    assert visits[-1].endswith("[below the statutory floor]")


def test_output_is_deterministic(trio, policyc):
    first = policyc("compare south north national --format json")
    second = policyc("compare national north south --format json")
    assert first.code == 0 and first.out == second.out


def test_out_file_and_usage_errors(trio, policyc):
    run = policyc("compare north south --out cmp.md")
    assert run.code == 0 and run.out == ""
    assert (trio / "cmp.md").read_text(encoding="utf-8").startswith("# Practice standards compared")
    assert policyc("compare nowhere").code == 2


# ---- the shipped policies, checked against their source documents ------------------------------------------------------
POLICIES = ROOT / "policies"
SOMERSET = POLICIES / "somerset" / "practice-standards-2023.policy"
SOMERSET_CJF = POLICIES / "somerset" / "childs-journey-framework-2021.policy"
SWINDON = POLICIES / "swindon" / "practice-standards-2020.policy"
BCP = POLICIES / "bcp" / "practice-standards-2023.policy"
BANES = POLICIES / "banes" / "cypss-service-statement-2013.policy"
NATIONAL = POLICIES / "national"

REQUIRED = [  # (status, action, point): the rows the comparison must have
    ("child_in_need", "statutory_visit", "every"),
    ("child_protection", "statutory_visit", "every"),
    ("looked_after", "statutory_visit", "first"),
    ("looked_after", "statutory_visit", "every"),
    ("section_47", "icpc", "first"),
    ("child_protection", "core_group_meeting", "first"),
    ("child_protection", "core_group_meeting", "every"),
    ("child_protection", "rcpc", "first"),
    ("child_protection", "rcpc", "every"),
    ("assessment", "assessment_completed", "first"),
    ("child_in_need", "cin_review", "every"),
    ("looked_after", "cla_review", "first"),
    ("looked_after", "cla_review", "second"),
    ("looked_after", "cla_review", "every"),
    ("looked_after", "placement_plan", "first"),
    ("looked_after", "iro_notified", "first"),
    ("contact", "contact_decision", "first"),
]
REQUIRED_ACTIONS = ["strategy_discussion", "case_note_recorded", "supervision", "pathway_plan", "pep",
                    "initial_health_assessment", "review_health_assessment", "minutes_distributed"]


@pytest.fixture(scope="module")
def shipped():
    paths = [p for p in (SOMERSET, SOMERSET_CJF, SWINDON, BCP, BANES) if p.exists()]
    assert len(paths) == 5 and NATIONAL.is_dir(), "the shipped policies are missing"
    result = check_paths([*paths, NATIONAL], [SEEDS], analyse=False)
    fatal = [d for d in result.diagnostics if d.severity.value == "error" and d.code not in ("E301", "E304")]
    assert not fatal, f"a shipped policy has errors: {fatal[0].file}"
    national = [p for p in result.policies if "national" in Path(p.path).parts]
    local = [p for p in result.policies if p not in national]
    return compare_policies(local, national)


def _shipped_cell(cmp, key: tuple[str, str, str], path: Path) -> list:
    rows = [r for r in cmp.rows if r.key[:3] == key]
    wanted = path.resolve()
    return [e for r in rows for e in r.entries if Path(e.policy.path).resolve() == wanted]


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"needs the source documents, not present at {SEEDS}")
@pytest.mark.parametrize("path, key, phrase, clause, seed, seed_text", [
    (SOMERSET, ("child_protection", "statutory_visit", "every"), "every 2 weeks", "Minimum standards at a glance",
     "somerset-practice-standards-2023.txt", "Fortnightly"),
    (SOMERSET_CJF, ("child_protection", "statutory_visit", "every"), "every 2 weeks", "6.2.4",
     "somerset-childs-journey-framework-2021.txt", "at least once a fortnight"),
    (SWINDON, ("child_protection", "statutory_visit", "every"), "every 10 working days", "9.1",
     "swindon-practice-standards-2020.txt", "every 10 working days"),
    (SWINDON, ("child_protection", "core_group_meeting", "first"),
     "within 10 working days of initial child protection conference", "13.13",
     "swindon-practice-standards-2020.txt", "The first Core Group meeting must be within 10 working days"),
    (BCP, ("looked_after", "cla_review", "first"), "within 20 working days of became looked after", "23.",
     "bcp-practice-standards-2023.txt", "held within 20 working days of the child becoming looked after"),
    (BANES, ("looked_after", "cla_review", "first"), "within 4 weeks of became looked after", "7.1.3",
     "banes-cypss-service-statement-2013.txt", "until the 4 week review meeting"),
])
def test_shipped_cells_match_their_source(shipped, path, key, phrase, clause, seed, seed_text):
    assert seed_text.lower() in (SEEDS / seed).read_text(encoding="utf-8").lower()
    entries = _shipped_cell(shipped, key, path)
    assert any(e.phrase == phrase and any(c.startswith(clause) for c in e.clauses) for e in entries), \
        [(e.phrase, e.clauses) for e in entries]


def test_shipped_cp_visits_fortnightly_against_ten_working_days_depends(shipped):
    key = ("child_protection", "statutory_visit", "every")
    fortnightly = [e for e in _shipped_cell(shipped, key, SOMERSET) if e.phrase == "every 2 weeks"]
    ten_days = [e for e in _shipped_cell(shipped, key, SWINDON) if e.phrase == "every 10 working days"]
    assert fortnightly and ten_days and all(e.rank == "depends" for e in fortnightly + ten_days)


def test_shipped_statute_cells(shipped):
    key = ("looked_after", "cla_review", "first")
    statute = [e for r in shipped.rows if r.key[:3] == key for e in r.entries if "national" in e.policy.path]
    assert any(e.phrase == "within 20 working days of became looked after" and "reg 33(1)" in e.clauses
               for e in statute)


def test_shipped_required_rows_exist(shipped):
    keys = {r.key[:3] for r in shipped.rows if any(r.cells.values())}
    missing = [k for k in REQUIRED if k not in keys]
    assert not missing
    actions = {r.key[1] for r in shipped.rows}
    assert not [a for a in REQUIRED_ACTIONS if a not in actions]


def test_shipped_markdown_renders(shipped):
    md = render(shipped, "md")
    assert md.count("## ") > 5 and "## Local terms with no shared equivalent" in md


def test_a_recurrence_that_ends_is_compared_with_the_floor(tmp_path, monkeypatch, policyc):
    """A local "every 8 weeks for the first year" is below a statutory "every 6 weeks"; weekly for
    the first year is not (issue 12: compare ignored recurring steps that end with `until`/`for`)."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "national/statute.policy", "Department for Education", STATUTE)
    first_year = "visit statutory_visit first within 1 week of cp_plan_start then every {n} weeks for 1 year then every 6 weeks"
    _write(tmp_path, "east/east.policy", "East Council", _obligation("visits", first_year.format(n=8), clause="2.1"))
    _write(tmp_path, "west/west.policy", "West Council", _obligation("visits", first_year.format(n=1), clause="2.1"))
    run = policyc("compare east west --against national --format json")
    assert run.code == 0, run.err
    bounded = {path: e for row in json.loads(run.out)["rows"] for path, cell in row["cells"].items() for e in cell
               if e["phrase"].endswith("for 1 year")}
    assert bounded["east/east.policy"]["phrase"] == "every 8 weeks for 1 year"
    assert bounded["east/east.policy"]["floor"] == "weaker"
    assert bounded["west/west.policy"]["floor"] != "weaker"

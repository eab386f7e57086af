"""Every language diagnostic code through the CLI as a user types it: message, span, hint, exit code."""

from __future__ import annotations

import json

import pytest

OB = 'obligation o "O"\n  cite "1" "some words"\n'

CASES = [
    # code, body (after the standard header, which is 4 lines), line, column, message fragment, hint fragment
    ("E101", OB + "  social_worker must do statutory_visit withn 5 days of referral\n", 7, 41,
     "unexpected word `withn`", "did you mean `within`?"),
    ("E102", OB + '  cite "2" "unterminated\n', 7, 12, "unterminated string", 'close the text with `"`'),
    ("E103", "transition from referral -> assessment on assessment_start\n", 5, 26, "unexpected character `-`",
     "use words"),
    ("E104", OB + "  social_worker must\n", 7, 20, "ends in the middle", "expected"),
    ("E111", OB + "  social_worker must do statutory_visit no later than 5 days after referral\n", 7, 41,
     "`no later than` is not a timing", "within DURATION of EVENT"),
    ("E111", OB + "  social_worker must do statutory_visit within 3 days of referral no later than 5 days\n", 7, 67,
     "`no later than` is not a timing", "and must within"),
    ("E112", OB + "  social_worker must do statutory_visit every 6 weeks at most\n", 7, 55,
     "`at most` is not a timing", "every DURATION"),
    ("E113", OB + "  social_worker must do statutory_visit within 3 days of referral before age 16\n", 7, 67,
     "`before age` is not a timing", "by age 16 years"),
    ("E114", OB + "  social_worker must do statutory_visit first within 5 days of icpc then every cp_visit_frequency"
     " as set at icpc\n", 7, 74, "cannot be a step of a schedule", "the duty's whole timing"),
    ("E114", OB + "  social_worker must do statutory_visit every visit_frequency as agreed at icpc\n", 7, 63,
     "written `as set at`", "every ATTRIBUTE as set at EVENT"),
    ("E201", OB + "  while child_protecton\n  social_worker must do statutory_visit every 2 weeks\n", 7, 9,
     "unknown status `child_protecton`", "did you mean `child_protection`?"),
    ("E202", OB + "  social_worker must do statutory_visit every 2 weeks\n" + OB +
     "  social_worker must do statutory_visit every 3 weeks\n", 8, 12, "obligation `o` is declared twice",
     "rename"),
    ("E203", OB + "  social_worker must do statutory_visit within 5 workin days of referral\n", 7, 48,
     "unknown time unit `workin days`", "did you mean `working days`?"),
    ("E205", OB + "  while icpc\n  social_worker must do statutory_visit every 2 weeks\n", 7, 9,
     "`icpc` is an event, but a status is needed", "`while` takes a status"),
    ("E207", OB + "  social_worker must do statutory_visit every 2 weeks\n  team_manager must do supervision every 1 month\n",
     8, 3, "more than one duty", "split it"),
    ("E208", OB + "  iro must hold cla_review first within 20 working days of became_looked_after then every 6 months"
     " then within 3 months\n", 7, 100, "no step can follow", "bound the recurrence"),
    ("E209", OB + "  social_worker must do statutory_visit every 0 weeks\n", 7, 47, "every 0 units", None),
    ("E210", OB + "  social_worker must do pathway_plan by age 16 working days\n", 7, 45,
     "an age cannot be measured in working days", "write ages"),
    ("E211", None, 2, 1, "a vocabulary file cannot hold an obligation", "put this in a policy file"),
    ("E212", None, 3, 3, "`version` is given twice", "keep one"),
    ("E213", OB + "  social_worker must do statutory_visit every 2 weeks\n  allow W999 because \"x\"\n", 8, 3,
     "unknown diagnostic code `W999`", None),
    ("E214", 'status s "S"\n  entered on referral\n', 5, 8, "status `s` has no `left on` event", "`final`"),
    ("E230", 'obligation visits "V"\n  cite "1" "some words"\n  social_worker must do statutory_visit every 2 weeks\n'
     + OB + "  instead of visit\n  social_worker must do statutory_visit every 3 weeks\n", 10, 3,
     "unknown obligation `visit`", "did you mean `visits`?"),
    ("E230", 'obligation visits "V"\n  cite "1" "some words"\n  while child_protection\n'
     "  social_worker must do statutory_visit every 2 weeks\n"
     + OB + "  instead of visits\n  social_worker must do statutory_visit every 3 weeks\n", 11, 3,
     "`o` has no `while` but the duty it replaces, `visits`, has `while child_protection`", "same `while`"),
    ("E233", OB + "  decided by service_manager on step_down\n  social_worker must do statutory_visit every 3 weeks\n",
     7, 3, "`decided by` without `instead of`", "add `instead of OBLIGATION`"),
    ("E234", OB + "  social_worker must do statutory_visit within 1 day of referral and must within 3 days\n", 7, 3,
     "starts with `should`", "the `should` timing is the aim"),
    ("E234", OB + "  social_worker should do statutory_visit every 3 months and must every 6 weeks\n", 7, 58,
     "the minimum (every 6 weeks) is stricter than the aim (every 3 months)", "swap"),
    ("E234", OB + "  social_worker should do statutory_visit every 6 weeks and must within 3 months\n", 7, 57,
     "`and must within` does not fit a recurrence timing", "`and must every D`"),
    ("E240", OB + "  when legal_staus is care_order\n  social_worker must do statutory_visit every 2 weeks\n", 7, 8,
     "unknown attribute `legal_staus`", "did you mean `legal_status`?"),
    ("E241", OB + "  when legal_status is care_ordr\n  social_worker must do statutory_visit every 2 weeks\n", 7, 24,
     "`care_ordr` is not a value of `legal_status`", "did you mean `care_order`?"),
    ("E243", OB + "  social_worker must do statutory_visit every placement_type as set at icpc\n", 7, 47,
     "`placement_type` sets no timescale", "is 1 week"),
    ("E242", 'attribute level "Level of need"\n  type integer\n', 6, 8, "unknown attribute type `integer`",
     "the types are number, date and text"),
    ("E304", 'obligation o "O"\n  cite "" "x"\n  social_worker must do statutory_visit every 2 weeks\n', 6, 8,
     "the citation has no clause", None),
]


@pytest.mark.parametrize("code,body,line,column,message,hint", CASES, ids=[c[0] for c in CASES])
def test_diagnostic(code, body, line, column, message, hint, policyc, write_policy, tmp_path):
    if code == "E211":
        path = write_policy('vocabulary "V"\nobligation o "O"\n  must do referral every 2 weeks\n', header=False)
    elif code == "E212":
        path = write_policy('policy "P"\n  version "1"\n  version "2"\n', header=False)
    else:
        path = write_policy(body)
    run = policyc(f"check {path} --format json")
    assert run.code == 1, run.out + run.err
    diags = [d for d in json.loads(run.out)["diagnostics"] if d["code"] == code]
    assert diags, run.out
    d = diags[0]
    assert (d["line"], d["column"]) == (line, column), d
    assert message in d["message"], d
    if hint:
        assert hint in d.get("hint", ""), d
    # the text form shows file:line:col, the code, the source line and a caret under the span
    text = policyc(f"check {path}")
    assert text.code == 1
    assert f"{path}:{line}:{column}: error[{code}]:" in text.out.replace(str(path.resolve()), str(path))
    assert "^" in text.out


def test_e001_missing_file_is_a_usage_error(policyc, tmp_path):
    run = policyc(f"check {tmp_path / 'nope.policy'}")
    assert run.code == 2
    assert "no such file or folder" in run.err


def test_e001_unreadable_vocabulary(policyc, write_policy):
    path = write_policy('policy "P"\n  uses "missing.policy"\n', header=False)
    run = policyc(f"check {path} --format json")
    assert run.code == 1
    d = json.loads(run.out)["diagnostics"][0]
    assert d["code"] == "E206" and (d["line"], d["column"]) == (2, 8)


def test_e002_invalid_utf8(policyc, tmp_path):
    path = tmp_path / "bad.policy"
    path.write_bytes(b'policy "P"\n  authority "\xff\xfe"\n')
    run = policyc(f"check {path} --format json")
    assert run.code == 1
    d = json.loads(run.out)["diagnostics"][0]
    assert d["code"] == "E002" and (d["line"], d["column"]) == (2, 14)
    assert "not valid UTF-8" in d["message"]


def test_e003_empty_file(policyc, tmp_path):
    path = tmp_path / "empty.policy"
    path.write_text("\n\n", encoding="utf-8")
    run = policyc(f"check {path}")
    assert run.code == 1 and "error[E003]: the file is empty" in run.out


def test_e204_malformed_dates(policyc, write_policy):
    path = write_policy('policy "P"\n  effective 01/07/2023\n  review due 2024-02-30\n', header=False)
    run = policyc(f"check {path} --format json")
    diags = json.loads(run.out)["diagnostics"]
    assert [d["code"] for d in diags] == ["E204", "E204"]
    assert (diags[0]["line"], diags[0]["column"]) == (2, 13)
    assert "write `2023-07-01` if you mean 01 July 2023" in diags[0]["hint"]
    assert "day is out of range" in diags[1]["message"]


def _source_policy(write_policy, tmp_path, quote):
    (tmp_path / "doc.txt").write_text("1.1 Children are seen every 4 weeks.\n\u201cQuoted\u201d text \u2013 here.\n",
                                      encoding="utf-8")
    return write_policy(f'policy "P"\n  source "doc.txt"\n  uses "vocabulary.policy"\n\nprinciple p "P"\n'
                        f'  cite "1.1" "{quote}"\n', header=False)


def test_e301_quote_not_in_source(policyc, write_policy, tmp_path):
    path = _source_policy(write_policy, tmp_path, "Children are seen every four weeks.")
    run = policyc(f"check {path} --format json")
    assert run.code == 1
    d = json.loads(run.out)["diagnostics"][0]
    assert d["code"] == "E301" and (d["line"], d["column"]) == (6, 14)
    assert "the first 24 characters match" in d["hint"]


def test_quotes_fold_whitespace_and_typography(policyc, write_policy, tmp_path):
    path = _source_policy(write_policy, tmp_path, '\\"Quoted\\"   text - here.')
    run = policyc(f"check {path}")
    assert run.code == 0, run.out


def test_w302_source_document_missing(policyc, write_policy, tmp_path):
    path = write_policy('policy "P"\n  source "absent.txt"\n\nprinciple p "P"\n  cite "1" "two words"\n', header=False)
    run = policyc(f"check {path} --format json")
    assert run.code == 0
    d = json.loads(run.out)["diagnostics"][0]
    assert d["code"] == "W302" and d["severity"] == "warning" and "1 quotes not verified" in d["message"]


def test_source_dir_option_finds_the_document(policyc, write_policy, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "d.txt").write_text("two words here", encoding="utf-8")
    path = write_policy('policy "P"\n  source "d.txt"\n\nprinciple p "P"\n  cite "1" "two words"\n', header=False)
    assert policyc(f"check {path}").code == 0
    assert "W302" not in policyc(f"check {path} --source-dir {docs}").out


def test_i303_no_source_named(policyc, write_policy):
    path = write_policy('principle p "P"\n  cite "1" "two words"\n')
    run = policyc(f"check {path} --format json")
    d = json.loads(run.out)["diagnostics"][0]
    assert run.code == 0 and d["code"] == "I303" and d["severity"] == "info"


def test_related_location_for_duplicates(policyc, write_policy):
    path = write_policy('role sw "A"\nrole sw "B"\n')
    d = json.loads(policyc(f"check {path} --format json").out)["diagnostics"][0]
    assert d["code"] == "E202" and d["related"][0]["line"] == 5 and d["related"][0]["message"] == "first declared here"


def test_explain_every_code(policyc):
    from dsl.codes import CODES

    listing = policyc("explain --list")
    assert listing.code == 0
    for code in CODES:
        assert code in listing.out
        run = policyc(f"explain {code}")
        assert run.code == 0 and "How to fix it:" in run.out and "Example:" in run.out
    assert policyc("explain W9999").code == 2


AUTHOR_MISTAKES = [
    # body, line, column, hint
    ("obligation x Core group\n", 5, 19, 'put the title in double quotes: `obligation x "Core group"`'),
    ('obligation x "X"\n  social_worker must do statutory_visit every four weeks\n', 6, 47, "write numbers as digits: `4`"),
    ('obligation x "X"\n  social_worker must do statutory_visit fortnightly\nobligation y "Y"\n', 6, 41,
     "write `every 2 weeks`"),
    ('obligation x "X"\n  cite 3.17 "quote here"\n', 6, 8, 'text goes in double quotes, such as `"3.17"`'),
    ('obligation x "X"\n  social_worker must do statutory_visit within 10 working days from icpc\n', 6, 64, None),
]


@pytest.mark.parametrize("body,line,column,hint", AUTHOR_MISTAKES)
def test_common_author_mistakes_get_a_pointed_hint(body, line, column, hint, policyc, write_policy):
    d = json.loads(policyc(f"check {write_policy(body)} --format json").out)["diagnostics"][0]
    assert d["code"] == "E101" and (d["line"], d["column"]) == (line, column), d
    if hint:
        assert d["hint"] == hint
    else:
        assert "expected `of`" in d["message"]


def test_e207_an_obligation_with_no_duty(policyc, write_policy):
    path = write_policy('obligation o "O"\n  cite "1" "some words"\n')
    run = policyc(f"check {path} --format json")
    d = json.loads(run.out)["diagnostics"][0]
    assert run.code == 1
    assert d["code"] == "E207" and (d["line"], d["column"]) == (5, 12)
    assert d["message"] == "obligation `o` states no duty" and "`principle`" in d["hint"]

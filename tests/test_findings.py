"""generated/site/authorities/<authority>/findings.md: the real findings on the shipped policies, and every quote
in them is found verbatim in the authority's source documents."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from compiler.analyses.quotes import normalise

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (ROOT.parent / "shared" / "seeds").resolve()
SOURCES = {
    "somerset": ["somerset-practice-standards-2023.txt", "somerset-childs-journey-framework-2021.txt"],
    "swindon": ["swindon-practice-standards-2020.txt"],
    "bcp": ["bcp-practice-standards-2023.txt"],
    "banes": ["banes-cypss-service-statement-2013.txt"],
}
QUOTE = re.compile(r"clause \*\*.*?\*\*: “(.*)”$")


def unescape(md: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", md))


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source documents not present at {SEEDS}")
@pytest.mark.parametrize("authority", sorted(SOURCES))
def test_every_quote_in_findings_is_in_the_source(authority):
    page = ROOT / "generated" / "site" / "authorities" / authority / "findings.md"
    assert page.is_file(), "run `policyc build`"
    text = " ".join(normalise((SEEDS / name).read_text(encoding="utf-8")) for name in SOURCES[authority])
    quotes = [unescape(m.group(1)) for line in page.read_text(encoding="utf-8").splitlines()
              if (m := QUOTE.search(line.strip()))]
    assert len(quotes) > 10
    missing = [q for q in quotes if normalise(q) not in text]
    assert not missing, missing[:3]


def test_somerset_findings_report_the_real_disagreements():
    page = (ROOT / "generated" / "site" / "authorities" / "somerset" / "findings.md").read_text(encoding="utf-8")
    assert "#### W508 (warning): documents of one authority disagree" in page
    assert "every 6 weeks against every 4 weeks" in page
    assert "A Core Group meeting must take place every 4 weeks" in page


def test_findings_against_the_statutory_floor_are_reported():
    page = (ROOT / "generated" / "site" / "authorities" / "bcp" / "findings.md").read_text(encoding="utf-8")
    assert "I602" in page
    # BCP's 12-weekly visits once permanency is agreed is a stated relaxation (`instead of cla_visits`):
    # it is compared with the most lenient of the statute's relaxations of reg 28 (reg 28(3A)), which
    # still asks for six-weekly visits in the placement's first year; BCP's may start once the child
    # has been settled for six months, inside that year, so it is weaker than statute there
    assert "cla\\_visits\\_permanence</code> allows more time than statute" in page
    assert "every 6 weeks for 1 year from placement start" in page

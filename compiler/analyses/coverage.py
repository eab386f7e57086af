"""Coverage: which sentences of the source document state a timescale, and which
obligation's quote covers each.

A *timescale sentence* is a sentence (or table cell) with a number and a time unit
("within 20 working days", "3 monthly", "every six weeks") or a frequency word
("fortnightly", "annually"). It is *covered* when some citation's quote contains each of
its timescale phrases together with the word before and the word after it, so a quote
that stops at the number does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from compiler.analyses.quotes import normalise
from compiler.model.ir import Policy

_NUM = (r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"fifteen|twenty|thirty|forty|forty-five|forty five|sixty|ninety|a|an|half)")
_UNIT = r"(?:(?:working|calendar|school|business|clear)\s+)?(?:minute|hour|day|week|month|year|term)s?"
TIMESCALE = re.compile(
    rf"\b{_NUM}(?:\s*[-–]\s*{_NUM})?\s*[- ]?\s*{_UNIT}\b(?!\s*-?\s*olds?\b)(?!\s+of\s+age\b)"
    rf"|\b{_NUM}\s*[- ]?\s*(?:weekly|monthly|yearly|daily)\b"
    r"|\b(?:fortnightly|weekly|monthly|quarterly|annually|yearly|daily|bi-monthly|six-monthly|annual)\b",
    re.IGNORECASE,
)
_AGE_BEFORE = re.compile(r"(?:\baged?|\bunder|\bover|\bthe age of|\bup to)\s*$", re.IGNORECASE)
_BULLETS = " -•·\u2022\uf0b7"  # noqa: B005 (a set of characters to strip)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(•\-])")


@dataclass
class Sentence:
    line: int
    text: str
    phrases: list[str]


@dataclass
class CoverageReport:
    source: str
    sentences: list[Sentence]
    covered: list[tuple[Sentence, list[str]]] = field(default_factory=list)  # with obligation ids
    uncovered: list[Sentence] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.covered) / len(self.sentences) if self.sentences else 100.0

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "sentences": len(self.sentences),
            "covered": len(self.covered),
            "percent": round(self.percent, 1),
            "uncovered": [{"line": s.line, "text": s.text} for s in self.uncovered],
        }


def _phrase_cores(text: str) -> list[str]:
    """Each timescale phrase of a sentence with one word either side (normalised)."""
    norm = normalise(text)
    cores = []
    for m in TIMESCALE.finditer(norm):
        if _AGE_BEFORE.search(norm[: m.start()]):
            continue
        start = norm.rfind(" ", 0, max(m.start() - 1, 0))
        start = 0 if start < 0 else start + 1
        end = norm.find(" ", m.end() + 1)
        end = len(norm) if end < 0 else end
        cores.append(norm[start:end].strip(" ,;:()"))
    return cores


def timescale_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for number, line in enumerate(text.split("\n"), start=1):
        for cell in line.split("\t"):
            for part in _SENTENCE_END.split(cell):
                part = part.strip(_BULLETS)
                if not part:
                    continue
                cores = _phrase_cores(part)
                if cores:
                    out.append(Sentence(number, normalise(part), cores))
    return out


def coverage(policy: Policy, source: Path) -> CoverageReport:
    text = source.read_text(encoding="utf-8", errors="replace")
    sentences = timescale_sentences(text)
    quotes: list[tuple[str, str]] = []
    for o in policy.obligations:
        quotes.extend((normalise(c.quote), o.id) for c in o.citations)
    for n in policy.notes:
        quotes.extend((normalise(c.quote), n.id) for c in n.citations)
    report = CoverageReport(str(source), sentences)
    for s in sentences:
        ids: list[str] = []
        ok = True
        for core in s.phrases:
            hits = [oid for q, oid in quotes if core in q]
            if not hits:
                ok = False
                break
            ids.extend(hits)
        if ok:
            report.covered.append((s, sorted(set(ids))))
        else:
            report.uncovered.append(s)
    return report

"""Which findings a report shows, in what order: document findings and errors by default, lint on
request, `--select` / `--ignore` by code, family or category (as ruff selects rules), and the
statutory floor's own encoding remarks left out when it is checked as the floor."""

from __future__ import annotations

from dataclasses import dataclass, field

from dsl.codes import DOCUMENT_CATEGORIES, matches
from dsl.diagnostics import Diagnostic, Severity, report_order

# Categories shown without --lint: the document findings, and the problems that make the check
# itself unreliable (a file that cannot be read, a quote that cannot be verified).
DEFAULT_CATEGORIES = (*DOCUMENT_CATEGORIES, "input", "quote", "note", "scenario")
FAIL_LEVELS = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Selection:
    lint: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    floor_files: frozenset[str] = field(default_factory=frozenset)

    def shows(self, d: Diagnostic) -> bool:
        if self.ignore and matches(d.code, self.ignore):
            return False
        if d.file in self.floor_files and d.severity is not Severity.ERROR:
            return False  # the statute is the floor, not a document under review
        if self.select:
            return matches(d.code, self.select)
        return self.lint or d.severity is Severity.ERROR or d.category in DEFAULT_CATEGORIES


def apply(diags: list[Diagnostic], selection: Selection) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The diagnostics shown, in report order (errors and document findings first, most severe
    first), and those left out."""
    shown: list[Diagnostic] = []
    hidden: list[Diagnostic] = []
    for d in diags:
        (shown if selection.shows(d) else hidden).append(d)
    return report_order(shown), hidden


def fails(diags: list[Diagnostic], level: str) -> bool:
    """Whether any shown diagnostic is at `level` or more severe (`never` never fails)."""
    if level == "never":
        return False
    return any(d.severity.rank <= FAIL_LEVELS[level] for d in diags)

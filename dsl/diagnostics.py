"""Diagnostics: what the compiler tells the author, and how it is shown.

A diagnostic has a stable code (see `dsl.codes`), a severity, a one-line message,
a primary span, an optional hint and any number of related places ("the other
clause is here"). Rendering follows Rust and Elm: `file:line:col: error[E201]: ...`,
the source line, a caret under the span, then the hint and the related places.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import cast

from dsl.ast import Span
from dsl.codes import CATEGORIES, CODES, DOCUMENT_CATEGORIES
from dsl.text import terminal


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Related:
    file: str
    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    file: str
    span: Span
    hint: str | None = None
    related: tuple[Related, ...] = ()
    # derived from the code's catalogue entry when not given (None only until __post_init__ runs)
    severity: Severity = field(default=cast(Severity, None))

    def __post_init__(self) -> None:
        if cast(Severity | None, self.severity) is None:
            object.__setattr__(self, "severity", Severity(CODES[self.code].severity))

    @property
    def sort_key(self) -> tuple:
        return (self.file, self.span.line, self.span.column, self.code, self.message)

    @property
    def category(self) -> str:
        return CODES[self.code].category

    @property
    def is_document_finding(self) -> bool:
        return self.category in DOCUMENT_CATEGORIES

    @property
    def report_key(self) -> tuple:
        """The order a reader wants: errors and document findings before lint, most severe first,
        conflicts before floor before timing before coverage, then by place."""
        first = self.severity is Severity.ERROR or self.is_document_finding
        return (0 if first else 1, self.severity.rank, _CATEGORY_ORDER.get(self.category, 99), *self.sort_key)

    def to_json(self) -> dict:
        out: dict = {
            "code": self.code,
            "severity": self.severity.value,
            "category": self.category,
            "message": self.message,
            "file": self.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
        }
        if self.hint:
            out["hint"] = self.hint
        if self.related:
            out["related"] = [
                {
                    "file": r.file,
                    "line": r.span.line,
                    "column": r.span.column,
                    "end_line": r.span.end_line,
                    "end_column": r.span.end_column,
                    "message": r.message,
                }
                for r in self.related
            ]
        return out


def _excerpt(lines: list[str], span: Span) -> list[str]:
    """The source line of a span with a caret underline, as a Rust compiler shows it."""
    if span.line <= 0 or span.line > len(lines):
        return []
    text = lines[span.line - 1].rstrip("\r").expandtabs(1)
    shown = text
    start = max(span.column, 1)
    end = span.end_column if span.end_line == span.line else len(text) + 1
    end = max(end, start + 1)
    if len(shown) > 160:  # a very long line: show a window around the span
        left = max(0, start - 60)
        shown = ("…" if left else "") + text[left : left + 140] + ("…" if left + 140 < len(text) else "")
        start = start - left + (1 if left else 0)
        end = min(end - left + (1 if left else 0), len(shown) + 1)
    gutter = str(span.line)
    pad = " " * len(gutter)
    return [
        f"{pad} |",
        f"{gutter} | {shown}",
        f"{pad} | {' ' * (start - 1)}{'^' * max(1, min(end - start, len(shown) - start + 2))}",
    ]


def render_text(diags: Iterable[Diagnostic], sources: Mapping[str, list[str]]) -> str:
    """Human-readable diagnostics with source excerpts; `sources` maps file to its lines. Made safe
    for a terminal: a control character in a file name, message or source line shows as U+FFFD."""
    out: list[str] = []
    for d in diags:
        out.append(
            f"{d.file}:{d.span.line}:{d.span.column}: {d.severity.value}[{d.code}]: {d.message}"
        )
        out.extend(_excerpt(sources.get(d.file, []), d.span))
        for r in d.related:
            out.append(f"  = note: {r.message}")
            out.append(f"    --> {r.file}:{r.span.line}:{r.span.column}")
            out.extend("    " + x for x in _excerpt(sources.get(r.file, []), r.span))
        if d.hint:
            out.append(f"  = help: {d.hint}")
        out.append("")
    return terminal("\n".join(out))


def summary_line(diags: list[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    infos = sum(d.severity is Severity.INFO for d in diags)

    def n(k: int, word: str) -> str:
        return f"{k} {word}{'' if k == 1 else 's'}"

    return f"{n(files, 'file')} checked: {n(errors, 'error')}, {n(warnings, 'warning')}, {n(infos, 'note')}"


_CATEGORY_ORDER = {c: i for i, c in enumerate(CATEGORIES)}


def report_order(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diags, key=lambda d: d.report_key)


def summarise(diags: list[Diagnostic], files: list[str]) -> dict:
    """Counts for the closing summary and the JSON `summary` object: by severity, by category
    (document findings first), by code, and per document by category."""
    def count(items: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for k in items:
            out[k] = out.get(k, 0) + 1
        return out

    by_category = count(d.category for d in diags)
    per_file: dict[str, dict[str, int]] = {f: {} for f in files}
    for d in diags:
        per_file.setdefault(d.file, {})
        per_file[d.file][d.category] = per_file[d.file].get(d.category, 0) + 1
    return {
        "files": len(files),
        "errors": sum(d.severity is Severity.ERROR for d in diags),
        "warnings": sum(d.severity is Severity.WARNING for d in diags),
        "notes": sum(d.severity is Severity.INFO for d in diags),
        "document_findings": sum(d.is_document_finding for d in diags),
        "by_category": {c: by_category[c] for c in CATEGORIES if c in by_category},
        "by_code": dict(sorted(count(d.code for d in diags).items())),
        "by_document": {
            f: {c: cats[c] for c in CATEGORIES if c in cats} for f, cats in sorted(per_file.items())
        },
    }


def render_summary(summary: dict) -> str:
    """The closing summary of `policyc check`: one line per document and one per category."""
    out = ["summary by document:"]
    width = max((len(f) for f in summary["by_document"]), default=0)
    for f, cats in summary["by_document"].items():
        text = ", ".join(f"{n} {c}" for c, n in cats.items()) or "no findings"
        out.append(f"  {f:<{width}}  {text}")
    out.append("summary by category:")
    for c, n in summary["by_category"].items():
        kind = "document" if c in DOCUMENT_CATEGORIES else "encoding"
        out.append(f"  {c:<9} {n:>5}  ({kind}: {CATEGORIES[c]})")
    if not summary["by_category"]:
        out.append("  no findings")
    return "\n".join(out)


def render_statistics(diags: list[Diagnostic]) -> str:
    """Counts per code, most frequent first, as `ruff --statistics` prints them."""
    counts: dict[str, int] = {}
    for d in diags:
        counts[d.code] = counts.get(d.code, 0) + 1
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "\n".join(f"{n:>5}  {code:<5}  {CODES[code].category:<9} {CODES[code].title}" for code, n in rows)


def render_json(diags: Iterable[Diagnostic], summary: dict | None = None) -> str:
    out: dict = {"diagnostics": [d.to_json() for d in diags]}
    if summary is not None:
        out["summary"] = summary
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"

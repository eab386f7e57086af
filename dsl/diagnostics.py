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

from dsl.ast import Span
from dsl.codes import CODES


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
    severity: Severity = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.severity is None:
            object.__setattr__(self, "severity", Severity(CODES[self.code].severity))

    @property
    def sort_key(self) -> tuple:
        return (self.file, self.span.line, self.span.column, self.code, self.message)

    def to_json(self) -> dict:
        out: dict = {
            "code": self.code,
            "severity": self.severity.value,
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
    """Human-readable diagnostics with source excerpts; `sources` maps file to its lines."""
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
    return "\n".join(out)


def summary_line(diags: list[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    infos = sum(d.severity is Severity.INFO for d in diags)

    def n(k: int, word: str) -> str:
        return f"{k} {word}{'' if k == 1 else 's'}"

    return f"{n(files, 'file')} checked: {n(errors, 'error')}, {n(warnings, 'warning')}, {n(infos, 'note')}"


def render_json(diags: Iterable[Diagnostic]) -> str:
    return json.dumps({"diagnostics": [d.to_json() for d in diags]}, indent=2, ensure_ascii=False) + "\n"

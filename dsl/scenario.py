"""Scenario tests (`*.policy-test`): grammar `scenario.lark`, typed AST, parser with diagnostics.

`parse_tests(source)` returns `(TestFile | None, [Diagnostic])` and never raises on bad input:
syntax errors are E101 to E104 with file, line and column, as for policies. What the names mean
(events, obligations, outcomes) is checked against the policy by `compiler.audit.scenarios`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from dsl.ast import Name, Span, Text
from dsl.diagnostics import Diagnostic
from dsl.source import SourceFile
from dsl.transformer import _name, _span, _text

GRAMMAR_PATH = Path(__file__).with_name("scenario.lark")
SUFFIX = ".policy-test"


@dataclass(frozen=True, slots=True)
class Attribute:
    name: Name
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class EventLine:
    date: Name
    event: Name
    attributes: tuple[Attribute, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ExtensionLine:
    """`DATE OBLIGATION extended until DATE`: an agreed extension recorded on DATE."""

    date: Name
    obligation: Name
    until: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Expectation:
    """`expect OBLIGATION [due DATE] OUTCOME [on DATE]`, or `expect no OBLIGATION` (absent)."""

    obligation: Name
    due: Name | None
    outcome: Name | None
    done: Name | None
    absent: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Child:
    born: Name
    attributes: tuple[Attribute, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class AsOf:
    date: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Scenario:
    title: Text
    items: tuple[Child | EventLine | ExtensionLine | AsOf | Expectation, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TestFile:
    path: str
    policy: Text
    scenarios: tuple[Scenario, ...]


class _ToAst(Transformer):
    def file(self, c: list) -> tuple[Text, tuple[Scenario, ...]]:
        return _text(c[1]), tuple(c[2:])

    def scenario(self, c: list) -> Scenario:
        return Scenario(_text(c[1]), tuple(c[2:]), _span(c[0], c[-1]))

    def attribute(self, c: list) -> Attribute:
        v = c[3]
        value = _text(v).value if v.type == "STRING" else str(v)
        return Attribute(_name(c[1]), value, _span(c[0], c[-1]))

    def child(self, c: list) -> Child:
        return Child(_name(c[2]), tuple(c[3:]), _span(c[0], c[-1]))

    def event_line(self, c: list) -> EventLine:
        return EventLine(_name(c[0]), _name(c[1]), tuple(c[2:]), _span(c[0], c[-1]))

    def extension_line(self, c: list) -> ExtensionLine:
        return ExtensionLine(_name(c[0]), _name(c[1]), _name(c[4]), _span(c[0], c[-1]))

    def as_of(self, c: list) -> AsOf:
        return AsOf(_name(c[2]), _span(c[0], c[-1]))

    def done(self, c: list) -> Name:
        return _name(c[1])

    def expect(self, c: list) -> Expectation:
        done = c[-1] if isinstance(c[-1], Name) else None
        rest = c[:-1] if done is not None else c
        due = _name(rest[3]) if len(rest) == 5 else None
        return Expectation(_name(rest[1]), due, _name(rest[-1]), done, False, _span(c[0], c[-1]))

    def expect_none(self, c: list) -> Expectation:
        return Expectation(_name(c[2]), None, None, None, True, _span(c[0], c[-1]))


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), start="file", parser="lalr", lexer="contextual",
                transformer=_ToAst(), maybe_placeholders=False)


@lru_cache(maxsize=1)
def _keywords() -> dict[str, str]:
    """Terminal name -> keyword, from the grammar."""
    return {t.name: t.pattern.value for t in _parser().terminals if t.pattern.type == "str"}


_DESCRIBE = {"NAME": "a name", "STRING": 'a quoted text (such as `"Visits"`)', "DATE": "a date (YYYY-MM-DD)",
             "INT": "a number", "$END": "the end of the file"}


def _expected(names: set[str]) -> str:
    words = sorted({_DESCRIBE.get(n) or f"`{_keywords().get(n, n.lower())}`" for n in names if not n.startswith("__")})
    if not words:
        return ""
    return "expected " + (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1])


def _syntax(src: SourceFile, err: UnexpectedInput) -> Diagnostic:
    line, column = getattr(err, "line", 1) or 1, getattr(err, "column", 1) or 1
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream or 0
        ch = src.text[pos] if pos < len(src.text) else ""
        if ch == '"':
            return Diagnostic("E102", "unterminated string: the line ends before the closing `\"`", src.path,
                              Span(line, column, line, len(src.line(line)) + 1), 'close the text with `"` on the same line')
        word = src.line(line)[column - 1:].split()[0] if src.line(line)[column - 1:].split() else ch
        hint = "write dates as YYYY-MM-DD" if ch.isdigit() else _expected(set(err.allowed or ())) or None
        return Diagnostic("E103", f"unexpected `{word[:40]}`", src.path, Span(line, column, line, column + len(word)), hint)
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        last = max(1, len(src.lines))
        while last > 1 and not src.line(last).strip():
            last -= 1
        end = len(src.line(last)) + 1
        return Diagnostic("E104", "the file ends in the middle of a line of a scenario", src.path,
                          Span(last, max(1, end - 1), last, end), _expected(set(getattr(err, "expected", ()))) or None)
    assert isinstance(err, UnexpectedToken)
    tok: Token = err.token
    expected = set(err.expected)
    tok_line, tok_column = tok.line or line, tok.column or column
    span = Span(tok_line, tok_column, tok.end_line or tok_line, tok.end_column or tok_column + 1)
    hint = None
    if tok.type == "NAME":
        wanted = [w for n, w in _keywords().items() if n in expected]
        close = difflib.get_close_matches(str(tok), wanted, n=1, cutoff=0.7)
        hint = f"did you mean `{close[0]}`?" if close else None
    if hint is None and "DATE" in expected and tok.type == "NAME":
        hint = "an event line starts with its date: `2024-01-08 icpc`"
    listed = _expected(expected)
    return Diagnostic("E101", f"unexpected `{str(tok)[:40]}`" + (f": {listed}" if listed else ""), src.path, span,
                      hint)


def parse_tests(src: SourceFile) -> tuple[TestFile | None, list[Diagnostic]]:
    if not src.text.strip():
        return None, [Diagnostic("E003", "the file is empty", src.path, Span(1, 1, 1, 1),
                                 'start the file with `tests "the-policy-file.policy"`')]
    try:
        tree = _parser().parse(src.text)
        # the transformer runs inside the parser: `file` gives (policy path, scenarios)
        policy, scenarios = cast(tuple[Text, tuple[Scenario, ...]], tree)
    except UnexpectedInput as err:
        return None, [_syntax(src, err)]
    return TestFile(src.path, policy, scenarios), []

"""The fast parse driver gives exactly what Lark's own loop gives: the same AST (spans included), the
same comments and noted strings, and no result wherever Lark raises a syntax error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from dsl import parser as P
from dsl.source import SourceFile
from tests.audit_samples import kitchen_sink_policy

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "policies").rglob("*.policy")) + sorted((ROOT / "tests").rglob("*.policy"))


def _collected() -> tuple[list[Any], list[tuple[str, int, int]]]:
    strings = [(str(t), t.line, t.column) for t in P._strings.items]
    comments = list(P._comments.items)
    P._comments.items, P._strings.items = [], []
    return comments, strings


def by_lark(text: str) -> tuple[Any, list[Any], list[tuple[str, int, int]]]:
    """Lark's own loop: the AST, or the type of its syntax error."""
    P._comments.items, P._strings.items = [], []
    try:
        result: Any = P._parser().parse(text)
    except UnexpectedInput as err:
        result = type(err)
    return (result, *_collected())


def by_driver(text: str) -> tuple[Any, list[Any], list[tuple[str, int, int]]]:
    driver = P._driver()
    assert driver is not None
    P._comments.items, P._strings.items = [], []
    return (driver.parse(text), *_collected())


def test_the_driver_runs_the_policy_grammar():
    assert P._driver() is not None


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_ast_as_lark_on_every_shipped_policy(path):
    text = path.read_text(encoding="utf-8")
    fast, lark = by_driver(text), by_lark(text)
    assert fast[0] is not None
    assert fast == lark


@pytest.mark.parametrize("text", [
    kitchen_sink_policy(),
    'policy "P"\r\n  authority "A"\r\n\r\nrole r "R" # a comment\r\n',  # CRLF, a comment at the end of a line
    'policy "P"\n# only a comment after the header',  # no final line break
    'policy "P"\n  authority "a line break \\n written in the text"\n',  # a string noted for E004
    'policy "P"\n\n\tobligation o "O"\n\t\tsocial_worker must do statutory_visit within 2 working days of icpc\n'
    '  then\n',  # a tab, and a keyword the driver cannot take: Lark decides
])
def test_same_result_as_lark_on_corner_cases(text):
    fast, lark = by_driver(text), by_lark(text)
    if isinstance(lark[0], type):
        assert fast[0] is None
    else:
        assert fast == lark


TEXTS = [p.read_text(encoding="utf-8") for p in SHIPPED[:6]]
NOISE = st.sampled_from(["withn", "evry", "->", "{", ":", "working days", "2024-01-01", "éè", '"', '"x"', "\\",
                         "must", "within", "of", "then", "every", "\n", "  ", "# c", "0", "1st", "§", "\x00", "\r\n",
                         "as soon as possible", "immediately after", "or", "instead of", "W405"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_same_result_as_lark_on_mutated_policies(data):
    """Where Lark raises, the driver gives up (and Lark's error is reported); elsewhere, identical."""
    lines = data.draw(st.sampled_from(TEXTS)).splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "cut", "insert"]))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
        else:
            pos = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + data.draw(st.sampled_from(["", " "])) + data.draw(NOISE) + " " + lines[i][pos:]
    text = "".join(lines)
    fast, lark = by_driver(text), by_lark(text)
    if isinstance(lark[0], type):
        assert fast[0] is None
    else:
        assert fast == lark


def test_parse_reports_lark_errors_after_the_driver_gives_up():
    tree, diags = P.parse(SourceFile("t.policy", 'policy "P"\nobligation o "O"\n  social_worker must do visit withn 5 days\n'))
    assert tree is None
    assert [(d.code, d.message, d.span.line, d.span.column) for d in diags] == [
        ("E101", "unexpected word `withn`", 3, 31)]


def test_ast_nodes_keep_their_dataclass_behaviour_with_the_quick_init():
    """`dsl.ast` replaces each node's generated `__init__` with one that stores through the slots:
    same signature and defaults, and the node stays frozen, equal and hashable."""
    import dataclasses
    import inspect

    from dsl import ast as A

    nodes = [c for c in vars(A).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
             and c.__module__ == A.__name__]
    assert len(nodes) > 30
    for node in nodes:
        assert node.__init__.__qualname__ == f"{node.__qualname__}.__init__"
        fields = [f.name for f in dataclasses.fields(node)]
        assert all(f"_set_{f}" in node.__init__.__globals__ for f in fields), node  # the quick one
        assert set(inspect.signature(node.__init__).parameters) == {"self", *fields}
    span = A.Span(1, 2, 1, 9)
    assert (span.line, span.column, span.end_line, span.end_column) == (1, 2, 1, 9)
    assert span == A.Span(1, 2, 1, 9) and hash(span) == hash(A.Span(1, 2, 1, 9)) and span != A.Span(1, 2, 1, 8)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.line = 3  # type: ignore[misc]
    event = A.EventDecl(A.Name("x", span), None, None, (), span)
    assert event.oversight is False and event.topics == ()  # defaults
    form = A.VagueForm(phrase="regularly", span=span)
    assert form.restarts == ()
    with pytest.raises(TypeError):
        A.VagueForm("regularly", span)  # type: ignore[misc]  # keyword-only fields stay keyword-only
    with pytest.raises(TypeError):
        A.Name("x")  # type: ignore[call-arg]
    assert dataclasses.replace(event, oversight=True).oversight is True
    assert repr(A.Name("x", span)) == "Name(text='x', span=Span(line=1, column=2, end_line=1, end_column=9))"

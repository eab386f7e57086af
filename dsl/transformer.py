"""Parse tree to typed AST. Runs inside the LALR parser (no intermediate tree is built).

Every keyword terminal is named in the grammar and kept, so each node takes its
span from its own first and last tokens; `propagate_positions` is not needed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lark import Token, Transformer

from dsl import ast as A
from dsl.ast import STATUTE


def _unquote(raw: str) -> str:
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _span(first: Any, last: Any) -> A.Span:
    """From the start of `first` to the end of `last` (tokens, nodes or spans)."""
    # Tokens, the usual case, are read here without a call (this runs once per node). Lark types token
    # positions as optional; the lexer sets them on every token it makes.
    if type(first) is Token:
        line, column = first.line, first.column
    else:
        a = _node_span(first)
        line, column = a.line, a.column
    if type(last) is Token:
        return A.Span(line, column, last.end_line, last.end_column)  # type: ignore[arg-type]
    b = _node_span(last)
    return A.Span(line, column, b.end_line, b.end_column)  # type: ignore[arg-type]


def _node_span(x: Any) -> A.Span:
    if type(x) is Token:
        # lark types token positions as optional; the lexer sets them on every token it makes
        return A.Span(x.line, x.column, x.end_line, x.end_column)  # type: ignore[arg-type]
    if type(x) is A.Span:
        return x
    if type(x) is tuple:  # ("kind", value, span) from an item rule, or (verb, action)
        return _node_span(x[-1])
    return x.span


# In `_name` and `_text` (the hot path, so no helper call): lark types token positions as optional;
# the lexer sets them on every token it makes.
def _name(tok: Token) -> A.Name:
    return A.Name(str(tok), A.Span(tok.line, tok.column, tok.end_line, tok.end_column))  # type: ignore[arg-type]


def _text(tok: Token) -> A.Text:
    return A.Text(_unquote(str(tok)), A.Span(tok.line, tok.column, tok.end_line, tok.end_column))  # type: ignore[arg-type]


def _tokens(children: list, kind: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type == kind]


def _first(children: list, kind: str) -> Token | None:
    for c in children:
        if isinstance(c, Token) and c.type == kind:
            return c
    return None


def _of(children: list, cls: type) -> list:
    return [c for c in children if isinstance(c, cls)]


_TIMING_FORMS = (A.DeadlineForm, A.SameDayForm, A.ScheduleForm, A.RecurrenceForm, A.CountForm, A.NoticeForm, A.AgeForm,
                 A.OrdinalForm,
                 A.VagueForm, A.MinimumForm, A.ShareForm, A.SetForm)
_EXCEPTION_ORDER = {A.InsteadOf: 0, A.Discretion: 1, A.Unless: 2}


class ToAst(Transformer):
    """Builds `dsl.ast` nodes; one method per grammar rule or alias."""

    # ---- header --------------------------------------------------------------
    def _header(self, kind: str, c: list) -> A.Header:
        fields = tuple(x for x in c[2:] if isinstance(x, A.HeaderField))
        allows = tuple(x for x in c[2:] if isinstance(x, A.Allow))
        return A.Header(kind, _text(c[1]), fields, allows, _span(c[0], c[-1]))

    def policy_header(self, c: list) -> A.Header:
        return self._header("policy", c)

    def vocabulary_header(self, c: list) -> A.Header:
        return self._header("vocabulary", c)

    def authority_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("authority", _text(c[1]), _span(c[0], c[-1]))

    def version_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("version", _text(c[1]), _span(c[0], c[-1]))

    def effective_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("effective", _name(c[1]), _span(c[0], c[-1]))

    def review_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("review", _name(c[2]), _span(c[0], c[-1]))

    def source_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("source", _text(c[1]), _span(c[0], c[-1]))

    def uses_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("uses", _text(c[1]), _span(c[0], c[-1]))

    def trigger_day_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("trigger_day", int(c[-1]), _span(c[0], c[-1]))

    def supersedes_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("supersedes", _text(c[1]), _span(c[0], c[-1]))

    def draft_field(self, c: list) -> A.HeaderField:
        return A.HeaderField("draft", True, _span(c[0], c[-1]))

    def file(self, c: list) -> A.PolicyFile:
        return A.PolicyFile(c[0], tuple(c[1:]))

    # ---- declarations ----------------------------------------------------------
    def same_as(self, c: list) -> tuple:
        return ("same_as", _name(c[2]), _span(c[0], c[-1]))

    def role_decl(self, c: list) -> A.RoleDecl:
        label = _first(c, "STRING")
        same = next((x[1] for x in c if isinstance(x, tuple)), None)
        return A.RoleDecl(_name(c[1]), _text(label) if label else None, same, _span(c[0], c[-1]))

    def recorded_as(self, c: list) -> A.RecordedAs:
        return A.RecordedAs(_name(c[2]), _text(c[3]), _span(c[0], c[-1]))

    def event_decl(self, c: list) -> A.EventDecl:
        label = c[2] if len(c) > 2 and isinstance(c[2], Token) and c[2].type == "STRING" else None
        same = next((x[1] for x in c if isinstance(x, tuple) and x[0] == "same_as"), None)
        return A.EventDecl(
            _name(c[1]),
            _text(label) if label else None,
            same,
            tuple(_of(c, A.RecordedAs)),
            _span(c[0], c[-1]),
            oversight=any(isinstance(x, tuple) and x[0] == "oversight" for x in c),
            topics=tuple(x[1] for x in c if isinstance(x, tuple) and x[0] == "topic"),
        )

    def topic(self, c: list) -> tuple:
        return ("topic", _name(c[1]), _span(c[0], c[1]))

    def oversight(self, c: list) -> tuple:
        return ("oversight", True, _span(c[0], c[0]))

    def name_list(self, c: list) -> tuple:
        return ("names", tuple(_name(t) for t in _tokens(c, "NAME")), _span(c[0], c[-1]))

    def service(self, c: list) -> tuple:
        return ("service", _name(c[1]), _span(c[0], c[-1]))

    def entered_on(self, c: list) -> tuple:
        return ("entered", c[2][1], _span(c[0], c[-1]))

    def left_on(self, c: list) -> tuple:
        return ("left", c[2][1], _span(c[0], c[-1]))

    def initial(self, c: list) -> tuple:
        return ("initial", True, _span(c[0], c[0]))

    def final(self, c: list) -> tuple:
        return ("final", True, _span(c[0], c[0]))

    def open_case(self, c: list) -> tuple:
        return ("open", True, _span(c[0], c[0]))

    def status_decl(self, c: list) -> A.StatusDecl:
        label = c[2] if len(c) > 2 and isinstance(c[2], Token) and c[2].type == "STRING" else None
        items: dict[str, Any] = {}
        entered: list[A.Name] = []
        left: list[A.Name] = []
        for x in c:
            if isinstance(x, tuple):
                if x[0] == "entered":
                    entered.extend(x[1])
                elif x[0] == "left":
                    left.extend(x[1])
                else:
                    items[x[0]] = x[1]
        return A.StatusDecl(
            _name(c[1]),
            _text(label) if label else None,
            items.get("same_as"),
            items.get("service"),
            tuple(entered),
            tuple(left),
            bool(items.get("initial")),
            bool(items.get("final")),
            _span(c[0], c[-1]),
            open=bool(items.get("open")),
        )

    def attribute_type(self, c: list) -> tuple:
        return ("type", _name(c[1]), _span(c[0], c[-1]))

    def coded_as(self, c: list) -> A.CodedAs:
        return A.CodedAs(_name(c[2]), tuple(_text(t) for t in _tokens(c, "STRING")), _span(c[0], c[-1]))

    def attribute_value(self, c: list) -> A.ValueDecl:
        label = c[2] if len(c) > 2 and isinstance(c[2], Token) and c[2].type == "STRING" else None
        return A.ValueDecl(_name(c[1]), _text(label) if label else None, tuple(_of(c, A.CodedAs)),
                           _span(c[0], c[-1]), next(iter(_of(c, A.Duration)), None))

    def value_is(self, c: list) -> A.Duration:
        duration: A.Duration = c[1]
        return duration

    def attribute_decl(self, c: list) -> A.AttributeDecl:
        label = c[2] if len(c) > 2 and isinstance(c[2], Token) and c[2].type == "STRING" else None
        kind = next((x[1] for x in c if isinstance(x, tuple) and x[0] == "type"), None)
        return A.AttributeDecl(_name(c[1]), _text(label) if label else None, kind, tuple(_of(c, A.RecordedAs)),
                               tuple(_of(c, A.ValueDecl)), _span(c[0], c[-1]))

    def transition_condition(self, c: list) -> tuple:
        return ("when", _text(c[1]), _span(c[0], c[-1]))

    def decided_by(self, c: list) -> tuple:
        return ("by", _name(c[2]), _span(c[0], c[-1]))

    def transition_decl(self, c: list) -> A.TransitionDecl:
        names = _tokens(c[:7], "NAME")
        conds = tuple(x[1] for x in c if isinstance(x, tuple) and x[0] == "when")
        by = next((x[1] for x in c if isinstance(x, tuple) and x[0] == "by"), None)
        return A.TransitionDecl(
            _name(names[0]), _name(names[1]), _name(names[2]), conds, by, _span(c[0], c[-1])
        )

    # ---- obligations -----------------------------------------------------------
    def citation(self, c: list) -> A.Citation:
        return A.Citation(_text(c[1]), _text(c[2]), _span(c[0], c[-1]))

    def allow(self, c: list) -> A.Allow:
        return A.Allow(str(c[1]), _text(c[3]), _span(c[0], c[-1]))

    def while_status(self, c: list) -> tuple:
        return ("while", _name(c[1]), _span(c[0], c[-1]))

    def extension(self, c: list) -> A.Extension:
        return A.Extension(_name(c[2]), c[-1], _span(c[0], c[-1]))

    def attribute_condition(self, c: list) -> A.AttributeCondition:
        negated = _first(c, "NOT") is not None
        values: list[Any] = []
        for x in c[3:]:
            if isinstance(x, Token):
                if x.type == "NAME":
                    values.append(_name(x))
                elif x.type == "STRING":
                    values.append(_text(x))
                elif x.type == "INT":
                    values.append(int(x))
        return A.AttributeCondition(_name(c[1]), negated, tuple(values), _span(c[0], c[-1]))

    def age_comparison(self, c: list) -> str:
        return " ".join(str(t) for t in c)

    def age_condition(self, c: list) -> A.AgeCondition:
        return A.AgeCondition(c[2], tuple(_of(c, A.Duration)), _span(c[0], c[-1]))

    def prose_condition(self, c: list) -> A.ProseCondition:
        return A.ProseCondition(_text(c[1]), _span(c[0], c[-1]))

    def modality(self, c: list) -> Token:
        return c[0]

    def action(self, c: list) -> tuple:
        if len(c) == 2:
            return (_name(c[0]), _name(c[1]))
        return (None, _name(c[0]))

    def duty(self, c: list) -> A.Duty:
        role = _name(c[0]) if isinstance(c[0], Token) and c[0].type == "NAME" else None
        modality = next(x for x in c if isinstance(x, Token) and x.type in ("MUST", "SHOULD"))
        verb, action = next(x for x in c if isinstance(x, tuple))
        timing = next((x for x in c if isinstance(x, _TIMING_FORMS)), None)
        minimum = next((x for x in c if isinstance(x, A.Minimum)), None)
        return A.Duty(role, str(modality), verb, action, timing, _span(c[0], c[-1]), minimum)

    def minimum_within(self, c: list) -> A.Minimum:
        return A.Minimum("within", c[3], _span(c[0], c[-1]))

    def minimum_every(self, c: list) -> A.Minimum:
        return A.Minimum("every", c[3], _span(c[0], c[-1]))

    def instead_of(self, c: list) -> A.InsteadOf:
        return A.InsteadOf(_name(c[2]), _span(c[0], c[-1]))

    def discretion(self, c: list) -> A.Discretion:
        return A.Discretion(_name(c[2]), _name(c[4]), _span(c[0], c[-1]))

    def unless_event(self, c: list) -> A.Unless:
        return A.Unless(_name(c[1]), None, _span(c[0], c[-1]))

    def unless_prose(self, c: list) -> A.Unless:
        return A.Unless(None, _text(c[1]), _span(c[0], c[-1]))

    def obligation_decl(self, c: list) -> A.ObligationDecl:
        title = c[2] if len(c) > 2 and isinstance(c[2], Token) and c[2].type == "STRING" else None
        return A.ObligationDecl(
            _name(c[1]),
            _text(title) if title else None,
            tuple(_of(c, A.Citation)),
            tuple(x[1] for x in c if isinstance(x, tuple) and x[0] == "while"),
            tuple(x for x in c if isinstance(x, A.AttributeCondition | A.AgeCondition | A.ProseCondition)),
            tuple(_of(c, A.Duty)),
            tuple(_of(c, A.Extension)),
            tuple(_of(c, A.Allow)),
            _span(c[0], c[-1]),
            # in canonical order (as `policyc fmt` writes them): instead of, decided by, unless
            tuple(sorted((x for x in c if isinstance(x, A.InsteadOf | A.Discretion | A.Unless)),
                         key=lambda x: _EXCEPTION_ORDER[type(x)])),
        )

    def _note(self, kind: str, c: list) -> A.NoteDecl:
        title = c[2] if len(c) > 2 and isinstance(c[2], Token) and c[2].type == "STRING" else None
        return A.NoteDecl(
            kind,
            _name(c[1]),
            _text(title) if title else None,
            tuple(_of(c, A.Citation)),
            tuple(_of(c, A.Allow)),
            _span(c[0], c[-1]),
        )

    def principle_decl(self, c: list) -> A.NoteDecl:
        return self._note("principle", c)

    def checklist_decl(self, c: list) -> A.NoteDecl:
        return self._note("checklist", c)

    # ---- timing ------------------------------------------------------------------
    def duration(self, c: list) -> A.Duration:
        unit = " ".join(str(c[1]).split())
        return A.Duration(int(c[0]), unit, _span(c[0], c[1]))

    def whichever(self, c: list) -> tuple:
        return ("whichever", str(c[2]), _span(c[0], c[-1]))

    def deadline(self, c: list) -> A.DeadlineForm:
        names = [_name(t) for t in _tokens(c, "NAME")]
        whichever = next((x[1] for x in c if isinstance(x, tuple)), None)
        return A.DeadlineForm(duration=c[1], event=names[0], span=_span(c[0], c[-1]), others=tuple(names[1:]),
                              whichever=whichever)

    def window(self, c: list) -> A.DeadlineForm:
        return A.DeadlineForm(duration=c[3], event=_name(c[5]), span=_span(c[0], c[-1]), opens=int(str(c[1])))

    def immediately(self, c: list) -> A.SameDayForm:
        return A.SameDayForm(said="immediately", event=_name(c[2]), span=_span(c[0], c[-1]))

    def same_day(self, c: list) -> A.SameDayForm:
        return A.SameDayForm(said="same day", event=_name(c[5]), span=_span(c[0], c[-1]))

    def then_within(self, c: list) -> A.ThenWithin:
        return A.ThenWithin(c[2], _span(c[0], c[-1]), anchor=c[3] if len(c) > 3 else None)

    def anchor(self, c: list) -> A.Name:
        return _name(c[1])

    def then_every(self, c: list) -> A.ThenEvery:
        bound = c[3] if len(c) > 3 else None
        return A.ThenEvery(c[2], bound, _span(c[0], c[-1]))

    def schedule(self, c: list) -> A.ScheduleForm:
        return A.ScheduleForm(duration=c[2], event=_name(c[4]), steps=tuple(x for x in c[5:]),
                              span=_span(c[0], c[-1]))

    def from_event(self, c: list) -> tuple:
        return ("from", _name(c[1]), _span(c[0], c[-1]))

    def until_event(self, c: list) -> A.UntilBound:
        ordinal = _first(c, "ORDINAL")
        return A.UntilBound(_name(_tokens(c, "NAME")[0]), int(str(ordinal)[:-2]) if ordinal else None,
                            _span(c[0], c[-1]))

    def for_duration(self, c: list) -> A.ForBound:
        return A.ForBound(c[1], _span(c[0], c[-1]), start=c[2][1] if len(c) > 2 else None)

    def recurrence(self, c: list) -> A.RecurrenceForm:
        frm = next((x[1] for x in c if isinstance(x, tuple)), None)
        bound = next((x for x in c if isinstance(x, A.UntilBound | A.ForBound)), None)
        return A.RecurrenceForm(duration=c[1], event=frm, bound=bound, span=_span(c[0], c[-1]))

    def advance_notice(self, c: list) -> A.NoticeForm:
        frm = next((x[1] for x in c if isinstance(x, tuple)), None)
        return A.NoticeForm(duration=c[2], event=_name(_tokens(c, "NAME")[0]), span=_span(c[0], c[-1]),
                            from_ordinal=frm)

    def notice_from(self, c: list) -> tuple:
        return ("from_ordinal", int(str(c[2])[:-2]), _span(c[0], c[-1]))

    def count_recurrence(self, c: list) -> A.CountForm:
        return A.CountForm(ordinal=int(str(c[1])[:-2]), event=_name(c[2]), span=_span(c[0], c[-1]))

    def minimum_period(self, c: list) -> A.MinimumForm:
        return A.MinimumForm(duration=c[3], event=_name(c[5]), span=_span(c[0], c[-1]))

    def share(self, c: list) -> A.ShareForm:
        word = str(c[3])
        said, percent = ("half", 50) if word == "half" else ("percent", int(word[:-1]))
        return A.ShareForm(percent=percent, said=said, event=_name(c[5]), span=_span(c[0], c[-1]))

    def age_milestone(self, c: list) -> A.AgeForm:
        return A.AgeForm(age=tuple(_of(c, A.Duration)), span=_span(c[0], c[-1]))

    def ordinal_milestone(self, c: list) -> A.OrdinalForm:
        return A.OrdinalForm(ordinal=int(str(c[2])[:-2]), event=_name(c[3]), span=_span(c[0], c[-1]))

    def vague(self, c: list) -> A.VagueForm:
        return A.VagueForm(phrase=" ".join(str(c[0]).split()), span=_span(c[0], c[0]))

    def deferral(self, c: list) -> A.VagueForm:
        to = c[3]
        target = _text(to) if to.type == "STRING" else A.Text(STATUTE, _span(to, to))
        phrase = "as set by statute" if to.type != "STRING" else f"as set by {str(to)}"
        return A.VagueForm(phrase=phrase, span=_span(c[0], to), defers_to=target)

    def set_recurrence(self, c: list) -> A.SetForm:
        return A.SetForm(kind="every", attribute=_name(c[1]), event=_name(c[5]), span=_span(c[0], c[-1]))

    def set_deadline(self, c: list) -> A.SetForm:
        return A.SetForm(kind="within", attribute=_name(c[1]), event=_name(c[5]), span=_span(c[0], c[-1]))

    def restart(self, c: list) -> A.Restart:
        return A.Restart(c[2], _name(c[4]), _span(c[0], c[-1]))

    def timing(self, c: list) -> A.Timing:
        base: A.Timing = c[0]
        restarts = tuple(c[1:])
        if not restarts:
            return base
        return dataclasses.replace(base, span=_span(base.span, restarts[-1].span), restarts=restarts)

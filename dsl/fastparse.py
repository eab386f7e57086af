"""A fast driver for a Lark LALR parser: Lark's own tables, lexer expressions and callbacks, one loop.

Lark's parse loop spends most of its time on machinery around each token: a generator and two method
calls per match, a `Token` built through two Python constructors, a line-counter object, a method call
per shift or reduce. `Driver` runs the same contextual lexing (each parser state's own compiled
expression, the same keyword resolution, the same line and column counting) and the same LALR(1)
automaton with the same rule callbacks (so the transformer builds the same AST), in one function with
local variables, and builds each token without Lark's two-step constructor.

It handles valid input only. At the first character no terminal matches, or the first token the table
has no action for, it gives up and returns None: the caller then runs Lark itself, whose exception is
the one the diagnostics are made from. Anything in a grammar it does not reproduce exactly (regular
expression flags on keywords, a postlexer) makes `Driver.of` return None, and Lark is always used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lark import Lark, Token
from lark.lexer import CallChain, ContextualLexer, PatternStr, UnlessCallback
from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild
from lark.parsers.lalr_analysis import Shift

# Tokens are `lark.Token`s made by `str.__new__` with their slots set directly: Lark's constructor is
# two Python calls per token.
_new = str.__new__

# A reduce action: (number of children, callback, the rule's nonterminal). Two callbacks are done
# inline: `_SAME` (a `?rule` of one child: the child itself) and `_APPEND` (`item*` or `item+` after
# the first item: Lark's helper rule, whose value the parent rule only reads the `children` of).
_Reduce = tuple[int, Callable[[list[Any]], Any], str]


def _SAME(children: list[Any]) -> Any:
    return children[0]


def _APPEND(children: list[Any]) -> Any:
    children[0].children.append(children[1])
    return children[0]


def _reduce(rule: Any, callback: Callable[[list[Any]], Any]) -> _Reduce:
    size, origin = len(rule.expansion), str(rule.origin.name)
    if size == 1 and isinstance(callback, ExpandSingleChild):
        return size, _SAME, origin
    if (size == 2 and origin.startswith("__") and isinstance(callback, ChildFilterLALR_NoPlaceholders)
            and callback.to_include == [(0, True), (1, False)]):
        return size, _APPEND, origin
    return size, callback, origin


# How the lexer treats a terminal in a state: (ignored, may hold a line break, keyword text -> keyword
# terminal or None, the user's lexer callback or None).
_Terminal = tuple[bool, bool, dict[str, str] | None, Callable[[Token], Token] | None]
# A state's lexer: its expression's `match`, and each of its terminals.
_StateLexer = tuple[Callable[..., Any], dict[str, _Terminal]]


class Unsupported(Exception):
    """The grammar uses something the driver does not reproduce; Lark is used instead."""


def _keywords(lexer: Any) -> dict[str, dict[str, str]]:
    """For each terminal whose matches may be keywords (a NAME that reads `obligation`): keyword text ->
    keyword terminal, as Lark's `UnlessCallback` resolves it in this state."""
    out: dict[str, dict[str, str]] = {}
    for type_, callback in lexer.callback.items():
        if isinstance(callback, CallChain):
            callback = callback.callback1
        if not isinstance(callback, UnlessCallback):
            continue
        words: dict[str, str] = {}
        for term in callback.scanner.terminals:
            if not isinstance(term.pattern, PatternStr) or term.pattern.flags or lexer.g_regex_flags:
                raise Unsupported(f"keyword {term.name} with flags")
            words.setdefault(str(term.pattern.value), str(term.name))
        out[str(type_)] = words
    return out


def _matcher(lexer: Any) -> Callable[..., Any]:
    """The state's compiled expression's `match` (Lark splits very large ones into several)."""
    mres = lexer.scanner._mres
    if len(mres) == 1:
        return mres[0].match

    def match(text: str, pos: int) -> Any:
        for mre in mres:
            m = mre.match(text, pos)
            if m:
                return m
        return None

    return match


class Driver:
    """Lark's LALR tables and contextual lexer for one `Lark` object, run by `parse`."""

    def __init__(self, lark: Lark, start: str) -> None:
        if lark.options.postlex is not None or lark.options.parser != "lalr":
            raise Unsupported("a postlexer, or a parser other than LALR")
        frontend = lark.parser
        contextual = frontend.lexer
        if not isinstance(contextual, ContextualLexer):
            raise Unsupported("a lexer other than the contextual one")
        parser = frontend.parser.parser
        table = parser.parse_table
        callbacks = parser.callbacks
        self.start: int = table.start_states[start]
        self.end: int = table.end_states[start]
        self.user_callbacks: dict[str, Callable[[Token], Token]] = {str(k): v for k, v in lark.lexer_conf.callbacks.items()}
        self.terminal_callbacks = {str(k): v for k, v in callbacks.items() if isinstance(k, str)}
        self.actions: dict[int, dict[str, int | _Reduce]] = {}
        self.gotos: dict[int, dict[str, int]] = {}
        for state, row in table.states.items():
            acts: dict[str, int | _Reduce] = {}
            gotos: dict[str, int] = {}
            for name, (action, arg) in row.items():
                symbol = str(name)  # Lark's names may be `Token`s, whose comparison is a Python call
                if action is Shift:
                    (acts if symbol.isupper() or symbol == "$END" else gotos)[symbol] = arg
                else:
                    acts[symbol] = _reduce(arg, callbacks[arg])
            self.actions[state] = acts
            self.gotos[state] = gotos
        built: dict[int, _StateLexer] = {}
        self.lexers: dict[int, _StateLexer] = {}
        lexer: Any  # Lark's BasicLexer (typed as its abstract base)
        for state, lexer in contextual.lexers.items():
            if id(lexer) not in built:
                match = _matcher(lexer)  # builds the scanner, and with it `lexer.callback`
                keywords = _keywords(lexer)
                ignore, newline = set(map(str, lexer.ignore_types)), set(map(str, lexer.newline_types))
                terminals = {name: (name in ignore, name in newline, keywords.get(name), self.user_callbacks.get(name))
                             for name in map(str, lexer.scanner.allowed_types)}
                built[id(lexer)] = (match, terminals)
            self.lexers[state] = built[id(lexer)]

    @classmethod
    def of(cls, lark: Lark, start: str) -> Driver | None:
        try:
            return cls(lark, start)
        except (Unsupported, AttributeError, KeyError, TypeError):
            return None

    def parse(self, text: str) -> Any | None:  # noqa: C901 - one loop: lexing, shifting and reducing inline is the point
        """The callbacks' result for the start rule, or None where the text is not in the language."""
        lexers, actions, gotos = self.lexers, self.actions, self.gotos
        terminal_callbacks = self.terminal_callbacks
        new, cls = _new, Token
        state = self.start
        state_stack = [state]
        value_stack: list[Any] = []
        pos, end, line, line_start = 0, len(text), 1, 0
        final = self.end
        while True:
            if pos < end:
                match, terminals = lexers[state]
                m = match(text, pos)
                if m is None:
                    return None
                value = m.group()
                type_ = m.lastgroup
                after = pos + len(value)
                ignored, newline, words, callback = terminals[type_]
                if ignored and callback is None:  # whitespace
                    if newline:
                        count = value.count("\n")
                        if count:
                            line += count
                            line_start = pos + value.rindex("\n") + 1
                    pos = after
                    continue
                kind = words.get(value, type_) if words is not None else type_
                tok = new(cls, value)
                tok.type, tok.value, tok.start_pos, tok.end_pos = kind, value, pos, after
                tok.line, tok.column = line, pos - line_start + 1
                if newline:
                    count = value.count("\n")
                    if count:
                        line += count
                        line_start = pos + value.rindex("\n") + 1
                tok.end_line, tok.end_column = line, after - line_start + 1
                pos = after
                if callback is not None and kind == type_:
                    tok = callback(tok)
                if ignored:  # a comment: Lark makes a token for an ignored terminal with a callback
                    continue
            else:
                kind, tok = "$END", None
            while True:
                act = actions[state].get(kind)
                if act is None:
                    return None
                if type(act) is int:
                    if tok is None:
                        return None
                    state = act
                    state_stack.append(state)
                    value_stack.append(terminal_callbacks[kind](tok) if kind in terminal_callbacks else tok)
                    break
                size, reduce, origin = act  # type: ignore[misc]  # a reduce: `type(act) is int` (a shift) does not narrow
                if reduce is _SAME:
                    state = gotos[state_stack[-2]][origin]
                    state_stack[-1] = state
                elif reduce is _APPEND:
                    item = value_stack.pop()
                    value_stack[-1].children.append(item)
                    state_stack.pop()
                    state = gotos[state_stack[-2]][origin]
                    state_stack[-1] = state
                else:
                    if size:
                        children = value_stack[-size:]
                        del state_stack[-size:]
                        del value_stack[-size:]
                    else:
                        children = []
                    state = gotos[state_stack[-1]][origin]
                    state_stack.append(state)
                    value_stack.append(reduce(children))
                if tok is None and state == final:
                    return value_stack[-1]

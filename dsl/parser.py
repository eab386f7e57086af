"""The parser: Lark LALR with the AST transformer inline, and errors as diagnostics.

Valid text is parsed by `dsl.fastparse.Driver` (Lark's tables, lexer and callbacks in one loop);
where it stops, Lark's own parser runs and its exception becomes the diagnostic.

`parse(source)` returns `(PolicyFile | None, [Diagnostic])`; it never raises on bad
input. Syntax errors name what was found and what could come instead in plain words,
with a "did you mean" hint when a word is close to a keyword.
"""

from __future__ import annotations

import difflib
import gc
import re
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from dsl import ast as A
from dsl import user_cache
from dsl.diagnostics import Diagnostic
from dsl.fastparse import Driver
from dsl.source import SourceFile
from dsl.text import describe, forbidden_in_file
from dsl.transformer import ToAst, _unquote

GRAMMAR_PATH = Path(__file__).with_name("policy.lark")

# How each terminal is described to an author. Keywords are described by their word.
_DESCRIBE = {
    "NAME": "a name (such as `social_worker`)",
    "STRING": 'a quoted text (such as `"3.17"`)',
    "DATE": "a date (YYYY-MM-DD)",
    "INT": "a number",
    "ORDINAL": "an ordinal (such as `2nd`)",
    "PERCENT": "a percentage (such as `75%`)",
    "CODE": "a diagnostic code (such as `W405`)",
    "UNIT": "a time unit (such as `working days`)",
    "VAGUE": "a vague timing (such as `as soon as possible`)",
    "$END": "the end of the file",
}


class _Comments:
    """Collects comments through the lexer callback (they are ignored by the grammar)."""

    def __init__(self) -> None:
        self.items: list[A.Comment] = []

    def __call__(self, tok: Token) -> Token:
        self.items.append(A.Comment(str(tok), tok.line or 1, tok.column or 1))
        return tok


_comments = _Comments()


class _Strings:
    """Notes, through the lexer callback, each string whose value holds a forbidden character
    that the raw text does not show (a line break written `\\n`)."""

    def __init__(self) -> None:
        self.items: list[Token] = []

    def __call__(self, tok: Token) -> Token:
        if ("\\" in tok and "\n" in _unquote(str(tok))) or len(tok) > MAX_TEXT + 2:
            self.items.append(tok)
        return tok


_strings = _Strings()
MAX_TEXT = 4_000  # characters in one text (E232)
MAX_NAME = 200  # characters in one name
_LONG_NAME = re.compile(r"[A-Za-z0-9_]{" + str(MAX_NAME + 1) + ",}")
_STRINGS_AND_COMMENTS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#.*')


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    cache = _grammar_cache(grammar)
    built = Lark(
        grammar,
        start="file",
        parser="lalr",
        lexer="contextual",
        transformer=ToAst(),
        lexer_callbacks={"COMMENT": _comments, "STRING": _strings},
        maybe_placeholders=False,
        cache=str(cache) if cache is not None else False,
    )
    if cache is not None:  # Lark writes the file with the user's umask (group-writable where it is 002)
        user_cache.keep_private(cache)
    return built


def _grammar_cache(grammar: str) -> Path | None:
    """Where Lark keeps the analysed grammar between commands (building it cost 0.08-0.21 s of every
    start): a file in the user's own cache folder (`dsl.user_cache`), named for the grammar's text and
    Lark's version (Lark checks both again inside the file), used only while no one else can write to
    it; None (no cache) otherwise."""
    import hashlib

    import lark

    folder = user_cache.cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(grammar.encode("utf-8")).hexdigest()[:16]
    path = folder / f"grammar-{digest}-lark-{lark.__version__}.pickle"
    if path.exists() and not user_cache.private(path):
        return None
    return path


@lru_cache(maxsize=1)
def _driver() -> Driver | None:
    """The fast driver over the parser's own tables and callbacks (None: Lark's loop is used)."""
    return Driver.of(_parser(), "file")


@lru_cache(maxsize=1)
def keywords() -> dict[str, str]:
    """Keyword text -> terminal name, from the grammar itself."""
    out: dict[str, str] = {}
    for term in _parser().terminals:
        pattern = term.pattern
        if pattern.type == "str" and pattern.value.isalpha():
            out[pattern.value] = term.name
    return out


@lru_cache(maxsize=1)
def terminal_patterns() -> dict[str, str]:
    """Each terminal's pattern as written in the grammar (a regular expression or a literal word)."""
    return {term.name: term.pattern.value for term in _parser().terminals}


def describe_terminal(name: str) -> str:
    if name in _DESCRIBE:
        return _DESCRIBE[name]
    for word, term in keywords().items():
        if term == name:
            return f"`{word}`"
    return name.lower()


def _describe_found(tok: Token) -> str:
    if tok.type == "$END":
        return "the end of the file"
    text = str(tok)
    if len(text) > 40:
        text = text[:37] + "..."
    if tok.type in ("NAME", "UNIT") and text in keywords():
        return f"the word `{text}`"
    kind = {"STRING": "text", "INT": "number", "NAME": "name", "DATE": "date"}.get(tok.type, "")
    return f"{kind} `{text}`".strip() if kind else f"`{text}`"


def _expected_list(expected: set[str]) -> str:
    words = sorted({describe_terminal(e) for e in expected if not e.startswith("__")})
    if not words:
        return ""
    if len(words) > 8:
        return "expected " + ", ".join(words[:8]) + f" or one of {len(words) - 8} more"
    if len(words) == 1:
        return "expected " + words[0]
    return "expected " + ", ".join(words[:-1]) + " or " + words[-1]


NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}
FREQUENCY_WORDS = {"fortnightly": "every 2 weeks", "weekly": "every 1 week", "monthly": "every 1 month",
                   "quarterly": "every 3 months", "annually": "every 1 year", "yearly": "every 1 year",
                   "daily": "every 1 day"}
DECLARATION_WORDS = ("obligation", "principle", "checklist", "status", "event", "role", "policy", "vocabulary")


def _hint_for_word(word: str, expected: set[str]) -> str | None:
    """Suggest the keyword nearest to a misspelt word, preferring those expected here."""
    low = word.lower()
    if low in NUMBER_WORDS:
        return f"write numbers as digits: `{NUMBER_WORDS[low]}`"
    if low in FREQUENCY_WORDS:
        return f"write `{FREQUENCY_WORDS[low]}`"
    kws = keywords()
    wanted = [w for w, t in kws.items() if t in expected] or list(kws)
    close = difflib.get_close_matches(word.lower(), wanted, n=1, cutoff=0.7)
    if close:
        return f"did you mean `{close[0]}`?"
    return None


def _context_hint(src: SourceFile, line: int, column: int, expected: set[str]) -> str | None:
    """Hints from the shape of the line: an unquoted title, a clause number without quotes,
    a frequency word where a timing belongs."""
    text = src.line(line)
    words = text.split()
    if words and words[0] in DECLARATION_WORDS and len(words) > 2 and '"' not in text:
        return f'put the title in double quotes: `{words[0]} {words[1]} "{" ".join(words[2:])}"`'
    before = text[: max(column - 1, 0)].split()
    if before and before[-1].lower() in FREQUENCY_WORDS:
        return f"write `{FREQUENCY_WORDS[before[-1].lower()]}` instead of `{before[-1]}`"
    if "STRING" in expected:
        return 'text goes in double quotes, such as `"3.17"`'
    return None


# Phrases that read like timings but that the language cannot say: (code, pattern at the error
# position, message, hint, what the text before it must end with). The pattern may start up to one
# word before the error (`at most`: the parser accepts `at` and fails at `most`).
_UNSAYABLE: tuple[tuple[str, re.Pattern[str], str, str, re.Pattern[str] | None], ...] = (
    ("E111", re.compile(r"no\s+later\s+than\b", re.IGNORECASE),
     "`no later than` is not a timing",
     "write a deadline as `within DURATION of EVENT`; for an aim and a limit on one duty write "
     "`should ... within 24 hours of EVENT and must within 3 working days`", None),
    ("E112", re.compile(r"at\s+most\b", re.IGNORECASE),
     "`at most` is not a timing",
     "write `every DURATION` for a longest gap between occurrences, or `within DURATION of EVENT` for a deadline",
     None),
    ("E113", re.compile(r"before\s+age\b", re.IGNORECASE),
     "`before age` is not a timing",
     "write `by age 16 years` for a milestone, or put `when age under 16 years` on its own line "
     "for a duty that applies only before that age", None),
    ("E114", re.compile(r"(?:every|within)\s+[A-Za-z_]\w*\s+as\s+set\s+at\b", re.IGNORECASE),
     "a timescale set per child (`as set at`) cannot be a step of a schedule",
     "write `every ATTRIBUTE as set at EVENT` as the duty's whole timing; a first visit with its own deadline is "
     "an obligation of its own", None),
    ("E114", re.compile(r"as\s+(?:agreed|decided)\s+at\b", re.IGNORECASE),
     "a timescale set per child is written `as set at`",
     "write `every ATTRIBUTE as set at EVENT` or `within ATTRIBUTE as set at EVENT`", None),
)


def _unsayable(src: SourceFile, line: int, column: int) -> Diagnostic | None:
    """A specific message for a phrase the language cannot say, found at the error position."""
    text = src.line(line)
    starts = [column - 1]
    before = re.search(r"([A-Za-z]+)\s+$", text[: column - 1])
    if before:
        starts.append(before.start(1))
    for code, pattern, message, hint, context in _UNSAYABLE:
        for start in starts:
            m = pattern.match(text, start)
            if m and (context is None or context.search(text[:start])):
                return Diagnostic(code, message, src.path,
                                  A.Span(line, start + 1, line, m.end() + 1), hint=hint)
    return None


def _syntax_diagnostic(src: SourceFile, err: UnexpectedInput) -> Diagnostic:  # noqa: C901 - one branch per kind of syntax error that gets its own message and hint
    line = getattr(err, "line", 1) or 1
    column = getattr(err, "column", 1) or 1
    if not isinstance(err, UnexpectedEOF) and line <= len(src.lines):
        found = _unsayable(src, line, column)
        if found is not None:
            return found
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream or 0
        ch = src.text[pos] if pos < len(src.text) else ""
        span = A.Span(line, column, line, column + 1)
        if ch == '"':
            return Diagnostic(
                "E102", "unterminated string: the line ends before the closing `\"`", src.path,
                A.Span(line, column, line, len(src.line(line)) + 1),
                hint='close the text with `"` on the same line; write `\\"` for a quote mark inside it',
            )
        if ch.isdigit():
            rest = src.line(line)[column - 1 :].split()[0] if src.line(line)[column - 1 :].split() else ch
            allowed = set(err.allowed or ())
            return Diagnostic(
                "E101", f"unexpected number `{rest[:20]}`" + (f": {_expected_list(allowed)}" if allowed else ""),
                src.path, A.Span(line, column, line, column + len(rest)),
                hint=_context_hint(src, line, column, allowed),
            )
        shown = repr(ch)[1:-1] if not ch.isprintable() else ch
        hint = None
        if ch in "-=>":
            hint = "use words, not symbols: `transition from A to B on EVENT`"
        elif ch in "{}[]();:":
            hint = "blocks are made by keywords, not brackets; put prose inside quotes"
        elif ch.isalpha() and err.allowed:
            word = ""
            rest = src.line(line)[column - 1 :]
            for c in rest:
                if not (c.isalnum() or c == "_"):
                    break
                word += c
            span = A.Span(line, column, line, column + max(1, len(word)))
            hint = _hint_for_word(word, set(err.allowed)) or _expected_list(set(err.allowed))
            return Diagnostic(
                "E101", f"unexpected word `{word[:40]}`", src.path, span, hint=hint
            )
        elif ch == "§":
            hint = 'write citations as `cite "3.17" "verbatim quote"`'
        return Diagnostic("E103", f"unexpected character `{shown}`", src.path, span, hint=hint)
    if isinstance(err, UnexpectedToken) and err.token.type == "$END":
        misspelt = _misspelt_previous_word(src, err.token, set(err.expected))
        if misspelt is not None:
            return misspelt
    if isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END"
    ):
        last = max(1, len(src.lines))
        while last > 1 and not src.line(last).strip():
            last -= 1
        end = len(src.line(last)) + 1
        expected = set(getattr(err, "expected", ()) or ())
        return Diagnostic(
            "E104", "the file ends in the middle of a declaration", src.path,
            A.Span(last, max(1, end - 1), last, end),
            hint=_context_hint(src, last, end, expected) or _expected_list(expected) or None,
        )
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    expected = set(err.expected)
    span = A.Span(tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1)
    hint = None
    if tok.type in ("NAME", "UNIT"):
        hint = _hint_for_word(str(tok), expected)
    if tok.type == "INT" and "UNIT" not in expected and "DATE" in expected:
        hint = "write dates as YYYY-MM-DD"
    misspelt = _misspelt_previous_word(src, tok, expected) or _number_word_before(src, tok, expected)
    if misspelt is not None:
        return misspelt
    listed = _expected_list(expected)
    message = f"unexpected {_describe_found(tok)}"
    if listed:
        message += f": {listed}"
    if hint is None:
        hint = _context_hint(src, tok.line, tok.column, expected)
    if hint is None and "MUST" in expected and tok.type == "NAME":
        hint = "a duty reads `ROLE must VERB EVENT TIMING`, for example `social_worker must do visit within 5 working days of referral`"
    return Diagnostic("E101", message, src.path, span, hint=hint)


def _misspelt_previous_word(src: SourceFile, tok: Token, expected: set[str]) -> Diagnostic | None:
    """A misspelt keyword often parses as a name and the error shows one token later
    (`must do visit withn 5 days`: `withn` reads as the role of a new duty, and `5` fails;
    `must do visit fortnightly` fails at the next line). Point at the misspelt word instead."""
    if "MUST" not in expected:
        return None
    start = tok.start_pos if tok.type != "$END" and tok.start_pos is not None else len(src.text)
    before = src.text[:start]
    match = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", before)
    if match is None:
        return None
    word = match.group(1)
    if word in keywords():
        return None
    low = word.lower()
    if low in FREQUENCY_WORDS:
        hint = f"write `{FREQUENCY_WORDS[low]}`"
    else:
        close = difflib.get_close_matches(low, list(keywords()), n=1, cutoff=0.75)
        if not close:
            return None
        hint = f"did you mean `{close[0]}`?"
    line = before.count("\n", 0, match.start(1)) + 1
    column = match.start(1) - (before.rfind("\n", 0, match.start(1)) + 1) + 1
    return Diagnostic("E101", f"unexpected word `{word}`", src.path,
                      A.Span(line, column, line, column + len(word)), hint=hint)


def _number_word_before(src: SourceFile, tok: Token, expected: set[str]) -> Diagnostic | None:
    """`every four weeks`: `four` parses as the attribute of `every ATTRIBUTE as set at EVENT`, and the error shows
    at `weeks`. Point at the number word instead."""
    if "AS" not in expected or tok.start_pos is None:
        return None
    before = src.text[:tok.start_pos]
    match = re.search(r"\b(?:every|within)\s+([A-Za-z]+)\s*$", before)
    if match is None or match.group(1).lower() not in NUMBER_WORDS:
        return None
    word = match.group(1)
    line = before.count("\n", 0, match.start(1)) + 1
    column = match.start(1) - (before.rfind("\n", 0, match.start(1)) + 1) + 1
    return Diagnostic("E101", f"unexpected word `{word}`", src.path, A.Span(line, column, line, column + len(word)),
                      hint=f"write numbers as digits: `{NUMBER_WORDS[word.lower()]}`")


def parse(src: SourceFile) -> tuple[A.PolicyFile | None, list[Diagnostic]]:
    """Parse one source file into an AST, or return the diagnostic that stopped it."""
    if not src.text.strip():
        return None, [
            Diagnostic(
                "E003", "the file is empty", src.path, A.Span(1, 1, 1, 1),
                hint='start the file with `policy "Title of the document"`',
            )
        ]
    parser = _parser()
    _comments.items = []
    _strings.items = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        driver = _driver()
        tree = driver.parse(src.text) if driver is not None else None
        if tree is None:
            # not in the language (or no driver): Lark's own loop, whose exception makes the diagnostic
            _comments.items = []
            _strings.items = []
            tree = parser.parse(src.text)
    except UnexpectedInput as err:
        _strings.items = []
        return None, [_syntax_diagnostic(src, err), *_forbidden_characters(src)]
    except RecursionError:
        return None, [
            Diagnostic("E101", "the file is nested too deeply to read", src.path, A.Span(1, 1, 1, 2))
        ]
    finally:
        if enabled:
            gc.enable()
    comments = tuple(_comments.items)
    _comments.items = []
    assert isinstance(tree, A.PolicyFile)  # the transformer runs inside the parser and returns the AST
    return A.PolicyFile(tree.header, tree.declarations, comments), _forbidden_characters(src)


def _forbidden_characters(src: SourceFile) -> list[Diagnostic]:
    """E004 for each control character or bidirectional control in the file or in a text's value."""
    out = [
        Diagnostic("E004", f"forbidden character {describe(ch)}", src.path, A.Span(line, col, line, col + 1),
                   hint="delete it; a standard's text needs no control or bidirectional characters "
                        "(retype the line if the character is invisible in your editor)")
        for line, col, ch in forbidden_in_file(src.text)
    ]
    for tok in _strings.items:
        if len(tok) > MAX_TEXT + 2:
            out.append(Diagnostic("E232", f"text of {len(_unquote(str(tok))):,} characters is beyond the limit of "
                                          f"{MAX_TEXT:,}", src.path, A.Span.of(tok),
                                  hint="shorten it; a long quote can be split over several `cite`s"))
        else:
            out.append(Diagnostic("E004", f"forbidden character {describe(chr(10))} in text", src.path,
                                  A.Span.of(tok), hint="text is one line: write it without `\\n`"))
    _strings.items = []
    for m in _LONG_NAME.finditer(src.text):
        line = src.text.count("\n", 0, m.start()) + 1
        code_part = _STRINGS_AND_COMMENTS.sub(lambda t: " " * len(t.group()), src.line(line))
        column = code_part.find(m.group()) + 1
        if column:
            out.append(Diagnostic("E232", f"a name of {len(m.group()):,} characters is beyond the limit of "
                                          f"{MAX_NAME}", src.path, A.Span(line, column, line, column + len(m.group())),
                                  hint="use a short name; put the words in the title"))
            break
    return out

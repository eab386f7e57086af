"""Syntax highlighting of the policy language, drawn from the grammar itself.

Two products, one source of truth (`dsl/policy.lark`):

- `PolicyLexer`, a Pygments lexer, registered as the plugin entry point `policy` (pyproject.toml,
  `[project.entry-points."pygments.lexers"]`), so that ```` ```policy ```` blocks in the mkdocs
  site and in Markdown viewers that use Pygments are coloured;
- `textmate_grammar()`, the TextMate grammar of the VS Code extension
  (`editors/vscode/syntaxes/policy.tmLanguage.json`), written by
  `python -m dsl.highlight textmate` and kept current by a test.

Keywords, the vague phrases and the time units are read from the grammar's terminals, so a new
keyword is highlighted as soon as the grammar has it.
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from typing import Any

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from dsl.parser import keywords, terminal_patterns

# Words that start a declaration: the name after them is being defined.
DECLARATION_KEYWORDS = ("policy", "vocabulary", "role", "event", "status", "transition", "obligation",
                        "principle", "checklist", "attribute", "parameter", "test", "scenario")
# ... and of those, the ones followed by the name they declare (`policy` and `transition` are not).
NAMING_KEYWORDS = tuple(w for w in DECLARATION_KEYWORDS if w not in ("policy", "vocabulary", "transition"))
MODALITIES = ("must", "should")
UNIT_WORDS = ("minute", "minutes", "hour", "hours", "day", "days", "calendar day", "calendar days",
              "working day", "working days", "school day", "school days", "week", "weeks", "month",
              "months", "year", "years", "term", "terms", "school term", "school terms")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, tuple[str, ...]]:
    """The grammar's words by role: declaration keywords, modalities, other keywords, vague phrases."""
    kws = set(keywords())
    declarations = tuple(sorted(w for w in DECLARATION_KEYWORDS if w in kws))
    modalities = tuple(sorted(w for w in MODALITIES if w in kws))
    others = tuple(sorted(kws - set(declarations) - set(modalities)))
    vague = _alternatives(terminal_patterns().get("VAGUE", ""))
    naming = tuple(w for w in declarations if w in NAMING_KEYWORDS)
    return {"declarations": declarations, "naming": naming, "modalities": modalities, "keywords": others,
            "vague": vague}


def _alternatives(pattern: str) -> tuple[str, ...]:
    """The phrases of a `(?:a|b (?:c|d))` pattern, expanded (the VAGUE terminal is written so)."""
    body = re.sub(r"\(\?!.*\)$", "", pattern)  # drop the trailing look-ahead
    if body.startswith("(?:") and body.endswith(")"):
        body = body[3:-1]

    def expand(text: str) -> list[str]:
        m = re.search(r"\(\?:([^()]*)\)", text)
        if m is None:
            return [text]
        return [x for alt in m.group(1).split("|") for x in expand(text[: m.start()] + alt + text[m.end():])]

    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return tuple(sorted({p for part in parts if part for p in expand(part)}, key=lambda s: (-len(s), s)))


class PolicyLexer(RegexLexer):
    """The policyc policy language (`.policy` files)."""

    name = "Policy"
    aliases = ["policy", "policyc"]
    filenames = ["*.policy"]
    mimetypes = ["text/x-policy"]
    url = "https://github.com/policyc/policyc"

    tokens = {}  # typed by RegexLexer; filled in below, from the grammar


def _lexer_tokens() -> dict[str, Any]:
    v = vocabulary()
    word_end = r"(?![A-Za-z0-9_])"
    return {
        "root": [
            (r"[ \t\f\r\n]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            (r'"[^\n]*', Error),  # an unclosed text: the parser refuses it too
            (r"\d{4}-\d{2}-\d{2}", Literal.Date),
            (r"\d+(?:st|nd|rd|th)" + word_end, Number.Integer),
            (r"\d+", Number.Integer),
            (r"[EWI]\d{3}" + word_end, Name.Label),
            (words(v["vague"], suffix=word_end), Keyword.Pseudo),
            (r"(" + "|".join(v["naming"]) + r")(\s+)([A-Za-z][A-Za-z0-9_]*)",
             bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (words(v["declarations"], suffix=word_end), Keyword.Declaration),
            (words(v["modalities"], suffix=word_end), Keyword.Reserved),
            (words(UNIT_WORDS, suffix=word_end), Keyword.Type),
            (words(v["keywords"], suffix=word_end), Keyword),
            (r"[A-Za-z][A-Za-z0-9_]*", Name),
            (r"[,:;()]", Punctuation),
            (r".", Text),
        ]
    }


PolicyLexer.tokens = _lexer_tokens()


def textmate_grammar() -> dict[str, Any]:
    """The TextMate grammar for VS Code and other TextMate-compatible editors."""
    v = vocabulary()

    def alt(ws: tuple[str, ...]) -> str:
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(ws, key=lambda s: (-len(s), s)))

    end = r"(?![A-Za-z0-9_])"
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "Policy",
        "scopeName": "source.policy",
        "fileTypes": ["policy"],
        "comment": "Generated from dsl/policy.lark by `python -m dsl.highlight textmate`; do not edit.",
        "patterns": [
            {"name": "comment.line.number-sign.policy", "match": r"#.*$"},
            {"name": "string.quoted.double.policy", "begin": '"', "end": '"|$',
             "patterns": [{"name": "constant.character.escape.policy", "match": r"\\."}]},
            {"name": "constant.numeric.date.policy", "match": r"\b\d{4}-\d{2}-\d{2}\b"},
            {"name": "constant.numeric.policy", "match": r"\b\d+(?:st|nd|rd|th)?\b"},
            {"name": "constant.other.diagnostic-code.policy", "match": r"\b[EWI]\d{3}\b"},
            {"name": "keyword.other.vague.policy", "match": r"\b(?:" + alt(v["vague"]) + ")" + end},
            {"match": r"\b(" + alt(v["naming"]) + r")\s+([A-Za-z][A-Za-z0-9_]*)",
             "captures": {"1": {"name": "storage.type.declaration.policy"},
                          "2": {"name": "entity.name.type.policy"}}},
            {"name": "storage.type.declaration.policy", "match": r"\b(?:" + alt(v["declarations"]) + ")" + end},
            {"name": "keyword.control.modality.policy", "match": r"\b(?:" + alt(v["modalities"]) + ")" + end},
            {"name": "support.type.unit.policy", "match": r"\b(?:" + alt(UNIT_WORDS) + ")" + end},
            {"name": "keyword.other.policy", "match": r"\b(?:" + alt(v["keywords"]) + ")" + end},
            {"name": "variable.other.name.policy", "match": r"\b[A-Za-z][A-Za-z0-9_]*\b"},
        ],
    }


def textmate_json() -> str:
    return json.dumps(textmate_grammar(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if argv[:1] == ["textmate"]:
        sys.stdout.write(textmate_json())
        return 0
    print("usage: python -m dsl.highlight textmate > editors/vscode/syntaxes/policy.tmLanguage.json",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Escaping policy text and case data for where they land: one function per output language.

Policy files and case data are untrusted (docs/security.md). Every emitter and writer puts text
into its output only through these functions; the rule for each language is written in
docs/security.md ("Escaping"):

- HTML (`html_text`): `& < > " '` as entities.
- Markdown (`md_text`, `md_cell`, `md_message`): one line; HTML-escaped; Markdown punctuation
  backslash-escaped, `|` as `&#124;`, so text can neither open a tag nor a link nor end a cell.
- YAML (`yaml_string`): a double-quoted scalar, every control character, line or paragraph
  separator, `"` and `\\` escaped; `nav_title` is HTML-escaped first, because the theme puts nav
  titles into the page as HTML.
- DOT (`dot_string`, `dot_html`): a quoted DOT string or the text of an HTML-like label.
- CSV (`csv_cell`, `CsvWriter`): a text cell that begins with `=`, `+`, `-`, `@`, tab or CR gets
  a leading `'` (OWASP's advice against formula injection in spreadsheets); a cell holding `,`,
  `"`, CR or LF is quoted, `"` doubled. The DuckDB engine writes the same bytes (`csv_cell_sql`).
- Terminal (`terminal`): control characters and bidirectional controls shown as U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from typing import TextIO

from dsl.text import terminal

__all__ = ["CsvWriter", "csv_cell", "csv_cell_sql", "dot_html", "dot_string", "html_text", "md_cell",
           "md_message", "md_text", "nav_title", "terminal", "yaml_string"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")


def html_text(text: str) -> str:
    return html.escape(text, quote=True)


def md_text(text: str) -> str:
    """Inline Markdown text: HTML-escaped, Markdown punctuation neutralised, one line."""
    one_line = " ".join(text.split())
    return _MD_SPECIAL.sub(lambda m: {"<": "&lt;", ">": "&gt;", "|": "&#124;"}.get(m.group(1), "\\" + m.group(1)),
                           one_line.replace("&", "&amp;"))


def md_message(text: str) -> str:
    """A diagnostic message: escaped as md_text, but its `names` (identifiers and units the
    compiler put in backticks) shown as code."""
    return re.sub(r"\\`([^`]*?)\\`", r"<code>\1</code>", md_text(text))


def md_cell(text: str) -> str:
    """A Markdown table cell: as md_text (which also escapes `|`)."""
    return md_text(text) if text else ""


# ---- YAML -------------------------------------------------------------------------------------------------
_YAML_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\"\\\\]")
_YAML_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x00": "\\0"}


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar: nothing in it can end the string, the line or the document."""
    return '"' + _YAML_ESCAPE.sub(lambda m: _YAML_NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text) + '"'


def nav_title(text: str) -> str:
    """A title in mkdocs.yml's nav: one line, `<` and `>` as `‹` and `›`, HTML-escaped, as YAML.

    The theme puts a nav title into the page as HTML, so it is escaped; but it also puts it into the
    <title> element through Jinja's `striptags`, which undoes the escaping, so no `<` may survive."""
    one_line = " ".join(text.split()).replace("<", "\u2039").replace(">", "\u203a")
    # `&` and `"` as entities (the theme writes titles into double-quoted attributes too); `'` may stay
    return yaml_string(html.escape(one_line, quote=False).replace('"', "&quot;"))


# ---- DOT --------------------------------------------------------------------------------------------------
DOT_LABEL_MAX = 1_000  # characters of text in one label: escaped (at worst 6 times longer), two of them
# stay under Graphviz's limit of 16,384 for one string


def _fit(text: str) -> str:
    return text if len(text) <= DOT_LABEL_MAX else text[: DOT_LABEL_MAX - 1] + "…"


def dot_string(text: str) -> str:
    """A double-quoted DOT string: quotes and backslashes escaped, line breaks as spaces, at most
    DOT_LABEL_MAX characters (Graphviz refuses a string over 16,384)."""
    cleaned = " ".join(text.replace("\r", " ").replace("\u2028", " ").replace("\u2029", " ").split("\n"))
    return '"' + _fit(cleaned).replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_html(text: str) -> str:
    """Text inside a DOT HTML-like label (at most DOT_LABEL_MAX characters before escaping)."""
    return html.escape(_fit(" ".join(text.split())), quote=True)


# ---- CSV --------------------------------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTES = re.compile('[,"\r\n]')


def csv_cell(value: object) -> str:
    """One CSV field. None is empty; numbers and dates as they are; text neutralised and quoted."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_cell_sql(expr: str) -> str:
    """The SQL (DuckDB) expression for `csv_cell(expr)` of a VARCHAR: the same bytes as Python's."""
    neutral = f"(CASE WHEN regexp_matches({expr}, '^[=+\\-@\\t\\r]') THEN '''' || {expr} ELSE {expr} END)"
    return (f"(CASE WHEN {expr} IS NULL THEN '' WHEN regexp_matches({neutral}, '[,\"\\r\\n]') "
            f"THEN '\"' || replace({neutral}, '\"', '\"\"') || '\"' ELSE {neutral} END)")


class CsvWriter:
    """Writes rows of cells as CSV lines ending in LF, every cell through `csv_cell`."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def writerow(self, row: Iterable[object]) -> None:
        self.out.write(",".join(csv_cell(v) for v in row) + "\n")

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        write = self.out.write
        for row in rows:
            write(",".join(csv_cell(v) for v in row) + "\n")

"""Escaping policy text for where it lands. Policy strings are data: a quote containing
`|`, `<script>`, `"` or a newline must not break a page, a table or a map."""

from __future__ import annotations

import html
import re

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


def dot_string(text: str) -> str:
    """A double-quoted DOT string: quotes and backslashes escaped, newlines as \\n."""
    cleaned = " ".join(text.replace("\r", " ").split("\n"))
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_html(text: str) -> str:
    """Text inside a DOT HTML-like label."""
    return html.escape(" ".join(text.split()), quote=True)

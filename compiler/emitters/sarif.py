"""SARIF 2.1.0 output for GitHub code scanning."""

from __future__ import annotations

import json
from urllib.parse import quote

from dsl.ast import Span
from dsl.codes import CODES, DOCUMENT_CATEGORIES
from dsl.diagnostics import Diagnostic, report_order

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    """A SARIF artifactLocation uri: a relative path percent-encoded (RFC 3986), so a space, `#`, `?`, `%`
    or a control character in a file name stays part of the name; an absolute path as a file: URI."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return "file://" + quote(posix, safe="/")
    return quote(posix, safe="/")


def _region(span: Span) -> dict[str, int]:
    region = {"startLine": max(span.line, 1), "startColumn": max(span.column, 1)}
    if span.end_line >= span.line and span.end_line > 0:
        region["endLine"] = span.end_line
        region["endColumn"] = max(span.end_column, 1)
    return region


def render_sarif(diags: list[Diagnostic], version: str) -> str:
    used = sorted({d.code for d in diags})
    rules = [
        {
            "id": c,
            "name": "".join(w.capitalize() for w in CODES[c].title.replace("-", " ").split() if w.isalnum()),
            "shortDescription": {"text": CODES[c].title},
            "fullDescription": {"text": CODES[c].explanation},
            "help": {"text": CODES[c].fix},
            "defaultConfiguration": {"level": _LEVEL[CODES[c].severity]},
            "properties": {"tags": [CODES[c].category,
                                    "document" if CODES[c].category in DOCUMENT_CATEGORIES else "encoding"]},
        }
        for c in used
    ]
    index = {c: i for i, c in enumerate(used)}
    results = []
    for d in report_order(diags):  # document findings before lint, most severe first
        text = d.message + (f" (help: {d.hint})" if d.hint else "")
        result = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity.value],
            "message": {"text": text},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(d.file)},
                    "region": _region(d.span),
                }
            }],
        }
        if d.related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(r.file)},
                        "region": _region(r.span),
                    },
                    "message": {"text": r.message},
                }
                for i, r in enumerate(d.related)
            ]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "policyc",
                "version": version,
                "informationUri": "https://github.com/policyc/policyc",
                "rules": rules,
            }},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"

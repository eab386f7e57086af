"""Citation checks: every quote must appear verbatim in the source document.

Matching folds what conversion to text changes and a reader does not see: runs of
white space (tables were flattened into tabs and line breaks), typographic quotes
and apostrophes, dashes, non-breaking spaces, soft hyphens and ellipses.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from compiler.model.confine import MAX_DOCUMENT_BYTES, Refused, confine, policy_roots
from compiler.model.ir import Policy
from dsl.diagnostics import Diagnostic
from dsl.source import read_limited

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u00ad": None,
    "\u2026": "...", "\uf0b7": " ", "\u2022": " ",
})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_FOLD)).strip()


@lru_cache(maxsize=32)
def _document(path: str, mtime: float) -> str:
    return normalise(read_limited(Path(path), MAX_DOCUMENT_BYTES).decode("utf-8", errors="replace"))


def find_source(policy: Policy, source_dirs: list[Path]) -> Path | None:
    """The policy's source document: next to the policy (inside its allowed folders) or in a source
    folder. None if there is none; Refused if the path written leaves those folders."""
    if not policy.source:
        return None
    here = Path(policy.path).parent
    own = policy_roots(Path(policy.path))
    dirs = [d.resolve() for d in source_dirs]
    for base, roots in [(here, own), *((d, [d]) for d in dirs)]:
        found = confine(base, policy.source, roots)
        if found is not None:
            return found
    return None


def document_text(path: Path) -> str:
    """The normalised text of a source document (cached)."""
    return _document(str(path.resolve()), path.stat().st_mtime)


def check_quotes(policy: Policy, source_dirs: list[Path]) -> list[Diagnostic]:
    if policy.kind != "policy":
        return []
    cites = [c for o in policy.obligations for c in o.citations] + [c for n in policy.notes for c in n.citations]
    if not policy.source:
        if not cites:
            return []
        return [Diagnostic("I303", f"the policy names no source document, so its {len(cites)} quotes are not verified",
                           policy.path, policy.span)]
    try:
        path = find_source(policy, source_dirs)
        text = document_text(path) if path is not None else ""
    except (Refused, OSError) as err:
        reason = err.reason if isinstance(err, Refused) else (err.strerror or "cannot be read")
        return [Diagnostic("E005", f"`source` path `{policy.source}` {reason}; it was not read", policy.path,
                           policy.span, "name the document relative to the policy or to the source folder "
                           "(`source-dir` in pyproject.toml, or --source-dir)")]
    if path is None:
        where = ", ".join(str(d) for d in source_dirs) or "no --source-dir given"
        return [Diagnostic(
            "W302", f"source document `{policy.source}` not found: {len(cites)} quotes not verified",
            policy.path, policy.span,
            f"looked next to the policy and in: {where}; pass --source-dir DIR",
        )]
    out = []
    for c in cites:
        q = normalise(c.quote)
        if q and q not in text:
            out.append(Diagnostic(
                "E301", f"quote not found in `{policy.source}`", policy.path, c.quote_span,
                _nearest_hint(q, text),
            ))
    return out


def _nearest_hint(quote: str, text: str) -> str:
    """Point at where the quote stops matching: the longest prefix that is in the document."""
    lo, hi = 0, len(quote)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    if lo >= 12:
        at = text.find(quote[:lo])
        doc = text[at + lo : at + lo + min(40, len(quote) - lo)]  # never more of the document than the quote
        return f"the first {lo} characters match; then the quote has `{quote[lo:lo + 30]}` where the document has `{doc}`"
    return "copy the words exactly from the source document; shorten the quote rather than paraphrase it"

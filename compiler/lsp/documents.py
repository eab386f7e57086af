"""Checking an open document and indexing the names in it, for the language server.

A document is checked exactly as `policyc check FILE` checks it (parse, resolve with its `uses`
vocabulary, verify quotes, analyse), except that the text of every document open in the editor
comes from the editor, saved or not. Names are indexed from the AST: every `Name` node is an
occurrence, and a declaration of a role, event, status, attribute or obligation is its definition.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.analyses.check import CheckResult, check_paths
from compiler.model.ir import Policy
from compiler.model.load import Loaded, Loader
from compiler.model.settings import load_settings
from dsl import ast as A
from dsl.diagnostics import Diagnostic
from dsl.parser import parse
from dsl.source import SourceFile


class EditorLoader(Loader):
    """A loader that reads the editor's text for open documents and the disk for the rest."""

    def __init__(self, open_texts: dict[Path, str]):
        super().__init__()
        self.open_texts = open_texts

    def read(self, path: Path) -> tuple[SourceFile | None, list[Diagnostic]]:
        text = self.open_texts.get(path.resolve())
        if text is None:
            return super().read(path)
        shown = shown_path(path)
        src = SourceFile(shown, text[1:] if text.startswith("\ufeff") else text)
        self.sources[shown] = src.lines
        return src, []


def shown_path(path: Path) -> str:
    """The path as diagnostics show it: relative to the working folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


@dataclass(frozen=True)
class Occurrence:
    """A name as written somewhere: the file (absolute), where, and whether it declares the name."""

    name: str
    path: Path
    span: A.Span
    declares: str | None = None  # "role", "event", "status", "attribute", "obligation"...


@dataclass
class CheckedDocument:
    path: Path
    text: str
    result: CheckResult
    ast: A.PolicyFile | None
    policy: Policy | None
    occurrences: list[Occurrence] = field(default_factory=list)
    #: the policy whose names completion and hover offer: this text's, or while the text does not
    #: parse (as while typing), the last one that did, or failing that its `uses` vocabulary
    names: Policy | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """This document's diagnostics (those of the vocabulary it uses are reported on it too)."""
        return list(self.result.diagnostics)


_USES = re.compile(r'^\s*uses\s+"([^"\n]+)"', re.MULTILINE)


def check_document(path: Path, text: str, open_texts: dict[Path, str],
                   previous: CheckedDocument | None = None) -> CheckedDocument:
    """Check one document with the editor's text, as `policyc check` would check the saved file."""
    path = path.resolve()
    texts = {**open_texts, path: text}
    settings = load_settings(path.parent)
    source_dirs = [settings.source_dir] if settings.source_dir is not None else []
    loader = EditorLoader(texts)
    result = check_paths([path], source_dirs, loader=loader)
    loaded: Loaded | None = result.loaded[0] if result.loaded else None
    ast = loaded.ast if loaded else None
    policy = loaded.policy if loaded else None
    doc = CheckedDocument(path, text, result, ast, policy)
    if ast is not None:
        doc.occurrences = list(occurrences_in(ast, path))
    doc.names = policy or (previous.names if previous is not None else None)
    if doc.names is None and (m := _USES.search(text)) is not None:
        doc.names, _ = loader.vocabulary(path.parent / m.group(1))
    return doc


# ---- names ------------------------------------------------------------------------------------------
_DECLARES = {
    "RoleDecl": "role", "EventDecl": "event", "StatusDecl": "status", "ObligationDecl": "obligation",
    "NoteDecl": "note", "AttributeDecl": "attribute", "ParameterDecl": "parameter",
}


def occurrences_in(tree: A.PolicyFile, path: Path) -> Iterator[Occurrence]:
    """Every name written in the file; a declaration's own name is marked as declaring it."""
    for decl in tree.declarations:
        kind = _DECLARES.get(type(decl).__name__)
        own = getattr(decl, "name", None)
        for name in _names(decl):
            declares = kind if (kind is not None and name is own) else None
            yield Occurrence(name.text, path, name.span, declares)


def _names(node: Any) -> Iterator[A.Name]:
    if isinstance(node, A.Name):
        yield node
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name != "span":
                yield from _names(getattr(node, f.name))
    elif isinstance(node, tuple | list):
        for x in node:
            yield from _names(x)


def occurrence_at(doc: CheckedDocument, line: int, column: int) -> Occurrence | None:
    """The name under a 1-based line and column."""
    for occ in doc.occurrences:
        if contains(occ.span, line, column):
            return occ
    return None


def contains(span: A.Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) < (span.end_line, span.end_column) or (
        (span.line, span.column) == (line, column))


@dataclass
class FileIndex:
    """Parsed .policy files of a workspace, re-read only when they change on disk or in the editor."""

    _cache: dict[Path, tuple[str, list[Occurrence]]] = field(default_factory=dict)

    def occurrences(self, path: Path, text: str) -> list[Occurrence]:
        hit = self._cache.get(path)
        if hit is not None and hit[0] == text:
            return hit[1]
        tree, _ = parse(SourceFile(str(path), text))
        found = list(occurrences_in(tree, path)) if tree is not None else []
        self._cache[path] = (text, found)
        return found

    def workspace(self, roots: list[Path], open_texts: dict[Path, str]) -> Iterator[Occurrence]:
        seen: set[Path] = set()
        for path, text in sorted(open_texts.items()):
            seen.add(path)
            yield from self.occurrences(path, text)
        for root in roots:
            for f in sorted(root.rglob("*.policy")):
                r = f.resolve()
                if r in seen or not f.is_file() or ".venv" in f.parts or "node_modules" in f.parts:
                    continue
                seen.add(r)
                try:
                    text = f.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                yield from self.occurrences(r, text)


def declarations_of(doc: CheckedDocument) -> dict[str, list[tuple[str, Any]]]:
    """Name -> [(kind, model declaration)] for every term the document can use (its own and its
    vocabulary's): roles, events, statuses, and any other named declarations the model holds."""
    out: dict[str, list[tuple[str, Any]]] = {}
    policy = doc.names
    if policy is None:
        return out
    for fld in dataclasses.fields(policy):
        value = getattr(policy, fld.name)
        if not isinstance(value, dict):
            continue
        kind = fld.name.rstrip("s") if fld.name != "statuses" else "status"
        for name, decl in value.items():
            if hasattr(decl, "span") and hasattr(decl, "origin"):
                out.setdefault(name, []).append((kind, decl))
    for o in policy.obligations:
        out.setdefault(o.id, []).append(("obligation", o))
    return out


def origin_path(origin: str) -> Path:
    """A model declaration's `origin` (as shown in diagnostics) as an absolute path."""
    p = Path(origin)
    return (p if p.is_absolute() else Path.cwd() / p).resolve()

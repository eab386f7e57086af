"""Loading: path to parsed, resolved policy, with every diagnostic on the way.

Vocabularies named by `uses` are loaded once per run and shared.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path

from compiler.model.confine import Refused, confine, policy_roots, roots_shown
from compiler.model.ir import Policy
from compiler.model.resolve import Resolver
from dsl.ast import PolicyFile, Span, Text
from dsl.diagnostics import Diagnostic, Severity
from dsl.parser import parse
from dsl.source import SourceFile, SourceReadError, read_source


@dataclass
class Loaded:
    path: str
    policy: Policy | None
    ast: PolicyFile | None
    diagnostics: list[Diagnostic]


@dataclass
class Loader:
    """Loads policy files, caching vocabularies; keeps every source's lines for rendering."""

    sources: dict[str, list[str]] = field(default_factory=dict)
    _vocab: dict[Path, tuple[Policy | None, list[Diagnostic]]] = field(default_factory=dict)

    def read(self, path: Path) -> tuple[SourceFile | None, list[Diagnostic]]:
        shown = shown_path(path)
        try:
            src = read_source(path, shown)
        except SourceReadError as err:
            code = "E002" if "UTF-8" in err.reason else "E001"
            line, col = max(err.line, 1), max(err.column, 1)
            return None, [Diagnostic(code, f"`{shown}` {err.reason}", shown, Span(line, col, line, col + 1))]
        self.sources[shown] = src.lines
        return src, []

    def vocabulary(self, path: Path) -> tuple[Policy | None, list[Diagnostic]]:
        key = path.resolve()
        if key not in self._vocab:
            src, diags = self.read(path)
            vocab = None
            if src is not None:
                tree, diags = parse(src)
                if tree is not None:
                    r = Resolver(tree, src.path)
                    vocab = r.resolve()
                    diags = diags + r.diags
                    if vocab.kind != "vocabulary" or any(d.severity is Severity.ERROR for d in diags):
                        vocab = None
            self._vocab[key] = (vocab, diags)
        return self._vocab[key]

    def load(self, path: Path, named: Path | None = None) -> Loaded:
        """Parse and resolve one file (`named`: the folder named on the command line that holds it).
        The garbage collector is paused meanwhile: the AST is hundreds of thousands of small objects
        with no cycles, and collecting costs half the time."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._load(path, named)
        finally:
            if enabled:
                gc.enable()

    def _load(self, path: Path, named: Path | None) -> Loaded:
        src, diags = self.read(path)
        if src is None:
            return Loaded(shown_path(path), None, None, diags)
        tree, diags = parse(src)
        if tree is None:
            return Loaded(src.path, None, None, diags)
        vocab = None
        uses = next((f for f in tree.header.fields if f.key == "uses"), None)
        if uses is not None and tree.header.kind == "policy":
            vocab = self._uses(path, named, src.path, uses.value, diags)
        old = next((f for f in tree.header.fields if f.key == "supersedes"), None)
        if old is not None:
            try:
                earlier = confine(path.parent, old.value.value, policy_roots(path, named))
            except Refused as err:
                diags.append(Diagnostic(
                    "E005", f"`supersedes` path `{old.value.value}` {err.reason}; it was not read", src.path,
                    old.value.span, "give the earlier version's path relative to this file"))
            else:
                if earlier is None:
                    diags.append(Diagnostic(
                        "E215", f"the superseded version `{old.value.value}` cannot be read", src.path,
                        old.value.span, "give the earlier version's path relative to this file"))
        r = Resolver(tree, src.path, vocab)
        policy = r.resolve()
        diags.extend(r.diags)
        return Loaded(src.path, policy, tree, diags)

    def _uses(self, path: Path, named: Path | None, shown: str, written: Text,
              diags: list[Diagnostic]) -> Policy | None:
        """The vocabulary a policy `uses`, confined to the allowed folders. Its own diagnostics are
        reported wherever it is used (once per run: the same diagnostic twice is shown once)."""
        roots = policy_roots(path, named)
        try:
            vpath = confine(path.parent, written.value, roots)
        except Refused as err:
            diags.append(Diagnostic(
                "E005", f"`uses` path `{written.value}` {err.reason}; it was not read", shown, written.span,
                f"name a vocabulary inside {roots_shown(roots)}, relative to this file"))
            return None
        if vpath is None:
            diags.append(Diagnostic("E206", f"vocabulary `{written.value}` cannot be read: no such file", shown,
                                    written.span, "give the path relative to this file"))
            return None
        vocab, vdiags = self.vocabulary(vpath)
        diags.extend(d for d in vdiags if d.file != shown)
        if vocab is None:
            diags.append(Diagnostic(
                "E206", f"vocabulary `{written.value}` has errors or is not a vocabulary file", shown, written.span,
                "the vocabulary starts with `vocabulary \"...\"`; its errors are listed with it"))
        return vocab


def shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def named_folder(file: Path, paths: list[Path]) -> Path | None:
    """The folder among those named on the command line that holds `file`, if any."""
    real = file.resolve()
    held = [p.resolve() for p in paths if p.is_dir() and real.is_relative_to(p.resolve())]
    return min(held, key=lambda p: len(p.parts)) if held else None


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Files named, and .policy files under folders named (sorted); plus paths that don't exist."""
    files: list[Path] = []
    missing: list[str] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*.policy") if x.is_file()))
        elif p.exists():
            files.append(p)
        else:
            missing.append(str(p))
    return files, missing

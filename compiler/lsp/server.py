"""The pygls language server: LSP messages in, the checker's answers out.

Positions: LSP counts lines and characters from 0 (characters in UTF-16 code units; pygls converts
for us where the client asks for another encoding); policyc's spans count from 1 and end exclusive.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from compiler.lsp.documents import (
    CheckedDocument,
    FileIndex,
    Occurrence,
    check_document,
    declarations_of,
    occurrence_at,
    origin_path,
)
from compiler.lsp.features import Candidate, completions, hover, outline, replacement
from dsl.ast import Span, strip_spans
from dsl.diagnostics import Diagnostic, Severity
from dsl.formatter import format_file
from dsl.parser import parse
from dsl.source import SourceFile

SEVERITY = {Severity.ERROR: T.DiagnosticSeverity.Error, Severity.WARNING: T.DiagnosticSeverity.Warning,
            Severity.INFO: T.DiagnosticSeverity.Information}
SYMBOL_KIND = {"status": T.SymbolKind.Enum, "event": T.SymbolKind.Event, "role": T.SymbolKind.Class,
               "obligation": T.SymbolKind.Function, "transition": T.SymbolKind.Operator,
               "note": T.SymbolKind.String, "attribute": T.SymbolKind.Property}
COMPLETION_KIND = {"keyword": T.CompletionItemKind.Keyword, "role": T.CompletionItemKind.Class,
                   "event": T.CompletionItemKind.Event, "status": T.CompletionItemKind.EnumMember,
                   "attribute": T.CompletionItemKind.Property, "value": T.CompletionItemKind.Value,
                   "unit": T.CompletionItemKind.Unit, "code": T.CompletionItemKind.Reference}


class PolicyServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("policyc", "1")
        self.checked: dict[str, CheckedDocument] = {}
        self.index = FileIndex()

    def open_texts(self) -> dict[Path, str]:
        out = {}
        for uri, doc in self.workspace.text_documents.items():
            path = to_fs_path(uri)
            if path:
                out[Path(path).resolve()] = doc.source
        return out

    def roots(self) -> list[Path]:
        folders = [to_fs_path(f.uri) for f in self.workspace.folders.values()]
        root = self.workspace.root_path
        return [Path(p) for p in [*folders, root] if p]

    def check(self, uri: str) -> CheckedDocument | None:
        path = to_fs_path(uri)
        if not path:
            return None
        text = self.workspace.get_text_document(uri).source
        doc = check_document(Path(path), text, self.open_texts(), self.checked.get(uri))
        self.checked[uri] = doc
        return doc

    def publish(self, uri: str) -> None:
        doc = self.check(uri)
        if doc is None:
            return
        mine = [d for d in doc.diagnostics if _same_file(d.file, doc.path)]
        others = [d for d in doc.diagnostics if not _same_file(d.file, doc.path)]
        out = [lsp_diagnostic(d) for d in mine]
        # a diagnostic in the vocabulary this file uses is shown on its `uses` line (top of the file)
        for d in others:
            out.append(T.Diagnostic(range=to_range(Span(1, 1, 1, 1)), message=f"{d.file}: {d.message}",
                                    severity=SEVERITY[d.severity], code=d.code, source="policyc"))
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=out))

    def current(self, uri: str) -> CheckedDocument | None:
        doc = self.checked.get(uri)
        text = self.workspace.get_text_document(uri).source
        if doc is None or doc.text != text:
            doc = self.check(uri)
        return doc


def _same_file(shown: str, path: Path) -> bool:
    return origin_path(shown) == path.resolve()


def to_range(span: Span) -> T.Range:
    line, col = max(span.line - 1, 0), max(span.column - 1, 0)
    end_line, end_col = max(span.end_line - 1, line), max(span.end_column - 1, 0)
    if (end_line, end_col) <= (line, col):
        end_line, end_col = line, col + 1
    return T.Range(T.Position(line, col), T.Position(end_line, end_col))


def lsp_diagnostic(d: Diagnostic) -> T.Diagnostic:
    related = [T.DiagnosticRelatedInformation(T.Location(from_fs_path(str(origin_path(r.file))) or "", to_range(r.span)),
                                              r.message) for r in d.related]
    return T.Diagnostic(range=to_range(d.span), message=d.message + (f"\nhelp: {d.hint}" if d.hint else ""),
                        severity=SEVERITY[d.severity], code=d.code, source="policyc",
                        related_information=related or None, data={"hint": d.hint} if d.hint else None)


server = PolicyServer()


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: PolicyServer, params: T.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: PolicyServer, params: T.DidChangeTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: PolicyServer, params: T.DidSaveTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PolicyServer, params: T.DidCloseTextDocumentParams) -> None:
    ls.checked.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(T.TEXT_DOCUMENT_HOVER)
def on_hover(ls: PolicyServer, params: T.HoverParams) -> T.Hover | None:
    doc = ls.current(params.text_document.uri)
    if doc is None:
        return None
    text = hover(doc, params.position.line + 1, params.position.character + 1)
    if text is None:
        return None
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text))


def _name_at(ls: PolicyServer, params: T.DefinitionParams | T.ReferenceParams) -> tuple[CheckedDocument, Occurrence] | None:
    """The checked document and the name under the cursor, if there is one."""
    doc = ls.current(params.text_document.uri)
    if doc is None:
        return None
    occ = occurrence_at(doc, params.position.line + 1, params.position.character + 1)
    return (doc, occ) if occ is not None else None


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: PolicyServer, params: T.DefinitionParams) -> list[T.Location] | None:
    found = _name_at(ls, params)
    if found is None:
        return None
    doc, occ = found
    out = []
    for _kind, decl in declarations_of(doc).get(occ.name, []):
        span = getattr(decl, "span", None)
        origin = getattr(decl, "origin", None) or (doc.policy.path if doc.policy else None)
        if span is not None and origin:
            out.append(T.Location(from_fs_path(str(origin_path(origin))) or "", to_range(span)))
    return out or None


@server.feature(T.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: PolicyServer, params: T.ReferenceParams) -> list[T.Location] | None:
    here = _name_at(ls, params)
    if here is None:
        return None
    occ = here[1]
    found = []
    for o in ls.index.workspace(ls.roots(), ls.open_texts()):
        if o.name != occ.name:
            continue
        if o.declares and not params.context.include_declaration:
            continue
        found.append(T.Location(from_fs_path(str(o.path)) or "", to_range(o.span)))
    return found


@server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=[" "]))
def on_completion(ls: PolicyServer, params: T.CompletionParams) -> T.CompletionList:
    doc = ls.current(params.text_document.uri)
    items: list[Candidate] = completions(doc, params.position.line + 1, params.position.character + 1) if doc else []
    return T.CompletionList(is_incomplete=False, items=[
        T.CompletionItem(label=c.label, kind=COMPLETION_KIND.get(c.kind), detail=c.detail or c.kind) for c in items])


@server.feature(T.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: PolicyServer, params: T.DocumentFormattingParams) -> list[T.TextEdit] | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    src = SourceFile(document.path, document.source)
    tree, _ = parse(src)
    if tree is None:
        return None
    new = format_file(tree, src.text)
    again, _ = parse(SourceFile(src.path, new))
    if again is None or strip_spans(again) != strip_spans(tree) or new == src.text:
        return None if new != src.text else []
    lines = src.text.split("\n")
    end = T.Position(len(lines) - 1, len(lines[-1]))
    return [T.TextEdit(range=T.Range(T.Position(0, 0), end), new_text=new)]


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_symbols(ls: PolicyServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol]:
    doc = ls.current(params.text_document.uri)
    if doc is None or doc.ast is None:
        return []
    return [T.DocumentSymbol(name=s.name, detail=s.detail or None, kind=SYMBOL_KIND.get(s.kind, T.SymbolKind.Object),
                             range=to_range(s.span), selection_range=to_range(s.selection))
            for s in outline(doc.ast)]


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]))
def on_code_action(ls: PolicyServer, params: T.CodeActionParams) -> list[T.CodeAction]:
    actions = []
    for d in params.context.diagnostics:
        hint = d.data.get("hint") if isinstance(d.data, dict) else None
        new = replacement(hint)
        if new is None:
            continue
        edit = T.WorkspaceEdit(changes={params.text_document.uri: [T.TextEdit(range=d.range, new_text=new)]})
        actions.append(T.CodeAction(title=f"Replace with `{new}`", kind=T.CodeActionKind.QuickFix,
                                    diagnostics=[d], edit=edit, is_preferred=True))
    return actions


def serve() -> None:
    """Run over standard input and output until the client disconnects."""
    server.start_io()

"""The language server end to end: pytest-lsp starts `policyc lsp` over stdio and drives it as an
editor would (open, type, hover, go to definition, find references, complete, format, fix)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (ROOT.parent / "shared" / "seeds").resolve()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped policies in a project folder of its own (edits never touch the repo)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "policies", root / "policies")
    source = f'source-dir = "{SEEDS}"\n' if SEEDS.is_dir() else ""
    (root / "pyproject.toml").write_text("[tool.policyc]\n" + source, encoding="utf-8")
    return root


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "compiler.cli", "lsp"]))
async def client(lsp_client: LanguageClient, project: Path):
    await lsp_client.initialize_session(T.InitializeParams(
        capabilities=T.ClientCapabilities(), root_uri=project.as_uri(),
        workspace_folders=[T.WorkspaceFolder(uri=project.as_uri(), name="project")]))
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(
        uri=uri, language_id="policy", version=1, text=text if text is not None else path.read_text("utf-8"))))
    return uri


async def _diagnostics(client: LanguageClient, uri: str) -> list[T.Diagnostic]:
    await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics.get(uri, [])


def _position(text: str, needle: str, offset: int = 0) -> T.Position:
    at = text.index(needle) + offset
    line = text.count("\n", 0, at)
    return T.Position(line, at - (text.rfind("\n", 0, at) + 1))


@pytest.mark.asyncio
async def test_a_shipped_policy_has_the_diagnostics_check_gives(client: LanguageClient, project: Path):
    path = project / "policies/national/care-planning-regulations-2010.policy"
    diags = await _diagnostics(client, _open(client, path))
    assert not [d for d in diags if d.severity == T.DiagnosticSeverity.Error]
    assert all(d.source == "policyc" and d.code for d in diags)


@pytest.mark.asyncio
async def test_a_typo_gets_E201_and_its_fix_clears_it(client: LanguageClient, project: Path):
    path = project / "policies/national/care-planning-regulations-2010.policy"
    text = path.read_text("utf-8")
    word = "cla_review"
    typo = text.replace(f"1st {word}", "1st cla_reviw", 1)
    uri = _open(client, path, typo)
    diags = await _diagnostics(client, uri)
    e201 = [d for d in diags if d.code == "E201"]
    assert e201 and "cla_reviw" in e201[0].message
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri), range=e201[0].range,
        context=T.CodeActionContext(diagnostics=e201[:1])))
    assert actions and actions[0].title == f"Replace with `{word}`"
    edit = actions[0].edit.changes[uri][0]
    lines = typo.split("\n")
    line = lines[edit.range.start.line]
    lines[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character:]
    fixed = "\n".join(lines)
    assert fixed == text
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        T.VersionedTextDocumentIdentifier(uri=uri, version=2), [T.TextDocumentContentChangeWholeDocument(text=fixed)]))
    diags = await _diagnostics(client, uri)
    assert not [d for d in diags if d.code == "E201"]


@pytest.mark.asyncio
async def test_hover_on_a_timing_reads_it_with_due_dates_and_the_quote(client: LanguageClient, project: Path):
    path = project / "policies/national/care-planning-regulations-2010.policy"
    text = path.read_text("utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri)
    at = _position(text, "first within 20 working days")
    hover = await client.text_document_hover_async(T.HoverParams(text_document=T.TextDocumentIdentifier(uri), position=at))
    assert hover is not None
    value = hover.contents.value
    assert "within 20 working days" in value
    # day 0 is Monday 6 January 2025: 20 working days later is Monday 3 February 2025
    assert "1. Monday 3 February 2025" in value
    assert "> " in value  # the cited quote


@pytest.mark.asyncio
async def test_hover_on_a_code_explains_it(client: LanguageClient, project: Path):
    path = project / "policies/vocabulary.policy"
    text = path.read_text("utf-8") + '\n# see W405 for duties with no role\n'
    uri = _open(client, path, text)
    await _diagnostics(client, uri)
    hover = await client.text_document_hover_async(T.HoverParams(text_document=T.TextDocumentIdentifier(uri),
                                                                 position=_position(text, "W405", 1)))
    assert hover is not None and hover.contents.value.startswith("**W405**")


@pytest.mark.asyncio
async def test_definition_and_references_cross_uses(client: LanguageClient, project: Path):
    path = project / "policies/national/care-planning-regulations-2010.policy"
    text = path.read_text("utf-8")
    uri = _open(client, path)
    await _diagnostics(client, uri)
    at = _position(text, "1st cla_review", 4)
    where = await client.text_document_definition_async(T.DefinitionParams(text_document=T.TextDocumentIdentifier(uri), position=at))
    assert where and where[0].uri.endswith("policies/vocabulary.policy")
    vocab = (project / "policies/vocabulary.policy").read_text("utf-8")
    assert where[0].range.start.line == _position(vocab, "event cla_review").line
    refs = await client.text_document_references_async(T.ReferenceParams(
        text_document=T.TextDocumentIdentifier(uri), position=at,
        context=T.ReferenceContext(include_declaration=True)))
    files = {r.uri.rsplit("/policies/", 1)[1] for r in refs}
    assert "vocabulary.policy" in files and "national/care-planning-regulations-2010.policy" in files
    assert len(files) >= 3  # other authorities' policies use it too


@pytest.mark.asyncio
async def test_completion_in_context(client: LanguageClient, project: Path):
    path = project / "policies/national/care-planning-regulations-2010.policy"
    text = path.read_text("utf-8") + "\nobligation extra\n  while \n  social_worker must do visit within 5 \n"
    uri = _open(client, path, text)
    await _diagnostics(client, uri)
    lines = text.split("\n")

    async def labels(line: int) -> set[str]:
        got = await client.text_document_completion_async(T.CompletionParams(
            text_document=T.TextDocumentIdentifier(uri), position=T.Position(line, len(lines[line]))))
        return {i.label for i in got.items}

    assert "looked_after" in await labels(len(lines) - 3)  # after `while`: statuses
    units = await labels(len(lines) - 2)
    assert {"working days", "weeks", "months"} <= units


@pytest.mark.asyncio
async def test_formatting_and_outline(client: LanguageClient, project: Path):
    path = project / "policies/national/care-leavers-regulations-2010.policy"
    text = path.read_text("utf-8")
    messy = text.replace("\n  ", "\n      ", 3)
    uri = _open(client, path, messy)
    await _diagnostics(client, uri)
    edits = await client.text_document_formatting_async(T.DocumentFormattingParams(
        text_document=T.TextDocumentIdentifier(uri), options=T.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert edits and edits[0].new_text == text
    symbols = await client.text_document_document_symbol_async(T.DocumentSymbolParams(text_document=T.TextDocumentIdentifier(uri)))
    kinds = {s.kind for s in symbols}
    assert T.SymbolKind.Function in kinds  # obligations
    assert len(symbols) >= 5


def test_completion_offers_declared_attributes_and_their_values():
    """After `when` the vocabulary's attributes; after `when ATTRIBUTE is` its values, with DfE codes."""
    from compiler.lsp.documents import check_document
    from compiler.lsp.features import completions

    path = ROOT / "policies/national/care-planning-regulations-2010.policy"
    text = path.read_text("utf-8") + "\nobligation extra\n  when \n  when placement_type is \n"
    doc = check_document(path, text, {})
    lines = text.split("\n")
    after_when = {c.label for c in completions(doc, len(lines) - 2, len(lines[-3]) + 1)}
    assert {"placement_type", "legal_status", "age"} <= after_when
    values = {c.label: c.detail for c in completions(doc, len(lines) - 1, len(lines[-2]) + 1)}
    assert "placed_with_parents" in values and "ssda903" in values["placed_with_parents"]

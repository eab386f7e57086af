"""Editor support: the Pygments lexer (docs highlighting) and the VS Code extension's TextMate
grammar, both drawn from the grammar and tested on every shipped policy."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Literal, Name, Number, String, Token

from dsl.highlight import PolicyLexer, textmate_json, vocabulary

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
POLICIES = sorted((ROOT / "policies").rglob("*.policy"))


def test_the_lexer_is_a_pygments_plugin():
    assert isinstance(get_lexer_by_name("policy"), PolicyLexer)
    assert isinstance(get_lexer_for_filename("standards.policy"), PolicyLexer)


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_policy_lexes_without_error_tokens(path: Path):
    text = path.read_text(encoding="utf-8")
    tokens = list(PolicyLexer().get_tokens(text))
    errors = [value for kind, value in tokens if kind in Error]
    assert errors == []
    assert "".join(value for _, value in tokens) == text if text.endswith("\n") else text + "\n"
    kinds = {kind for kind, _ in tokens}
    assert Keyword.Declaration in kinds and String.Double in kinds


def test_the_lexer_knows_the_grammar_words():
    v = vocabulary()
    assert "obligation" in v["declarations"] and "must" in v["modalities"]
    assert "within" in v["keywords"] and "as soon as possible" in v["vague"]
    line = 'obligation visits "Visits"\n  social_worker must visit statutory_visit as soon as possible\n'
    kinds = [(kind, value) for kind, value in PolicyLexer().get_tokens(line) if value.strip()]
    assert (Keyword.Declaration, "obligation") in kinds and (Name.Class, "visits") in kinds
    assert (Keyword.Reserved, "must") in kinds and (Keyword.Pseudo, "as soon as possible") in kinds
    assert (Name, "statutory_visit") in kinds


def test_the_textmate_grammar_is_generated_from_the_current_grammar():
    committed = (VSCODE / "syntaxes" / "policy.tmLanguage.json").read_text(encoding="utf-8")
    assert committed == textmate_json(), (
        "editors/vscode/syntaxes/policy.tmLanguage.json is stale: run "
        "`.venv/bin/python -m dsl.highlight textmate > editors/vscode/syntaxes/policy.tmLanguage.json`")


def test_the_extension_manifest_names_files_that_exist():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    contributes = manifest["contributes"]
    for item in [*contributes["grammars"], *contributes["snippets"]]:
        assert (VSCODE / item["path"]).is_file()
    assert (VSCODE / contributes["languages"][0]["configuration"]).is_file()
    assert (VSCODE / manifest["main"]).is_file()
    json.loads((VSCODE / "snippets" / "policy.code-snippets").read_text(encoding="utf-8"))
    json.loads((VSCODE / "language-configuration.json").read_text(encoding="utf-8"))


def _pygments_class(kind: object) -> str | None:
    for parent, name in ((Comment, "comment"), (String, "string"), (Name.Class, "declared"), (Name.Label, "code"),
                         (Keyword, "keyword"), (Number, "number"), (Literal.Date, "number"), (Name, "name")):
        if kind in parent:
            return name
    return None


def _textmate_class(scope: str) -> str | None:
    for prefix, name in (("comment.", "comment"), ("string.", "string"), ("constant.character.escape", "string"),
                         ("entity.name.", "declared"), ("constant.other.diagnostic-code", "code"),
                         ("storage.type", "keyword"), ("keyword.", "keyword"), ("support.type", "keyword"),
                         ("constant.numeric", "number"), ("variable.", "name")):
        if scope.startswith(prefix):
            return name
    return None


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (scripts/setup.sh installs it)")
def test_the_textmate_grammar_colours_every_shipped_policy_as_the_lexer_does():
    """VS Code's own tokenizer (vscode-textmate) against the Pygments lexer, character by character."""
    assert (VSCODE / "node_modules" / "vscode-textmate").is_dir(), "run scripts/setup.sh (npm ci in editors/vscode)"
    out = subprocess.run(["node", str(VSCODE / "test" / "tokenize.js"), *map(str, POLICIES)],
                         capture_output=True, text=True, check=True, timeout=120)
    tokenized = json.loads(out.stdout)
    for path in POLICIES:
        lines = path.read_text(encoding="utf-8").split("\n")
        textmate: dict[tuple[int, int], str | None] = {}
        for line, start, end, scope in tokenized[str(path)]:
            for col in range(start, end):
                textmate[(line, col)] = _textmate_class(scope)
        line, col, disagreements = 0, 0, []
        for kind, value in PolicyLexer().get_tokens("\n".join(lines)):
            for ch in value:
                if ch == "\n":
                    line, col = line + 1, 0
                    continue
                if not ch.isspace() and kind is not Token.Punctuation:
                    want, got = _pygments_class(kind), textmate.get((line, col))
                    if want != got:
                        disagreements.append(f"{path.name}:{line + 1}:{col + 1} {ch!r}: lexer {want}, TextMate {got}")
                col += 1
        assert disagreements[:10] == []

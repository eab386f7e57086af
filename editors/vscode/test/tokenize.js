// Tokenize files with the extension's TextMate grammar, as VS Code would, and print JSON:
// {file: [[line, start, end, scope], ...]} with the most specific scope of each token.
// Usage: node test/tokenize.js FILE...   (used by tests/test_editors.py)
"use strict";
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm")).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scopeName) => {
    if (scopeName !== "source.policy") return null;
    const file = path.join(__dirname, "..", "syntaxes", "policy.tmLanguage.json");
    return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
  },
});

registry.loadGrammar("source.policy").then((grammar) => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    let state = vsctm.INITIAL;
    const tokens = [];
    lines.forEach((text, i) => {
      const r = grammar.tokenizeLine(text, state);
      for (const t of r.tokens) {
        tokens.push([i, t.startIndex, Math.min(t.endIndex, text.length), t.scopes[t.scopes.length - 1]]);
      }
      state = r.ruleStack;
    });
    out[file] = tokens;
  }
  process.stdout.write(JSON.stringify(out));
});

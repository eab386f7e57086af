// The policyc VS Code extension: the TextMate grammar, snippets and problem matcher are declared in
// package.json; this file starts the policyc language server (`policyc lsp`, over stdio) for
// .policy files. The command is the setting `policyc.command` (default: `policyc lsp` on PATH;
// in the policyc repository, [".venv/bin/policyc", "lsp"]).
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("policyc").get("command") || ["policyc", "lsp"];
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const server = {
    command: command[0],
    args: command.slice(1),
    transport: TransportKind.stdio,
    options: folder ? { cwd: folder.uri.fsPath } : {},
  };
  client = new LanguageClient(
    "policyc",
    "policyc language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "policy" }] },
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

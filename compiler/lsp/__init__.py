"""The language server (`policyc lsp`): the checker in the author's editor.

In: the editor's open documents (their unsaved text) and the files on disk they `uses`. Out: LSP
messages: the same diagnostics as `policyc check` (quotes verified where the source document is
found), hover readings of timings with example due dates and the cited quote, `explain` on a
diagnostic code, definitions and references of roles, events, statuses and attributes across
`uses`, completion, formatting, the document outline, and code actions for fix hints that can be
applied mechanically.

- `documents`: checking a document's text and indexing its names (no LSP types);
- `features`: hover, completion, symbols and code actions as plain data (no LSP types);
- `server`: the pygls server that turns these into LSP messages.
It runs the whole pipeline, so it comes after the build and before the CLI.
"""

"""The policyc language: grammar, parser, typed AST, diagnostics and formatter."""

"""Stage 4, the analyses: what is wrong with a policy, as diagnostics with stable codes.

In: resolved policies (`compiler.model.ir.Policy`), their graphs, the statutory baseline and the
source documents. Out: `dsl.diagnostics.Diagnostic`s and analysis results that emitters render:
gaps (`gaps`), conflicts within a policy and across an authority's documents (`conflicts`), the
statutory floor (`floor`), quote verification (`quotes`), coverage of a source (`coverage`), the
alignment of duties across policies (`alignment`) and changes between versions (`changes`).
`analyse.analyse_policies` runs them all; `check` is the orchestrator that loads, analyses and applies
`allow` suppressions (`suppress`). Imports `dsl`, `compiler.model` and `compiler.graph`; renders nothing.

The package itself imports nothing: `policyc audit` loads and resolves policies through `check`
without analysing them, and does not pay for importing the analyses (networkx among them, about a
fifth of a second)."""

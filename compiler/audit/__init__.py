"""Stage 7, the audit: judge real case events against a policy.

In: a resolved policy and a case-events table (CSV/Parquet, or an adapter's output). Out: one row
per occurrence of each duty with its outcome, a summary, and the rejected input rows. The reference
interpreter (`reference`) and the generated checkers (run by `engines`) implement one semantics
(`compiler.model.semantics`); `inputs` validates the events, `run` drives an audit, `report` sums
it up. Imports every stage before it except the CLI."""

"""Stage 6, the adapters: DfE data returns to case events.

In: an SSDA903 return (CSV tables) or a CIN census (XML). Out: the case-events table the audit
reads (one row per child event, with attributes), and the rows that could not be used, each with
a reason and its row number. Imports `dsl` and `compiler.model` at most."""

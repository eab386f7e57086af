"""Stage 2, the model: from the AST to the resolved policy, the compiler's IR.

In: parsed files (`dsl.ast.PolicyFile`) and their `uses` vocabularies. Out: `ir.Policy`, every name
resolved (`same as` followed), every timing typed, every position kept for diagnostics.

- `load`: find .policy files, parse them once each (with their vocabularies), resolve;
- `resolve`: names, timings and conditions from the AST to the IR, with E2xx diagnostics;
- `ir`: the resolved policy (frozen dataclasses): the one representation every later stage reads;
- `timescales`: durations, units, working days, exact comparison of timescales;
- `semantics`: what an obligation means over a child's history (occurrences, outcomes), shared by
  the reference interpreter and the generated checkers;
- `describe`: a timing or condition in plain English;
- `settings`: the project's `[tool.policyc]` settings.
Imports only `dsl`.
"""

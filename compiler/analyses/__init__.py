"""Stage 4, the analyses: what is wrong with a policy, as diagnostics with stable codes.

In: resolved policies (`compiler.model.ir.Policy`), their graphs, the statutory baseline and the
source documents. Out: `dsl.diagnostics.Diagnostic`s and analysis results that emitters render:
gaps (`gaps`), conflicts within a policy and across an authority's documents (`conflicts`), the
statutory floor (`floor`), quote verification (`quotes`), coverage of a source (`coverage`), the
alignment of duties across policies (`alignment`) and changes between versions (`changes`).
`check` is the orchestrator that loads, analyses and applies `allow` suppressions (`suppress`).
Imports `dsl`, `compiler.model` and `compiler.graph`; renders nothing."""

from __future__ import annotations

from compiler.analyses.conflicts import across_documents, within_policy
from compiler.analyses.floor import against_floor
from compiler.analyses.gaps import gaps
from compiler.model.ir import Policy
from compiler.model.versions import in_force
from dsl.diagnostics import Diagnostic


def analyse_policies(policies: list[Policy], baseline: list[Policy] | None = None) -> list[Diagnostic]:
    """Every policy is checked on its own; only the versions in force (the latest published version
    of each document, `compiler.model.versions`) are checked across documents and form the floor."""
    out: list[Diagnostic] = []
    for p in policies:
        out.extend(gaps(p))
        out.extend(within_policy(p))
    out.extend(across_documents(in_force(policies)))
    if baseline is not None:
        baseline = in_force(baseline)
        base_paths = {b.path for b in baseline}
        for p in policies:
            if p.path not in base_paths:
                out.extend(against_floor(p, baseline))
    return out


__all__ = ["analyse_policies", "gaps", "within_policy", "across_documents", "against_floor"]

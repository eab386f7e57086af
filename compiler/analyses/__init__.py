"""Analyses over the policy graph: gaps, conflicts within a policy, across an authority's
documents, and against the statutory floor. Each returns diagnostics with stable codes."""

from __future__ import annotations

from compiler.analyses.conflicts import across_documents, within_policy
from compiler.analyses.floor import against_floor
from compiler.analyses.gaps import gaps
from compiler.model import Policy
from dsl.diagnostics import Diagnostic


def analyse_policies(policies: list[Policy], baseline: list[Policy] | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for p in policies:
        out.extend(gaps(p))
        out.extend(within_policy(p))
    out.extend(across_documents(policies))
    if baseline is not None:
        base_paths = {b.path for b in baseline}
        for p in policies:
            if p.path not in base_paths:
                out.extend(against_floor(p, baseline))
    return out


__all__ = ["analyse_policies", "gaps", "within_policy", "across_documents", "against_floor"]

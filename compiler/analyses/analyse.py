"""Every analysis of a set of policies, in the order their findings are reported."""

from __future__ import annotations

from compiler.analyses.conflicts import across_documents, within_policy
from compiler.analyses.dependencies import dependent_steps, two_triggers
from compiler.analyses.floor import against_floor
from compiler.analyses.gaps import gaps
from compiler.analyses.points import index
from compiler.analyses.precision import fold_by_sentence, precision
from compiler.analyses.versions import version_order
from compiler.model.ir import Policy
from compiler.model.versions import in_force
from dsl.diagnostics import Diagnostic


def analyse_policies(policies: list[Policy], baseline: list[Policy] | None = None) -> list[Diagnostic]:
    """Every policy is checked on its own; only the versions in force (the latest published version
    of each document, `compiler.model.versions`) are checked across documents and form the floor."""
    out: list[Diagnostic] = []
    current = in_force(policies)
    timed_elsewhere, replaced = precision(current)
    for p in policies:
        out.extend(fold_by_sentence([d for d in gaps(p)
                                     if not (d.code in ("W406", "W408") and (d.file, d.span) in replaced)], p))
        idx = index([p])
        out.extend(within_policy(p, idx))
        out.extend(dependent_steps(p, idx))
        out.extend(two_triggers(p, idx))
    out.extend(timed_elsewhere)
    out.extend(across_documents(current))
    out.extend(version_order(policies))
    if baseline is not None:
        baseline = in_force(baseline)
        base_paths = {b.path for b in baseline}
        local = [p for p in policies if p.path not in base_paths]
        reported: set[str] = set()
        current_local = in_force(local)
        for p in local:
            # a statutory duty is missing only if none of the authority's documents states it;
            # reported once, on the authority's first document
            siblings = [q for q in current_local if q is not p and p.authority and q.authority == p.authority]
            first = not p.authority or p.authority not in reported
            reported.add(p.authority or p.path)
            out.extend(against_floor(p, baseline, siblings, missing_duties=first))
    return out

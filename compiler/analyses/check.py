"""`policyc check`: load, resolve, verify citations, analyse, apply suppressions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from compiler.analyses.quotes import check_quotes
from compiler.analyses.suppress import apply_suppressions, suppression_reason
from compiler.model.ir import Policy
from compiler.model.load import Loaded, Loader, expand_paths, named_folder
from dsl.diagnostics import Diagnostic, Severity


@dataclass
class CheckResult:
    loaded: list[Loaded]
    diagnostics: list[Diagnostic]
    suppressed: list[Diagnostic]
    sources: dict[str, list[str]]
    missing: list[str] = field(default_factory=list)
    floor_files: frozenset[str] = frozenset()  # the statutory baseline (`--against`), by path

    @property
    def policies(self) -> list[Policy]:
        return [x.policy for x in self.loaded if x.policy is not None and x.policy.kind == "policy"]

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)


def suppressed_notes(result: CheckResult) -> list[Diagnostic]:
    """The suppressed diagnostics as I701 notes, each with the reason it was accepted."""
    by_file = {p.path: p for p in result.policies}
    return [
        Diagnostic("I701", f"{d.code} suppressed: {d.message}", d.file, d.span,
                   f"accepted because: {suppression_reason(by_file.get(d.file), d)}", d.related)
        for d in result.suppressed
    ]


def check_paths(paths: list[Path], source_dirs: list[Path] | None, against: list[Path] | None = None,
                analyse: bool = True, loader: Loader | None = None) -> CheckResult:
    """Check `paths` (files or folders). `loader` may supply files' text from elsewhere than the
    disk (the language server passes the editor's unsaved text). `source_dirs` None: quotes are not
    verified (the build)."""
    files, missing = expand_paths(paths)
    loader = loader or Loader()
    loaded = [loader.load(f, named_folder(f, paths)) for f in files]
    diags: list[Diagnostic] = []
    for x in loaded:
        diags.extend(x.diagnostics)
        if x.policy is not None and source_dirs is not None:  # None: quotes are not verified (the build)
            diags.extend(check_quotes(x.policy, source_dirs))
    policies = [x.policy for x in loaded if x.policy is not None and x.policy.kind == "policy"]
    clean = [x.policy for x in loaded if x.policy is not None and x.policy.kind == "policy"
             and not any(d.severity is Severity.ERROR for d in x.diagnostics)]
    baseline: list[Policy] = []
    if analyse and clean:
        if against:
            base_files, base_missing = expand_paths(against)
            missing.extend(base_missing)
            for f in base_files:
                b = loader.load(f, named_folder(f, against))
                diags.extend(b.diagnostics)
                if b.policy is not None and b.policy.kind == "policy":
                    baseline.append(b.policy)
        from compiler.analyses.analyse import analyse_policies  # here: an audit loads policies without them

        diags.extend(analyse_policies(clean, baseline if against else None))
    # unique, sorted
    uniq = {(d.file, d.span, d.code, d.message): d for d in diags}
    diags = sorted(uniq.values(), key=lambda d: d.sort_key)
    kept, dropped = apply_suppressions(policies, diags)
    floor_files = frozenset(b.path for b in baseline)
    return CheckResult(loaded, kept, dropped, loader.sources, missing, floor_files)

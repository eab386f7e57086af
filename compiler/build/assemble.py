"""`policyc build`: every generated file, computed in memory, then written or checked.

Outputs (paths relative to the project root):
  generated/<authority>/<policy>/process-map.dot, process-map.svg, timeline-<status>.svg, policy.json
  generated/<authority>/findings.md
  generated/checkers/<authority>/<policy>.py and .sql
  generated/BUILD-INFO.md                         the Graphviz version the SVG maps were drawn with
  docs/authorities/...                            the site's generated pages
  docs/authorities/<authority>/history/<policy>.md  earlier versions and drafts (compiler.model.versions)
  docs/compare.md, docs/policyc.css, mkdocs.yml
  docs/index.md                                   only the table of documents between its markers
Iteration is sorted and nothing carries a timestamp, so the same inputs give identical files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from compiler.analyses.changes import diff_policies
from compiler.analyses.check import check_paths
from compiler.emitters import findings as F
from compiler.emitters import pages as P
from compiler.emitters import process_map as M
from compiler.emitters import site as S
from compiler.emitters import timeline as T
from compiler.emitters.checker_python import generate_python
from compiler.emitters.checker_sql import generate_sql
from compiler.emitters.compare import comparison_markdown, differences_from_statute_markdown
from compiler.emitters.diff import render_markdown as render_diff_markdown
from compiler.emitters.export import export_policy
from compiler.model.ir import Policy
from compiler.model.versions import history, in_force, label, series_of
from dsl.diagnostics import Diagnostic, Severity

MANAGED = ("generated", "docs/authorities")
GRAPHVIZ_FILES = ("process-map.svg", "map.md")


@dataclass
class BuildResult:
    outputs: dict[str, str] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)
    graphviz: str | None = None


def _authorities(policies_dir: Path) -> list[str]:
    return sorted(d.name for d in policies_dir.iterdir() if d.is_dir() and any(d.rglob("*.policy")))


def _counts(diags: list[Diagnostic]) -> dict[str, int]:
    return {s.value: sum(d.severity is s for d in diags) for s in Severity}


def compute(root: Path, source_dirs: list[Path]) -> BuildResult:
    res = BuildResult()
    policies_dir = root / "policies"
    national = policies_dir / "national"
    by_auth: dict[str, list[Policy]] = {}
    names: dict[str, str] = {}
    diags_by_auth: dict[str, tuple[list[Diagnostic], list[Diagnostic]]] = {}
    for key in _authorities(policies_dir):
        against = [national] if key != "national" and national.is_dir() else None
        result = check_paths([policies_dir / key], source_dirs, against)
        res.sources.update(result.sources)
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR and not d.code.startswith("E6")]
        if errors:
            res.errors.extend(errors)
            continue
        by_auth[key] = sorted(result.policies, key=lambda p: p.slug)
        names[key] = ("National: the statutory floor" if key == "national"
                      else next((p.authority for p in by_auth[key] if p.authority), key))
        diags_by_auth[key] = (result.diagnostics, result.suppressed)
    if res.errors:
        return res
    res.graphviz = M.graphviz_version()
    out = res.outputs
    out["generated/BUILD-INFO.md"] = (
        "# Build information\n\nWritten by `policyc build`.\n\n"
        f"- Graphviz: `{res.graphviz or 'not installed'}` (SVG process maps depend on its version; "
        "`policyc build --check` compares them only when the local Graphviz is the same)\n"
    )
    # the versions in force are the documents; earlier versions and drafts get a history page each
    everything_by_auth = by_auth
    history_by_auth = {key: history(policies) for key, policies in everything_by_auth.items()}
    by_auth = {key: in_force(policies) for key, policies in everything_by_auth.items()}
    for key, policies in by_auth.items():
        diags, suppressed = diags_by_auth[key]
        counts = _counts(diags)
        findings = F.findings_markdown(names[key], diags, everything_by_auth[key], suppressed)
        out[f"generated/{key}/findings.md"] = findings
        out[f"docs/authorities/{key}/findings.md"] = findings
        out[f"docs/authorities/{key}/index.md"] = S.authority_index(key, names[key], policies, counts,
                                                                    history_by_auth[key])
        _history_pages(out, key, everything_by_auth[key], history_by_auth[key], diags, suppressed)
        for p in policies:
            base = f"generated/{key}/{p.slug}"
            dot = M.process_map_dot(p)
            out[f"{base}/process-map.dot"] = dot
            svg = M.render_svg(dot)
            if svg is not None:
                out[f"{base}/process-map.svg"] = svg
            timelines: dict[str, str] = {}
            for status in T.timeline_statuses(p):
                tsvg = T.timeline_svg(p, status)
                if tsvg:
                    timelines[status] = tsvg
                    out[f"{base}/timeline-{status}.svg"] = tsvg
            out[f"{base}/policy.json"] = json.dumps(export_policy(p).model_dump(mode="json", by_alias=True),
                                                    indent=2, ensure_ascii=False) + "\n"
            out[f"generated/checkers/{key}/{p.slug}.py"] = generate_python(p)
            out[f"generated/checkers/{key}/{p.slug}.sql"] = generate_sql(p)
            page = f"docs/authorities/{key}/{p.slug}"
            mine = [d for d in diags if d.file == p.path]
            out[f"{page}/index.md"] = P.overview_page(p, list(timelines), _counts(mine))
            out[f"{page}/map.md"] = P.map_page(p, svg, timelines)
            if svg is not None:
                out[f"{page}/process-map.svg"] = svg
            out[f"{page}/obligations.md"] = P.obligations_page(p)
            out[f"{page}/principles.md"] = P.principles_page(p)
    baseline = by_auth.get("national", [])
    everything = [p for key in sorted(by_auth) for p in by_auth[key] if key != "national"]
    # a wide table: give it the page's full width
    out["docs/compare.md"] = "---\nhide:\n  - navigation\n  - toc\n---\n\n" + comparison_markdown(everything, baseline)
    for key, policies in by_auth.items():
        if key != "national":
            out[f"docs/authorities/{key}/statute.md"] = "\n".join(
                differences_from_statute_markdown(p, baseline) for p in policies)
    out["docs/authorities/index.md"] = S.authorities_index(by_auth, names, history_by_auth)
    out["docs/policyc.css"] = S.CSS
    out["docs/policyc.js"] = S.JS
    home = root / "docs" / "index.md"
    if home.is_file():
        out["docs/index.md"] = S.splice_documents(home.read_text(encoding="utf-8"), S.documents_table(by_auth, names))
    static = {p.name for p in (root / "docs").glob("*.md")} | {"index.md"}
    out["mkdocs.yml"] = S.mkdocs_yml(by_auth, names, static, history_by_auth)
    return res


def _history_pages(out: dict[str, str], key: str, policies: list[Policy], earlier: list[Policy],
                   diags: list[Diagnostic], suppressed: list[Diagnostic]) -> None:
    """A page for each earlier version or draft: its period in force, the diff to the next version, its findings."""
    series = {id(p): s for s in series_of(policies) for p in s.versions}
    for p in earlier:
        s = series[id(p)]
        nxt = s.next_after(p)
        changes = render_diff_markdown(diff_policies(p, nxt)) if nxt is not None else None
        mine = [d for d in diags if d.file == p.path]
        findings = F.findings_markdown(f"{p.title}, {label(p)}", mine, [p], [d for d in suppressed if d.file == p.path])
        out[f"docs/authorities/{key}/{S.history_page_path(p)}"] = S.history_page(p, nxt, s.period(p), changes, findings)


def _existing(root: Path) -> set[str]:
    found: set[str] = set()
    for managed in MANAGED:
        d = root / managed
        if d.is_dir():
            found |= {str(p.relative_to(root)) for p in d.rglob("*") if p.is_file()}
    return found


def stale(root: Path, res: BuildResult, local_graphviz_matches: bool) -> list[tuple[str, str]]:
    """(path, reason) for every file that would change, appear or disappear."""
    changes: list[tuple[str, str]] = []
    for rel, text in sorted(res.outputs.items()):
        if not local_graphviz_matches and rel.endswith(GRAPHVIZ_FILES):
            continue
        path = root / rel
        if not path.is_file():
            changes.append((rel, "missing"))
        elif path.read_text(encoding="utf-8") != text:
            changes.append((rel, "out of date"))
    for rel in sorted(_existing(root) - set(res.outputs)):
        changes.append((rel, "no longer generated"))
    return changes


def recorded_graphviz(root: Path) -> str | None:
    info = root / "generated" / "BUILD-INFO.md"
    if not info.is_file():
        return None
    for line in info.read_text(encoding="utf-8").splitlines():
        if line.startswith("- Graphviz: `"):
            return line.split("`")[1]
    return None


def write(root: Path, res: BuildResult) -> tuple[int, int]:
    written = removed = 0
    for rel, text in sorted(res.outputs.items()):
        path = root / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    for rel in sorted(_existing(root) - set(res.outputs)):
        (root / rel).unlink()
        removed += 1
    return written, removed

"""`policyc build`: every generated file, computed in memory, then written or checked.

Outputs (paths relative to the project root; the build writes nothing outside `generated/`):
  generated/BUILD-INFO.md                          the Graphviz version the SVG maps were drawn with
  generated/<authority>/<policy>/process-map.dot, timeline-<status>.svg, policy.json
  generated/checkers/<authority>/<policy>.py and .sql
  generated/site/...                               the site's generated pages, each written once:
      nav.json                                     their navigation (read by compiler/build/site_hook.py)
      compare.md, authorities/index.md
      authorities/<authority>/index.md, findings.md, statute.md
      authorities/<authority>/<policy>/index.md, map.md, obligations.md, principles.md, process-map.svg
      authorities/<authority>/history/<policy>.md  earlier versions and drafts (compiler.model.versions)
      documents.md                                 the table of documents, spliced into the home page by the hook
The hand-written pages stay in docs/ and mkdocs.yml; mkdocs joins the two through the hook.

The outputs depend only on the repository. Quotes are not verified here (that is `policyc check`'s
job: a check, not an input of the build), so whether the source documents are present changes
nothing. Without Graphviz the committed SVG maps are kept as they are and used for the pages.
Iteration is sorted and nothing carries a timestamp, so the same inputs give identical files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from compiler.analyses.alignment import compare_policies
from compiler.analyses.changes import diff_policies
from compiler.analyses.check import check_paths
from compiler.build import files
from compiler.emitters import findings as F
from compiler.emitters import interval_chart
from compiler.emitters import pages as P
from compiler.emitters import process_map as M
from compiler.emitters import site as S
from compiler.emitters import timeline as T
from compiler.emitters.checker_python import generate_python
from compiler.emitters.checker_sql import generate_sql
from compiler.emitters.compare import differences_from_statute_markdown, render_markdown
from compiler.emitters.diff import render_markdown as render_diff_markdown
from compiler.emitters.export import export_policy
from compiler.model.ir import Policy
from compiler.model.versions import history, in_force, label, series_of
from dsl.diagnostics import Diagnostic, Severity

SITE = f"{files.MANAGED}/site"
GRAPHVIZ_FILES = ("process-map.svg", "map.md")
MAP = "process-map.svg"
RESERVED = frozenset({"checkers", "site"})  # folders of generated/ that are not authorities
INFO = f"{files.MANAGED}/BUILD-INFO.md"


class OutputConflict(Exception):
    """Two outputs would be written to one path, or a path would leave the managed folder."""


@dataclass
class BuildResult:
    outputs: dict[str, str] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)
    graphviz: str | None = None  # the local Graphviz, None if not installed
    kept_svgs: int = 0  # without Graphviz: committed SVG maps kept as they are
    origin: dict[str, str] = field(default_factory=dict)  # output path -> the policy file it comes from

    def add(self, rel: str, text: str, origin: str) -> None:
        files.output_path(rel)
        if rel in self.outputs and self.origin[rel] != origin:
            raise OutputConflict(f"`{self.origin[rel]}` and `{origin}` would both write {rel}: "
                                 "give one of the policy files another name")
        self.outputs[rel] = text
        self.origin[rel] = origin


def _authorities(policies_dir: Path) -> list[str]:
    return sorted(d.name for d in policies_dir.iterdir() if d.is_dir() and any(d.rglob("*.policy")))


def _counts(diags: list[Diagnostic]) -> dict[str, int]:
    return {s.value: sum(d.severity is s for d in diags) for s in Severity}


def recorded_graphviz(root: Path) -> str | None:
    text = files.read(root, INFO)
    for line in (text or "").splitlines():
        if line.startswith("- Graphviz: `"):
            return line.split("`")[1]
    return None


def _build_info(graphviz: str | None) -> str:
    return ("# Build information\n\nWritten by `policyc build`.\n\n"
            f"- Graphviz: `{graphviz or 'not installed'}` (SVG process maps depend on its version; "
            "`policyc build --check` compares them only when the local Graphviz is the same)\n")


def _load(root: Path, res: BuildResult) -> tuple[dict[str, list[Policy]], dict[str, str], dict]:
    policies_dir = root / "policies"
    national = policies_dir / "national"
    by_auth: dict[str, list[Policy]] = {}
    names: dict[str, str] = {}
    diags_by_auth: dict[str, tuple[list[Diagnostic], list[Diagnostic]]] = {}
    for key in _authorities(policies_dir):
        if key in RESERVED:
            raise OutputConflict(f"policies/{key}/: `{key}` is a folder of generated/ that the build uses itself; "
                                 "rename the authority's folder")
        against = [national] if key != "national" and national.is_dir() else None
        result = check_paths([policies_dir / key], None, against)  # None: quotes are not an input
        res.sources.update(result.sources)
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR and not d.code.startswith("E6")]
        if errors:
            res.errors.extend(errors)
            continue
        by_auth[key] = sorted(result.policies, key=lambda p: (p.slug, p.path))
        names[key] = ("National: the statutory floor" if key == "national"
                      else next((p.authority for p in by_auth[key] if p.authority), key))
        diags_by_auth[key] = (result.diagnostics, result.suppressed)
    return by_auth, names, diags_by_auth


def _svg(root: Path, res: BuildResult, rel: str, dot: str) -> str | None:
    """The SVG map: drawn by the local Graphviz, or without one the committed file as it is."""
    if res.graphviz is not None:
        return M.render_svg(dot)
    kept = files.read(root, rel)
    if kept is not None:
        res.kept_svgs += 1
    return kept


def _policy_outputs(root: Path, res: BuildResult, key: str, p: Policy, diags: list[Diagnostic]) -> None:
    base = f"{files.MANAGED}/{key}/{p.slug}"
    page = f"{SITE}/authorities/{key}/{p.slug}"
    dot = M.process_map_dot(p)
    res.add(f"{base}/process-map.dot", dot, p.path)
    svg = _svg(root, res, f"{page}/{MAP}", dot)
    if svg is not None:
        res.add(f"{page}/{MAP}", svg, p.path)
    timelines: dict[str, str] = {}
    for status in T.timeline_statuses(p):
        tsvg = T.timeline_svg(p, status)
        if tsvg:
            timelines[status] = tsvg
            res.add(f"{base}/timeline-{status}.svg", tsvg, p.path)
    res.add(f"{base}/policy.json", json.dumps(export_policy(p).model_dump(mode="json", by_alias=True),
                                              indent=2, ensure_ascii=False) + "\n", p.path)
    res.add(f"{files.MANAGED}/checkers/{key}/{p.slug}.py", generate_python(p), p.path)
    res.add(f"{files.MANAGED}/checkers/{key}/{p.slug}.sql", generate_sql(p), p.path)
    mine = [d for d in diags if d.file == p.path]
    res.add(f"{page}/index.md", P.overview_page(p, list(timelines), _counts(mine)), p.path)
    res.add(f"{page}/map.md", P.map_page(p, svg, timelines), p.path)
    res.add(f"{page}/obligations.md", P.obligations_page(p), p.path)
    res.add(f"{page}/principles.md", P.principles_page(p), p.path)


def compute(root: Path) -> BuildResult:
    """Every output of the build, in memory (nothing is written). Raises OutputConflict."""
    res = BuildResult()
    files.existing(root)  # the managed folder is checked before anything in it is read
    by_auth, names, diags_by_auth = _load(root, res)
    if res.errors:
        return res
    res.graphviz = M.graphviz_version()
    res.add(INFO, _build_info(res.graphviz) if res.graphviz else (files.read(root, INFO) or _build_info(None)),
            "the build")
    # the versions in force are the documents; earlier versions and drafts get a history page each
    everything_by_auth = by_auth
    history_by_auth = {key: history(policies) for key, policies in everything_by_auth.items()}
    by_auth = {key: in_force(policies) for key, policies in everything_by_auth.items()}
    for key, policies in by_auth.items():
        diags, suppressed = diags_by_auth[key]
        folder = f"policies/{key}"
        res.add(f"{SITE}/authorities/{key}/findings.md",
                F.findings_markdown(names[key], diags, everything_by_auth[key], suppressed), folder)
        res.add(f"{SITE}/authorities/{key}/index.md",
                S.authority_index(key, names[key], policies, _counts(diags), history_by_auth[key]), folder)
        _history_pages(res, key, everything_by_auth[key], history_by_auth[key], diags, suppressed)
        for p in policies:
            _policy_outputs(root, res, key, p, diags)
    baseline = by_auth.get("national", [])
    everything = [p for key in sorted(by_auth) for p in by_auth[key] if key != "national"]
    # a wide table: give it the page's full width
    comparison = compare_policies(everything, baseline)
    res.add(f"{SITE}/compare.md", "---\nhide:\n  - navigation\n  - toc\n---\n\n" + render_markdown(comparison),
            "the build")
    res.add(f"{SITE}/intervals.md", interval_chart.page_markdown(comparison), "the build")
    for key, policies in by_auth.items():
        if key != "national":
            res.add(f"{SITE}/authorities/{key}/statute.md",
                    "\n".join(differences_from_statute_markdown(p, baseline) for p in policies), f"policies/{key}")
    res.add(f"{SITE}/authorities/index.md", S.authorities_index(by_auth, names, history_by_auth), "the build")
    res.add(f"{SITE}/documents.md", S.documents_table(by_auth, names), "the build")
    res.add(f"{SITE}/nav.json", json.dumps(S.nav(by_auth, names, history_by_auth), indent=2, ensure_ascii=False) + "\n",
            "the build")
    folders = {str(parent) for rel in res.outputs for parent in Path(rel).parents}
    clash = sorted(folders & set(res.outputs))
    if clash:
        raise OutputConflict(f"{clash[0]} would be both a file and a folder: rename the policy file or folder")
    return res


def _history_pages(res: BuildResult, key: str, policies: list[Policy], earlier: list[Policy],
                   diags: list[Diagnostic], suppressed: list[Diagnostic]) -> None:
    """A page for each earlier version or draft: its period in force, the diff to the next version, its findings."""
    series = {id(p): s for s in series_of(policies) for p in s.versions}
    for p in earlier:
        s = series[id(p)]
        nxt = s.next_after(p)
        changes = render_diff_markdown(diff_policies(p, nxt)) if nxt is not None else None
        mine = [d for d in diags if d.file == p.path]
        findings = F.findings_markdown(f"{p.title}, {label(p)}", mine, [p], [d for d in suppressed if d.file == p.path])
        res.add(f"{SITE}/authorities/{key}/{S.history_page_path(p)}",
                S.history_page(p, nxt, s.period(p), changes, findings), p.path)


def stale(root: Path, res: BuildResult, local_graphviz_matches: bool) -> list[tuple[str, str]]:
    """(path, reason) for every file that would change, appear or disappear."""
    present = files.existing(root)
    changes: list[tuple[str, str]] = []
    for rel, text in sorted(res.outputs.items()):
        if not local_graphviz_matches and rel.endswith(GRAPHVIZ_FILES):
            continue
        if rel not in present:
            changes.append((rel, "missing"))
        elif files.read(root, rel) != text:
            changes.append((rel, "out of date"))
    for rel in sorted(present - set(res.outputs)):
        if res.graphviz is None and rel.endswith(MAP):
            continue  # no Graphviz: SVG maps are left alone
        changes.append((rel, "no longer generated"))
    return changes


def write(root: Path, res: BuildResult) -> tuple[int, int]:
    present = files.existing(root)  # raises UnsafeTree before anything is touched
    written = removed = 0
    for rel, text in sorted(res.outputs.items()):
        if rel in present and files.read(root, rel) == text:
            continue
        files.write(root, rel, text)
        written += 1
    for rel in sorted(present - set(res.outputs)):
        if res.graphviz is None and rel.endswith(MAP):
            continue  # no Graphviz: SVG maps are left alone
        files.remove(root, rel)
        removed += 1
    return written, removed

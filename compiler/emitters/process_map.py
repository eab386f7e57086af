"""The process map: statuses and transitions as a Graphviz DOT graph, grouped by service.

Initial statuses are drawn as double-bordered green ovals, final ones as grey double circles;
each transition is labelled with its event and the deciding role. The DOT text is ours and
deterministic; SVG is rendered by Graphviz's `dot` (its version is recorded in the build).
"""

from __future__ import annotations

import shutil
import subprocess

from compiler.emitters.escape import dot_html, dot_string
from compiler.graph.policy_graph import build_graph
from compiler.model.ir import Policy

SERVICE_ORDER = ["front_door", "early_help", "assessment", "child_in_need", "child_protection", "looked_after",
                 "care_leavers", "disabled_children", "fostering", "kinship", "adoption", "closure"]
SERVICE_LABEL = {
    "front_door": "Front door", "early_help": "Early help", "assessment": "Assessment",
    "child_in_need": "Child in need", "child_protection": "Child protection", "looked_after": "Looked after",
    "care_leavers": "Care leavers", "disabled_children": "Disabled children", "fostering": "Fostering",
    "kinship": "Kinship", "adoption": "Adoption", "closure": "Step down and closure",
}
SERVICE_COLOUR = {
    "front_door": "#e8f1fb", "early_help": "#eaf7ea", "assessment": "#fff6e0", "child_in_need": "#f3ecfa",
    "child_protection": "#fdeaea", "looked_after": "#e6f4f4", "care_leavers": "#eef0fb", "disabled_children": "#f8f0e6",
    "fostering": "#f0f6e8", "kinship": "#f6f6e6", "adoption": "#fbeef6", "closure": "#f0f0f0",
}


def process_map_dot(policy: Policy) -> str:
    g = build_graph(policy)
    statuses = sorted(n[1] for n, d in g.nodes(data=True) if d.get("kind") == "status")
    by_service: dict[str, list[str]] = {}
    for sid in statuses:
        s = policy.statuses.get(sid)
        by_service.setdefault((s.service if s and s.service else "other"), []).append(sid)
    lines = [
        "digraph process_map {",
        f"  label={dot_string(policy.title + (' (' + policy.authority + ')' if policy.authority else ''))};",
        '  labelloc="t"; fontname="Helvetica"; fontsize=16; rankdir="LR"; nodesep=0.4; ranksep=0.7;',
        '  node [shape=box, style="rounded,filled", fillcolor="white", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    order = [s for s in SERVICE_ORDER if s in by_service] + sorted(set(by_service) - set(SERVICE_ORDER))
    for service in order:
        lines.append(f"  subgraph {dot_string('cluster_' + service)} {{")
        lines.append(f"    label={dot_string(SERVICE_LABEL.get(service, service.replace('_', ' ').capitalize()))};")
        lines.append(f'    style="rounded,filled"; color="#bbbbbb"; fillcolor="{SERVICE_COLOUR.get(service, "#f7f7f7")}";')
        for sid in by_service[service]:
            s = policy.statuses.get(sid)
            label = s.label if s else sid
            attrs = [f"label={dot_string(label)}", f"id={dot_string('status-' + sid)}"]
            if s and s.initial:
                attrs += ['peripheries=2', 'fillcolor="#d9f2d9"', 'tooltip="where a journey starts"']
            if s and s.final:
                attrs += ['shape=doublecircle', 'fillcolor="#e0e0e0"', 'tooltip="where a journey ends"']
            lines.append(f"    {dot_string(sid)} [{', '.join(attrs)}];")
        lines.append("  }")
    edges = sorted(
        (a[1], b[1], d.get("event", ""), d.get("decided_by") or "")
        for a, b, d in g.edges(data=True) if d.get("kind") == "transition"
    )
    for source, target, event, role in edges:
        text = dot_html(policy.label_of_event(event))
        if role:
            text += f'<BR/><FONT COLOR="#777777">decided by {dot_html(policy.label_of_role(role))}</FONT>'
        lines.append(f"  {dot_string(source)} -> {dot_string(target)} [label=<{text}>];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz_version() -> str | None:
    dot = shutil.which("dot")
    if dot is None:
        return None
    r = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False)
    return (r.stderr or r.stdout).strip() or None


def render_svg(dot_text: str) -> str | None:
    """SVG from DOT through Graphviz; None if `dot` is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    r = subprocess.run([dot, "-Tsvg"], input=dot_text, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"graphviz failed: {r.stderr.strip()}")
    return r.stdout

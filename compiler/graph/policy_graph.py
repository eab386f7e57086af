"""The policy graph (the compiler's IR): a networkx MultiDiGraph of statuses, events and
obligations.

Nodes: `("status", id)`, `("event", id)`, `("obligation", id)`.
Edges: status → status for each transition (`kind="transition"`, with the event and the
deciding role); obligation → status (`kind="applies_in"`); obligation → event
(`kind="action"`, `"trigger"`, `"until"`, `"restart"`, `"before"`); event → status
(`kind="enters"` / `"leaves"`). Analyses and the process-map emitter read it.
"""

from __future__ import annotations

import networkx as nx

from compiler.model.ir import AdvanceNotice, Policy, trigger_of, until_events


def build_graph(policy: Policy) -> nx.MultiDiGraph:  # noqa: C901 - one loop per kind of model element (statuses, transitions, obligations); each is a few lines
    g: nx.MultiDiGraph = nx.MultiDiGraph(policy=policy.path)
    for sid in sorted(policy.used_statuses()):
        s = policy.statuses.get(sid)
        g.add_node(("status", sid), kind="status", label=s.label if s else sid,
                   service=s.service if s else None, initial=bool(s and s.initial), final=bool(s and s.final))
        if s:
            for e in s.entered_on:
                g.add_edge(("event", e), ("status", sid), kind="enters")
            for e in s.left_on:
                g.add_edge(("event", e), ("status", sid), kind="leaves")
    for tr in policy.transitions:
        g.add_edge(("status", tr.source), ("status", tr.target), kind="transition", event=tr.event,
                   decided_by=tr.decided_by, conditions=tr.conditions)
        g.add_node(("event", tr.event), kind="event")
    for o in policy.obligations:
        node = ("obligation", o.id)
        g.add_node(node, kind="obligation", obligation=o)
        if o.status:
            g.add_edge(node, ("status", o.status), kind="applies_in")
        g.add_edge(node, ("event", o.action), kind="action")
        t = o.timing
        if t is None:
            continue
        trigger = trigger_of(t)
        if trigger:
            g.add_edge(node, ("event", trigger), kind="before" if isinstance(t, AdvanceNotice) else "trigger")
        for e in until_events(t):
            g.add_edge(node, ("event", e), kind="until")
        for r in t.restarts:
            g.add_edge(node, ("event", r.event), kind="restart")
    for n, data in g.nodes(data=True):
        if "kind" not in data:
            data["kind"] = n[0]
    return g


def status_graph(g: nx.MultiDiGraph) -> nx.DiGraph:
    """Statuses and the transitions between them only."""
    sg: nx.DiGraph = nx.DiGraph()
    for n, data in g.nodes(data=True):
        if data.get("kind") == "status":
            sg.add_node(n[1], **data)
    for a, b, data in g.edges(data=True):
        if data.get("kind") == "transition":
            sg.add_edge(a[1], b[1])
    return sg

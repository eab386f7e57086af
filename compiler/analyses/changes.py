"""What changed between two versions of a policy, for a changelog or a pull-request comment.

Obligations are matched by id first, then, among those left, by duty (status, action, starting
event and conditions in the shared vocabulary's names): a match of the second kind is a rename.
A matched pair is then:

  tightened  every timing point compared is stricter or equal, one stricter (exactly, over every
             start date, with `compiler.model.timescales.compare`), or `should` became `must`, or a
             measurable timescale replaced a vague one, or a timing point was added;
  loosened   the reverse;
  changed    anything else about the duty: both tighter and looser parts, a comparison that
             depends on the start date, an equivalent restatement, another trigger, role or
             condition;
  re-worded  the title or a quote changed;
  re-cited   the clauses cited changed.

One obligation can appear under several headings (tightened and re-cited, say).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compiler.analyses.points import Point, points, strictness
from compiler.model import describe, identity
from compiler.model.ir import Obligation, Policy, Vague
from compiler.model.timescales import Ordering

KINDS = ("tightened", "loosened", "added", "removed", "changed", "reworded", "recited", "renamed")
HEADINGS = {"added": "Added", "removed": "Removed", "tightened": "Tightened", "loosened": "Loosened",
            "changed": "Changed", "reworded": "Re-worded", "recited": "Re-cited", "renamed": "Renamed"}


@dataclass
class Change:
    kind: str
    old: Obligation | None
    new: Obligation | None
    details: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        o = self.new or self.old
        assert o is not None
        return o.id


@dataclass
class PolicyDiff:
    old: Policy
    new: Policy
    header: list[str]
    changes: list[Change]

    def of_kind(self, kind: str) -> list[Change]:
        return sorted((c for c in self.changes if c.kind == kind), key=lambda c: (c.id, c.old.id if c.old else ""))


# ---- matching ------------------------------------------------------------------------------------------------------
def duty_key(policy: Policy, o: Obligation) -> tuple:
    return identity.duty(policy, o)


def match(old: Policy, new: Policy) -> tuple[list[tuple[Obligation, Obligation]], list[Obligation], list[Obligation]]:
    """Pairs (by id, then by duty), the removed and the added."""
    new_by_id = {o.id: o for o in new.obligations}
    pairs = [(o, new_by_id[o.id]) for o in old.obligations if o.id in new_by_id]
    old_left = [o for o in old.obligations if o.id not in new_by_id]
    taken = {o.id for o in old.obligations}
    new_left = [o for o in new.obligations if o.id not in taken]
    for o in list(old_left):
        key = duty_key(old, o)
        candidates = [n for n in new_left if duty_key(new, n) == key]
        same_timing = [n for n in candidates if identity.timing(new, n.timing) == identity.timing(old, o.timing)]
        chosen = next(iter(same_timing or candidates), None)
        if chosen is not None:
            pairs.append((o, chosen))
            old_left.remove(o)
            new_left.remove(chosen)
    return pairs, old_left, new_left


# ---- comparing a pair -------------------------------------------------------------------------------------------------
def _phrase(pt: Point) -> str:
    return {"first": f"first within {pt.duration}", "second": f"then within {pt.duration}",
            "every": f"every {pt.duration}", "notice": f"at least {pt.duration} before",
            "age": f"by age {pt.duration}"}[pt.name]


def _points(policy: Policy, o: Obligation) -> dict[str, Point]:
    return {pt.name: pt for pt in points(policy, o)}


def _vague(o: Obligation) -> bool:
    return o.timing is None or isinstance(o.timing, Vague)


def timing_changes(old: Policy, o: Obligation, new: Policy, n: Obligation) -> tuple[list[str], list[str], list[str]]:
    """(tighter, looser, other) descriptions of how the timing changed."""
    up: list[str] = []
    down: list[str] = []
    other: list[str] = []
    if identity.timing(old, o.timing) == identity.timing(new, n.timing):
        return up, down, other
    before, after = describe.timing(o.timing, old), describe.timing(n.timing, new)
    a, b = _points(old, o), _points(new, n)
    if not a or not b:  # a measurable timing replaced by a vague one (or none), or the reverse, or neither measurable
        target = up if b and _vague(o) else down if a and _vague(n) else other
        target.append(f"{before} → {after}")
        return up, down, other
    for name in sorted(a.keys() | b.keys()):
        pa, pb = a.get(name), b.get(name)
        if pa is None and pb is not None:
            up.append(f"adds {_phrase(pb)}")
        elif pb is None and pa is not None:
            down.append(f"drops {_phrase(pa)}")
        elif pa is not None and pb is not None:
            _compare_point(pa, pb, up, down, other)
    if not (up or down or other):
        other.append(f"timing restated: {before} → {after}")
    return up, down, other


def _compare_point(pa: Point, pb: Point, up: list[str], down: list[str], other: list[str]) -> None:
    text = f"{_phrase(pa)} → {_phrase(pb)}"
    if pa.key[3] != pb.key[3]:
        other.append(f"{text} (counted from another event)")
        return
    if pa.duration == pb.duration:
        return
    order = strictness(pb, pa)
    if order is Ordering.STRICTER:
        up.append(text)
    elif order is Ordering.WEAKER:
        down.append(text)
    elif order is Ordering.DEPENDS:
        other.append(f"{text} (stricter on some start dates, laxer on others)")
    else:
        other.append(f"{text} (the same deadline on every date)")


def duty_changes(old: Policy, o: Obligation, new: Policy, n: Obligation) -> tuple[list[str], list[str], list[str]]:
    up, down, other = timing_changes(old, o, new, n)
    if o.modality != n.modality:
        (up if n.modality == "must" else down).append(f"{o.modality} → {n.modality}")
    # each part compared as data; the English is only what the change says
    parts: list[tuple[str, object, object, str, str]] = [
        ("applies while", old.canonical_status(o.status), new.canonical_status(n.status),
         old.label_of_status(o.status), new.label_of_status(n.status)),
        ("fulfilled by", old.canonical_event(o.action), new.canonical_event(n.action),
         old.label_of_event(o.action), new.label_of_event(n.action)),
        ("responsible", o.responsible, n.responsible, old.label_of_role(o.responsible), new.label_of_role(n.responsible)),
        ("conditions", identity.conditions(o.conditions, prose=True), identity.conditions(n.conditions, prose=True),
         "; ".join(describe.condition(c) for c in o.conditions), "; ".join(describe.condition(c) for c in n.conditions)),
    ]
    for what, a, b, shown_a, shown_b in parts:
        if a != b:
            other.append(f"{what}: {shown_a or 'none'} → {shown_b or 'none'}")
    return up, down, other


def wording_changes(o: Obligation, n: Obligation) -> tuple[list[str], list[str]]:
    """(re-worded, re-cited) descriptions."""
    worded: list[str] = []
    if o.title != n.title:
        worded.append(f"title: “{o.title}” → “{n.title}”")
    quotes_a, quotes_b = [c.quote for c in o.citations], [c.quote for c in n.citations]
    worded += [f"quote removed: “{q}”" for q in quotes_a if q not in quotes_b]
    worded += [f"quote added: “{q}”" for q in quotes_b if q not in quotes_a]
    clauses_a = list(dict.fromkeys(c.clause for c in o.citations))
    clauses_b = list(dict.fromkeys(c.clause for c in n.citations))
    cited = [f"cites {', '.join(clauses_a) or 'nothing'} → {', '.join(clauses_b) or 'nothing'}"] \
        if set(clauses_a) != set(clauses_b) else []
    return worded, cited


def _pair_changes(old: Policy, o: Obligation, new: Policy, n: Obligation) -> list[Change]:
    out: list[Change] = []
    if o.id != n.id:
        out.append(Change("renamed", o, n, [f"{o.id} → {n.id}"]))
    up, down, other = duty_changes(old, o, new, n)
    if up and down:
        other = [f"tighter: {x}" for x in up] + [f"looser: {x}" for x in down] + other
        up, down = [], []
    worded, cited = wording_changes(o, n)
    for kind, details in (("tightened", up), ("loosened", down), ("changed", other), ("reworded", worded),
                          ("recited", cited)):
        if details:
            out.append(Change(kind, o, n, details))
    return out


def _header_changes(old: Policy, new: Policy) -> list[str]:
    fields = [("title", old.title, new.title), ("authority", old.authority, new.authority),
              ("version", old.version, new.version), ("effective", old.effective, new.effective),
              ("review due", old.review_due, new.review_due), ("source", old.source, new.source)]
    return [f"{name}: {a or 'none'} → {b or 'none'}" for name, a, b in fields if a != b]


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    pairs, removed, added = match(old, new)
    changes = [Change("removed", o, None, [describe.timing(o.timing, old)]) for o in removed]
    changes += [Change("added", None, n, [describe.timing(n.timing, new)]) for n in added]
    for o, n in pairs:
        changes.extend(_pair_changes(old, o, new, n))
    return PolicyDiff(old, new, _header_changes(old, new), changes)


# ---- rendering ----------------------------------------------------------------------------------------------------------

"""Comparing practice standards: one row per duty, one column per policy.

Alignment
    A duty is keyed by (status, action, point, trigger) in the shared vocabulary's names
    (`same as` is followed), exactly as the conflict checks key it (`compiler.analyses.points`):
    the point is `first`, `second`, `every`, `notice` or `age`; ordinal milestones add
    `before the Nth EVENT` rows. A term a policy declares itself, with no `same as`, is not
    part of the shared vocabulary: it is kept apart per policy (never matched by spelling) and
    listed under "Local terms with no shared equivalent".

    Every obligation lands in at least one row. A timing that cannot be measured (vague, no
    timescale, or a bounded recurrence) is shown but never ranked; a vague first-time duty joins
    the measured rows of the same status and action so that the cell reads "promptly" rather
    than "not stated".

Ranking
    Within a row, entries with the same structured conditions are compared pairwise with
    `compiler.analyses.points.strictness` (that is `compiler.model.timescales.compare`, exact over every
    start date): an entry no laxer than all others is the strictest, one no stricter than all
    others the weakest, and one whose relation to another depends on the start date is marked so
    and never as strictest or weakest.

The statutory floor
    The floor is the policies given with `--against`; without it, every given policy that is
    national: its file is in a folder named `national`, or its authority names a national body
    (UK Government, HM Government, the Department for Education, the Secretary of State,
    Parliament). A local entry is compared with the floor's entries for the same duty and
    conditions, or failing those the floor's unconditional entries: the rule of E601/I603.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from compiler.analyses.points import (
    Point,
    bound_phrase,
    conditions_key,
    points,
    same_phase,
    strictness,
    under_floor,
)
from compiler.model import describe
from compiler.model.ir import (
    AdvanceNotice,
    AgeMilestone,
    Condition,
    Deadline,
    Every,
    Obligation,
    OrdinalMilestone,
    Policy,
    Recurrence,
    Vague,
    timing_events,
    trigger_of,
)
from compiler.model.timescales import Duration, Ordering, Unit

POINT_ORDER = ("first", "second", "every", "notice", "age", "before")
RECURRING_PHRASES = frozenset({"regularly", "periodically", "as required", "as needed"})
NATIONAL_BODIES = ("uk government", "hm government", "department for education", "secretary of state", "parliament")
ANY_STAGE = "Any stage (no status given)"
NOT_STATED = "not stated"

RANK_WORDS = {"strictest": "strictest", "weakest": "weakest", "depends": "depends on the start date"}
FLOOR_WORDS = {"weaker": "below the statutory floor", "depends": "below the statutory floor on some start dates"}

RowKey = tuple[str, str, str, str]  # status, action, point, trigger ("" when none)


def is_national(policy: Policy) -> bool:
    """A statute or statutory guidance: in a `national` folder, or issued by a national body."""
    if "national" in Path(policy.path).parts[:-1]:
        return True
    authority = (policy.authority or "").lower()
    return any(body in authority for body in NATIONAL_BODIES)


# ---- the model of a comparison ----------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    policy: Policy
    label: str
    floor: bool


@dataclass(eq=False)
class Entry:
    """One obligation's part of one duty: what a cell lists."""

    policy: Policy
    obligation: Obligation
    point: str
    phrase: str
    conditions: tuple[Condition, ...]  # as data (compiler.model.identity): what entries are grouped by
    measure: Point | None  # None: no measurable timescale, never ranked
    rank: str | None = None  # strictest | weakest | depends
    floor: str | None = None  # weaker | depends | stricter | equal (against the floor)
    floor_entries: tuple[Entry, ...] = ()

    @property
    def clauses(self) -> list[str]:
        return list(dict.fromkeys(c.clause for c in self.obligation.citations))

    @property
    def timing(self) -> str:
        return describe.timing(self.obligation.timing, self.policy)


@dataclass
class Row:
    key: RowKey
    status_label: str
    duty: str
    cells: dict[str, list[Entry]] = field(default_factory=dict)  # by policy path

    @property
    def entries(self) -> list[Entry]:
        return [e for path in sorted(self.cells) for e in self.cells[path]]


@dataclass(frozen=True)
class LocalTerm:
    policy: Policy
    kind: str  # event | status
    id: str
    label: str
    used_by: tuple[str, ...]
    also_in: tuple[str, ...]  # other policies declaring a local term of the same name


@dataclass
class Comparison:
    columns: list[Column]
    rows: list[Row]
    local_terms: list[LocalTerm]
    floor_note: str
    narrowed: bool = False  # by `focus`: only some duties are shown, so the local terms are not listed


# ---- terms: shared or local ---------------------------------------------------------------------------
@dataclass
class _Terms:
    """Keys and labels of the terms rows are keyed by: shared ids as they are, local ids per policy."""

    labels: dict[str, str] = field(default_factory=dict)
    status_order: list[str] = field(default_factory=list)

    def _key(self, policy: Policy, table: dict, term: str) -> str:
        item = table.get(term)
        if item is None or item.origin != policy.path:
            return term
        return f"{term}@{policy.path}"

    def event(self, policy: Policy, event: str | None) -> str:
        if not event:
            return ""
        canonical = policy.canonical_event(event)
        key = self._key(policy, policy.events, canonical)
        self.labels.setdefault(key, _local(policy.label_of_event(canonical), key != canonical, policy))
        return key

    def status(self, policy: Policy, status: str | None) -> str:
        if not status:
            return ""
        canonical = policy.canonical_status(status) or status
        key = self._key(policy, policy.statuses, canonical)
        self.labels.setdefault(key, _local(policy.label_of_status(canonical), key != canonical, policy))
        return key

    def learn_statuses(self, policy: Policy) -> None:
        for sid, s in policy.statuses.items():
            if s.origin != policy.path and sid not in self.status_order:
                self.status_order.append(sid)

    def label(self, key: str) -> str:
        return self.labels.get(key, key.replace("_", " "))


def is_local(term_key: str) -> bool:
    """A row key's term that one policy declared for itself (ids never contain `@`)."""
    return "@" in term_key


def _local(label: str, local: bool, policy: Policy) -> str:
    return f"{label} (local to {policy.authority or policy.title})" if local else label


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text[:2] and text[:2] != text[:2].upper() else text


# ---- entries: an obligation's parts ------------------------------------------------------------------------
def _point_phrase(policy: Policy, o: Obligation, pt: Point) -> str:
    t = o.timing
    assert t is not None
    d = pt.duration
    trigger = trigger_of(t) or ""
    if pt.name == "first":
        return describe.timing(Deadline(duration=d, trigger=trigger, span=t.span), policy)
    if pt.name == "second":
        return f"within {d} of the first"
    if pt.name == "every":
        return describe.timing(Recurrence(every=Every(d), span=t.span), policy) + bound_phrase(pt.bound)
    if pt.name == "notice":
        return describe.timing(AdvanceNotice(duration=d, trigger=trigger, span=t.span), policy)
    return describe.timing(t, policy)


def _age_in_months(age: tuple[Duration, ...]) -> Duration | None:
    """An age of years and months as one duration in months, so that it can be compared."""
    if not age or any(a.unit not in (Unit.YEARS, Unit.MONTHS) for a in age):
        return None
    return Duration(sum(a.amount * (12 if a.unit is Unit.YEARS else 1) for a in age), Unit.MONTHS)


def _measured(policy: Policy, o: Obligation, status: str, action: str, terms: _Terms) -> list[tuple[RowKey, Entry]]:
    conds = conditions_key(o)
    out: list[tuple[RowKey, Entry]] = []
    for pt in points(policy, o):
        key = (status, action, pt.name, terms.event(policy, pt.key[3]))
        out.append((key, Entry(policy, o, pt.name, _point_phrase(policy, o, pt), conds, pt)))
    t = o.timing
    if isinstance(t, AgeMilestone) and len(t.age) > 1:
        months = _age_in_months(t.age)
        age = Point(policy, o, "age", months, ("age", status, action, None, conds)) if months else None
        out.append(((status, action, "age", ""), Entry(policy, o, "age", describe.timing(t, policy), conds, age)))
    if isinstance(t, OrdinalMilestone):
        point = f"before:{t.ordinal}"
        key = (status, action, point, terms.event(policy, t.trigger))
        out.append((key, Entry(policy, o, point, describe.timing(t, policy), conds, None)))
    return out


def _unmeasured(policy: Policy, o: Obligation, status: str, action: str, terms: _Terms) -> tuple[RowKey, Entry]:
    """An obligation with no measurable point still gets a row: vague, untimed or bounded."""
    t = o.timing
    recurring = isinstance(t, Recurrence) or (isinstance(t, Vague) and t.phrase in RECURRING_PHRASES)
    point = "every" if recurring else "first"
    return (status, action, point, ""), Entry(policy, o, point, describe.timing(t, policy), conditions_key(o), None)


def entries_of(policy: Policy, o: Obligation, terms: _Terms) -> list[tuple[RowKey, Entry]]:
    status = terms.status(policy, o.status)
    action = terms.event(policy, o.action)
    return _measured(policy, o, status, action, terms) or [_unmeasured(policy, o, status, action, terms)]


# ---- building the comparison ---------------------------------------------------------------------------------
_AUTHORITY_SUFFIXES = (" County Council", " Borough Council", " City Council", " Council")


def short_name(policy: Policy) -> str:
    """A column's name: the document by a short title and its year, as people cite it ("Somerset
    practice standards 2023", "Care planning regulations 2010"), from the authority and the file
    name (which the project names TITLE-YEAR.policy)."""
    stem = Path(policy.path).stem.replace("-", " ").replace("_", " ").strip()
    title = stem[:1].upper() + stem[1:]
    if is_national(policy) or not policy.authority:
        return title
    authority = policy.authority
    for suffix in _AUTHORITY_SUFFIXES:
        authority = authority.removesuffix(suffix)
    return f"{authority} {stem}"


def _columns(policies: Iterable[Policy], floor_paths: set[str]) -> list[Column]:
    unique = {p.path: p for p in policies}
    ordered = sorted(unique.values(), key=lambda p: (p.path not in floor_paths, p.authority or "", p.title, p.path))
    names = [short_name(p) for p in ordered]
    out = []
    for p, name in zip(ordered, names, strict=True):
        label = name if names.count(name) == 1 else f"{name} ({p.version or p.path})"
        out.append(Column(p, label, p.path in floor_paths))
    return out


def _duty_title(key: RowKey, terms: _Terms) -> str:
    _, action, point, trigger = key
    what = terms.label(action)
    when = _lower_first(terms.label(trigger)) if trigger else ""
    if point == "first":
        return f"{what}: first, from {when}" if when else f"{what}: when due (no starting event)"
    if point.startswith("before:"):
        return f"{what}: before the {describe.ordinal(int(point.split(':')[1]))} {when}"
    return {
        "second": f"{what}: second, after the first" + (f" (from {when})" if when else ""),
        "every": f"{what}: how often" + (f" (from {when})" if when else ""),
        "notice": f"{what}: notice before {when}",
        "age": f"{what}: by age",
    }[point]


def _merge_unmeasured(rows: dict[RowKey, Row]) -> None:
    """A vague first-time duty joins the measured rows of its status and action where its policy has none."""
    for key in sorted(k for k in rows if k[2] == "first" and k[3] == ""):
        targets = sorted(k for k in rows if k[:3] == key[:3] and k[3] and not is_local(k[3]))
        if not targets:
            continue
        row = rows[key]
        for path in sorted(row.cells):
            moved = [t for t in targets if path not in rows[t].cells]
            for t in moved:
                rows[t].cells[path] = list(row.cells[path])
            if moved:
                del row.cells[path]
        if not row.cells:
            del rows[key]


def _rank(row: Row) -> None:
    """Strictest, weakest or depends among entries of the same conditions, from two policies or more."""
    by_conditions: dict[tuple[Condition, ...], list[Entry]] = defaultdict(list)
    for e in row.entries:
        if e.measure is not None:
            by_conditions[e.conditions].append(e)
    for group in by_conditions.values():
        if len({e.policy.path for e in group}) < 2:
            continue
        for e, mine in ((e, e.measure) for e in group if e.measure is not None):
            orders = [strictness(mine, other.measure) for other in group
                      if other is not e and other.measure is not None and same_phase(mine, other.measure)]
            if Ordering.DEPENDS in orders:
                e.rank = "depends"
            elif Ordering.STRICTER in orders and set(orders) <= {Ordering.STRICTER, Ordering.EQUAL}:
                e.rank = "strictest"
            elif Ordering.WEAKER in orders and set(orders) <= {Ordering.WEAKER, Ordering.EQUAL}:
                e.rank = "weakest"


def floor_relation(e: Entry, floor: list[Entry]) -> tuple[str | None, tuple[Entry, ...]]:
    """How an entry stands against the floor's entries of its row (the rule of E601 and I603)."""
    if e.measure is None:
        return None, ()
    measured = [f for f in floor if f.measure is not None and under_floor(e.measure, f.measure)]
    base = [f for f in measured if f.conditions == e.conditions] or [f for f in measured if not f.conditions]
    if not base:
        return None, tuple(base)
    orders = {strictness(e.measure, f.measure) for f in base if f.measure is not None}
    for order, word in ((Ordering.WEAKER, "weaker"), (Ordering.DEPENDS, "depends"), (Ordering.STRICTER, "stricter")):
        if order in orders:
            return word, tuple(base)
    return "equal", tuple(base)


def _mark_floor(row: Row, floor_paths: set[str]) -> None:
    floor = [e for e in row.entries if e.policy.path in floor_paths]
    for e in row.entries:
        if e.policy.path not in floor_paths:
            e.floor, e.floor_entries = floor_relation(e, floor)


def _row_sort_key(row: Row, terms: _Terms) -> tuple:
    status, action, point, trigger = row.key
    order = terms.status_order
    if not status:
        group = (2, 0, "")
    elif status in order:
        group = (0, order.index(status), "")
    else:
        group = (1, 0, terms.label(status).lower())
    base, _, n = point.partition(":")
    return (group, is_local(action) or is_local(trigger), terms.label(action).lower(), POINT_ORDER.index(base),
            int(n or 0), terms.label(trigger).lower(), row.key)


def _local_terms(policies: list[Policy]) -> list[LocalTerm]:
    found: list[tuple[Policy, str, str, str]] = []
    for p in policies:
        for kind, table in (("event", p.events), ("status", p.statuses)):
            for tid, item in table.items():
                if item.origin == p.path and not item.same_as:
                    found.append((p, kind, tid, item.label))
    declared_by: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p, kind, tid, _ in found:
        declared_by[(kind, tid)].add(p.path)
    uses = {p.path: _uses(p) for p in policies}
    out = []
    for p, kind, tid, label in found:
        others = sorted(declared_by[(kind, tid)] - {p.path})
        out.append(LocalTerm(p, kind, tid, label, tuple(sorted(uses[p.path][kind].get(tid, ()))), tuple(others)))
    return sorted(out, key=lambda t: (t.policy.path, t.kind, t.id))


def _uses(policy: Policy) -> dict[str, dict[str, set[str]]]:
    """kind -> term -> ids of the obligations using it, for every term at once (one pass)."""
    used: dict[str, dict[str, set[str]]] = {"status": defaultdict(set), "event": defaultdict(set)}
    for o in policy.obligations:
        used["status"][o.status or ""].add(o.id)
        events = {o.action} | (set(timing_events(o.timing)) if o.timing is not None else set())
        for e in events:
            used["event"][e].add(o.id)
    return used


def floor_note(columns: list[Column], explicit: bool) -> str:
    floor = [c.label for c in columns if c.floor]
    if not floor:
        return "No statutory floor: no policy was given with --against and none of those compared is national."
    how = "given with --against" if explicit else ("no --against given, so the national policies among those "
                                                   "compared: in a folder named national, or issued by a national body")
    return f"The statutory floor is {', '.join(floor)} ({how})."


def compare_policies(policies: list[Policy], floor: list[Policy] | None = None) -> Comparison:
    """Align `policies` (and the floor) duty by duty. With `floor` None, national policies are the floor."""
    everything = [*policies, *(floor or [])]
    floor_paths = {p.path for p in floor} if floor is not None else {p.path for p in everything if is_national(p)}
    columns = _columns(everything, floor_paths)
    terms = _Terms()
    rows: dict[RowKey, Row] = {}
    for col in columns:
        terms.learn_statuses(col.policy)
        for o in col.policy.obligations:
            for key, entry in entries_of(col.policy, o, terms):
                row = rows.setdefault(key, Row(key, "", ""))
                row.cells.setdefault(col.policy.path, []).append(entry)
    _merge_unmeasured(rows)
    for row in rows.values():
        row.status_label = terms.label(row.key[0]) if row.key[0] else ANY_STAGE
        row.duty = _duty_title(row.key, terms)
        _rank(row)
        _mark_floor(row, floor_paths)
    ordered = sorted(rows.values(), key=lambda r: _row_sort_key(r, terms))
    return Comparison(columns, ordered, _local_terms([c.policy for c in columns]),
                      floor_note(columns, floor is not None))


# ---- focus: the question asked -----------------------------------------------------------------------
BELOW_FLOOR = frozenset({"weaker", "depends"})


def topics_known(policies: Iterable[Policy]) -> set[str]:
    """Every topic an event of these policies (or their vocabulary) is filed under."""
    return {t for p in policies for e in p.events.values() for t in e.topics}


def focus(cmp: Comparison, topics: set[str] | None = None, duties: set[str] | None = None,
          below_floor: bool = False) -> Comparison:
    """The comparison narrowed to the question asked: duties whose action is filed under one of
    `topics`, duties named in `duties` (an obligation id or an action's event id), and with
    `below_floor` only duties where some document is weaker than the statute (E601/I603)."""

    def wanted(row: Row) -> bool:
        entries = row.entries
        if topics is not None and not any(e.policy.topics_of_event(e.obligation.action) & topics for e in entries):
            return False
        if duties is not None and not (row.key[1].split("@")[0] in duties
                                       or any(e.obligation.id in duties for e in entries)):
            return False
        return not below_floor or any(e.floor in BELOW_FLOOR for e in entries)

    narrowed = topics is not None or duties is not None or below_floor
    return Comparison(cmp.columns, [r for r in cmp.rows if wanted(r)], cmp.local_terms, cmp.floor_note, narrowed)

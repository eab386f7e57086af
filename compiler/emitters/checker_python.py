"""Generate the Python checker module of a policy: one function per measurable obligation.

The module imports only `compiler.audit.runtime` and `compiler.model.timescales`. Policy text (titles,
clauses, quotes, event and attribute names) is data: every string is written with `repr()`, so no
text in a policy can change what the module does; a docstring is a parenthesised run of `repr()`
literals. The output is deterministic: the same policy gives the same bytes.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import assert_never

from compiler.model.ir import (
    AdvanceNotice,
    AgeLimit,
    AgeMilestone,
    AttributeIs,
    Bound,
    Condition,
    CountRecurrence,
    Deadline,
    Every,
    For,
    InProse,
    MinimumPeriod,
    Obligation,
    OrdinalMilestone,
    Policy,
    Recurrence,
    Schedule,
    Share,
    Step,
    Timing,
    Until,
    Vague,
    Within,
    anchor_events,
    form_of,
    setting_of,
    trigger_of,
)
from compiler.model.semantics import (
    AIM_SUFFIX,
    audited,
    clause_of,
    clock_deadline,
    clock_seconds,
    fixed,
    has_clock,
    narrowing,
    not_measurable,
    status_events,
)
from compiler.model.timescales import Duration

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _dur(d: Duration | None) -> str:
    if d is None:
        return "None"
    return f"Duration({int(d.amount)!r}, Unit.{d.unit.name})"


def _bound(b: Bound | None, policy: Policy) -> str:
    match b:
        case None:
            return ""
        case Until():
            return f", rt.Until({policy.canonical_event(b.event)!r}, {b.ordinal!r})"
        case For():
            start = f", {policy.canonical_event(b.start)!r}" if b.start else ""
            return f", rt.For({_dur(b.duration)}{start})"
        case _:
            assert_never(b)


def _step(s: Step, policy: Policy) -> str:
    match s:
        case Within():
            anchor = f", anchor={policy.canonical_event(s.anchor)!r}" if s.anchor else ""
            return f"rt.Within({_dur(s.duration)}{anchor})"
        case Every():
            return f"rt.Every({_dur(s.duration)}{_bound(s.bound, policy)})"
        case _:
            assert_never(s)


def _docstring(lines: list[str], indent: str) -> str:
    body = "".join(f"{indent}    {line + chr(10)!r}\n" for line in lines)
    return f"{indent}(\n{body}{indent})\n"


def _function_names(policy: Policy) -> dict[str, str]:
    names: dict[str, str] = {}
    used: set[str] = set()
    for i, ob in enumerate(audited(policy), 1):
        ident = ob.id.replace(AIM_SUFFIX, "_aim")
        name = f"check_{ident}" if _IDENT.match(ident) and not keyword.iskeyword(ident) else f"check_{i}"
        while name in used:
            name = f"{name}_{i}"
        used.add(name)
        names[ob.id] = name
    return names


def _conditions(cs: tuple[Condition, ...]) -> str:
    return "(" + "".join(_condition(c) + ", " for c in cs) + ")"


def _condition(c: Condition) -> str:
    match c:
        case AttributeIs():
            values = "frozenset({" + ", ".join(repr(v) for v in sorted(set(c.values))) + "})"
            return f"rt.Attribute({c.attribute!r}, {values}, {bool(c.negated)!r})"
        case AgeLimit():
            age = "(" + "".join(_dur(d) + ", " for d in c.age) + ")"
            return f"rt.Age({c.comparison!r}, {age})"
        case InProse():
            raise ValueError("a condition in prose cannot be checked (not_measurable excludes it)")
        case _:
            assert_never(c)


class _Module:
    def __init__(self, policy: Policy):
        self.p = policy
        self.statuses: dict[tuple[frozenset[str], frozenset[str]], str] = {}
        self.lines: list[str] = []
        self.clock = False

    def status_name(self, ob: Obligation) -> str:
        found = status_events(self.p, ob.status)
        if found is None:
            return "None"
        if found not in self.statuses:
            self.statuses[found] = f"STATUS_{len(self.statuses) + 1}"
        return self.statuses[found]

    def ev(self, name: str | None) -> str:
        return repr(self.p.canonical_event(name) if name else None)

    def function(self, ob: Obligation, name: str) -> list[str]:
        t = ob.timing
        assert t is not None
        self.clock = clock_deadline(t) is not None  # a deadline in hours, judged on timestamps where it can be
        doc = [ob.title, ""]
        doc += [f"Clause {c.clause}: \u201c{c.quote}\u201d" for c in ob.citations] or ["(no citation)"]
        duty = " ".join(x for x in (ob.responsible, ob.modality, ob.verb, ob.action) if x)
        doc += ["", f"Duty: {duty}; timing: {form_of(t).replace('_', ' ')}" + (f"; while {ob.status}" if ob.status else "")]
        conditions = _conditions(ob.conditions)
        n = narrowing(self.p, ob)
        excluded = "(" + "".join(_conditions(cs) + ", " for cs in n.excluded) + ")"
        by_age = "(" + "".join(_conditions(cs) + ", " for cs in n.excluded_by_age) + ")"
        out = [f"def {name}(h: rt.History) -> list[rt.Row]:", _docstring(doc, "    ").rstrip("\n")]
        out.append(f"    duty = rt.Duty({ob.id!r}, {clause_of(ob)!r}, {self.ev(ob.action)}, "
                   f"{_dur(ob.extension.duration if ob.extension else None)}, {conditions}, {excluded}, {by_age}"
                   + (f", in_prose=({''.join(_conditions(cs) + ', ' for cs in n.prose_when)})" if n.in_prose else "")
                   + (", clock=True)" if has_clock(ob) else ")"))
        out.append("    rows: list[rt.Row] = []")
        out.append(f"    for ep in h.episodes({self.status_name(ob)}):")
        if any(isinstance(c, AttributeIs) for c in ob.conditions) or n.excluded:
            out += ["        if not rt.applies(h, ep, duty):",
                    "            rows.append(rt.not_applicable(h, ep, duty))",
                    "            continue"]
        if n.starts or n.cuts:
            out += [f"        part = rt.narrow(h, ep, {n.starts!r}, {n.cuts!r})",
                    "        if part is None:",
                    "            rows.append(rt.not_applicable(h, ep, duty))",
                    "            continue",
                    "        ep = part"]
        out.append("        last = ep.end(h.as_of)")
        out += ["        " + line for line in self.set_body(t)]
        out.append("    return rows")
        return out

    def set_body(self, t: Timing) -> list[str]:
        """The loop body; for a timing set per child, one branch per value that sets one, each the plain form's
        body with that value's timescale, and a no_data row where the value is missing."""
        setting = setting_of(t)
        if setting is None:
            return self.body(t)
        out = [f"found = rt.setting(h, ep, last, {self.ev(setting.event)}, {setting.attribute!r})",
               "if found is None:  # not set yet: nothing falls due",
               "    continue",
               "set_day, value = found"]
        for k, (value, duration) in enumerate(setting.choices):
            out.append(f"{'if' if k == 0 else 'elif'} value == {value!r}:")
            out += ["    " + line for line in self.body(fixed(t, duration))]
        out += ["else:  # no value recorded at the decision (or one that sets no timescale): the data cannot tell",
                "    rows.append(rt.unset(h, duty, set_day))"]
        return out

    def body(self, t: Timing) -> list[str]:
        """The loop body that makes one episode's rows, for each timing form."""
        match t:
            case Deadline():
                return self._deadline(t)
            case Schedule():
                steps = [_step(s, self.p) for s in t.steps]
                first = [f"rt.Within({_dur(t.duration)})", *steps]
                return self._chain(t, self._first_trigger(t.trigger), first, steps, bool(anchor_events(t)))
            case Recurrence():
                every = _step(t.every, self.p)
                start = self._first_trigger(t.trigger) if t.trigger else ["start = ep.start"]
                return self._chain(t, start, [every], [every], bool(anchor_events(t)))
            case CountRecurrence():
                return [
                    f"for occ in rt.count_chain(h, ep, duty, {self.ev(t.trigger)}, {int(t.ordinal)!r}):",
                    "    rows.append(rt.finish(h, ep, duty, occ))",
                ]
            case AdvanceNotice():
                return self._advance_notice(t)
            case AgeMilestone():
                return self._age_milestone(t)
            case OrdinalMilestone():
                return self._ordinal_milestone(t)
            case Share():
                return [f"rows.append(rt.finish(h, ep, duty, rt.share(h, ep, duty, {self.ev(t.trigger)}, "
                        f"{int(t.percent)!r})))"]
            case MinimumPeriod():
                return [
                    f"ends = h.days({self.ev(t.trigger)}, ep.start, last)",
                    "for day in h.days(duty.action, ep.start, last):",
                    f"    occ = rt.minimum_period(day, {_dur(t.duration)}, ends, last, ep.closed)",
                    "    rows.append(rt.finish(h, ep, duty, occ))",
                ]
            case Vague():
                raise ValueError("a vague timing cannot be checked (not_measurable excludes it)")
            case _:
                assert_never(t)

    def _deadline(self, t: Deadline) -> list[str]:
        if self.clock and clock_deadline(t):  # `within N hours of EVENT`: on timestamps where the records have times
            return [
                f"for day in h.days({self.ev(t.trigger)}, ep.start, last):",
                f"    occ = rt.clock_deadline(h, duty, {self.ev(t.trigger)}, day, last, ep.closed, {_dur(t.duration)}, "
                f"{clock_seconds(t.duration)!r}, TRIGGER_DAY)",
                "    rows.append(rt.finish(h, ep, duty, occ))",
            ]
        if t.later:  # `of A or B whichever is later`: the day the last of them arrives, round by round
            events = "(" + "".join(f"{self.ev(e)}, " for e in (t.trigger, *t.also)) + ")"
            lines = [f"days = rt.later(h, {events}, duty, ep.start, last)",
                     f"starts = [(day, {_dur(t.duration)}, None) for day in days]"]
        elif t.also or t.sooner:  # `of A or B [whichever is sooner]`: the days of any of them
            days = ", ".join(f"*h.days({self.ev(e)}, ep.start, last)" for e in (t.trigger, *t.also))
            lines = [f"days = sorted({{{days}}})"]
            if t.sooner:
                lines.append("days = rt.sooner(h, duty, days)")
            lines.append(f"starts = [(day, {_dur(t.duration)}, None) for day in days]")
        else:  # a window (`between N and D of EVENT`) opens N after the trigger: an action before does not count
            lines = [f"starts = [(day, {_dur(t.duration)}, {_dur(t.opens)}) "
                     f"for day in h.days({self.ev(t.trigger)}, ep.start, last)]"]
        for r in t.restarts:
            lines.append(f"starts += [(day, {_dur(r.duration)}, None) for day in h.days({self.ev(r.event)}, ep.start, last)]")
        lines += [
            "seen: set[dt.date] = set()",
            "for day, duration, opens in starts:",
            "    if day in seen:  # a restart on the day of the trigger (or of another restart) is the same one",
            "        continue",
            "    seen.add(day)",
            "    due = rt.due_after(day, duration, TRIGGER_DAY)",
            "    earliest = day if opens is None else rt.due_after(day, opens, TRIGGER_DAY)",
            "    done = h.first(duty.action, earliest, last)",
            "    rows.append(rt.finish(h, ep, duty, rt.Occurrence(day, due, done, day, last, ep.closed)))",
        ]
        return lines

    def _chain(self, t: Timing, start: list[str], first: list[str], later: list[str], anchored: bool) -> list[str]:
        restarts = "(" + "".join(f"({self.ev(r.event)}, {_dur(r.duration)}), " for r in t.restarts) + ")"
        trigger = trigger_of(t)
        passed = f", trigger={self.ev(trigger)}" if anchored and trigger else ""
        return start + [
            "first_steps = (" + "".join(s + ", " for s in first) + ")",
            "later_steps = (" + "".join(s + ", " for s in later) + ")",
            f"for occ in rt.chain(h, ep, duty, start, first_steps, later_steps, {restarts}, TRIGGER_DAY{passed}):",
            "    rows.append(rt.finish(h, ep, duty, occ))",
        ]

    def _first_trigger(self, event: str) -> list[str]:
        return [f"start = h.first({self.ev(event)}, ep.start, last)", "if start is None:", "    continue"]

    def _advance_notice(self, t: AdvanceNotice) -> list[str]:
        first = int(t.from_ordinal)  # `before every EVENT from the Nth`: skip the earlier ones
        skip = [f"    if k < {first!r}:", "        previous = day", "        continue"] if first > 1 else []
        loop = (f"for k, day in enumerate(h.days({self.ev(t.trigger)}, ep.start, last), start=1):" if skip
                else f"for day in h.days({self.ev(t.trigger)}, ep.start, last):")
        return [
            "previous: dt.date | None = None",
            loop,
            *skip,
            "    lo = ep.start if previous is None else previous + rt.ONE_DAY",
            f"    due = rt.latest_notice_day(day, {_dur(t.duration)})",
            "    actions = h.days(duty.action, lo, day)",
            "    before = [a for a in actions if a <= due]",
            "    after = [a for a in actions if a > due]",
            "    done = before[-1] if before else (after[0] if after else None)",
            "    occ = rt.Occurrence(day, due, done, lo, last, ep.closed, close=day, extendable=False)",
            "    rows.append(rt.finish(h, ep, duty, occ))",
            "    previous = day",
        ]

    def _age_milestone(self, t: AgeMilestone) -> list[str]:
        age = "(" + "".join(_dur(d) + ", " for d in t.age) + ")"
        return [
            "if h.birth is None:",
            "    rows.append(rt.not_applicable(h, ep, duty))",
            "    continue",
            f"due = add_many(h.birth, {age})",
            "if ep.start > due:",
            "    continue",
            "done = h.first(duty.action, ep.start, last)",
            "rows.append(rt.finish(h, ep, duty, rt.Occurrence(ep.start, due, done, ep.start, last, ep.closed)))",
        ]

    def _ordinal_milestone(self, t: OrdinalMilestone) -> list[str]:
        return [
            f"due = h.nth({self.ev(t.trigger)}, ep.start, last, {int(t.ordinal)!r})",
            "done = h.first(duty.action, ep.start, last)",
            "rows.append(rt.finish(h, ep, duty, rt.Occurrence(ep.start, due, done, ep.start, last, ep.closed)))",
        ]


def generate_python(policy: Policy) -> str:
    """The checker module for `policy` as Python source text."""
    m = _Module(policy)
    names = _function_names(policy)
    functions: list[list[str]] = []
    measured: list[Obligation] = []
    skipped: list[tuple[str, str]] = []
    for ob in audited(policy):
        reason = not_measurable(policy, ob)
        if reason is not None:
            skipped.append((ob.id, reason))
            continue
        measured.append(ob)
        functions.append(m.function(ob, names[ob.id]))
    title = f"Audit checks for {policy.title}"
    head = [
        "# Generated by policyc (compiler/emitters/checker_python.py). Do not edit: edit the policy and rebuild.",
        "(",
        f"    {title + chr(10)!r}",
        f"    {chr(10)!r}",
        f"    {'Policy file: ' + Path(policy.path).name + chr(10)!r}",
        "    'Run with run(children, as_of[, unrecorded]): children are compiler.model.semantics.Child histories.\\n'",
        "    'Semantics: docs/audit.md.\\n'",
        ")",
        "",
        "from __future__ import annotations",
        "",
        "import datetime as dt",
        "",
        "from compiler.audit import runtime as rt",
        "from compiler.model.timescales import Duration, Unit, add_many",
        "",
        f"TITLE = {policy.title!r}",
        f"AUTHORITY = {policy.authority!r}",
        f"TRIGGER_DAY = {int(policy.trigger_day)!r}",
        "",
    ]
    statuses = [f"{name} = rt.StatusEvents(frozenset({_set(enter)}), frozenset({_set(leave)}))"
                for (enter, leave), name in m.statuses.items()]
    lines = head + statuses + ([""] if statuses else [])
    lines += ["#: Obligations that produce no occurrences, and why.", "NOT_MEASURABLE: dict[str, str] = {"]
    lines += [f"    {oid!r}: {why!r}," for oid, why in skipped]
    lines += ["}", "", ""]
    for f in functions:
        lines += f + ["", ""]
    lines += [
        "#: (obligation id, check) in policy order.",
        "CHECKS: tuple[tuple[str, rt.Check], ...] = (",
        *[f"    ({ob.id!r}, {names[ob.id]})," for ob in measured],
        ")",
        "",
        "#: The order of every obligation of the policy (rows are sorted by it).",
        "ORDER: dict[str, int] = {" + ", ".join(f"{ob.id!r}: {i}" for i, ob in enumerate(audited(policy))) + "}",
        "",
        "",
        "def run(children: list[rt.Child], as_of: dt.date, unrecorded: rt.Unrecorded | None = None) -> list[rt.Row]:",
        "    'Every occurrence of every measurable obligation, sorted by child, obligation and date.'",
        "    rows = rt.run_checks((check for _, check in CHECKS), children, as_of, unrecorded)",
        "    return rt.sort_rows(rows, ORDER)",
        "",
    ]
    return "\n".join(lines)


def _set(items: frozenset[str]) -> str:
    return "{" + ", ".join(repr(x) for x in sorted(items)) + "}" if items else "()"

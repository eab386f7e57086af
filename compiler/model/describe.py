"""Timings in plain English: "within 10 working days of the initial child protection
conference, then every 4 weeks". Used by the docs, comparisons and exports."""

from __future__ import annotations

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
    Setting,
    Share,
    Step,
    Timing,
    Until,
    Vague,
    Within,
)
from compiler.model.timescales import Duration
from dsl.formatter import ordinal


def duration(d: Duration) -> str:
    return str(d)


def _event(policy: Policy | None, event: str | None) -> str:
    if event is None:
        return ""
    if policy is None:
        return event.replace("_", " ")
    label = policy.label_of_event(event)
    return label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label


def _every(d: Duration) -> str:
    return f"every {d.unit.value.rstrip('s')}" if d.amount == 1 else f"every {d}"


def _within(d: Duration, event: str) -> str:
    """`within D of EVENT`, or in plain words when D is nothing: "on the same day as EVENT"."""
    return f"on the same day as {event}" if d.amount == 0 else f"within {d} of {event}"


def _bound(b: Bound | None, policy: Policy | None) -> str:
    match b:
        case None:
            return ""
        case Until():
            return " until the " + (f"{ordinal(b.ordinal)} " if b.ordinal else "") + _event(policy, b.event)
        case For():
            return f" for {b.duration}" + (f" from {_event(policy, b.start)}" if b.start else "")
        case _:
            assert_never(b)


def step(s: Step, policy: Policy | None = None) -> str:
    match s:
        case Within():
            return f"then within {s.duration} of " + (_event(policy, s.anchor) if s.anchor else "the previous one")
        case Every():
            return f"then {_every(s.duration)}" + _bound(s.bound, policy)
        case _:
            assert_never(s)


def _whichever(t: Deadline) -> str:
    return ", whichever is sooner" if t.sooner else ", whichever is later" if t.later else ""


def _set(s: Setting, policy: Policy | None) -> str:
    """`cp_visit_frequency as set at icpc`, in words, with the timescales the values set."""
    values = "; ".join(f"{v.replace('_', ' ')}: {d}" for v, d in s.choices)
    return f"{s.attribute.replace('_', ' ')} as set at {_event(policy, s.event)} ({values})"


def _form(t: Timing, policy: Policy | None) -> str:  # noqa: C901 - one case per timing form (a match with assert_never), each one English phrase
    match t:
        case Deadline():
            if t.said == "immediately":
                return f"immediately after {_event(policy, t.trigger)} (the same day)"
            if t.said == "same day":
                return f"on the same day as {_event(policy, t.trigger)}"
            if t.opens is not None:
                return f"between {t.opens.amount} and {t.duration} of {_event(policy, t.trigger)}, not before"
            triggers = " or ".join(_event(policy, e) for e in (t.trigger, *t.also))
            return _within(t.duration, triggers) + _whichever(t)
        case Schedule():
            return ", ".join([_within(t.duration, _event(policy, t.trigger)),
                              *(step(s, policy) for s in t.steps)])
        case Recurrence() if t.setting is not None:
            return f"every {_set(t.setting, policy)}" + _bound(t.every.bound, policy)
        case Deadline() if t.setting is not None:
            return f"within {_set(t.setting, policy)}"
        case Recurrence():
            text = _every(t.duration)
            if t.trigger:
                text += f" from {_event(policy, t.trigger)}"
            return text + _bound(t.every.bound, policy)
        case AdvanceNotice():
            if t.from_ordinal > 1:
                return f"at least {t.duration} before every {_event(policy, t.trigger)} from the {ordinal(t.from_ordinal)}"
            if t.duration.amount == 0:
                return f"by the day of {_event(policy, t.trigger)}"
            return f"at least {t.duration} before {_event(policy, t.trigger)}"
        case CountRecurrence():
            return f"at every {ordinal(t.ordinal)} {_event(policy, t.trigger)}" if t.ordinal > 1 \
                else f"at every {_event(policy, t.trigger)}"
        case AgeMilestone():
            return "by the age of " + " ".join(str(a) for a in t.age)
        case OrdinalMilestone():
            return f"before the {ordinal(t.ordinal)} {_event(policy, t.trigger)}"
        case Vague() if t.defers_to_statute:
            return "as the statute sets"
        case Vague() if t.defers_to is not None:
            return f"as set by {t.defers_to}"
        case Vague():
            return t.phrase
        case Share():
            share = "half" if t.said == "half" else f"{t.percent}%"
            return f"on at least {share} of the occasions of {_event(policy, t.trigger)}"
        case MinimumPeriod():
            return f"for at least {t.duration} before {_event(policy, t.trigger)}"
        case _:
            assert_never(t)


def timing(t: Timing | None, policy: Policy | None = None) -> str:
    """A timing as one English phrase."""
    if t is None:
        return "no timescale given"
    text = _form(t, policy)
    for r in t.restarts:
        text += f"; again within {r.duration} of any {_event(policy, r.event)}"
    return text


def condition(c: Condition) -> str:
    match c:
        case AttributeIs():
            values = " or ".join(c.values)
            return f"{c.attribute.replace('_', ' ')} is {'not ' if c.negated else ''}{values}"
        case AgeLimit():
            return f"age {c.comparison} " + " ".join(str(a) for a in c.age)
        case InProse():
            return c.text
        case _:
            assert_never(c)


def exceptions(o: Obligation, policy: Policy | None = None) -> str:
    """The aim and the exceptions of an obligation in words ('' if none): 'aim: every 6 weeks; instead of
    cp_visits, once decided by the service manager (visits reduced); unless step down'."""
    parts = []
    if o.aim is not None:
        parts.append(f"aim: {timing(o.aim, policy)}")
    if o.exception_of:
        text = f"instead of {o.exception_of}"
        if o.discretion:
            role = policy.label_of_role(o.discretion.role) if policy else o.discretion.role
            text += f", once decided by {role[0].lower() + role[1:]} ({_event(policy, o.discretion.event)})"
        parts.append(text)
    for u in o.unless:
        parts.append("unless " + (_event(policy, u.event) if u.event else f"\u201c{u.text}\u201d"))
    return "; ".join(parts)


def duty(o: Obligation, policy: Policy | None = None) -> str:
    """The whole duty as a sentence: 'The social worker must hold core group meeting within ...'."""
    who = policy.label_of_role(o.responsible) if (policy and o.responsible) else (o.responsible or "someone")
    what = policy.label_of_event(o.action) if policy else o.action
    return f"{who} {o.modality} {(o.verb + ' ') if o.verb and o.verb != 'do' else ''}{what[0].lower() + what[1:] if what else what} {timing(o.timing, policy)}"

"""Timings in plain English: "within 10 working days of the initial child protection
conference, then every 4 weeks". Used by the docs, comparisons and exports."""

from __future__ import annotations

from compiler.model.ir import Condition, Obligation, Policy, Timing
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


def timing(t: Timing | None, policy: Policy | None = None) -> str:
    """A timing as one English phrase."""
    if t is None:
        return "no timescale given"
    ev = _event(policy, t.trigger)
    if t.kind == "deadline":
        text = f"within {t.duration} of {ev}"
    elif t.kind == "schedule":
        parts = [f"within {t.duration} of {ev}"]
        for s in t.steps:
            if s.kind == "within":
                parts.append(f"then within {s.duration} of the previous one")
            else:
                step = f"then {_every(s.duration)}"
                if s.until_event:
                    step += " until the " + (f"{ordinal(s.until_ordinal)} " if s.until_ordinal else "") + _event(policy, s.until_event)
                if s.for_duration:
                    step += f" for {s.for_duration}"
                parts.append(step)
        text = ", ".join(parts)
    elif t.kind == "recurrence":
        assert t.duration is not None
        text = _every(t.duration)
        if t.trigger:
            text += f" from {ev}"
        if t.until_event:
            text += " until the " + (f"{ordinal(t.until_ordinal)} " if t.until_ordinal else "") + _event(policy, t.until_event)
        if t.for_duration:
            text += f" for {t.for_duration}"
    elif t.kind == "advance_notice":
        text = f"at least {t.duration} before {ev}"
    elif t.kind == "age_milestone":
        text = "by the age of " + " ".join(str(a) for a in t.age)
    elif t.kind == "ordinal_milestone":
        text = f"before the {ordinal(t.ordinal or 1)} {ev}"
    elif t.kind == "vague":
        text = t.phrase or "vaguely"
    else:
        text = t.kind
    for r in t.restarts:
        text += f"; again within {r.duration} of any {_event(policy, r.event)}"
    return text


def condition(c: Condition) -> str:
    if c.kind == "attribute":
        values = " or ".join(c.values)
        return f"{(c.attribute or '').replace('_', ' ')} is {'not ' if c.negated else ''}{values}"
    if c.kind == "age":
        return f"age {c.comparison} " + " ".join(str(a) for a in c.age)
    return c.text or ""


def duty(o: Obligation, policy: Policy | None = None) -> str:
    """The whole duty as a sentence: 'The social worker must hold core group meeting within ...'."""
    who = policy.label_of_role(o.responsible) if (policy and o.responsible) else (o.responsible or "someone")
    what = policy.label_of_event(o.action) if policy else o.action
    return f"{who} {o.modality} {(o.verb + ' ') if o.verb and o.verb != 'do' else ''}{what[0].lower() + what[1:] if what else what} {timing(o.timing, policy)}"

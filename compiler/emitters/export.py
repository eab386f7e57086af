"""`policyc export --format json`: the resolved policy as stable, sorted JSON.

The shape is documented in docs/export.md; pydantic models are the contract.
"""

from __future__ import annotations

from typing import Any, assert_never

from pydantic import BaseModel, Field

from compiler.model import describe
from compiler.model.ir import (
    AdvanceNotice,
    AgeLimit,
    AgeMilestone,
    Attribute,
    AttributeIs,
    Bound,
    Condition,
    CountRecurrence,
    Deadline,
    Every,
    For,
    InProse,
    MinimumPeriod,
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
    form_of,
    setting_of,
    trigger_of,
)
from compiler.model.semantics import timing_approximations
from compiler.model.timescales import Duration


class DurationOut(BaseModel):
    amount: int
    unit: str


class StepOut(BaseModel):
    kind: str
    amount: int
    unit: str
    until: str | None = None
    until_ordinal: int | None = None
    for_: DurationOut | None = Field(default=None, serialization_alias="for")
    for_from: str | None = None
    of: str | None = None


class RestartOut(BaseModel):
    amount: int
    unit: str
    trigger: str


class SetValueOut(BaseModel):
    value: str
    amount: int
    unit: str


class SetOut(BaseModel):
    """`every|within ATTRIBUTE as set at EVENT`: the timescale is the value of `attribute` recorded at `event`."""

    attribute: str
    event: str
    values: list[SetValueOut]


class TimingOut(BaseModel):
    kind: str
    amount: int | None = None
    unit: str | None = None
    trigger: str | None = None
    then: list[StepOut] = []
    until: str | None = None
    until_ordinal: int | None = None
    for_: DurationOut | None = Field(default=None, serialization_alias="for")
    for_from: str | None = None
    age: list[DurationOut] = []
    ordinal: int | None = None
    from_ordinal: int | None = None
    or_triggers: list[str] = []
    whichever: str | None = None
    opens: int | None = None
    percent: int | None = None
    phrase: str | None = None
    defers_to: str | None = None  # a deferral: "statute", or the document named in `as set by "..."`
    said: str | None = None
    set_at: SetOut | None = None
    restart: list[RestartOut] = []
    text: str
    approximations: list[str] = []


class ConditionOut(BaseModel):
    kind: str
    attribute: str | None = None
    negated: bool = False
    values: list[str] = []
    comparison: str | None = None
    age: list[DurationOut] = []
    text: str


class CitationOut(BaseModel):
    clause: str
    quote: str


class ObligationOut(BaseModel):
    id: str
    title: str
    modality: str
    status: str | None
    action: str
    verb: str | None
    trigger: str | None
    timing: TimingOut | None
    responsible: str | None
    clause: str | None
    quote: str | None
    citations: list[CitationOut]
    conditions: list[ConditionOut]
    extension: dict | None
    line: int
    instead_of: str | None = None
    decided_by: dict | None = None
    unless: list[dict] = []
    aim: TimingOut | None = None


class HeaderOut(BaseModel):
    title: str
    authority: str | None
    version: str | None
    effective: str | None
    review_due: str | None
    source: str | None
    vocabulary: str | None
    trigger_day: int
    file: str


class StatusOut(BaseModel):
    id: str
    label: str
    service: str | None
    entered_on: list[str]
    left_on: list[str]
    initial: bool
    final: bool


class TransitionOut(BaseModel):
    source: str
    target: str
    event: str
    conditions: list[str]
    decided_by: str | None


class NoteOut(BaseModel):
    kind: str
    id: str
    title: str
    citations: list[CitationOut]


class CodeOut(BaseModel):
    dataset: str
    code: str


class ValueOut(BaseModel):
    id: str
    label: str
    codes: list[CodeOut]
    duration: DurationOut | None = None  # `is DURATION`: the timescale the value sets


class RecordedOut(BaseModel):
    dataset: str
    item: str


class AttributeOut(BaseModel):
    id: str
    label: str
    type: str
    values: list[ValueOut]
    recorded_as: list[RecordedOut]


class PolicyOut(BaseModel):
    policy: HeaderOut
    statuses: list[StatusOut]
    attributes: list[AttributeOut]
    transitions: list[TransitionOut]
    obligations: list[ObligationOut]
    notes: list[NoteOut]


def _dur(d: Duration) -> DurationOut:
    return DurationOut(amount=d.amount, unit=d.unit.value)


def _bound_fields(b: Bound | None) -> dict[str, Any]:
    """The `until`, `until_ordinal` and `for` fields of a bounded recurrence or step."""
    match b:
        case None:
            return {}
        case Until():
            return {"until": b.event, "until_ordinal": b.ordinal}
        case For():
            return {"for_": _dur(b.duration), "for_from": b.start}
        case _:
            assert_never(b)


def _step(s: Step) -> StepOut:
    match s:
        case Within():
            return StepOut(kind="within", amount=s.duration.amount, unit=s.duration.unit.value, of=s.anchor)
        case Every():
            return StepOut(kind="every", amount=s.duration.amount, unit=s.duration.unit.value,
                           **_bound_fields(s.bound))
        case _:
            assert_never(s)


def _set_out(s: Setting | None) -> SetOut | None:
    if s is None:
        return None
    return SetOut(attribute=s.attribute, event=s.event,
                  values=[SetValueOut(value=v, amount=d.amount, unit=d.unit.value) for v, d in s.choices])


def _timing_fields(t: Timing) -> dict[str, Any]:
    """The fields of one timing form (the rest keep their defaults)."""
    match t:
        case Deadline():
            return {"amount": t.duration.amount, "unit": t.duration.unit.value, "trigger": t.trigger,
                    "or_triggers": list(t.also), "whichever": "sooner" if t.sooner else "later" if t.later else None,
                    "opens": t.opens.amount if t.opens is not None else None, "said": t.said,
                    "set_at": _set_out(t.setting)}
        case AdvanceNotice():
            return {"amount": t.duration.amount, "unit": t.duration.unit.value, "trigger": t.trigger,
                    "from_ordinal": t.from_ordinal if t.from_ordinal > 1 else None}
        case CountRecurrence():
            return {"ordinal": t.ordinal, "trigger": t.trigger}
        case Schedule():
            return {"amount": t.duration.amount, "unit": t.duration.unit.value, "trigger": t.trigger,
                    "then": [_step(s) for s in t.steps]}
        case Recurrence():
            return {"amount": t.duration.amount, "unit": t.duration.unit.value, "trigger": t.trigger,
                    **_bound_fields(t.every.bound), "set_at": _set_out(t.setting)}
        case AgeMilestone():
            return {"age": [_dur(a) for a in t.age]}
        case OrdinalMilestone():
            return {"ordinal": t.ordinal, "trigger": t.trigger}
        case Share():
            return {"trigger": t.trigger, "percent": t.percent, "said": t.said}
        case MinimumPeriod():
            return {"amount": t.duration.amount, "unit": t.duration.unit.value, "trigger": t.trigger}
        case Vague():
            return {"phrase": t.phrase, "defers_to": t.defers_to}
        case _:
            assert_never(t)


def timing_out(t: Timing | None, policy: Policy) -> TimingOut | None:
    if t is None:
        return None
    return TimingOut(
        kind=form_of(t),
        restart=[RestartOut(amount=r.duration.amount, unit=r.duration.unit.value, trigger=r.event) for r in t.restarts],
        text=describe.timing(t, policy),
        approximations=timing_approximations(t),
        **_timing_fields(t),
    )


def condition_out(c: Condition) -> ConditionOut:
    text = describe.condition(c)
    match c:
        case AttributeIs():
            return ConditionOut(kind="attribute", attribute=c.attribute, negated=c.negated, values=list(c.values),
                                text=text)
        case AgeLimit():
            return ConditionOut(kind="age", comparison=c.comparison, age=[_dur(a) for a in c.age], text=text)
        case InProse():
            return ConditionOut(kind="prose", text=text)
        case _:
            assert_never(c)


def used_attributes(policy: Policy) -> list[Attribute]:
    """The attributes a policy's conditions test, and those it declares itself."""
    tested = {c.attribute for o in policy.obligations for c in o.conditions if isinstance(c, AttributeIs)}
    tested |= {s.attribute for o in policy.obligations if (s := setting_of(o.timing)) is not None}
    return [a for a in policy.attributes.values() if a.id in tested or a.origin == policy.path]


def attribute_out(a: Attribute) -> AttributeOut:
    return AttributeOut(id=a.id, label=a.label, type=a.type,
                        values=[ValueOut(id=v.id, label=v.label,
                                         codes=[CodeOut(dataset=ds, code=c) for ds, c in v.codes],
                                         duration=_dur(v.duration) if v.duration is not None else None)
                                for v in a.values],
                        recorded_as=[RecordedOut(dataset=ds, item=item) for ds, item in a.recorded_as])


def export_policy(policy: Policy) -> PolicyOut:
    used = policy.used_statuses()
    statuses = [s for s in policy.statuses.values() if s.id in used]
    return PolicyOut(
        policy=HeaderOut(
            title=policy.title, authority=policy.authority, version=policy.version,
            effective=policy.effective.isoformat() if policy.effective else None,
            review_due=policy.review_due.isoformat() if policy.review_due else None,
            source=policy.source, vocabulary=policy.uses, trigger_day=policy.trigger_day, file=policy.path,
        ),
        attributes=[attribute_out(a) for a in sorted(used_attributes(policy), key=lambda a: a.id)],
        statuses=sorted((StatusOut(id=s.id, label=s.label, service=s.service, entered_on=list(s.entered_on),
                                   left_on=list(s.left_on), initial=s.initial, final=s.final) for s in statuses),
                        key=lambda s: s.id),
        transitions=sorted((TransitionOut(source=t.source, target=t.target, event=t.event,
                                          conditions=list(t.conditions), decided_by=t.decided_by)
                            for t in policy.transitions), key=lambda t: (t.source, t.target, t.event)),
        obligations=sorted((ObligationOut(
            id=o.id, title=o.title, modality=o.modality, status=o.status, action=o.action, verb=o.verb,
            trigger=trigger_of(o.timing) if o.timing else None,
            timing=timing_out(o.timing, policy), responsible=o.responsible,
            clause=o.citations[0].clause if o.citations else None,
            quote=o.citations[0].quote if o.citations else None,
            citations=[CitationOut(clause=c.clause, quote=c.quote) for c in o.citations],
            conditions=[condition_out(c) for c in o.conditions],
            extension={"by": o.extension.role, "amount": o.extension.duration.amount,
                       "unit": o.extension.duration.unit.value} if o.extension else None,
            line=o.span.line,
            instead_of=o.exception_of,
            decided_by={"role": o.discretion.role, "event": o.discretion.event} if o.discretion else None,
            unless=[{"event": u.event, "text": u.text} for u in o.unless],
            aim=timing_out(o.aim, policy),
        ) for o in policy.obligations), key=lambda o: o.id),
        notes=sorted((NoteOut(kind=n.kind, id=n.id, title=n.title,
                              citations=[CitationOut(clause=c.clause, quote=c.quote) for c in n.citations])
                      for n in policy.notes), key=lambda n: n.id),
    )

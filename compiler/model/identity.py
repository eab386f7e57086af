"""A duty's identity as data: what makes two statements, in two policies or two versions of one,
statements of the same duty, and two timings or condition lists the same.

Identity is built from the model's own structures with their source positions removed and every
event and status id replaced by the shared vocabulary's (`same as` followed); never from the English
that `describe` renders, so rewording an output cannot change which duties line up. Conflicts, the
statutory floor, the comparison and `diff` all key on these.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

from compiler.model.ir import AttributeIs, Condition, InProse, Obligation, Policy, Timing
from dsl.ast import NO_SPAN, Span

T = TypeVar("T")
_EVENT_FIELDS = frozenset({"trigger", "event", "anchor", "start"})  # fields of timings, steps, bounds, restarts naming events


def _rebuild(value: T, leaf: Any) -> T:
    """`value` rebuilt bottom-up; `leaf(name, field_value)` may replace a field's value."""
    if isinstance(value, tuple):
        return tuple(_rebuild(v, leaf) for v in value)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: leaf(f.name, _rebuild(getattr(value, f.name), leaf)) for f in fields(value) if f.init}
        return replace(value, **changes)
    return value


def without_positions(value: T) -> T:
    """The value with every Span inside it (however deep) replaced by NO_SPAN."""
    return _rebuild(value, lambda _name, v: NO_SPAN if isinstance(v, Span) else v)


def condition(c: Condition) -> Condition:
    """A condition as data: no position, its values in one order (`a or b` is `b or a`)."""
    plain = without_positions(c)
    if isinstance(plain, AttributeIs):
        return replace(plain, values=tuple(sorted(set(plain.values))))
    return plain


def conditions(conds: tuple[Condition, ...], prose: bool = False) -> tuple[Condition, ...]:
    """The conditions as data in one order; prose conditions only if `prose` (the audit cannot
    check prose, so measured comparisons leave it out)."""
    return tuple(sorted((condition(c) for c in conds if prose or not isinstance(c, InProse)), key=repr))


def timing(policy: Policy, t: Timing | None) -> Timing | None:
    """A timing as data: no positions, and every event it names as in the shared vocabulary."""
    if t is None:
        return None

    def leaf(name: str, v: Any) -> Any:
        if isinstance(v, Span):
            return NO_SPAN
        if name in _EVENT_FIELDS and isinstance(v, str):
            return policy.canonical_event(v)
        if name == "also" and isinstance(v, tuple):  # the other triggers of `within D of A or B`
            return tuple(policy.canonical_event(e) for e in v)
        return v

    return _rebuild(t, leaf)


def duty(policy: Policy, o: Obligation) -> tuple:
    """(status, action, trigger, conditions): what an obligation is a duty to do, and when it applies."""
    t = timing(policy, o.timing)
    trigger = getattr(t, "trigger", None)
    return (policy.canonical_status(o.status), policy.canonical_event(o.action), trigger,
            conditions(o.conditions, prose=True))

"""The typed abstract syntax tree of a .policy file.

Every node carries a `Span` pointing at the author's text, so that every diagnostic
can show the line and put a caret under it. Nodes are plain frozen dataclasses:
cheap to build (the parser makes hundreds of thousands of them; `_quick_init` at the end
of this module makes their construction cheaper still) and comparable, so that
`policyc fmt` can prove it changed no meaning (`strip_spans(a) == strip_spans(b)`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: What `as set by statute` defers to (a `VagueForm.defers_to` value).
STATUTE = "statute"


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines and columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def of(token: Any) -> Span:
        return Span(token.line, token.column, token.end_line, token.end_column)

    def to(self, other: Span) -> Span:
        return Span(self.line, self.column, other.end_line, other.end_column)


NO_SPAN = Span(0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Name:
    """An identifier as written, with where it was written."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Text:
    """A string literal, unescaped, with its span (quotes included)."""

    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Duration:
    amount: int
    unit: str  # as written, e.g. "working days"; the resolver checks it
    span: Span


@dataclass(frozen=True, slots=True)
class Allow:
    code: str
    reason: Text
    span: Span


@dataclass(frozen=True, slots=True)
class Citation:
    clause: Text
    quote: Text
    span: Span


# ---- header -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeaderField:
    key: str  # authority | version | effective | review | source | uses | trigger_day | supersedes | draft
    value: Any  # Text, a date string (Name), or int
    span: Span


@dataclass(frozen=True, slots=True)
class Header:
    kind: str  # "policy" | "vocabulary"
    title: Text
    fields: tuple[HeaderField, ...]
    allows: tuple[Allow, ...]
    span: Span


# ---- declarations -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleDecl:
    name: Name
    label: Text | None
    same_as: Name | None
    span: Span


@dataclass(frozen=True, slots=True)
class RecordedAs:
    dataset: Name
    item: Text
    span: Span


@dataclass(frozen=True, slots=True)
class EventDecl:
    name: Name
    label: Text | None
    same_as: Name | None
    recorded_as: tuple[RecordedAs, ...]
    span: Span
    oversight: bool = False  # `oversight`: counts as visiting, reviewing, recording or supervising
    topics: tuple[Name, ...] = ()  # `topic visits`: subjects to compare by


@dataclass(frozen=True, slots=True)
class StatusDecl:
    name: Name
    label: Text | None
    same_as: Name | None
    service: Name | None
    entered_on: tuple[Name, ...]
    left_on: tuple[Name, ...]
    initial: bool
    final: bool
    span: Span
    open: bool = False  # `open`: an open case, whose children need an oversight duty


@dataclass(frozen=True, slots=True)
class CodedAs:
    """`coded as ssda903 "C2"`: the code(s) a DfE data item uses for an attribute's value."""

    dataset: Name
    codes: tuple[Text, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ValueDecl:
    """`value care_order "Full care order"` and its codes."""

    name: Name
    label: Text | None
    coded_as: tuple[CodedAs, ...]
    span: Span
    duration: Duration | None = None  # `is 2 weeks`: the timescale this value sets (`every NAME as set at EVENT`)


@dataclass(frozen=True, slots=True)
class AttributeDecl:
    """`attribute NAME "label"` with `type T`, `recorded as DATASET "ITEM"` and `value` lines."""

    name: Name
    label: Text | None
    type: Name | None
    recorded_as: tuple[RecordedAs, ...]
    values: tuple[ValueDecl, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TransitionDecl:
    source: Name
    target: Name
    event: Name
    conditions: tuple[Text, ...]
    decided_by: Name | None
    span: Span


@dataclass(frozen=True, slots=True)
class AttributeCondition:
    attribute: Name
    negated: bool
    values: tuple[Name | Text | int, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class AgeCondition:
    comparison: str  # "under" | "over" | "at least"
    age: tuple[Duration, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ProseCondition:
    text: Text
    span: Span


Condition = AttributeCondition | AgeCondition | ProseCondition


@dataclass(frozen=True, slots=True)
class UntilBound:
    """Ends a recurrence: `until the 1st cla_review`."""

    event: Name
    ordinal: int | None
    span: Span


@dataclass(frozen=True, slots=True)
class ForBound:
    """Ends a recurrence: `for 1 year` (from the start of the step), or `for 1 year from EVENT`."""

    duration: Duration
    span: Span
    start: Name | None = None


Bound = UntilBound | ForBound


@dataclass(frozen=True, slots=True)
class ThenWithin:
    """A step of a schedule after the first: `then within 3 months` (of the previous occurrence), or
    `then within 20 working days of EVENT` (anchored: counted from EVENT)."""

    duration: Duration
    span: Span
    anchor: Name | None = None


@dataclass(frozen=True, slots=True)
class ThenEvery:
    """A step of a schedule after the first: `then every 6 months [bound]`."""

    duration: Duration
    bound: Bound | None
    span: Span


Step = ThenWithin | ThenEvery


@dataclass(frozen=True, slots=True)
class Restart:
    duration: Duration
    event: Name
    span: Span


# One class per timing form; `Timing` is their union. Each has its span and any `restart` lines.


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineForm:
    """`within DURATION of EVENT [or EVENT ...] [whichever is sooner|later]`, or the window
    `between OPENS and DURATION of EVENT`."""

    duration: Duration
    event: Name
    span: Span
    restarts: tuple[Restart, ...] = ()
    others: tuple[Name, ...] = ()  # `or EVENT`: further triggers
    whichever: str | None = None  # "sooner" | "later"
    opens: int | None = None  # `between OPENS and DURATION of EVENT`: a window, in DURATION's unit


@dataclass(frozen=True, slots=True, kw_only=True)
class SameDayForm:
    """`immediately after EVENT` or `on the same day as EVENT`: a deadline of day 0, in the document's words."""

    said: str  # "immediately" | "same day"
    event: Name
    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleForm:
    """`first within DURATION of EVENT` then `steps`."""

    duration: Duration
    event: Name
    steps: tuple[Step, ...]
    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RecurrenceForm:
    """`every DURATION [from EVENT] [bound]`."""

    duration: Duration
    event: Name | None
    bound: Bound | None
    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeForm:
    """`at least DURATION before [every] EVENT [from the ORDINAL]`."""

    duration: Duration
    event: Name
    span: Span
    restarts: tuple[Restart, ...] = ()
    from_ordinal: int | None = None  # notice only before the Nth and later occurrences


@dataclass(frozen=True, slots=True, kw_only=True)
class CountForm:
    """`every ORDINAL EVENT`: count-based ("every 2nd statutory_visit")."""

    ordinal: int
    event: Name
    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MinimumForm:
    """`for at least DURATION before EVENT`: a minimum duration ("a CIN plan for at least three months
    before closure"): EVENT must not come sooner than DURATION after the action."""

    duration: Duration
    event: Name
    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ShareForm:
    """`on at least half of EVENT` / `on at least 75% of EVENT`: a share of occurrences ("half of visits at
    home"): the action recorded on at least that share of the days of EVENT."""

    percent: int  # half: 50
    said: str  # "half" | "percent": as written
    event: Name
    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AgeForm:
    """`by age AGE`."""

    age: tuple[Duration, ...]
    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OrdinalForm:
    """`before the ORDINAL EVENT`."""

    ordinal: int
    event: Name
    span: Span
    restarts: tuple[Restart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class VagueForm:
    """A vague phrase: "as soon as possible", "regularly", ...; or a deferral, `as set by statute` /
    `as set by "DOCUMENT"`: the document gives no number of its own but names where it is set."""

    phrase: str
    span: Span
    restarts: tuple[Restart, ...] = ()
    defers_to: Text | None = None  # "statute", or the document's name as written


@dataclass(frozen=True, slots=True, kw_only=True)
class SetForm:
    """`every ATTRIBUTE as set at EVENT` / `within ATTRIBUTE as set at EVENT`: a timescale set for each child by a
    decision recorded as EVENT, as the value of ATTRIBUTE (whose values say `is DURATION`)."""

    kind: str  # "every" | "within"
    attribute: Name
    event: Name
    span: Span
    restarts: tuple[Restart, ...] = ()


Timing = (DeadlineForm | SameDayForm | ScheduleForm | RecurrenceForm | CountForm | NoticeForm | AgeForm | OrdinalForm
          | VagueForm | MinimumForm | ShareForm | SetForm)


@dataclass(frozen=True, slots=True)
class Minimum:
    """`and must within 3 working days` / `and must every 3 months` after a `should` duty's timing:
    the duty's aim is the `should` timing, its minimum this one (same form, another duration)."""

    kind: str  # "within" | "every"
    duration: Duration
    span: Span


@dataclass(frozen=True, slots=True)
class Duty:
    role: Name | None
    modality: str  # "must" | "should"
    verb: Name | None
    action: Name
    timing: Timing | None
    span: Span
    minimum: Minimum | None = None


@dataclass(frozen=True, slots=True)
class InsteadOf:
    """`instead of OBLIGATION`: this obligation replaces OBLIGATION in the cases it covers."""

    obligation: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Discretion:
    """`decided by ROLE on EVENT`: the exception applies once ROLE's decision, recorded as EVENT, is made."""

    role: Name
    event: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Unless:
    """`unless EVENT` (the duty stops when EVENT is recorded) or `unless "prose"`."""

    event: Name | None
    text: Text | None
    span: Span


Exception_ = InsteadOf | Discretion | Unless


@dataclass(frozen=True, slots=True)
class Extension:
    role: Name
    duration: Duration
    span: Span


@dataclass(frozen=True, slots=True)
class ObligationDecl:
    name: Name
    title: Text | None
    citations: tuple[Citation, ...]
    statuses: tuple[Name, ...]
    conditions: tuple[Condition, ...]
    duties: tuple[Duty, ...]
    extensions: tuple[Extension, ...]
    allows: tuple[Allow, ...]
    span: Span
    exceptions: tuple[Exception_, ...] = ()


@dataclass(frozen=True, slots=True)
class NoteDecl:
    """A principle or a checklist: cited text with no timescale."""

    kind: str  # "principle" | "checklist"
    name: Name
    title: Text | None
    citations: tuple[Citation, ...]
    allows: tuple[Allow, ...]
    span: Span


Declaration = RoleDecl | EventDecl | StatusDecl | AttributeDecl | TransitionDecl | ObligationDecl | NoteDecl


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class PolicyFile:
    header: Header
    declarations: tuple[Declaration, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)


def strip_spans(node: Any) -> Any:
    """The node as nested tuples without positions: equal iff the meaning is equal."""
    if isinstance(node, Span):
        return None
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__,) + tuple(
            strip_spans(getattr(node, f.name))
            for f in dataclasses.fields(node)
            if f.name not in ("span", "comments")
        )
    if isinstance(node, tuple | list):
        return tuple(strip_spans(x) for x in node)
    return node


def _quick_init(cls: type) -> None:
    """Give a frozen, slotted dataclass an `__init__` that stores each field through its slot.

    The generated one calls `object.__setattr__` once per field (so that the frozen class's own
    `__setattr__`, which refuses, is passed by); the slot's descriptor stores the same value at a third
    of the cost, and the parser builds hundreds of thousands of nodes. Same signature, defaults and
    keyword-only fields; instances stay frozen (assignment still raises), equal and hashable as before.
    """
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    env: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.default_factory is not dataclasses.MISSING:
            return  # not needed in this module; keep the generated __init__
        param = f.name
        if f.default is not dataclasses.MISSING:
            env[f"_default_{f.name}"] = f.default
            param += f"=_default_{f.name}"
        (keyword if f.kw_only else positional).append(param)
        env[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        body.append(f"    _set_{f.name}(self, {f.name})")
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    exec(f"def __init__({params}):\n" + "\n".join(body or ["    pass"]), env)  # noqa: S102 - built from field names
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]  # mypy has already checked calls against the dataclass signature


for _node in list(globals().values()):
    if isinstance(_node, type) and dataclasses.is_dataclass(_node) and _node.__module__ == __name__ \
            and _node.__dataclass_params__.frozen and "__slots__" in _node.__dict__:  # type: ignore[attr-defined]
        _quick_init(_node)

"""Name resolution: AST to policy model.

Checks every name against the vocabulary and the file's own declarations (with a
"did you mean" hint), parses units and dates, and reports duplicates with both places.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar, assert_never

from compiler.model import ir as M
from compiler.model.timescales import Duration, Ordering, Unit, bounds_in_days, compare, parse_unit, suggest_unit
from dsl import ast as A
from dsl.codes import CODES
from dsl.diagnostics import Diagnostic, Related

#: a term of the vocabulary or of a policy's own declarations
TermT = TypeVar("TermT", M.Role, M.Event, M.Status, M.Attribute)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_SET_VALUES = 10  # values of an attribute read by `every|within ATTRIBUTE as set at EVENT` (E243): each is a part of the SQL
MAX_YEARS = 200  # the longest duration a policy may state (E232): beyond any standard, within every calendar
MAX_AMOUNT = {Unit.MINUTES: MAX_YEARS * 366 * 24 * 60, Unit.HOURS: MAX_YEARS * 366 * 24, Unit.DAYS: MAX_YEARS * 366,
              Unit.WORKING_DAYS: MAX_YEARS * 262, Unit.WEEKS: MAX_YEARS * 53, Unit.MONTHS: MAX_YEARS * 12,
              Unit.YEARS: MAX_YEARS, Unit.SCHOOL_TERMS: MAX_YEARS * 3}


class Resolver:
    def __init__(self, file: A.PolicyFile, path: str, vocabulary: M.Policy | None = None):
        self.file = file
        self.path = path
        self.vocab = vocabulary
        self.diags: list[Diagnostic] = []
        self._durations: dict[tuple[int, str], Duration] = {}

    # ---- helpers ---------------------------------------------------------------
    def error(self, code: str, message: str, span: A.Span, hint: str | None = None,
              related: Iterable[Related] = ()) -> None:
        self.diags.append(Diagnostic(code, message, self.path, span, hint, tuple(related)))

    def duration(self, d: A.Duration, allowed: set[Unit] | None = None, what: str = "") -> Duration:
        if allowed is None:
            known = self._durations.get((d.amount, d.unit))
            if known is not None:
                return known
        unit = parse_unit(d.unit)
        if unit is None:
            suggestion = suggest_unit(d.unit)
            self.error(
                "E203", f"unknown time unit `{d.unit}`", d.span,
                f"did you mean `{suggestion}`?" if suggestion else
                "use minutes, hours, days, working days, weeks, months, years or school terms",
            )
            return Duration(max(d.amount, 0), Unit.DAYS)
        if allowed is not None and unit not in allowed:
            self.error(
                "E210", f"{what} cannot be measured in {unit.value}", d.span,
                "write ages as `16 years` or `16 years 3 months`" if what == "an age" else None,
            )
        if d.amount > MAX_AMOUNT[unit]:
            limit = f"{MAX_AMOUNT[unit]:,} {unit.value}" + (f" ({MAX_YEARS} years)" if unit is not Unit.YEARS else "")
            self.error("E232", f"{d.amount:,} {unit.value} is beyond the limit of {limit}", d.span,
                       "no practice standard needs this; check the number and the unit")
            return Duration(MAX_AMOUNT[unit], unit)
        result = Duration(d.amount, unit)
        if allowed is None:
            self._durations[(d.amount, d.unit)] = result
        return result

    def same_as_cycles(self, policy: M.Policy) -> None:
        """E231 for each term of this file whose `same as` chain comes back to it."""
        for d in self.file.declarations:
            table: dict[str, M.Role] | dict[str, M.Event] | dict[str, M.Status]
            if isinstance(d, A.RoleDecl):
                table = policy.roles
            elif isinstance(d, A.EventDecl):
                table = policy.events
            elif isinstance(d, A.StatusDecl):
                table = policy.statuses
            else:
                continue
            if d.same_as is None:
                continue
            chain, key = [d.name.text], d.same_as.text
            while key in table and key not in chain and (after := table[key].same_as):
                chain.append(key)
                key = after
            if key == d.name.text:
                self.error("E231", "`same as` goes round in a circle: " + " → ".join([*chain, key]), d.same_as.span,
                           "make one of these terms the canonical one: remove its `same as`")

    def date(self, value: A.Name, field: str) -> dt.date | None:
        text = value.text
        if not _ISO_DATE.match(text):
            parts = re.split(r"[-/.]", text)
            hint = "write dates as YYYY-MM-DD"
            if len(parts) == 3 and len(parts[2]) == 4:
                hint = f"write `{parts[2]}-{parts[1].zfill(2)}-{parts[0].zfill(2)}` if you mean {parts[0]} {_month_name(parts[1])} {parts[2]} (dates are YYYY-MM-DD; day-first and month-first dates are refused, not guessed)"
            self.error("E204", f"malformed date `{text}` in `{field}`", value.span, hint)
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError as err:
            self.error("E204", f"malformed date `{text}` in `{field}`: {err}", value.span,
                       "write dates as YYYY-MM-DD with a real month and day")
            return None

    def allows(self, items: Iterable[A.Allow]) -> tuple[M.Allow, ...]:
        out = []
        for a in items:
            if a.code not in CODES:
                close = difflib.get_close_matches(a.code, list(CODES), n=1)
                self.error("E213", f"`allow` names unknown diagnostic code `{a.code}`", a.span,
                           f"did you mean `{close[0]}`?" if close else "see `policyc explain --list`")
                continue
            if not a.reason.value.strip():
                self.error("E213", f"`allow {a.code}` needs a reason", a.reason.span,
                           'say why: `allow W405 because "the document names no role"`')
                continue
            out.append(M.Allow(a.code, a.reason.value, a.span))
        return tuple(out)

    # ---- names -----------------------------------------------------------------
    def check_name(self, name: A.Name | None, kind: str, policy: M.Policy) -> str | None:
        """Check that `name` is a declared term of `kind` (role, event, status)."""
        if name is None:
            return None
        pools: dict[str, Mapping[str, object]] = {"role": policy.roles, "event": policy.events,
                                                  "status": policy.statuses}
        pool = pools[kind]
        if name.text in pool:
            return name.text
        for other_kind, other in pools.items():
            if other_kind != kind and name.text in other:
                self.error(
                    "E205", f"`{name.text}` is {_article(other_kind)} {other_kind}, but {_article(kind)} {kind} is needed here",
                    name.span, _kind_hint(kind),
                )
                return name.text
        close = difflib.get_close_matches(name.text, list(pool), n=1, cutoff=0.75)
        hint = f"did you mean `{close[0]}`?" if close else (
            f'declare it: `{kind} {name.text} "..."` (in this file, or in the shared vocabulary)'
        )
        self.error("E201", f"unknown {kind} `{name.text}`", name.span, hint)
        return name.text

    def declare(self, table: dict[str, TermT], key: A.Name, item: TermT, kind: str, seen: dict[str, A.Span]) -> None:
        if key.text in seen:
            self.error(
                "E202", f"{kind} `{key.text}` is declared twice", key.span,
                "rename one of them",
                [Related(self.path, seen[key.text], "first declared here")],
            )
            return
        if key.text in table and table[key.text].origin != self.path:
            # a local re-declaration of a vocabulary term: allowed only as a local label
            prev = table[key.text]
            self.error(
                "E202", f"{kind} `{key.text}` is already declared in the vocabulary", key.span,
                f"choose another name and write `same as {key.text}` if it means the same thing",
                [Related(prev.origin, prev.span, "declared here")],
            )
            return
        seen[key.text] = key.span
        table[key.text] = item

    # ---- the whole file ------------------------------------------------------------
    def resolve(self) -> M.Policy:  # noqa: C901 - one pass over the declarations in source order, one branch per declaration kind
        h = self.file.header
        policy = M.Policy(path=self.path, kind=h.kind, title=h.title.value, span=h.span)
        if self.vocab is not None:
            policy.roles.update(self.vocab.roles)
            policy.events.update(self.vocab.events)
            policy.statuses.update(self.vocab.statuses)
            policy.attributes.update(self.vocab.attributes)
        seen_fields: dict[str, A.Span] = {}
        for f in h.fields:
            if f.key in seen_fields:
                self.error("E212", f"`{_field_word(f.key)}` is given twice", f.span, "keep one of them",
                           [Related(self.path, seen_fields[f.key], "first given here")])
                continue
            seen_fields[f.key] = f.span
            if h.kind == "vocabulary" and f.key not in ("version", "effective", "review"):
                self.error("E212", f"a vocabulary file has no `{_field_word(f.key)}`", f.span,
                           "vocabularies carry terms only; put this in the policy file")
                continue
            if f.key == "authority":
                policy.authority = f.value.value
            elif f.key == "version":
                policy.version = f.value.value
            elif f.key == "effective":
                policy.effective = self.date(f.value, "effective")
            elif f.key == "review":
                policy.review_due = self.date(f.value, "review due")
            elif f.key == "source":
                policy.source = f.value.value
            elif f.key == "uses":
                policy.uses = f.value.value
            elif f.key == "supersedes":
                policy.supersedes = f.value.value
            elif f.key == "draft":
                policy.draft = True
            elif f.key == "trigger_day":
                if f.value not in (0, 1):
                    self.error("E209", f"the trigger day is day 0 or day 1, not day {f.value}", f.span,
                               "write `trigger day is day 1` for the CIN census convention, or leave it out for day 0")
                else:
                    policy.trigger_day = f.value
        policy.allows = self.allows(h.allows)
        if (policy.effective and policy.review_due and policy.review_due < policy.effective):
            span = next(f.span for f in h.fields if f.key == "review")
            self.error("E204", "the review date is before the effective date", span)

        # declarations of terms first, so that obligations may use terms declared later
        seen: dict[str, dict[str, A.Span]] = {"role": {}, "event": {}, "status": {}, "attribute": {}, "duty": {}}
        for d in self.file.declarations:
            if isinstance(d, A.RoleDecl):
                self.declare(policy.roles, d.name, M.Role(
                    d.name.text, d.label.value if d.label else _humanise(d.name.text),
                    d.same_as.text if d.same_as else None, self.path, d.span), "role", seen["role"])
            elif isinstance(d, A.EventDecl):
                self.declare(policy.events, d.name, M.Event(
                    d.name.text, d.label.value if d.label else _humanise(d.name.text),
                    d.same_as.text if d.same_as else None,
                    tuple((r.dataset.text, r.item.value) for r in d.recorded_as), self.path, d.span,
                    oversight=d.oversight, topics=tuple(t.text for t in d.topics)),
                    "event", seen["event"])
            elif isinstance(d, A.StatusDecl):
                self.declare(policy.statuses, d.name, M.Status(
                    d.name.text, d.label.value if d.label else _humanise(d.name.text),
                    d.service.text if d.service else None,
                    tuple(n.text for n in d.entered_on), tuple(n.text for n in d.left_on),
                    d.initial, d.final, d.same_as.text if d.same_as else None, self.path, d.span,
                    open=d.open),
                    "status", seen["status"])
            elif isinstance(d, A.AttributeDecl):
                self.declare(policy.attributes, d.name, self.attribute(d), "attribute", seen["attribute"])
            elif h.kind == "vocabulary":
                kind = type(d).__name__.replace("Decl", "").lower()
                self.error("E211", f"a vocabulary file cannot hold {_article(kind)} {kind}", d.span,
                           "vocabularies declare roles, events, statuses and attributes; put this in a policy file")

        # same-as targets and status events
        for d in self.file.declarations:
            if isinstance(d, A.RoleDecl) and d.same_as:
                self.check_name(d.same_as, "role", policy)
            elif isinstance(d, A.EventDecl) and d.same_as:
                self.check_name(d.same_as, "event", policy)
            elif isinstance(d, A.StatusDecl):
                if d.same_as:
                    self.check_name(d.same_as, "status", policy)
                for n in d.entered_on + d.left_on:
                    self.check_name(n, "event", policy)
                if not d.same_as and not d.entered_on and not d.initial:
                    self.error("E214", f"status `{d.name.text}` has no `entered on` event", d.name.span,
                               "add `entered on EVENT` so that checkers can tell when a child enters it")
                if not d.same_as and not d.left_on and not d.final:
                    self.error("E214", f"status `{d.name.text}` has no `left on` event", d.name.span,
                               "add `left on EVENT`, or mark the status `final`")

        self.same_as_cycles(policy)

        if h.kind == "vocabulary":
            return policy

        for d in self.file.declarations:
            if isinstance(d, A.TransitionDecl):
                policy.transitions.append(M.Transition(
                    self.check_name(d.source, "status", policy) or d.source.text,
                    self.check_name(d.target, "status", policy) or d.target.text,
                    self.check_name(d.event, "event", policy) or d.event.text,
                    tuple(t.value for t in d.conditions),
                    self.check_name(d.decided_by, "role", policy),
                    d.span,
                ))
            elif isinstance(d, A.ObligationDecl):
                ob = self.obligation(d, policy, seen["duty"])
                if ob is not None:
                    policy.obligations.append(ob)
            elif isinstance(d, A.NoteDecl):
                if d.name.text in seen["duty"]:
                    self.error("E202", f"`{d.name.text}` is declared twice", d.name.span, "rename one of them",
                               [Related(self.path, seen["duty"][d.name.text], "first declared here")])
                    continue
                seen["duty"][d.name.text] = d.name.span
                policy.notes.append(M.Note(
                    d.kind, d.name.text, d.title.value if d.title else _humanise(d.name.text),
                    self.citations(d.citations), self.allows(d.allows), d.span))
        self.check_exceptions(policy)
        return policy

    def check_exceptions(self, policy: M.Policy) -> None:
        """`instead of X`: X is another obligation of this file, a general rule, in the same status."""
        by_id = {o.id: o for o in policy.obligations}
        for o in policy.obligations:
            if o.exception_of is None:
                continue
            span = o.exception_span or o.span
            target = by_id.get(o.exception_of)
            if target is None:
                close = difflib.get_close_matches(o.exception_of, list(by_id), n=1, cutoff=0.75)
                self.error("E230", f"`{o.id}` is `instead of` unknown obligation `{o.exception_of}`", span,
                           f"did you mean `{close[0]}`?" if close else
                           "name the general obligation of this file that this one replaces")
            elif target is o:
                self.error("E230", f"`{o.id}` cannot be an exception to itself", span,
                           "name the general obligation that this one replaces")
            elif target.exception_of is not None:
                self.error("E230", f"`{o.exception_of}` is itself an exception (`instead of {target.exception_of}`)",
                           span, f"name the general rule: `instead of {target.exception_of}`",
                           [Related(self.path, target.exception_span or target.span, "its `instead of` is here")])
            elif policy.canonical_status(target.status) != policy.canonical_status(o.status):
                def where(x: M.Obligation) -> str:
                    return f"`while {x.status}`" if x.status else "no `while`"
                self.error("E230", f"`{o.id}` has {where(o)} but the duty it replaces, `{target.id}`, has {where(target)}",
                           span, "an exception applies in the same status as its general rule; give both the same `while`",
                           [Related(self.path, target.span, "the general rule is here")])

    def citations(self, cites: Iterable[A.Citation]) -> tuple[M.Citation, ...]:
        out = []
        for c in cites:
            if not c.clause.value.strip():
                self.error("E304", "the citation has no clause", c.clause.span,
                           "write the clause number as the document numbers it, or its section heading")
            if len(c.quote.value.split()) < 2:
                self.error("E304", "the quote is too short to verify", c.quote.span,
                           "quote at least a few words verbatim from the document")
            out.append(M.Citation(c.clause.value, c.quote.value, c.span, c.quote.span))
        return tuple(out)

    def obligation(self, d: A.ObligationDecl, policy: M.Policy, seen: dict[str, A.Span]) -> M.Obligation | None:
        if d.name.text in seen:
            self.error("E202", f"obligation `{d.name.text}` is declared twice", d.name.span,
                       "rename one of them", [Related(self.path, seen[d.name.text], "first declared here")])
            return None
        seen[d.name.text] = d.name.span
        if not d.duties:
            self.error("E207", f"obligation `{d.name.text}` states no duty", d.name.span,
                       "add a line such as `social_worker must do visit within 5 working days of referral`; "
                       "text without a duty is a `principle` or a `checklist`")
            return None
        for extra in d.duties[1:]:
            self.error("E207", f"obligation `{d.name.text}` states more than one duty", extra.span,
                       "split it into two obligations, each with its own citation",
                       [Related(self.path, d.duties[0].span, "the first duty is here")])
        if len(d.statuses) > 1:
            self.error("E212", f"obligation `{d.name.text}` has more than one `while`", d.statuses[1].span,
                       "an obligation applies in one status; write one obligation per status")
        for extra_ext in d.extensions[1:]:
            self.error("E212", "more than one `extendable` rule", extra_ext.span, "keep one of them")
        duty = d.duties[0]
        status = self.check_name(d.statuses[0], "status", policy) if d.statuses else None
        role = self.check_name(duty.role, "role", policy)
        action = self.check_name(duty.action, "event", policy) or duty.action.text
        timing = self.timing(duty.timing, policy) if duty.timing else None
        exception_of, exception_span, discretion, unless = self.exceptions(d, policy)
        aim = None
        modality = duty.modality
        if duty.minimum is not None and timing is not None:
            aim, timing = timing, self.minimum(duty, timing)
            modality = "must"
        ext = None
        if d.extensions:
            e = d.extensions[0]
            ext = M.Extension(self.check_name(e.role, "role", policy) or e.role.text,
                              self.duration(e.duration), e.span)
        return M.Obligation(
            id=d.name.text,
            title=d.title.value if d.title else _humanise(d.name.text),
            modality=modality,
            status=status,
            verb=duty.verb.text if duty.verb else None,
            action=action,
            responsible=role,
            timing=timing,
            conditions=tuple(self.condition(c, policy) for c in d.conditions),
            extension=ext,
            citations=self.citations(d.citations),
            allows=self.allows(d.allows),
            span=d.span,
            duty_span=duty.span,
            exception_of=exception_of,
            exception_span=exception_span,
            discretion=discretion,
            unless=unless,
            aim=aim,
        )

    def exceptions(self, d: A.ObligationDecl, policy: M.Policy
                   ) -> tuple[str | None, A.Span | None, M.Discretion | None, tuple[M.Unless, ...]]:
        instead = [e for e in d.exceptions if isinstance(e, A.InsteadOf)]
        decided = [e for e in d.exceptions if isinstance(e, A.Discretion)]
        for second in instead[1:]:
            self.error("E230", f"obligation `{d.name.text}` has more than one `instead of`", second.span,
                       "an exception replaces one general rule; write one obligation per rule it replaces",
                       [Related(self.path, instead[0].span, "the first is here")])
        for extra in decided[1:]:
            self.error("E233", f"obligation `{d.name.text}` has more than one `decided by`", extra.span,
                       "keep one decision", [Related(self.path, decided[0].span, "the first is here")])
        if decided and not instead:
            self.error("E233", "`decided by` without `instead of`: which duty does the decision relax?", decided[0].span,
                       "add `instead of OBLIGATION`, naming the general rule that the decision relaxes")
        discretion = None
        if decided:
            dec = decided[0]
            discretion = M.Discretion(self.check_name(dec.role, "role", policy) or dec.role.text,
                                      self.check_name(dec.event, "event", policy) or dec.event.text, dec.span)
        unless = tuple(
            M.Unless(self.check_name(e.event, "event", policy) if e.event else None,
                     e.text.value if e.text else None, e.span)
            for e in d.exceptions if isinstance(e, A.Unless))
        for u in unless:
            if u.text is not None and not u.text.strip():
                self.error("E304", "the `unless` text is empty", u.span,
                           'say what the exception is, or name the event that records it: `unless visits_reduced`')
        first = instead[0] if instead else None
        return (first.obligation.text if first else None, first.span if first else None, discretion, unless)

    def minimum(self, duty: A.Duty, aim: M.Timing) -> M.Timing:
        """The `must` timing of `should ... and must within|every D`: the aim with its interval replaced."""
        m = duty.minimum
        assert m is not None
        d = self.duration(m.duration)
        if duty.modality != "should":
            self.error("E234", "a duty with `and must` starts with `should`: the first timing is the aim",
                       A.Span(duty.span.line, duty.span.column, duty.span.line, duty.span.column),
                       "write `should ... and must ...`: the `should` timing is the aim, the `must` one the minimum")
        result: M.Timing
        current: Duration
        match aim:
            case M.Deadline() if m.kind == "within":
                result, current = dataclasses.replace(aim, duration=d), aim.duration
            case M.Recurrence() if m.kind == "every":
                result, current = dataclasses.replace(aim, every=dataclasses.replace(aim.every, duration=d)), aim.duration
            case M.Schedule(steps=(*_, M.Every() as last)) if m.kind == "every":
                result, current = dataclasses.replace(aim, steps=aim.steps[:-1] + (dataclasses.replace(last, duration=d),)), \
                    last.duration
            case _:
                form = M.form_of(aim).replace("_", " ")
                self.error("E234", f"`and must {m.kind}` does not fit a {form} timing", m.span,
                           "use `and must within D` after `within D of EVENT`, and `and must every D` after `every D` "
                           "or a schedule ending in `then every D`")
                return aim
        if compare(d, current) is Ordering.STRICTER:
            self.error("E234", f"the minimum ({m.kind} {d}) is stricter than the aim ({m.kind} {current})", m.span,
                       "the `should` timing is the aim and the `must` timing the minimum: swap the two durations")
        return result

    def attribute(self, d: A.AttributeDecl) -> M.Attribute:
        """An attribute declaration: its type (`number`, `date`, `text`) or its values and their codes."""
        kind = "values"
        if d.type is not None:
            if d.type.text in M.ATTRIBUTE_TYPES:
                kind = d.type.text
            else:
                close = difflib.get_close_matches(d.type.text, M.ATTRIBUTE_TYPES, n=1)
                self.error("E242", f"unknown attribute type `{d.type.text}`", d.type.span,
                           f"did you mean `{close[0]}`?" if close else "the types are number, date and text; "
                           "or list the allowed values with `value NAME \"label\"` lines")
        if d.type is not None and d.values:
            self.error("E242", f"attribute `{d.name.text}` has both a type and a list of values", d.type.span,
                       "keep the `value` lines (a list of values is a type of its own), or the `type`")
        elif d.type is None and not d.values:
            self.error("E242", f"attribute `{d.name.text}` has neither a type nor any values", d.name.span,
                       'add `value NAME "label"` lines, or `type number`, `type date` or `type text`')
        values: list[M.AttributeValue] = []
        seen: dict[str, A.Span] = {}
        for v in d.values:
            if v.name.text in seen:
                self.error("E202", f"value `{v.name.text}` of `{d.name.text}` is declared twice", v.name.span,
                           "remove one of them", [Related(self.path, seen[v.name.text], "first declared here")])
                continue
            seen[v.name.text] = v.name.span
            codes = tuple((c.dataset.text, t.value) for c in v.coded_as for t in c.codes)
            values.append(M.AttributeValue(v.name.text, v.label.value if v.label else _humanise(v.name.text),
                                           codes, v.span, self.duration(v.duration) if v.duration else None))
        return M.Attribute(d.name.text, d.label.value if d.label else _humanise(d.name.text), kind, tuple(values),
                           tuple((r.dataset.text, r.item.value) for r in d.recorded_as), self.path, d.span)

    def attribute_condition(self, c: A.AttributeCondition, policy: M.Policy) -> M.AttributeIs:
        """`when NAME is VALUE`: the attribute must be declared and each value allowed by it."""
        values = tuple(v.text if isinstance(v, A.Name) else v.value if isinstance(v, A.Text) else str(v)
                       for v in c.values)
        name = c.attribute.text
        attr = policy.attributes.get(name)
        if attr is None:
            close = difflib.get_close_matches(name, list(policy.attributes), n=1, cutoff=0.7)
            self.error("E240", f"unknown attribute `{name}`", c.attribute.span,
                       f"did you mean `{close[0]}`?" if close else
                       f'declare it: `attribute {name} "..."` with its values (in the vocabulary, or in this file)')
            return M.AttributeIs(name, c.negated, values, c.span)
        for v in c.values:
            problem = _value_problem(attr, v)
            if problem is None:
                continue
            span = v.span if isinstance(v, A.Name | A.Text) else c.span
            text = v.text if isinstance(v, A.Name) else v.value if isinstance(v, A.Text) else str(v)
            hint: str | None = None
            if attr.type == "values":
                close = difflib.get_close_matches(text, [x.id for x in attr.values], n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else \
                    f"`{name}` is one of: " + ", ".join(f"`{x.id}`" for x in attr.values)
            self.error("E241", problem.format(value=text, attribute=name), span, hint,
                       [Related(attr.origin, attr.span, f"`{name}` is declared here")])
        return M.AttributeIs(name, c.negated, values, c.span)

    def condition(self, c: A.Condition, policy: M.Policy) -> M.Condition:
        match c:
            case A.AttributeCondition():
                return self.attribute_condition(c, policy)
            case A.AgeCondition():
                units = {Unit.YEARS, Unit.MONTHS, Unit.WEEKS, Unit.DAYS}
                return M.AgeLimit(c.comparison, tuple(self.duration(x, units, "an age") for x in c.age), c.span)
            case A.ProseCondition():
                return M.InProse(c.text.value, c.span)
            case _:
                assert_never(c)

    def set_timing(self, t: A.SetForm, restarts: tuple[M.Restart, ...], policy: M.Policy) -> M.Timing:
        """`every|within ATTRIBUTE as set at EVENT`: a recurrence or a deadline from EVENT whose interval or limit
        is the value of ATTRIBUTE recorded at EVENT; the model's own duration is the most lenient value."""
        event = self.event(t.event, policy)
        name = t.attribute.text
        attr = policy.attributes.get(name)
        choices: tuple[tuple[str, Duration], ...] = ()
        if attr is None:
            setting_attrs = [a.id for a in policy.attributes.values() if any(v.duration for v in a.values)]
            close = difflib.get_close_matches(name, setting_attrs or list(policy.attributes), n=1, cutoff=0.6)
            self.error("E240", f"unknown attribute `{name}`", t.attribute.span,
                       f"did you mean `{close[0]}`?" if close else
                       f'declare it: `attribute {name} "..."` with a `value NAME "label" is DURATION` line for each '
                       "timescale it can be set to")
        else:
            choices = tuple((v.id, v.duration) for v in attr.values if v.duration is not None)
            if not choices:
                self.error("E243", f"`{name}` sets no timescale: none of its values says one", t.attribute.span,
                           f'give each value its timescale: `value {attr.values[0].id if attr.values else "weekly"} '
                           f'"..." is 1 week`' if attr.type == "values" else
                           f"`{name}` is a {attr.type}; declare an attribute whose values say `is DURATION`",
                           [Related(attr.origin, attr.span, f"`{name}` is declared here")])
            elif len(choices) > MAX_SET_VALUES:
                self.error("E243", f"`{name}` has {len(choices)} values that set a timescale; at most "
                           f"{MAX_SET_VALUES} can be audited", t.attribute.span,
                           "keep the values the case records use; a value without `is DURATION` makes its children no_data",
                           [Related(attr.origin, attr.span, f"`{name}` is declared here")])
            elif t.kind == "every":
                for value, d in choices:
                    if d.amount == 0:
                        v = attr.value(value)
                        self.error("E209", f"`{name}` is `{value}`, every 0 units, which can never be met",
                                   t.attribute.span, "give the value a positive timescale",
                                   [Related(attr.origin, v.span if v else attr.span, "the value is declared here")])
        setting = M.Setting(name, event, choices, t.attribute.span)
        lenient = _most_lenient(d for _, d in choices) if choices else Duration(1, Unit.DAYS)
        if t.kind == "every":
            return M.Recurrence(every=M.Every(lenient, None, t.span), trigger=event, setting=setting, span=t.span,
                                restarts=restarts)
        return M.Deadline(duration=lenient, trigger=event, setting=setting, span=t.span, restarts=restarts)

    def event(self, name: A.Name, policy: M.Policy) -> str:
        return self.check_name(name, "event", policy) or name.text

    def every(self, d: A.Duration, bound: A.Bound | None, span: A.Span, policy: M.Policy) -> M.Every:
        duration = self.duration(d)
        if duration.amount == 0:
            self.error("E209", "a recurrence of every 0 units can never be met", d.span, "use a positive number")
        resolved: M.Bound | None
        match bound:
            case None:
                resolved = None
            case A.UntilBound():
                resolved = M.Until(self.event(bound.event, policy), bound.ordinal)
            case A.ForBound():
                start = self.event(bound.start, policy) if bound.start else None
                resolved = M.For(self.duration(bound.duration), start)
            case _:
                assert_never(bound)
        return M.Every(duration, resolved, span)

    def steps(self, steps: tuple[A.Step, ...], policy: M.Policy) -> tuple[M.Step, ...]:
        out: list[M.Step] = []
        open_ended = False
        for s in steps:
            if open_ended:
                self.error("E208", "no step can follow an unbounded `then every`", s.span,
                           "bound the recurrence with `until ...` or `for ...`, or move this step before it")
            match s:
                case A.ThenWithin():
                    anchor = self.event(s.anchor, policy) if s.anchor else None
                    out.append(M.Within(self.duration(s.duration), s.span, anchor))
                case A.ThenEvery():
                    out.append(self.every(s.duration, s.bound, s.span, policy))
                    open_ended = open_ended or s.bound is None
                case _:
                    assert_never(s)
        return tuple(out)

    def timing(self, t: A.Timing, policy: M.Policy) -> M.Timing:  # noqa: C901 - one case per timing form (a match with assert_never), each building its model form
        restarts = tuple(M.Restart(self.duration(r.duration), self.event(r.event, policy), r.span)
                         for r in t.restarts)
        match t:
            case A.DeadlineForm():
                duration = self.duration(t.duration)
                opens = None
                if t.opens is not None:
                    opens = Duration(t.opens, duration.unit)
                    if t.opens >= t.duration.amount:
                        self.error("E222", f"the window opens at {t.opens} but closes at {t.duration.amount}", t.span,
                                   "write the earlier bound first: `between 12 and 16 weeks of EVENT`")
                if t.whichever and not t.others:
                    self.error("E221", f"`whichever is {t.whichever}` needs two events joined by `or`", t.span,
                               "write `within D of EVENT or EVENT whichever is sooner` (or `later`), or drop `whichever ...`")
                return M.Deadline(duration=duration, trigger=self.event(t.event, policy), opens=opens,
                                  also=tuple(self.event(e, policy) for e in t.others), sooner=t.whichever == "sooner",
                                  later=t.whichever == "later",
                                  span=t.span, restarts=restarts)
            case A.SameDayForm():
                return M.Deadline(duration=Duration(0, Unit.DAYS), trigger=self.event(t.event, policy), said=t.said,
                                  span=t.span, restarts=restarts)
            case A.ScheduleForm():
                return M.Schedule(duration=self.duration(t.duration), trigger=self.event(t.event, policy),
                                  steps=self.steps(t.steps, policy), span=t.span, restarts=restarts)
            case A.RecurrenceForm():
                every = self.every(t.duration, t.bound, t.span, policy)
                trigger = self.event(t.event, policy) if t.event else None
                return M.Recurrence(every=every, trigger=trigger, span=t.span, restarts=restarts)
            case A.NoticeForm():
                if t.from_ordinal is not None and t.from_ordinal < 1:
                    self.error("E209", "ordinals start at 1st", t.span)
                return M.AdvanceNotice(duration=self.duration(t.duration), trigger=self.event(t.event, policy),
                                       span=t.span, restarts=restarts, from_ordinal=t.from_ordinal or 1)
            case A.CountForm():
                if t.ordinal < 1:
                    self.error("E209", "ordinals start at 1st", t.span)
                if t.restarts:
                    self.error("E220", "a count-based recurrence (`every 2nd EVENT`) cannot restart", t.restarts[0].span,
                               "the count already starts again at each occurrence done; remove the `restart` line")
                return M.CountRecurrence(ordinal=t.ordinal, trigger=self.event(t.event, policy), span=t.span,
                                         restarts=restarts)
            case A.AgeForm():
                age = tuple(self.duration(x, {Unit.YEARS, Unit.MONTHS}, "an age") for x in t.age)
                return M.AgeMilestone(age=age, span=t.span, restarts=restarts)
            case A.OrdinalForm():
                if t.ordinal < 1:
                    self.error("E209", "ordinals start at 1st", t.span)
                return M.OrdinalMilestone(ordinal=t.ordinal, trigger=self.event(t.event, policy), span=t.span,
                                          restarts=restarts)
            case A.VagueForm():
                return M.Vague(phrase=t.phrase, span=t.span, restarts=restarts,
                               defers_to=t.defers_to.value if t.defers_to is not None else None)
            case A.ShareForm():
                if not 0 < t.percent <= 100:
                    self.error("E223", f"a share of {t.percent}% of occurrences", t.span,
                               "write a share from 1% to 100%, or `half`")
                if t.restarts:
                    self.error("E220", "a share of occurrences (`on at least half of EVENT`) cannot restart",
                               t.restarts[0].span, "the share is counted over the whole episode; remove the `restart` line")
                return M.Share(percent=t.percent, said=t.said, trigger=self.event(t.event, policy), span=t.span,
                               restarts=restarts)
            case A.SetForm():
                return self.set_timing(t, restarts, policy)
            case A.MinimumForm():
                if t.restarts:
                    self.error("E220", "a minimum duration (`for at least D before EVENT`) cannot restart",
                               t.restarts[0].span, "each action already starts its own period; remove the `restart` line")
                return M.MinimumPeriod(duration=self.duration(t.duration), trigger=self.event(t.event, policy),
                                       span=t.span, restarts=restarts)
            case _:
                assert_never(t)


def _most_lenient(durations: Iterable[Duration]) -> Duration:
    """The duration that allows the most time (by its longest span in days; the first of equals)."""
    return max(durations, key=lambda d: bounds_in_days(d)[1])


def _value_problem(attr: M.Attribute, v: A.Name | A.Text | int) -> str | None:
    """Why `v` cannot be a value of `attr` (a message template), or None if it can."""
    if attr.type == "values":
        if isinstance(v, A.Name) and attr.value(v.text) is not None:
            return None
        return "`{value}` is not a value of `{attribute}`"
    if attr.type == "number":
        return None if isinstance(v, int) else "`{attribute}` is a number, not `{value}`"
    if attr.type == "text":
        return None if isinstance(v, A.Text) else '`{attribute}` is text: write the value in quotes, `"{value}"`'
    return "`{attribute}` is a date: `when ... is` cannot test it"


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _kind_hint(kind: str) -> str:
    return {
        "status": "`while` takes a status, such as `child_protection`",
        "event": "`of`, `on`, `before` and the duty's action take events, such as `icpc`",
        "role": "the word before `must` is a role, such as `social_worker`",
    }[kind]


def _field_word(key: str) -> str:
    return {"review": "review due", "trigger_day": "trigger day is day"}.get(key, key)


def _month_name(m: str) -> str:
    try:
        return dt.date(2000, int(m), 1).strftime("%B")
    except ValueError:
        return f"month {m}"

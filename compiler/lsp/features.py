"""What the language server says, as plain data: hover text, example due dates, completion
candidates, the outline and mechanical fixes. `server` turns these into LSP messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from compiler.audit.reference import evaluate
from compiler.lsp.documents import CheckedDocument, contains, declarations_of, occurrence_at
from compiler.model import describe
from compiler.model.ir import Obligation, Policy
from compiler.model.semantics import Child, Record, not_measurable, status_events
from dsl import ast as A
from dsl.codes import CODES
from dsl.highlight import UNIT_WORDS, vocabulary

#: The example's day 0: a Monday clear of bank holidays, so that working days read plainly.
EXAMPLE_DAY_0 = dt.date(2025, 1, 6)
EXAMPLE_OCCURRENCES = 4
_CODE = re.compile(r"\b[EWI]\d{3}\b")


# ---- hover ------------------------------------------------------------------------------------------
def hover(doc: CheckedDocument, line: int, column: int) -> str | None:
    """Markdown for the position: a diagnostic code, an obligation's duty, or a declared name."""
    text_line = doc.text.split("\n")[line - 1] if 0 < line <= doc.text.count("\n") + 1 else ""
    for m in _CODE.finditer(text_line):
        if m.start() < column <= m.end() + 1 and m.group(0) in CODES:
            return explain_markdown(m.group(0))
    parts: list[str] = []
    occ = occurrence_at(doc, line, column)
    if occ is not None and occ.declares != "obligation":
        parts.extend(_name_markdown(doc, occ.name))
    ob = _obligation_at(doc, line, column)
    if ob is not None and doc.policy is not None:
        parts.append(obligation_markdown(doc.policy, ob))
    return "\n\n".join(parts) or None


def explain_markdown(code: str) -> str:
    c = CODES[code]
    example = "\n".join("    " + x for x in c.example.splitlines())
    return (f"**{c.code}** ({c.severity}): {c.title}\n\n{c.explanation}\n\nExample:\n\n{example}\n\n"
            f"How to fix it: {c.fix}")


def _name_markdown(doc: CheckedDocument, name: str) -> list[str]:
    out = []
    for kind, decl in declarations_of(doc).get(name, []):
        if kind == "obligation":
            continue
        label = getattr(decl, "label", "") or getattr(decl, "description", "") or ""
        line = f"**{kind}** `{name}`" + (f": {label}" if label else "")
        same = getattr(decl, "same_as", None)
        if same:
            line += f" (same as `{same}`)"
        recorded = getattr(decl, "recorded_as", ())
        if recorded:
            line += "\n\nrecorded as " + "; ".join(f"{d} `{item}`" for d, item, *_ in recorded)
        out.append(line + f"\n\ndeclared in `{decl.origin}`")
    return out


def _obligation_at(doc: CheckedDocument, line: int, column: int) -> Obligation | None:
    if doc.policy is None:
        return None
    for ob in doc.policy.obligations:
        if contains(ob.duty_span, line, column):
            return ob
    return None


def obligation_markdown(policy: Policy, ob: Obligation) -> str:
    lines = [f"**{ob.id}**" + (f": {ob.title}" if ob.title else ""), "",
             describe.duty(ob, policy)[0].upper() + describe.duty(ob, policy)[1:] + "."]
    if ob.conditions:
        lines += ["", "Applies when " + " and ".join(describe.condition(c) for c in ob.conditions) + "."]
    dates = example_due_dates(policy, ob)
    if dates:
        lines += ["", f"Due dates if day 0 is {_day(EXAMPLE_DAY_0)} and each is done on its due date:"]
        lines += [f"{i}. {_day(d)}" for i, d in enumerate(dates, 1)]
    else:
        reason = not_measurable(policy, ob)
        if reason:
            lines += ["", f"Not measurable: {reason}."]
    for c in ob.citations:
        lines += ["", f"> {c.quote}", ">", f"> — {c.clause}"]
    return "\n".join(lines)


def _day(d: dt.date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def example_due_dates(policy: Policy, ob: Obligation) -> list[dt.date]:
    """The first due dates of `ob` for an example child: its status and every event its timing
    counts from happen on day 0, and each occurrence is done on its due date. Computed by the
    reference interpreter, so the hover agrees with the audit."""
    if not_measurable(policy, ob) is not None or ob.conditions:
        return []
    alone = dataclasses.replace(policy, obligations=[ob])
    day0 = EXAMPLE_DAY_0
    starts = {policy.canonical_event(e) for e in _timing_events(policy, ob.timing)}
    entered = status_events(policy, ob.status)
    if entered is not None and entered[0]:
        starts.add(sorted(entered[0])[0])
    records = [Record(i + 1, e, day0) for i, e in enumerate(sorted(starts))]
    action = policy.canonical_event(ob.action)
    dates: list[dt.date] = []
    as_of = day0 + dt.timedelta(days=5 * 366)
    birth = day0 - dt.timedelta(days=int(15.5 * 365.25))
    for _ in range(EXAMPLE_OCCURRENCES):
        child = Child("example", birth, tuple(sorted(records, key=lambda r: (r.date, r.row))))
        due = sorted(r.due_date for r in evaluate(alone, [child], as_of)
                     if r.due_date is not None and r.outcome in ("overdue", "pending") and r.due_date not in dates)
        if not due:
            break
        dates.append(due[0])
        records.append(Record(len(records) + 1, action, due[0]))
    return dates


def _timing_events(policy: Policy, node: Any) -> set[str]:
    """Every event a timing names (its trigger, bounds, restarts), whatever its form."""
    found: set[str] = set()
    if isinstance(node, str):
        if node in policy.events or policy.canonical_event(node) in policy.events:
            found.add(node)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name not in ("span", "phrase"):
                found |= _timing_events(policy, getattr(node, f.name))
    elif isinstance(node, tuple | list):
        for x in node:
            found |= _timing_events(policy, x)
    return found


# ---- completion -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    label: str
    kind: str  # "keyword" | "role" | "event" | "status" | "attribute" | "value" | "unit" | "code"
    detail: str = ""


_AFTER_EVENT = re.compile(r"\b(?:of|before|from|on|until(?: the)?(?: \d+(?:st|nd|rd|th))?|the \d+(?:st|nd|rd|th)"
                          r"|or|same as)\s+\w*$")
_AFTER_NUMBER = re.compile(r"\b\d+\s+(?:[a-z]+\s+)?\w*$")
_AFTER_WHEN_IS = re.compile(r"\bwhen\s+(\w+)\s+is(?:\s+not)?\s+(?:\w+\s+or\s+)*\w*$")


def completions(doc: CheckedDocument, line: int, column: int) -> list[Candidate]:  # noqa: C901 - one branch per completion context (header, declaration, duty, timing), each a short list
    """Candidates for the word being typed at a 1-based position, from the context before it."""
    lines = doc.text.split("\n")
    before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
    decls = declarations_of(doc)

    def named(kind: str) -> list[Candidate]:
        return [Candidate(n, kind, _label(d)) for n, ds in sorted(decls.items()) for k, d in ds if k == kind]

    stripped = before.rstrip()
    words = stripped.split()
    last = words[-1] if words else ""
    typing = not before.endswith((" ", "\t")) and bool(words)
    previous = words[-2] if typing and len(words) > 1 else last if not typing else ""
    if (m := _AFTER_WHEN_IS.search(before)) is not None:
        return _values(decls, m.group(1))
    if previous in ("while",):
        return named("status")
    if previous in ("when",):
        return named("attribute") + [Candidate("age", "keyword")]
    if previous in ("by",) and "decided" in words or previous == "by" and "extendable" in words:
        return named("role")
    if previous == "allow":
        return [Candidate(c, "code", CODES[c].title) for c in sorted(CODES)]
    if previous in ("must", "should"):
        return named("event")
    if _AFTER_NUMBER.search(before) and previous.isdigit():
        return [Candidate(u, "unit") for u in UNIT_WORDS if " " not in u or u.startswith(("working", "calendar"))]
    if previous == "as" and "same" in words:
        head = words[0] if words else ""
        return named({"role": "role", "event": "event", "status": "status"}.get(head, "event"))
    if previous == "of" and "instead" in words:
        return named("obligation")
    if previous == "unless":
        return named("event")
    if _AFTER_EVENT.search(before):
        return named("event")
    v = vocabulary()
    keywords = [Candidate(k, "keyword") for k in (*v["declarations"], *v["modalities"], *v["keywords"])]
    if not before.strip() or len(words) <= 1:
        return keywords + named("role")
    return keywords


def _label(decl: Any) -> str:
    return getattr(decl, "label", "") or getattr(decl, "description", "") or getattr(decl, "title", "") or ""


def _values(decls: dict[str, list[tuple[str, Any]]], attribute: str) -> list[Candidate]:
    out: list[Candidate] = []
    for kind, decl in decls.get(attribute, []):
        if kind != "attribute":
            continue
        for value in getattr(decl, "values", ()) or ():
            name = value if isinstance(value, str) else getattr(value, "id", None) or getattr(value, "name", "")
            codes = "; ".join(f"{d} {c}" for d, c in getattr(value, "codes", ()))
            detail = _label(value) if not isinstance(value, str) else ""
            out.append(Candidate(str(name), "value", detail + (f" ({codes})" if codes else "")))
    return out


# ---- outline ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Symbol:
    name: str
    detail: str
    kind: str  # "status" | "event" | "role" | "obligation" | "transition" | "note" | "attribute"
    span: A.Span
    selection: A.Span


def outline(tree: A.PolicyFile) -> list[Symbol]:
    out: list[Symbol] = []
    for d in tree.declarations:
        kind = {"RoleDecl": "role", "EventDecl": "event", "StatusDecl": "status", "ObligationDecl": "obligation",
                "NoteDecl": "note", "TransitionDecl": "transition"}.get(type(d).__name__,
                                                                       type(d).__name__.removesuffix("Decl").lower())
        if isinstance(d, A.TransitionDecl):
            out.append(Symbol(f"{d.source.text} → {d.target.text}", f"on {d.event.text}", kind, d.span, d.event.span))
            continue
        name = getattr(d, "name", None)
        if not isinstance(name, A.Name):
            continue
        label = getattr(d, "label", None) or getattr(d, "title", None)
        out.append(Symbol(name.text, label.value if isinstance(label, A.Text) else "", kind, d.span, name.span))
    return out


# ---- mechanical fixes -------------------------------------------------------------------------------
_REPLACEMENT = re.compile(r"^(?:did you mean|write|write numbers as digits:) `([^`]+)`\??$")


def replacement(hint: str | None) -> str | None:
    """The text that replaces a diagnostic's span, when its hint names exactly one (a did-you-mean,
    a number written as digits, a frequency word written as a timing); otherwise None."""
    if not hint:
        return None
    m = _REPLACEMENT.match(hint.strip())
    return m.group(1) if m else None

"""`policyc fmt`: the canonical layout of a .policy file.

Rules: the header's fields one per line, indented two spaces; one blank line between
declarations; each item of a declaration on its own line, indented two spaces; a simple
timing stays on the duty's line, a schedule puts each step on its own line indented four.
Comments are kept: a comment on its own line stays above the line it preceded, a comment
after code stays at the end of that line.

Safety (as gdtoolkit's formatter does): `format_source` runs three checks on every use and
refuses to return a result that fails one of them:
  same tree    the result parses to the same AST as the input (`strip_spans` equal)
  idempotent   formatting the result again changes nothing
  comments     the result keeps every comment of the input, word for word
`policyc fmt` calls `format_source`, never `format_file` directly.
"""

from __future__ import annotations

from collections import Counter
from itertools import zip_longest
from typing import assert_never

from dsl import ast as A
from dsl.ast import STATUTE
from dsl.parser import parse
from dsl.source import SourceFile


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _dur(d: A.Duration) -> str:
    return f"{d.amount} {d.unit}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _bound(b: A.Bound | None) -> str:
    match b:
        case None:
            return ""
        case A.ForBound():
            return f" for {_dur(b.duration)}" + (f" from {b.start.text}" if b.start else "")
        case A.UntilBound():
            return " until " + (f"the {ordinal(b.ordinal)} " if b.ordinal else "") + b.event.text
        case _:
            assert_never(b)


class _Out:
    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []  # (source line, text)

    def add(self, line: int, text: str) -> None:
        self.lines.append((line, text))

    def blank(self) -> None:
        if self.lines and self.lines[-1][1] != "":
            self.lines.append((self.lines[-1][0], ""))


def _allow(out: _Out, a: A.Allow, indent: str = "  ") -> None:
    out.add(a.span.line, f"{indent}allow {a.code} because {quote(a.reason.value)}")


def _cite(out: _Out, c: A.Citation) -> None:
    out.add(c.span.line, f"  cite {quote(c.clause.value)} {quote(c.quote.value)}")


def _value(v: object) -> str:
    if isinstance(v, A.Name):
        return v.text
    if isinstance(v, A.Text):
        return quote(v.value)
    return str(v)


def _condition(c: A.Condition) -> str:
    if isinstance(c, A.AttributeCondition):
        return f"when {c.attribute.text} is {'not ' if c.negated else ''}" + " or ".join(_value(v) for v in c.values)
    if isinstance(c, A.AgeCondition):
        return f"when age {c.comparison} " + " ".join(_dur(d) for d in c.age)
    return f"when {quote(c.text.value)}"


def _deadline(t: A.DeadlineForm) -> str:
    if t.opens is not None:  # a window
        return f"between {t.opens} and {_dur(t.duration)} of {t.event.text}"
    triggers = " or ".join(e.text for e in (t.event, *t.others))
    whichever = f" whichever is {t.whichever}" if t.whichever else ""
    return f"within {_dur(t.duration)} of {triggers}{whichever}"


def _before(t: A.NoticeForm | A.MinimumForm | A.ShareForm) -> str:
    """The timings that start `at least` or `for at least`: advance notice, a minimum duration, a share."""
    if isinstance(t, A.ShareForm):
        return f"on at least {'half' if t.said == 'half' else f'{t.percent}%'} of {t.event.text}"
    if isinstance(t, A.MinimumForm):
        return f"for at least {_dur(t.duration)} before {t.event.text}"
    if t.from_ordinal is not None:
        return f"at least {_dur(t.duration)} before every {t.event.text} from the {ordinal(t.from_ordinal)}"
    return f"at least {_dur(t.duration)} before {t.event.text}"


def _simple_timing(t: A.Timing) -> str | None:  # noqa: C901 - one case per timing form (a match with assert_never)
    """The timing's text when it fits on the duty line, else None."""
    match t:
        case A.DeadlineForm():
            return _deadline(t)
        case A.SameDayForm():
            return f"immediately after {t.event.text}" if t.said == "immediately" else \
                f"on the same day as {t.event.text}"
        case A.RecurrenceForm():
            text = f"every {_dur(t.duration)}"
            if t.event:
                text += f" from {t.event.text}"
            return text + _bound(t.bound)
        case A.NoticeForm() | A.MinimumForm() | A.ShareForm():
            return _before(t)
        case A.CountForm():
            return f"every {ordinal(t.ordinal)} {t.event.text}"
        case A.AgeForm():
            return "by age " + " ".join(_dur(d) for d in t.age)
        case A.OrdinalForm():
            return f"before the {ordinal(t.ordinal)} {t.event.text}"
        case A.VagueForm():
            if t.defers_to is not None and t.defers_to.value != STATUTE:
                return f"as set by {quote(t.defers_to.value)}"
            return t.phrase
        case A.SetForm():
            return f"{t.kind} {t.attribute.text} as set at {t.event.text}"
        case A.ScheduleForm():
            return None
        case _:
            assert_never(t)


def _step(s: A.Step) -> str:
    match s:
        case A.ThenWithin():
            return f"    then within {_dur(s.duration)}" + (f" of {s.anchor.text}" if s.anchor else "")
        case A.ThenEvery():
            return f"    then every {_dur(s.duration)}{_bound(s.bound)}"
        case _:
            assert_never(s)


def _minimum(m: A.Minimum | None) -> str:
    return f" and must {m.kind} {_dur(m.duration)}" if m else ""


def _exception(e: A.Exception_) -> str:
    if isinstance(e, A.InsteadOf):
        return f"instead of {e.obligation.text}"
    if isinstance(e, A.Discretion):
        return f"decided by {e.role.text} on {e.event.text}"
    return "unless " + (e.event.text if e.event else quote(e.text.value if e.text else ""))


def _duty(out: _Out, d: A.Duty) -> None:
    head = "  " + (f"{d.role.text} " if d.role else "") + d.modality + " "
    head += (f"{d.verb.text} " if d.verb else "") + d.action.text
    t = d.timing
    if t is None:
        out.add(d.span.line, head)
        return
    simple = _simple_timing(t)
    if simple is not None and not t.restarts:
        out.add(d.span.line, f"{head} {simple}{_minimum(d.minimum)}")
        return
    out.add(d.span.line, head)
    if isinstance(t, A.ScheduleForm):
        out.add(t.span.line, f"    first within {_dur(t.duration)} of {t.event.text}")
        for s in t.steps:
            out.add(s.span.line, _step(s))
    elif simple is not None:
        out.add(t.span.line, f"    {simple}")
    for r in t.restarts:
        out.add(r.span.line, f"    restart within {_dur(r.duration)} of {r.event.text}")
    if d.minimum:
        out.add(d.minimum.span.line, "   " + _minimum(d.minimum))


def _recorded_as(out: _Out, items: tuple[A.RecordedAs, ...]) -> None:
    for r in items:
        out.add(r.span.line, f"  recorded as {r.dataset.text} {quote(r.item.value)}")


def _decl(out: _Out, d: A.Declaration) -> None:  # noqa: C901 - one branch per declaration kind, each its canonical layout; kept together so the layout reads as one rule book
    line = d.span.line
    if isinstance(d, A.RoleDecl):
        text = f"role {d.name.text}" + (f" {quote(d.label.value)}" if d.label else "")
        out.add(line, text + (f" same as {d.same_as.text}" if d.same_as else ""))
    elif isinstance(d, A.EventDecl):
        out.add(line, f"event {d.name.text}" + (f" {quote(d.label.value)}" if d.label else ""))
        if d.same_as:
            out.add(d.same_as.span.line, f"  same as {d.same_as.text}")
        _recorded_as(out, d.recorded_as)
        if d.oversight:
            out.add(line, "  oversight")
        for t in d.topics:
            out.add(t.span.line, f"  topic {t.text}")
    elif isinstance(d, A.StatusDecl):
        out.add(line, f"status {d.name.text}" + (f" {quote(d.label.value)}" if d.label else ""))
        if d.same_as:
            out.add(d.same_as.span.line, f"  same as {d.same_as.text}")
        if d.service:
            out.add(d.service.span.line, f"  service {d.service.text}")
        if d.entered_on:
            out.add(d.entered_on[0].span.line, "  entered on " + " or ".join(n.text for n in d.entered_on))
        if d.left_on:
            out.add(d.left_on[0].span.line, "  left on " + " or ".join(n.text for n in d.left_on))
        if d.initial:
            out.add(line, "  initial")
        if d.final:
            out.add(line, "  final")
        if d.open:
            out.add(line, "  open")
    elif isinstance(d, A.AttributeDecl):
        out.add(line, f"attribute {d.name.text}" + (f" {quote(d.label.value)}" if d.label else ""))
        if d.type:
            out.add(d.type.span.line, f"  type {d.type.text}")
        _recorded_as(out, d.recorded_as)
        for v in d.values:
            out.add(v.span.line, f"  value {v.name.text}" + (f" {quote(v.label.value)}" if v.label else "")
                    + (f" is {_dur(v.duration)}" if v.duration else ""))
            for coded in v.coded_as:
                codes = " or ".join(quote(t.value) for t in coded.codes)
                out.add(coded.span.line, f"    coded as {coded.dataset.text} {codes}")
    elif isinstance(d, A.TransitionDecl):
        out.add(line, f"transition from {d.source.text} to {d.target.text} on {d.event.text}")
        for c in d.conditions:
            out.add(c.span.line, f"  when {quote(c.value)}")
        if d.decided_by:
            out.add(d.decided_by.span.line, f"  decided by {d.decided_by.text}")
    elif isinstance(d, A.ObligationDecl):
        out.add(line, f"obligation {d.name.text}" + (f" {quote(d.title.value)}" if d.title else ""))
        for cite in d.citations:
            _cite(out, cite)
        for s in d.statuses:
            out.add(s.span.line, f"  while {s.text}")
        for exc in d.exceptions:
            if not isinstance(exc, A.Unless):
                out.add(exc.span.line, "  " + _exception(exc))
        for cond in d.conditions:
            out.add(cond.span.line, "  " + _condition(cond))
        for exc in d.exceptions:
            if isinstance(exc, A.Unless):
                out.add(exc.span.line, "  " + _exception(exc))
        for duty in d.duties:
            _duty(out, duty)
        for e in d.extensions:
            out.add(e.span.line, f"  extendable by {e.role.text} up to {_dur(e.duration)}")
        for a in d.allows:
            _allow(out, a)
    elif isinstance(d, A.NoteDecl):
        out.add(line, f"{d.kind} {d.name.text}" + (f" {quote(d.title.value)}" if d.title else ""))
        for cite in d.citations:
            _cite(out, cite)
        for a in d.allows:
            _allow(out, a)


def _header(out: _Out, h: A.Header) -> None:
    out.add(h.span.line, f"{h.kind} {quote(h.title.value)}")
    for f in h.fields:
        v = f.value
        if f.key in ("effective",):
            text = f"effective {v.text}"
        elif f.key == "review":
            text = f"review due {v.text}"
        elif f.key == "trigger_day":
            text = f"trigger day is day {v}"
        elif f.key == "draft":
            text = "draft"
        else:
            text = f"{f.key} {quote(v.value)}"
        out.add(f.span.line, "  " + text)
    for a in h.allows:
        _allow(out, a)


def _may_pack(previous: tuple[A.Declaration, int], d: A.Declaration, size: int, lines: list[str]) -> bool:
    """One-line declarations of the same kind may stand together without a blank line,
    as the author wrote them; anything longer is separated by one blank line."""
    prev, prev_size = previous
    if prev_size != 1 or size != 1 or type(prev) is not type(d):
        return False
    between = lines[prev.span.end_line : d.span.line - 1]
    return all(line.strip() for line in between)


def format_file(tree: A.PolicyFile, source_text: str) -> str:  # noqa: C901 - placing own-line and trailing comments is one algorithm over the emitted lines
    lines = source_text.split("\n")
    out = _Out()
    _header(out, tree.header)
    previous: tuple[A.Declaration, int] | None = None
    for d in tree.declarations:
        one = _Out()
        _decl(one, d)
        if previous is None or not _may_pack(previous, d, len(one.lines), lines):
            out.blank()
        out.lines.extend(one.lines)
        previous = (d, len(one.lines))
    own: list[A.Comment] = []
    trailing: list[A.Comment] = []
    for c in tree.comments:
        before = lines[c.line - 1][: c.column - 1] if 0 < c.line <= len(lines) else ""
        (trailing if before.strip() else own).append(c)
    result: list[str] = []
    text_lines = out.lines
    # trailing comments: to the last emitted line that starts at or before the comment's line
    tails: dict[int, list[str]] = {}
    for c in trailing:
        idx = None
        for i, (src_line, text) in enumerate(text_lines):
            if src_line <= c.line and text:
                idx = i
        if idx is None:
            own.append(c)
        else:
            tails.setdefault(idx, []).append(c.text.rstrip())
    own.sort(key=lambda c: (c.line, c.column))
    k = 0
    for i, (src_line, text) in enumerate(text_lines):
        while k < len(own) and own[k].line < src_line:
            indent = text[: len(text) - len(text.lstrip())]
            gap_before = own[k].line >= 2 and not lines[own[k].line - 2].strip()
            if gap_before and result and result[-1] != "":
                result.append("")
            result.append(indent + own[k].text.rstrip())
            k += 1
        result.append(text + ("  " + "  ".join(tails[i]) if i in tails else ""))
    while k < len(own):
        result.append(own[k].text.rstrip())
        k += 1
    # collapse accidental double blanks
    final: list[str] = []
    for line in result:
        if line == "" and final and final[-1] == "":
            continue
        final.append(line)
    while final and final[-1] == "":
        final.pop()
    return "\n".join(final) + "\n"


# ---- safety checks ----------------------------------------------------------------------------------
class UnsafeFormat(Exception):
    """Formatting would change the file in a way it must not; the reason names the failed check."""

    def __init__(self, check: str, detail: str) -> None:
        super().__init__(f"{check}: {detail}")
        self.check = check
        self.detail = detail


def _comment_texts(tree: A.PolicyFile) -> Counter[str]:
    return Counter(c.text.rstrip() for c in tree.comments)


def check_same_tree(before: A.PolicyFile, after: A.PolicyFile | None) -> None:
    if after is None or A.strip_spans(after) != A.strip_spans(before):
        raise UnsafeFormat("same tree", "the formatted file would mean something else")


def check_comments_kept(before: A.PolicyFile, after: A.PolicyFile) -> None:
    lost = _comment_texts(before) - _comment_texts(after)
    if lost:
        first = sorted(lost)[0]
        raise UnsafeFormat("comments kept", f"{sum(lost.values())} comment(s) would be lost, e.g. `{first}`")


def check_idempotent(formatted: str, again: str) -> None:
    if formatted != again:
        pairs = zip_longest(formatted.split("\n"), again.split("\n"))
        at = next(i for i, (a, b) in enumerate(pairs, 1) if a != b)
        raise UnsafeFormat("idempotent", f"formatting the result again changes line {at}")


def format_source(tree: A.PolicyFile, source: SourceFile) -> str:
    """The canonical layout of `source` (parsed as `tree`), checked: same tree, idempotent,
    comments kept. Raises `UnsafeFormat` if a check fails; the caller leaves the file alone."""
    formatted = format_file(tree, source.text)
    after, _ = parse(SourceFile(source.path, formatted))
    check_same_tree(tree, after)
    assert after is not None
    check_comments_kept(tree, after)
    check_idempotent(formatted, format_file(after, formatted))
    return formatted

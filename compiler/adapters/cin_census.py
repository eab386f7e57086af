"""CIN census XML → case events.

The file is read as a stream, one `<Child>` at a time, so a large census needs little memory. Each
`<Child>` is built as an `xml.etree.ElementTree` element by an expat parser (the parser ElementTree
itself uses), because ElementTree's own `iterparse` cannot say on which line an element starts, and
the rejects file gives the line of every bad date. The mapping is in docs/adapters.md.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.parsers import expat

from compiler.adapters.ssda903 import AdapterError, Event, ImportResult, Issue, Outcome, SourceCount
from compiler.model.semantics import SourceRecords

ATTRIBUTES = ("cin_episode", "referral_source", "primary_need", "referral_nfa", "reason_for_closure",
              "icpc_not_required", "category_of_abuse", "previous_cp_plans")
CHILDREN_COLUMNS = ("child_id", "date_of_birth", "sex", "disabilities")
#: What a CIN census records, each with the DfE data item it comes from (docs/adapters.md).
RECORDS = SourceRecords(
    "CIN census",
    events={
        "referral": "CINreferralDate", "closure": "CINclosureDate",
        "assessment_start": "AssessmentActualStartDate", "assessment_completed": "AssessmentAuthorisationDate",
        "cin_plan_start": "CINPlanStartDate", "cin_plan_end": "CINPlanEndDate",
        "s47_start": "S47ActualStartDate", "icpc": "DateOfInitialCPC",
        "cp_plan_start": "CPPstartDate", "cp_plan_end": "CPPendDate", "rcpc": "CPPreviewDate",
    },
    attributes={
        "cin_episode": "the position of CINdetails", "referral_source": "ReferralSource",
        "primary_need": "PrimaryNeedCode", "referral_nfa": "ReferralNFA", "reason_for_closure": "ReasonForClosure",
        "icpc_not_required": "ICPCnotRequired", "category_of_abuse": "InitialCategoryOfAbuse",
        "previous_cp_plans": "NumberOfPreviousCPP",
    },
)
SEX = {"1": "male", "M": "male", "2": "female", "F": "female", "0": "not_recorded", "9": "indeterminate"}
YES_NO = {"true": "true", "1": "true", "false": "false", "0": "false"}
_XS_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")

# (module inside CINdetails or "" for CINdetails itself, the start item, its event, the end item, its event)
PAIRS = (
    ("", "CINreferralDate", "referral", "CINclosureDate", "closure"),
    ("Assessments", "AssessmentActualStartDate", "assessment_start", "AssessmentAuthorisationDate",
     "assessment_completed"),
    ("CINPlanDates", "CINPlanStartDate", "cin_plan_start", "CINPlanEndDate", "cin_plan_end"),
    ("Section47", "S47ActualStartDate", "s47_start", "DateOfInitialCPC", "icpc"),
    ("ChildProtectionPlans", "CPPstartDate", "cp_plan_start", "CPPendDate", "cp_plan_end"),
)
_DATE_TAGS = frozenset(t for pair in PAIRS for t in (pair[1], pair[3])) | {"CPPreviewDate"}
# every element of a <Child> that the conversion reads; any other is counted in a note, never silently dropped
_READ_TAGS = _DATE_TAGS | {m for m, *_ in PAIRS if m} | {
    "Child", "ChildIdentifiers", "LAchildID", "PersonBirthDate", "GenderCurrent", "Sex", "ChildCharacteristics",
    "Disabilities", "Disability", "CINdetails", "Reviews", "ReferralSource", "PrimaryNeedCode", "ReferralNFA",
    "ReasonForClosure", "ICPCnotRequired", "InitialCategoryOfAbuse", "NumberOfPreviousCPP",
    "LatestCategoryOfAbuse", "DateOfInitialCPC", "PreProceedingsandFGDM"}


def parse_xs_date(text: str) -> date | None:
    """An xs:date (YYYY-MM-DD, optionally with a time zone, which is dropped); None if it is not one."""
    m = _XS_DATE.fullmatch(text)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _text(parent: ET.Element | None, tag: str) -> str:
    if parent is None:
        return ""
    return (parent.findtext(tag) or "").strip()


@dataclass
class _Episode:
    """One CINdetails being converted: its number for the child and the events already written."""

    child: str
    number: int
    written: set[tuple[str, date]] = field(default_factory=set)


class _Converter:
    def __init__(self, path: Path, with_children: bool) -> None:
        self.source = path.name
        self.with_children = with_children
        self.result = ImportResult(ATTRIBUTES, CHILDREN_COLUMNS if with_children else (), records=RECORDS)
        self.dates = SourceCount(self.source, "date")
        self.kids = SourceCount(self.source, "child")
        self.result.counts += [self.dates, self.kids]
        self.lines: dict[ET.Element, int] = {}
        self.position = 0  # of the current <Child>
        self.episodes: dict[str, int] = {}  # CINdetails so far, by child id
        self.children: dict[str, int] = {}  # child id → position of its first <Child>
        self.pre_proceedings = 0
        self.unread: Counter[str] = Counter()  # elements with no use in the vocabulary, by tag

    # ---- reporting --------------------------------------------------------------------------------
    def issue(self, elem: ET.Element, child: str, fld: str, value: str, outcome: Outcome, reason: str) -> None:
        self.result.issues.append(Issue(self.source, self.position, self.lines.get(elem, 0), child, fld, value,
                                        outcome, reason))

    # ---- one <Child> ------------------------------------------------------------------------------
    def child(self, elem: ET.Element) -> None:
        self.position += 1
        self.kids.read += 1
        self.unread.update(e.tag for e in elem.iter() if e.tag not in _READ_TAGS)
        ids = elem.find("ChildIdentifiers")
        child = _text(ids, "LAchildID")
        if not child:
            items = [d for d in elem.iter() if d.tag in _DATE_TAGS]
            self.dates.read += len(items)
            self.dates.rejected += len(items)
            self.kids.rejected += 1
            self.issue(elem, "", "LAchildID", "", "rejected",
                       f"no child id (LAchildID is missing or empty): its {len(items)} dates are not imported")
            return
        self.person(elem, ids, child)
        for details in elem.findall("CINdetails"):
            self.episodes[child] = self.episodes.get(child, 0) + 1
            self.cin_details(details, _Episode(child, self.episodes[child]))
        self.pre_proceedings += len(elem.findall("CINdetails/PreProceedingsandFGDM"))

    def person(self, elem: ET.Element, ids: ET.Element | None, child: str) -> None:
        if child in self.children:
            self.issue(elem, child, "LAchildID", child, "warning",
                       f"the child is also the <Child> at position {self.children[child]}: its events are written, "
                       "the children table keeps the first")
            return
        self.children[child] = self.position
        if not self.with_children:
            return
        birth = _text(ids, "PersonBirthDate")
        dob = parse_xs_date(birth) if birth else None
        if birth and dob is None:
            target = ids.find("PersonBirthDate") if ids is not None else None
            self.issue(target if target is not None else elem, child, "PersonBirthDate", birth, "ignored",
                       "PersonBirthDate is not a date (YYYY-MM-DD): date_of_birth left empty")
        code = _text(ids, "GenderCurrent") or _text(ids, "Sex")
        sex = SEX.get(code.upper(), "")
        if code and not sex:
            self.issue(elem, child, "GenderCurrent", code, "ignored", "unknown sex code: sex left empty")
        disabilities = ";".join(t for d in elem.iterfind("ChildCharacteristics/Disabilities/Disability")
                                if (t := (d.text or "").strip()))
        self.result.children.append({"child_id": child, "date_of_birth": dob, "sex": sex,
                                     "disabilities": disabilities})

    def cin_details(self, details: ET.Element, ep: _Episode) -> None:
        for module, start_tag, start_event, end_tag, end_event in PAIRS:
            blocks = [details] if not module else details.findall(module)
            for block in blocks:
                attrs_start, attrs_end = _attributes(block, start_event)
                start = self.module_date(block, start_tag, start_event, ep, attrs_start)
                end = self.module_date(block, end_tag, end_event, ep, attrs_end)
                if start and end and end[0] < start[0]:
                    self.issue(end[1], ep.child, end_tag, end[1].text or "", "warning",
                               f"{end_tag} is before {start_tag} ({start[0]}); both written as recorded")
                if module == "ChildProtectionPlans":
                    for review in block.findall("Reviews/CPPreviewDate"):
                        self.element_date(review, "rcpc", ep, {})
        # the CINdetails-level ICPC date (the only one in census files without a Section47 module); the
        # same date already written from Section47 is merged, not written twice
        self.module_date(details, "DateOfInitialCPC", "icpc", ep, {})

    def module_date(self, block: ET.Element, tag: str, event: str, ep: _Episode,
                    attrs: dict[str, str]) -> tuple[date, ET.Element] | None:
        found = block.findall(tag)
        if not found:
            return None
        elem = found[0]
        for extra in found[1:]:  # one date per item: a repeat is reported, never silently dropped
            self.dates.read += 1
            self.dates.rejected += 1
            self.issue(extra, ep.child, tag, (extra.text or "").strip(), "rejected",
                       f"{tag} repeated in one {block.tag}: only the first ({(elem.text or '').strip()}) is imported")
        when = self.element_date(elem, event, ep, attrs)
        return (when, elem) if when else None

    def element_date(self, elem: ET.Element, event: str, ep: _Episode, attrs: dict[str, str]) -> date | None:
        self.dates.read += 1
        text = (elem.text or "").strip()
        when = parse_xs_date(text)
        if when is None:
            self.dates.rejected += 1
            why = f"{elem.tag} is empty" if not text else f"{elem.tag} is not a date (YYYY-MM-DD)"
            self.issue(elem, ep.child, elem.tag, text, "rejected", f"{why}: no {event} event")
            return None
        if (event, when) in ep.written:
            self.dates.merged += 1
        else:
            ep.written.add((event, when))
            attrs = {"cin_episode": str(ep.number), **attrs}
            self.result.events.append(Event(ep.child, event, when, self.source, self.lines.get(elem, 0), attrs))
            self.dates.events += 1
        return when


def _attributes(block: ET.Element, start_event: str) -> tuple[dict[str, str], dict[str, str]]:
    """Attribute columns for a module's start and end events."""
    if start_event == "referral":
        nfa = _text(block, "ReferralNFA")
        return ({"referral_source": _text(block, "ReferralSource"), "primary_need": _text(block, "PrimaryNeedCode"),
                 "referral_nfa": YES_NO.get(nfa.lower(), nfa)},
                {"reason_for_closure": _text(block, "ReasonForClosure")})
    if start_event == "s47_start":
        flag = _text(block, "ICPCnotRequired")
        return {"icpc_not_required": YES_NO.get(flag.lower(), flag)}, {}
    if start_event == "cp_plan_start":
        return ({"category_of_abuse": _text(block, "InitialCategoryOfAbuse"),
                 "previous_cp_plans": _text(block, "NumberOfPreviousCPP")},
                {"category_of_abuse": _text(block, "LatestCategoryOfAbuse")})
    return {}, {}


def import_cin(path: Path, with_children: bool = True) -> ImportResult:  # noqa: C901 - one pass over the census records, one branch per element it reads or rejects
    if not path.is_file():
        raise AdapterError(f"no such file: {path}")
    conv = _Converter(path, with_children)
    builder = ET.TreeBuilder()
    stack: list[ET.Element] = []
    parser = expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        elem = builder.start(_local(name), {})
        conv.lines[elem] = parser.CurrentLineNumber
        stack.append(elem)

    def end(name: str) -> None:
        elem = builder.end(_local(name))
        stack.pop()
        if elem.tag == "Child":
            conv.child(elem)
            if stack:
                stack[-1].remove(elem)  # done with it: keep memory flat
            for e in list(elem.iter()):
                conv.lines.pop(e, None)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    try:
        with path.open("rb") as fh:
            parser.ParseFile(fh)
    except OSError as err:
        raise AdapterError(f"cannot read {path}: {err.strerror or err}") from None
    except expat.ExpatError as err:
        raise AdapterError(f"{path}:{err.lineno}: not well-formed XML ({expat.ErrorString(err.code)}); "
                           "nothing imported") from None
    if conv.position == 0:
        raise AdapterError(f"{path}: no <Child> elements: is this a CIN census file?")
    reference = builder.close().findtext("Header/CollectionDetails/ReferenceDate") or ""
    conv.result.collection_year_end = parse_xs_date(reference.strip())
    if conv.result.collection_year_end is not None:
        conv.result.notes.append(f"collection year ends {conv.result.collection_year_end} (ReferenceDate): the "
                                 "audit's default as-of date")
    if conv.unread:
        listed = ", ".join(f"{tag} ({n})" for tag, n in sorted(conv.unread.items()))
        conv.result.notes.append(f"elements with no event or attribute in the vocabulary, not imported: {listed}")
    if conv.pre_proceedings:
        n = conv.pre_proceedings
        conv.result.notes.append(f"{n} PreProceedingsandFGDM module{'' if n == 1 else 's'} not imported "
                                 "(the shared vocabulary has no pre-proceedings events yet)")
    return conv.result

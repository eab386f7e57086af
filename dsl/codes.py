"""The catalogue of diagnostic codes: stable, documented, explained by `policyc explain`.

Numbering: E0xx input and files, E1xx syntax, E2xx names and meaning,
E3xx/W3xx citations, W4xx gaps, W5xx conflicts inside a policy or an authority,
E6xx/I6xx the statutory floor, I7xx notes, E8xx scenario tests. A code is never reused for another meaning.

Every code also has a category (`CATEGORIES`). Four are findings about the document (two
clauses disagree, a duty is weaker than statute, a duty has no measurable timing, a status or
statutory duty is not covered); the others are about the `.policy` encoding itself (it cannot be
read, a quote cannot be verified, or lint: how the file is written). `policyc check` shows the
document findings and every error by default, the lint on request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Code:
    code: str
    severity: str  # error | warning | info
    title: str
    explanation: str
    example: str
    fix: str
    category: str = ""  # filled from _CATEGORY below; see CATEGORIES


_ALL = [
    # ---- input -------------------------------------------------------------
    Code("E001", "error", "file cannot be read",
         "The file does not exist, is a directory, or the operating system refused to read it.",
         "policyc check policies/somerset/missing.policy",
         "Check the path. `policyc check` takes .policy files or folders that contain them."),
    Code("E002", "error", "file is not UTF-8 text",
         "A .policy file must be UTF-8 text. Binary data or text saved in another encoding "
         "(for example Windows-1252 from a word processor) cannot be read reliably.",
         "A file containing the byte 0xff",
         "Save the file as UTF-8 (most editors offer this under 'Save as' / 'Encoding')."),
    Code("E003", "error", "empty file",
         "The file has no header. Every .policy file starts with `policy \"Title\"` or `vocabulary \"Title\"`.",
         "(an empty file)",
         'Start the file with `policy "The title of the document"`.'),
    Code("E004", "error", "forbidden character",
         "Control characters other than tab (NUL, ESC, a bare carriage return, DEL, the C1 controls), the "
         "Unicode line and paragraph separators and the bidirectional embeddings, overrides and isolates "
         "are refused anywhere in a .policy file, comments included, and so is a line break written `\\n` "
         "inside text. They are invisible or misleading in an editor (a right-to-left override makes text "
         "read differently from what it is) and they would break the generated site, maps and CSV files.",
         'policy "Practice standards\\u202e"  (a right-to-left override after the title)',
         "Delete the character. If your editor does not show it, retype the line."),
    Code("E005", "error", "file outside the allowed folders",
         "`source` names a document in the configured source folder (`source-dir` in pyproject.toml, or "
         "--source-dir) or next to the policy, and `uses` names a vocabulary in the project's policies/ "
         "folder. An absolute path, a path whose `..` leaves those folders, a link that points outside "
         "them, a device, a pipe and a file over the size limit are refused without being read, so a "
         "policy file cannot make policyc read (and echo) a file it has no business with.",
         'uses "/etc/passwd"    or    source "../../.git/config"',
         "Give the path relative to the policy file, inside the project's policies/ folder (for `uses`) "
         "or the source folder (for `source`)."),
    # ---- syntax ------------------------------------------------------------
    Code("E101", "error", "unexpected word or symbol",
         "The parser met something it did not expect at this point. The message lists what could come here.",
         'obligation visits "Visits"\n  social_worker must do statutory_visit withn 5 working days of allocation',
         "Check the spelling of the keyword; the hint suggests the nearest keyword when there is one."),
    Code("E102", "error", "unterminated string",
         'A string starts with `"` but the line ends before the closing `"`. Strings cannot span lines.',
         'cite "3.17" "A Core Group meeting must take place every 4 weeks',
         'Close the string with `"` on the same line. To include a `"` inside a string, write `\\"`.'),
    Code("E103", "error", "unexpected character",
         "A character that has no meaning in the language (such as `{`, `;` or `->`) appears outside a string.",
         "transition referral -> assessment on assessment_started",
         "Use words: `transition from referral to assessment on assessment_started`. Put prose inside quotes."),
    Code("E104", "error", "unexpected end of file",
         "The file ends in the middle of a declaration.",
         "obligation visits \"Visits\"\n  social_worker must do",
         "Finish the declaration, or remove the incomplete line."),
    Code("E111", "error", "`no later than` is not a timing",
         "The language says a deadline as `within DURATION of EVENT`; `no later than` has no meaning in it. "
         "After a complete timing, `no later than` usually restates the deadline or adds a second one.",
         "  social_worker must do visit no later than 5 working days after referral",
         "Write `within 5 working days of referral`. For an aim and a limit on one duty, write "
         "`should ... within 24 hours of referral and must within 3 working days`."),
    Code("E112", "error", "`at most` is not a timing",
         "The language has `at least DURATION before EVENT` (advance notice) but no `at most`: "
         "a longest gap is already what `within` and `every` mean.",
         "  social_worker must do visit every 6 weeks at most",
         "Write `every 6 weeks` (visits at most 6 weeks apart) or `within 6 weeks of EVENT` (at most 6 weeks after it)."),
    Code("E113", "error", "`before age` is not a timing",
         "An age is said with `by age` (a milestone: the duty is due by that birthday) or, to limit who the duty "
         "applies to, with a condition on its own line: `when age under 16 years`.",
         "  social_worker must do review before age 16",
         "Write `by age 16 years` for a milestone, or add the line `when age under 16 years` for a duty that applies only before it."),
    Code("E114", "error", "a timescale set per child only as a whole timing",
         "Some documents leave a duty's frequency or time limit to a decision recorded on each case (\"visits at the "
         "frequency set at the initial conference\"). The language says it as a whole timing, `every ATTRIBUTE as set "
         "at EVENT` or `within ATTRIBUTE as set at EVENT`; it cannot be a step of a schedule (`then every ... as set "
         "at`), and the words are `as set at` (not `as agreed at` or `as decided at`).",
         "  social_worker must do statutory_visit\n    first within 10 working days of icpc\n"
         "    then every cp_visit_frequency as set at icpc",
         "Write the duty as `every ATTRIBUTE as set at EVENT` on its own (a second obligation for a first visit with "
         "its own deadline), and write `as set at` for \"as agreed at\" or \"as decided at\"."),
    # ---- names and meaning ---------------------------------------------------
    Code("E201", "error", "unknown name",
         "A role, event or status is used but neither the vocabulary nor this file declares it.",
         "  while child_protecton",
         "Fix the spelling (the hint suggests the nearest known name), or declare the term: "
         '`status child_protection "Child protection"`.'),
    Code("E202", "error", "duplicate name",
         "Two declarations use the same name; each obligation, principle, checklist, role, event and status needs its own.",
         'obligation visits "Visits"\n...\nobligation visits "More visits"',
         "Rename one of them; names are how reports, exports and diffs refer to a duty."),
    Code("E203", "error", "unknown time unit",
         "A duration uses a unit the language does not know.",
         "within 5 workin days of referral",
         "Use one of: minutes, hours, days, working days, weeks, months, years, school terms."),
    Code("E204", "error", "malformed date",
         "Dates are written as YYYY-MM-DD. A date such as 01/07/2023 is refused, not guessed: "
         "it reads as 1 July in England and 7 January in the United States.",
         "effective 01/07/2023",
         "Write the date as 2023-07-01."),
    Code("E205", "error", "name of the wrong kind",
         "A name is used where a different kind of term is needed: for example an event after `while`, which takes a status.",
         "  while icpc",
         "Use a status after `while`, an event after `of`, `on` and `before`, and a role before `must`."),
    Code("E206", "error", "vocabulary cannot be loaded",
         "The file named by `uses` does not exist, cannot be read, or is not a vocabulary file.",
         'uses "../vocabulary.policy"',
         "Give the path relative to this file, and start the vocabulary file with `vocabulary \"...\"`."),
    Code("E207", "error", "an obligation must state exactly one duty",
         "Each obligation states exactly one duty (one `must` or `should` line), so that it has one timing, one outcome per child and one row in every report. Text with no duty is a `principle` or a `checklist`.",
         "obligation visits\n  social_worker must do visit within 5 days of x\n  manager must do review within 5 days of x",
         "Split it into two obligations, each with its own citation."),
    Code("E208", "error", "schedule steps in an impossible order",
         "`then every` repeats for ever, so no step can follow it unless it is bounded with `until` or `for`.",
         "first within 20 working days of x then every 6 months then within 3 months",
         "Put the `then within` steps first, or bound the recurrence: `then every 1 week until the 1st cla_review`."),
    Code("E209", "error", "zero or impossible amount",
         "A recurrence of every 0 units can never be met, and an ordinal starts at 1st.",
         "every 0 weeks",
         "Use a positive number. For `on the same day`, write `within 0 days of ...` as a deadline."),
    Code("E210", "error", "unit not allowed here",
         "Ages are stated in years and months; hours and minutes make no sense for a school term, and so on.",
         "by age 16 working days",
         "Write ages as `16 years` or `16 years 3 months`."),
    Code("E211", "error", "wrong kind of file",
         "Vocabulary files declare shared roles, events and statuses only; obligations, transitions, "
         "principles and checklists belong in policy files. A policy file cannot be used as a vocabulary.",
         'vocabulary "Shared"\nobligation visits ...',
         "Move the declaration into the policy file that encodes the document."),
    Code("E212", "error", "header field repeated or misplaced",
         "A header field (authority, version, effective, review due, source, uses) is given twice, or a vocabulary has a policy-only field.",
         'policy "X"\n  version "1"\n  version "2"',
         "Keep one of them."),
    Code("E213", "error", "suppression of an unknown code",
         "`allow` names a diagnostic code that does not exist.",
         'allow W999 because "..."',
         "Use a code from `policyc explain --list`."),
    Code("E214", "error", "status with no entry or exit event",
         "A status needs `entered on` and `left on` events so that checkers can tell when a child is in it (final statuses need no `left on`).",
         "status child_protection \"Child protection\"",
         "Add `entered on cp_plan_start` and `left on cp_plan_end`."),
    Code("E220", "error", "a timing part this form cannot take",
         "A count-based recurrence (`every 2nd statutory_visit`) counts occurrences of an event; it starts "
         "counting again after each occurrence done, so a `restart` line has no meaning for it.",
         "social_worker must see bedroom_seen every 2nd statutory_visit\n    restart within 5 days of placement_change",
         "Remove the `restart` line, or write a time-based recurrence (`every 4 weeks`)."),
    Code("E221", "error", "`whichever` without two events",
         "`within D of A or B whichever is sooner` starts the clock at whichever of the events comes first, "
         "`whichever is later` when the last of them has been recorded. Either needs two or more events joined "
         "by `or`.",
         "  social_worker must do visit within 5 working days of referral whichever is later",
         "Name the events with `or` (`of referral or contact_received whichever is later`), or drop `whichever ...`."),
    Code("E222", "error", "a window that closes before it opens",
         "`between N and D of EVENT` is a window: the action must not come before N units after EVENT, nor after D. "
         "N (in D's unit) must be smaller than D's amount.",
         "  iro must hold cla_review between 16 and 12 weeks of became_looked_after",
         "Write the earlier bound first: `between 12 and 16 weeks of EVENT`."),
    Code("E223", "error", "a share that is not a share",
         "`on at least N% of EVENT` asks for the action on at least N% of the days of EVENT; N must be from 1 to 100.",
         "  social_worker must see child_seen_at_home on at least 150% of statutory_visit",
         "Write a percentage from 1% to 100%, or `half`."),
    Code("E230", "error", "`instead of` names no general duty",
         "`instead of OBLIGATION` says that this obligation replaces OBLIGATION in the cases it covers (its `when` "
         "conditions, or once a `decided by` decision is recorded). OBLIGATION must be another obligation of the "
         "same file, in the same `while` status, that is not itself an exception; one `instead of` per obligation.",
         "obligation visits_reduced \"Visits may reduce to 3-monthly\"\n  instead of visits_standrd",
         "Name the general rule exactly (the hint suggests the nearest obligation), and give both the same `while`."),
    Code("E233", "error", "`decided by` without `instead of`",
         "`decided by ROLE on EVENT` says who may grant an exception and which recorded event shows the decision; "
         "it needs the `instead of OBLIGATION` that it relaxes, and one decision per obligation.",
         "obligation cp_visits_reduced \"Visits reduce to 3-weekly\"\n  decided by service_manager on visits_reduced",
         "Add `instead of cp_visits` (the rule being relaxed), or remove `decided by`."),
    Code("E234", "error", "aim and minimum do not fit",
         "A duty with an aim and a minimum reads `should ACTION TIMING and must within D` (or `and must every D`): "
         "the `should` timing is the aim, the `must` one the minimum, in the same form (`within` after a "
         "deadline, `every` after a recurrence or a schedule whose last step is `then every`), and the minimum "
         "allows at least as much time as the aim.",
         "  all_staff must do message_acknowledged within 24 hours of message_received and must within 3 working days",
         "Start the duty with `should` (the aim), and give the minimum in the timing's form with a longer or equal duration."),
    Code("E240", "error", "unknown attribute",
         "A condition tests an attribute of the case that neither the vocabulary nor this file declares. "
         "An undeclared attribute would make the duty silently not applicable to every child in an audit.",
         "  when taem is family_intervention_service",
         "Fix the spelling (the hint suggests the nearest declared attribute), or declare it: "
         '`attribute team "Team holding the case"` with a `value` line for each value.'),
    Code("E241", "error", "value not allowed for the attribute",
         "A condition compares an attribute with a value its declaration does not allow: a name that is not "
         "one of its `value` lines, a word for a number, or unquoted text.",
         "  when legal_status is care_ordr",
         "Use one of the declared values (the hint lists them or suggests the nearest), or add a `value` "
         "line to the attribute's declaration."),
    Code("E242", "error", "attribute declared wrongly",
         "An attribute has either a list of values (`value` lines) or a type: `type number`, `type date` "
         "or `type text`; not both, not neither, and no other type.",
         'attribute cwd_level "Level of need"\n  type integer',
         "Write `type number`, or list the values."),
    Code("E243", "error", "the attribute sets no timescale",
         "`every ATTRIBUTE as set at EVENT` and `within ATTRIBUTE as set at EVENT` read a timescale set for each "
         "child from the attribute's value, so the attribute's values must say the timescale each one sets "
         "(`is DURATION`). This attribute has none that do (or more than ten, which the audit cannot run apart).",
         'attribute cp_visit_frequency "Visiting frequency set at the conference"\n  value fortnightly "Fortnightly"\n'
         "...\n  social_worker must do statutory_visit every cp_visit_frequency as set at icpc",
         'Give each value its timescale: `value fortnightly "Fortnightly" is 2 weeks`.'),
    # ---- citations -----------------------------------------------------------
    Code("E215", "error", "superseded version not found",
         "`supersedes \"FILE\"` names the earlier version of this document, relative to this file; no such file exists.",
         'policy "Practice standards"\n  supersedes "practice-standards-2021.policy"',
         "Give the earlier version's path relative to this file, or remove the line (versions with the same "
         "authority and title form a series anyway)."),
    Code("E231", "error", "`same as` goes round in a circle",
         "A term declared `same as` another that is, directly or through others, `same as` the first has no "
         "canonical term to stand for.",
         "role lead \"Lead\" same as manager\nrole manager \"Manager\" same as lead",
         "Make one of the terms canonical: remove its `same as`."),
    Code("E232", "error", "beyond the limits policyc handles",
         "A duration longer than 200 years, a text longer than 4,000 characters or a name longer than 200 "
         "(a title much longer cannot be drawn in a process map). No standard needs these; they are refused so that a "
         "mistake or a hostile file cannot make a build or an audit run for hours or crash.",
         "  social_worker must do statutory_visit within 9999 years of allocation",
         "Use a realistic amount; shorten the text (a long quote can be split over several `cite`s)."),
    Code("E301", "error", "quote not found in the source document",
         "Every citation quotes the source document verbatim. This quote does not appear in it "
         "(after folding white space, typographic quotes and dashes).",
         'cite "3.17" "A Core Group meeting must take place every four weeks"',
         "Copy the words exactly from the source document; shorten the quote rather than paraphrase it."),
    Code("W302", "warning", "source document not found: quotes not verified",
         "The header names a source document that is not next to the policy nor in the source folder "
         "(`--source-dir`, or `[tool.policyc] source-dir` in pyproject.toml), so no quote could be checked.",
         'source "somerset-practice-standards-2023.txt"',
         "Pass `--source-dir` pointing at the folder that holds the source documents."),
    Code("I303", "info", "no source document named: quotes not verified",
         "The policy names no machine-readable source document (for example a statute quoted from its printed text), so its quotes are not checked.",
         'policy "Working Together to Safeguard Children 2023"',
         'Add `source "file.txt"` if a text copy of the document is available.'),
    Code("E304", "error", "empty citation",
         "A citation needs a clause number (or section heading) and a quote of at least a few words.",
         'cite "" ""',
         'Write the clause as the document numbers it: `cite "3.17" "A Core Group meeting must ..."`.'),
    # ---- gaps (analyses) --------------------------------------------------------
    Code("W401", "warning", "unreachable status",
         "No chain of transitions leads to this status from an initial status, so no child can ever be in it according to this policy.",
         "status fostering ... (no transition leads to it)",
         "Add the transition that brings a child into the status, or mark it `initial`."),
    Code("W402", "warning", "dead end: a status with no way out",
         "The status is not final, yet no transition leaves it: a child who enters it can never leave.",
         "status child_in_need ... (no transition from child_in_need)",
         "Add a transition out of it (for example to step-down or closure), or mark it `final`."),
    Code("W403", "warning", "event never produced",
         "An event is used as a trigger or an action, but nothing produces it: no transition, status entry or exit, duty or DfE data item records it.",
         "within 5 days of placement_ratified",
         "Add `recorded as ...` to the event in the vocabulary, or a duty or transition that produces it."),
    Code("W404", "warning", "open status without a visiting, review, recording or supervision duty",
         "Children in this status have no duty to be seen, reviewed, recorded or supervised.",
         "status child_in_need with no obligation `while child_in_need` that visits or reviews",
         "Encode the visiting or review standard for the status, or `allow W404 because \"...\"` if the document sets none."),
    Code("W405", "warning", "obligation names no responsible role",
         "The duty says what must happen but not who must do it, so nobody can be held to it.",
         "must do minutes_distributed within 5 working days of meeting",
         "Put the role before `must`: `chair must do minutes_distributed ...`. If the document names nobody, say so with `allow W405 because \"...\"`."),
    Code("W406", "warning", "vague timing",
         "\"As soon as possible\", \"regularly\" and \"promptly\" cannot be measured; no checker can say whether the duty was met.",
         "social_worker must do case_note_recorded as soon as possible",
         "Where the document gives a number as well, encode that number. Otherwise keep the vague timing: it is a finding about the document."),
    Code("W407", "warning", "obligation has no citation",
         "Every obligation should cite the clause it encodes, with a verbatim quote, so a reader can check it against the document.",
         'obligation visits "Visits" (no `cite` line)',
         'Add `cite "clause" "verbatim quote"`.'),
    Code("W408", "warning", "obligation has no timing",
         "The duty has no timing at all, so it can never fall due.",
         "social_worker must do plan_shared",
         "Add a timing such as `within 5 working days of conference`, or a vague one if the document gives no number."),
    Code("I409", "info", "condition in prose: not checked by the audit",
         "A `when \"...\"` condition is shown in the documentation but cannot be evaluated against case data, so the audit "
         "cannot measure the duty. An `unless \"...\"` exception (or an exception `instead of` the duty whose condition "
         "is prose) is measured, but the audit cannot tell whether the exception applies: an occurrence that would be "
         "overdue or late is `no_data`.",
         'when "the child has agreed to fewer visits"',
         "Where the case data records the fact, write it as an attribute: `when visits_reduced is yes`."),
    Code("I410", "info", "timescale set by a document that is not encoded",
         "The duty says `as set by \"DOCUMENT\"`: the document defers to another one (a supervision policy, a "
         "procedures manual) for its timescale. Nothing here can measure the duty until that document is encoded.",
         '  supervisor must do supervision as set by "the Supervision Policy"',
         "Encode the other document, or leave the note: it says where the number is."),
    Code("I420", "info", "clock time audited on dates",
         "The duty is stated in hours or minutes (or school terms), but the DfE returns and most case "
         "records hold dates only, so the audit rounds clock time up to whole days (48 hours is 2 days, "
         "1 hour is 1 day) and counts a school term as 4 months. The note says how this duty is counted; "
         "the audit summary and the export say the same. Where the events carry a time of day, a deadline "
         "`within N hours of EVENT` is judged on timestamps instead, and the audit summary counts the "
         "occurrences judged each way.",
         "  social_worker must see child_seen within 48 hours of referral",
         "Nothing to fix: the note states the approximation. Where the document means working days, "
         "write working days."),
    Code("W410", "warning", "schedule restarts on an event that never happens in the status",
         "A `restart ... of EVENT` clause names an event that cannot occur while the child is in the status.",
         "restart within 20 working days of adoption_order",
         "Check the event name."),
    # ---- conflicts ------------------------------------------------------------
    Code("W501", "warning", "same duty, different timings",
         "Two obligations require the same action in the same status from the same trigger, with different timescales. A worker cannot tell which applies.",
         "core group every 4 weeks (3.17) and every 6 weeks (framework 5.2)",
         "Decide which timescale is right and correct the document; until then both are reported."),
    Code("W502", "warning", "days against working days for the same duty",
         "The same duty is given in calendar days in one place and working days in another (\"20 days\" and \"20 working days\"). These differ by up to a week or more.",
         "initial CLA review within 20 days (3.26) and within 20 working days (minimum standards)",
         "Settle on one unit in the document."),
    Code("W503", "warning", "step cannot fit inside its deadline",
         "A first deadline or a recurrence is longer than the deadline it must fit inside, so it can never be met on time.",
         "visits every 6 weeks, within a plan that must be reviewed within 4 weeks",
         "Shorten the inner interval or lengthen the outer deadline."),
    Code("W504", "warning", "advance notice cannot be met",
         "A report is due some time before a meeting, but the meeting itself must be held so soon after its trigger that the report deadline falls before (or on) the trigger.",
         "report at least 5 working days before icpc; icpc within 3 working days of strategy",
         "Shorten the notice period or explain the exception."),
    Code("W505", "warning", "schedule steps contradict each other",
         "A later step of a schedule is longer than the steps that the document says it tightens, or a `then within` is shorter than a recurrence it follows.",
         "first within 10 working days then within 3 months then every 1 month",
         "Check the order of the steps against the document."),
    Code("W506", "warning", "shadowed obligation",
         "Another obligation for the same duty is always at least as strict, so this one can never be the binding one.",
         "visits within 10 working days (shadowed by visits within 5 working days)",
         "Remove the weaker obligation or say why both exist."),
    Code("I507", "info", "comparison depends on the calendar",
         "Two timescales in different units (4 weeks against 20 working days, 1 month against 4 weeks) are neither certainly stricter nor certainly weaker: which is tighter depends on bank holidays or month lengths.",
         "within 4 weeks against within 20 working days",
         "Nothing to fix; the finding states the worst case. Use one unit to make the comparison certain."),
    Code("W508", "warning", "documents of one authority disagree",
         "Two documents of the same authority in force at overlapping times give different timescales for the same duty.",
         "core group every 4 weeks (practice standards) and every 6 weeks (journey framework)",
         "Bring the documents into line."),
    Code("W509", "warning", "timed in one place, vague or untimed in another",
         "The document gives a duty a measurable timescale in one clause and leaves it vague (\"as soon as "
         "possible\", \"regularly\") or untimed in another, within one document or across an authority's "
         "documents. A reader of the vague clause does not learn the number.",
         "minutes within 5 working days (3.9) and minutes as soon as possible (2.4)",
         "Give the number in both places, or refer the vague clause to the timed one."),
    Code("W511", "warning", "dependent step cannot be met",
         "A step must be done some time before a meeting, and it depends on another step (it is due "
         "within some time of it) that need only be done a shorter time before the same meeting: when "
         "the earlier step is on time but late, the dependent step cannot be.",
         "report due 3 working days before the review, within 1 day of the papers; papers due 2 days before the review",
         "Bring the earlier step's deadline forward, or shorten the dependent step's notice."),
    Code("W512", "warning", "same action from two triggers with incompatible deadlines",
         "The same action is due within different times of two events that happen together (a transition "
         "on one enters a status entered on the other), so the two deadlines for one occurrence disagree.",
         "first review within 3 months of the conference; first review within 6 months of the plan starting "
         "(the plan starts at the conference)",
         "Decide which timescale is right and state it once."),
    Code("W513", "warning", "summary table disagrees with the clause",
         "A summary table (\"at a glance\") gives a duty a different timescale from the numbered clause it "
         "summarises. Readers of the table and readers of the clause work to different standards.",
         "table: CLA reviews within 20 working days; clause 3.26: within 20 days",
         "Correct the table or the clause."),
    # ---- statutory floor ------------------------------------------------------
    Code("W520", "warning", "versions of a document out of order",
         "Two published versions of one document take effect on the same day, or a version supersedes one that "
         "takes effect after it: which version is in force on a date cannot be told.",
         'policy "Standards"\n  version "5"\n  effective 2023-01-01\n  supersedes "standards-v4.policy"   # effective 2024-01-01',
         "Give each version its own `effective` date, in the order of `supersedes`; mark an unpublished version `draft`."),
    Code("E601", "error", "weaker than the statutory floor",
         "A local standard allows more time (a longer interval, a later deadline) than statute or statutory guidance.",
         "assessment within 60 working days, where Working Together sets 45",
         "Tighten the local standard to at least the statutory one."),
    Code("W604", "warning", "defers to the statute, but the floor has no timescale for it",
         "The duty says `as set by statute` (\"within the statutory timescales\", \"in line with statutory "
         "requirements\"), but the statutory floor given with `--against` has no timed duty of the same action "
         "in the same status: either the statute sets none (the document's promise measures nothing), or the "
         "floor's encoding lacks it. A remark on the encodings (lint), shown with `--lint`.",
         "  social_worker must hold strategy_discussion as set by statute   # no statutory timescale for it",
         "Quote the document's own number if it gives one; if the statute does set one, encode it in policies/national/."),
    Code("I602", "info", "statutory duty not mentioned",
         "A duty in the statutory baseline has no counterpart in the local document.",
         "reg 33: the second review within 3 months of the first",
         "Add the local standard, or note that the statute applies unchanged."),
    Code("I603", "info", "weaker than the floor only on some calendars",
         "The local timescale, in a different unit from the statute's, is weaker than it on some dates (bank holidays, month lengths) and not on others.",
         "within 4 weeks against the statutory 20 working days",
         "State the local standard in the statute's unit."),
    # ---- scenario tests (*.policy-test) -----------------------------------------
    Code("E801", "error", "scenario test names a policy that cannot be used",
         "The `tests \"FILE\"` line of a test file names a .policy file (relative to the test file) that "
         "does not exist or has errors, so its scenarios cannot run.",
         'tests "practice-standard-2023.policy"',
         "Give the policy's path relative to the test file, and fix the policy's errors first (`policyc check`)."),
    Code("E802", "error", "unknown event in a scenario",
         "An event line names an event that neither the policy nor its vocabulary declares.",
         "  2024-01-08 icpcc",
         "Use an event id from the policy or the vocabulary; the hint suggests the nearest one."),
    Code("E803", "error", "unknown obligation in a scenario",
         "An expectation or an extension names an obligation id that the policy does not declare.",
         "  expect core_group due 2024-01-22 met",
         "Use the obligation's id as written after `obligation` in the policy."),
    Code("E804", "error", "scenario without an as-of date or an expectation",
         "Each scenario is judged on one as-of date (`as of DATE`, given once) and expects at least one outcome.",
         'scenario "Visits"\n  2024-01-08 cp_plan_start\n  expect cp_visits due 2024-01-22 met',
         "Add `as of YYYY-MM-DD` and at least one `expect` line."),
    Code("E805", "error", "obligation that the audit cannot measure",
         "The expectation names an obligation with a vague timing, no timing or a condition in prose: the audit "
         "gives it no occurrences, so nothing can be expected of it.",
         "  expect prompt_contact due 2024-01-09 met",
         "Test obligations with a measurable timing; make the timing measurable if the document allows."),
    Code("E806", "error", "unknown outcome",
         "An expectation's outcome is one of: pending, met, met_late, overdue, discharged, not_applicable, extended.",
         "  expect core_groups due 2024-01-22 late",
         "Write one of the outcomes listed (`met_late` for done after the due date)."),
    # ---- notes ----------------------------------------------------------------
    Code("I701", "info", "suppressed",
         "A diagnostic was suppressed by `allow CODE because \"...\"`; shown with `--show-suppressed`.",
         'allow W405 because "the document names no role"',
         "Nothing to fix."),
]

# ---- categories ---------------------------------------------------------------------
# Document findings first, in the order a reader wants them; then the encoding's own problems.
CATEGORIES: dict[str, str] = {
    "conflict": "two statements of the document (or of one authority's documents) disagree, or a "
                "timing cannot be met",
    "floor": "the document against the statutory floor: weaker than statute, or a statutory duty not mentioned",
    "timing": "a duty the document leaves without a measurable timescale",
    "coverage": "children in a status with no duty to see, review, record or supervise them",
    "input": "the .policy file cannot be read or does not mean anything (syntax, names)",
    "quote": "a citation cannot be verified against the source document",
    "lint": "how the .policy file is written: events nothing produces, statuses with no way out, "
            "no role, prose conditions, missing citations",
    "note": "notes about the check itself (suppressed findings)",
    "scenario": "a scenario test (`*.policy-test`) that cannot run",
}
DOCUMENT_CATEGORIES = ("conflict", "floor", "timing", "coverage")

_CATEGORY = {
    "E301": "quote", "W302": "quote", "I303": "quote", "E304": "quote",
    "W401": "lint", "W402": "lint", "W403": "lint", "W404": "coverage", "W405": "lint",
    "W406": "timing", "W407": "lint", "W408": "timing", "W509": "timing", "I409": "lint", "W410": "lint",
    "I410": "timing", "W604": "lint",
    "I701": "note",
}
_CATEGORY_BY_FAMILY = {"0": "input", "1": "input", "2": "input", "3": "quote", "4": "lint",
                       "5": "conflict", "6": "floor", "7": "note", "8": "scenario"}


def _category(code: str) -> str:
    """The category of a code: listed above, else by its family (the hundreds digit)."""
    return _CATEGORY.get(code) or _CATEGORY_BY_FAMILY.get(code[1], "lint")


CODES: dict[str, Code] = {c.code: replace(c, category=_category(c.code)) for c in _ALL}


def family(code: str) -> str:
    """`E601` -> `E6`: the letter and hundreds digit, as `--select E6` takes it."""
    return code[:2]


def matches(code: str, selectors: list[str] | tuple[str, ...]) -> bool:
    """Whether a code is picked by any selector: a code (`W501`), a prefix or family (`E6`, `W5`,
    `W50`), a category name (`conflict`) or `ALL`."""
    for sel in selectors:
        s = sel.strip()
        if not s:
            continue
        if s.upper() == "ALL" or code.startswith(s.upper()):
            return True
        c = CODES.get(code)
        if c is not None and s.lower() == c.category:
            return True
    return False


def is_selector(sel: str) -> bool:
    """A selector names a category, `ALL`, or a prefix of at least one code."""
    s = sel.strip()
    return bool(s) and (s.lower() in CATEGORIES or s.upper() == "ALL" or any(c.startswith(s.upper()) for c in CODES))

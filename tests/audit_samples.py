"""A policy with every timing form, for the audit's tests, docs and benchmark.

`kitchen_sink_policy()` returns the text of a `.policy` file that uses the shared vocabulary and
has one or more obligations of each form: deadline, schedule (with `then within`, bounded and
unbounded `then every`), recurrence (with `from`, `until`, `for`), advance notice, restart, age and
ordinal milestones, extensions, attribute and age conditions, exceptions (`instead of` with attribute
and age conditions, `decided by ... on`, `unless`), aim-plus-minimum duties, and two that are not
measurable (a vague timing and a prose condition).
"""

from __future__ import annotations

from pathlib import Path

VOCABULARY = Path(__file__).resolve().parents[1] / "policies" / "vocabulary.policy"

_BODY = r'''
event visits_reduced "A service manager's decision to reduce visits"

attribute cp_visit_frequency "Visiting frequency set at the initial child protection conference"
  value weekly "Weekly" is 1 week
  value fortnightly "Fortnightly" is 2 weeks
  value four_weekly "Four-weekly" is 4 weeks
  value not_decided "Not decided yet"

attribute assessment_limit "Time limit for the assessment agreed at allocation"
  value short "Ten working days" is 10 working days
  value standard "Forty-five working days" is 45 working days
  value month "One month" is 1 month
obligation assessment "Assessments are completed within 45 working days of referral"
  cite "1.1" "Assessments are completed within 45 working days"
  social_worker must complete assessment_completed within 45 working days of referral

obligation kinship "Connected persons assessments"
  cite "1.2" "Assessments of connected persons will be completed within 16 weeks."
  social_worker must complete connected_persons_assessment within 16 weeks of allocation
    restart within 10 days of transfer
  extendable by team_manager up to 8 weeks

obligation contact_decision "A decision on every contact"
  cite "1.3" "A decision is made within 24 hours"
  front_door_worker must do contact_decision within 24 hours of contact_received

obligation same_day "Strategy outcome recorded the same day"
  cite "1.4" "recorded on the same day"
  social_worker must do strategy_outcome_recorded on the same day as strategy_discussion

obligation discussed_immediately "Findings discussed immediately after seeing the child"
  cite "1.5" "immediately after seeing the child"
  team_manager must do supervision immediately after statutory_visit

obligation core_group "Core group meetings"
  cite "2.1" "1st meeting 10 working days from ICPC, then every 4 weeks"
  while child_protection
  social_worker must hold core_group_meeting
    first within 10 working days of icpc
    then every 4 weeks

obligation cp_visits "Children on a plan are seen fortnightly"
  cite "2.2" "seen fortnightly"
  while child_protection
  social_worker must do statutory_visit every 2 weeks

obligation rcpc_report "Reports are shared before a review conference"
  cite "2.3" "5 working days in advance of an RCPC"
  social_worker must do conference_report_shared at least 5 working days before rcpc

obligation panel_papers "Papers a month before the adoption panel"
  cite "2.4" "papers one month before panel"
  social_worker must do plan_distributed at least 1 month before adoption_panel

obligation cla_reviews "Looked-after reviews"
  cite "3.1" "within 20 working days, then within 3 months, then every 6 months"
  while looked_after
  iro must hold cla_review
    first within 20 working days of became_looked_after
    then within 3 months
    then every 6 months
    restart within 20 working days of placement_change
  extendable by team_manager up to 10 working days

obligation cla_visits "Visits to children looked after"
  cite "3.2" "Within one week of the start of any placement"
  while looked_after
  social_worker must do statutory_visit
    first within 1 week of placement_start
    then every 1 week until the 1st cla_review
    then every 6 weeks

obligation weekly_until "Weekly contact until the second review"
  cite "3.3" "weekly until the second review"
  while looked_after
  social_worker should do case_note_recorded every 1 week from placement_start until the 2nd cla_review

obligation settling_in "Settling-in visits for two months"
  cite "3.4" "every ten days for the first two months"
  while looked_after
  social_worker should do supervision every 10 days for 2 months
    restart within 5 working days of placement_change

obligation ltf_visits "Long-term foster placements"
  cite "3.5" "at least every three months"
  while looked_after
  when placement_type is long_term_foster_other
  social_worker must do statutory_visit every 3 months from placement_start

obligation not_s20 "Legal planning for children not accommodated under section 20"
  cite "3.6" "legal planning within 15 working days"
  while looked_after
  when legal_status is not s20 or police_protection
  social_worker must hold legal_planning_meeting within 15 working days of became_looked_after

obligation health_young "Health assessments for under 5s"
  cite "3.7" "every 6 months for children under 5"
  while looked_after
  when age under 16 years
  health_professional must do health_assessment
    first within 1 month of became_looked_after
    then every 6 months

obligation pathway "Pathway plan"
  cite "3.8" "Within 3 months of their 16th birthday"
  while looked_after
  social_worker must do pathway_plan by age 16 years 3 months

obligation pathway_review "Pathway plan reviewed for over 16s"
  cite "3.9" "reviewed every six months"
  while looked_after
  when age at least 16 years
  social_worker must do pathway_plan_review within 2 months of placement_change

obligation older "Independence planning over 17"
  cite "3.10" "over 17"
  when age over 17 years
  social_worker should do personal_adviser_contact within 1 month of cla_review

obligation permanence "Permanence planning before the second review"
  cite "3.11" "prior to the 2nd CLA Review"
  while looked_after
  social_worker should hold permanence_planning_meeting before the 2nd cla_review

obligation cin_reviews "Child in need reviews"
  cite "4.1" "first review within a month, then every 3 months"
  while child_in_need
  social_worker must hold cin_review
    first within 1 month of cin_plan_start
    then within 1 month
    then every 3 months for 6 months
    then every 1 school term

obligation pep "Personal education plans each term"
  cite "4.2" "every school term"
  while looked_after
  virtual_school must do pep every 1 school term
    restart within 10 working days of placement_change

obligation closing_summary "A closing summary once the case is closed"
  cite "4.3" "a closing summary within five working days"
  while closed
  social_worker must do closure_summary within 5 working days of closure

obligation minutes "Minutes of meetings"
  cite "5.1" "as soon as possible"
  must do minutes_distributed as soon as possible

obligation bedroom_seen "The child's bedroom seen on at least every other visit"
  cite "6.1" "on at least every other visit the Social Worker will also see their bedroom"
  while child_protection
  social_worker must see child_seen every 2nd statutory_visit

obligation review_notice "Reports before every review from the 2nd"
  cite "6.2" "5 working days before each review after the first"
  social_worker must do review_report_shared at least 5 working days before every cla_review from the 2nd

obligation assessment_checks "Assessment checked at 10 and again at 20 working days from its start"
  cite "6.3" "again at 20 working days from the start of the assessment"
  social_worker must do management_oversight
    first within 10 working days of assessment_start
    then within 20 working days of assessment_start
    then within 1 month
    then within 5 working days of assessment_completed
    restart within 5 working days of transfer

obligation supervisory_visits "Supervisory visits six weekly for the first year of the placement"
  cite "6.4" "six weekly for the first year and then 12 weekly thereafter"
  while looked_after
  supervising_social_worker must do supervisory_visit
    first within 1 week of became_looked_after
    then every 6 weeks for 1 year from became_looked_after
    then every 3 months for 6 months from placement_start
    then every 12 weeks

obligation settling_from "Weekly for a month from the placement"
  cite "6.5" "weekly for the first month of the placement"
  while looked_after
  social_worker should do case_activity every 1 week for 1 month from placement_start
obligation cp_visits_reduced "Visits may reduce to three-weekly by the service manager's decision"
  cite "6.1" "may reduce to three weekly"
  while child_protection
  instead of cp_visits
  decided by service_manager on visits_reduced
  social_worker must do statutory_visit every 3 weeks

obligation contact_decision_teams "Five working days for children under a care order"
  cite "6.2" "5 working days for these two teams"
  instead of contact_decision
  when legal_status is care_order
  front_door_worker must do contact_decision within 5 working days of contact_received

obligation pathway_review_older "Pathway plan reviewed within three months for over 17s"
  cite "6.3" "within three months for over 17s"
  while looked_after
  instead of pathway_review
  when age at least 17 years
  social_worker must do pathway_plan_review within 3 months of placement_change

obligation acknowledge "Records often within 24 hours, certainly within three working days"
  cite "6.4" "Often within 24 hours and certainly within three working days"
  social_worker should do case_note_recorded within 24 hours of statutory_visit and must within 3 working days
  extendable by team_manager up to 2 working days

obligation cin_visits_aim "Ideally every 2 weeks, as a minimum monthly, until step-down"
  cite "6.5" "ideally every 2 weeks, as a minimum monthly"
  while child_in_need
  social_worker should do statutory_visit every 2 weeks and must every 1 month
  unless step_down

obligation core_group_aim "Core groups ideally every 4 weeks, at least every 6 weeks"
  cite "6.6" "ideally every 4 weeks, at least every 6 weeks"
  while child_protection
  social_worker should hold core_group_meeting
    first within 10 working days of icpc
    then every 4 weeks
    and must every 6 weeks
  unless cp_plan_end

obligation first_response "A response within 3 working days of a contact or a referral, whichever is sooner"
  cite "6.6" "within 3 working days of the contact or referral, whichever is sooner"
  front_door_worker must do contact_decision within 3 working days of contact_received or referral whichever is sooner
    restart within 1 week of transfer

obligation either_plan "A plan within 10 days of either review"
  cite "6.7" "within 10 days of either review"
  social_worker must do plan_distributed within 10 days of cin_review or cla_review

obligation both_known "A plan once both the strategy discussion and the referral are known"
  cite "6.8" "within 5 working days of the strategy discussion or the referral, whichever is later"
  social_worker must do plan_distributed within 5 working days of strategy_discussion or referral whichever is later
    restart within 2 days of transfer

obligation review_window "A review between 4 and 6 weeks after the plan starts"
  cite "6.9" "within 4 to 6 weeks of the plan"
  while child_in_need
  iro must hold cin_review between 4 and 6 weeks of cin_plan_start

obligation seen_window "The child seen between 2 and 10 working days after the referral"
  cite "6.10" "not before 2 working days and within 10 working days"
  social_worker must see child_seen between 2 and 10 working days of referral
    restart within 5 days of transfer
  extendable by team_manager up to 5 days

obligation placement_plans "A placement plan within 5 working days of each placement"
  cite "6.11" "within 5 working days of the placement"
  while looked_after
  social_worker must do plan_distributed within 5 working days of placement_start

obligation placement_plans_respite "Respite placements: a plan within 10 working days"
  cite "6.11" "10 working days for respite"
  while looked_after
  instead of placement_plans
  when "the placement is a respite placement"
  social_worker must do plan_distributed within 10 working days of placement_start

obligation health_unless "A health check every 2 months, unless the young person refuses"
  cite "6.12" "unless the young person refuses"
  while looked_after
  unless "the young person refuses the assessment"
  social_worker must do health_assessment every 2 months

obligation cin_before_closure "A child in need plan for at least 3 months before closure"
  cite "6.13" "for at least three months, prior to considering full closure"
  social_worker should do cin_plan_start for at least 3 months before closure

obligation short_minimum "Supervision at least 10 working days before step-down"
  cite "6.14" "at least ten working days"
  while child_in_need
  team_manager must do supervision for at least 10 working days before step_down
  unless "the step-down was agreed at a panel"

obligation seen_alone "The child is seen alone on at least half of the visits"
  cite "6.15" "half of visits"
  while child_protection
  social_worker must see child_seen on at least half of statutory_visit

obligation reviews_attended "Supervision on at least 75% of reviews"
  cite "6.16" "three quarters of reviews"
  team_manager should do supervision on at least 75% of cin_review

obligation agreed "Fewer visits by agreement"
  cite "5.2" "if the child agrees"
  when "the child has agreed to fewer visits"
  social_worker must do statutory_visit every 6 weeks

obligation review_minutes "Review minutes within 10 working days"
  cite "6.17" "minutes within ten working days of the review"
  while looked_after
  social_worker must do minutes_distributed within 10 working days of cla_review

obligation review_minutes_agreed "Long-term foster placements: minutes as the review agreed"
  cite "6.17" "or as agreed at the review for a long-term placement"
  while looked_after
  instead of review_minutes
  when placement_type is long_term_foster_other
  when "the review agreed a longer time for its minutes"
  social_worker must do minutes_distributed within 20 working days of cla_review

obligation cp_visits_set "Visits at the frequency set at the initial conference"
  cite "6.18" "at a frequency set at the initial child protection conference"
  while child_protection
  social_worker must do statutory_visit every cp_visit_frequency as set at icpc

obligation assessment_set "An assessment within the timescale agreed at allocation"
  cite "6.19" "by the date agreed at allocation"
  while child_in_need
  social_worker must do assessment_completed within assessment_limit as set at allocation
    restart within 5 working days of transfer

obligation placement_visits_set "Visits at the frequency set at the placement, unless agreed otherwise"
  cite "6.20" "as set at the start of the placement, unless the child agrees otherwise"
  while looked_after
  unless "the child agrees to fewer visits"
  social_worker must do supervisory_visit every cp_visit_frequency as set at placement_start
'''

#: Events that the kitchen-sink policy reads, for generating histories.
EVENTS: tuple[str, ...] = (
    "referral", "assessment_completed", "allocation", "connected_persons_assessment", "transfer",
    "contact_received", "contact_decision", "strategy_discussion", "strategy_outcome_recorded",
    "cp_plan_start", "cp_plan_end", "closure", "icpc", "core_group_meeting", "statutory_visit", "rcpc",
    "conference_report_shared", "adoption_panel", "plan_distributed", "became_looked_after", "ceased_looked_after",
    "cla_review", "placement_change", "placement_start", "case_note_recorded", "supervision",
    "legal_planning_meeting", "health_assessment", "pathway_plan", "pathway_plan_review", "personal_adviser_contact",
    "permanence_planning_meeting", "cin_plan_start", "cin_plan_end", "cin_review", "pep", "step_down",
    "minutes_distributed", "closure_summary", "child_seen", "review_report_shared", "assessment_start",
    "management_oversight", "supervisory_visit", "case_activity",
    "minutes_distributed", "closure_summary", "visits_reduced",
)

#: Obligations of the kitchen-sink policy that accept extensions.
EXTENDABLE: tuple[str, ...] = ("kinship", "cla_reviews", "acknowledge", "seen_window")

ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "placement_type": ("long_term_foster_other", "residential_care_home", ""),
    "legal_status": ("s20", "police_protection", "care_order"),
    "cp_visit_frequency": ("weekly", "fortnightly", "four_weekly", "not_decided", ""),
    "assessment_limit": ("short", "standard", "month", "unknown"),
}


def write_policy(path: Path, text: str) -> Path:
    """Write a policy file with a copy of the shared vocabulary beside it (`uses "vocabulary.policy"`:
    a policy may only use a vocabulary inside its own folders, never an absolute path)."""
    path.write_text(text, encoding="utf-8")
    (path.parent / "vocabulary.policy").write_text(VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def kitchen_sink_policy(vocabulary: Path | str = "vocabulary.policy", trigger_day: int = 0, quote: str | None = None) -> str:
    """The text of the kitchen-sink policy; `quote` replaces the first quote (escaped as the language wants)."""
    vocab = str(vocabulary).replace("\\", "\\\\").replace('"', '\\"')
    head = f'policy "Kitchen sink"\n  authority "Test"\n  uses "{vocab}"\n'
    if trigger_day == 1:
        head += "  trigger day is day 1\n"
    body = _BODY
    if quote is not None:
        escaped = quote.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        body = body.replace('"Assessments are completed within 45 working days"', f'"{escaped}"', 1)
    return head + body


def cli_audit(policyc, policy: Path, events: Path, as_of: str, obligation: str) -> list[tuple[str, ...]]:
    """`policyc audit` as typed, with the DuckDB and the Python engine: the rows of one obligation (child, due,
    done, outcome, working days late), which both engines must give alike."""
    import csv

    got = {}
    for engine in ("duckdb", "python"):
        out = events.parent / f"{events.stem}-{engine}.csv"
        run = policyc(f"audit --policy {policy} --events {events} --as-of {as_of} --engine {engine} "
                      f"--out {out} --no-progress")
        assert run.code == 0, run.err
        with out.open(encoding="utf-8", newline="") as fh:
            got[engine] = [(r["child_id"], r["due_date"], r["done_date"], r["outcome"], r["working_days_late"])
                           for r in csv.DictReader(fh) if r["obligation"] == obligation]
    assert got["duckdb"] == got["python"]
    return got["duckdb"]


#: Deadlines in hours and minutes (judged on timestamps where the records carry a time of day) beside
#: timings in hours that are judged on dates, for histories with times (tests/test_audit_differential.py).
_CLOCK_BODY = '''
obligation contact_decision "A decision on every contact within 24 hours"
  cite "1.1" "A decision is made within 24 hours"
  front_door_worker must do contact_decision within 24 hours of contact_received

obligation strategy_notes "Strategy notes within 90 minutes"
  cite "1.2" "notes within 90 minutes"
  social_worker must do strategy_outcome_recorded within 90 minutes of strategy_discussion
  extendable by team_manager up to 1 working day

obligation strategy_notes_cp "Strategy notes within 2 hours for children on a plan"
  cite "1.3" "within 2 hours"
  while child_protection
  unless "the strategy discussion was adjourned"
  social_worker must do strategy_outcome_recorded within 2 hours of strategy_discussion

obligation case_notes "Case notes within 72 hours of a visit"
  cite "1.4" "within 72 hours"
  social_worker must do case_note_recorded within 72 hours of statutory_visit

obligation notice "Reports 48 hours before the conference (on dates)"
  cite "1.5" "48 hours before"
  social_worker must do conference_report_shared at least 48 hours before icpc

obligation either "A decision within 24 hours of a contact or a referral (on dates)"
  cite "1.6" "within 24 hours of either"
  front_door_worker must do contact_decision within 24 hours of contact_received or referral

obligation same_day "Outcome recorded the same day"
  cite "1.7" "the same day"
  social_worker must do strategy_outcome_recorded on the same day as strategy_discussion

obligation decided_days "A decision within 1 day (not in hours)"
  cite "1.8" "within a day"
  front_door_worker must do contact_decision within 1 day of contact_received
'''

CLOCK_EVENTS: tuple[str, ...] = (
    "contact_received", "contact_decision", "strategy_discussion", "strategy_outcome_recorded", "statutory_visit",
    "case_note_recorded", "icpc", "conference_report_shared", "referral", "cp_plan_start", "cp_plan_end",
    "extension:strategy_notes",
)


def clock_policy(vocabulary: Path | str = "vocabulary.policy", trigger_day: int = 0) -> str:
    """The text of the policy of deadlines in hours (`_CLOCK_BODY`)."""
    vocab = str(vocabulary).replace("\\", "\\\\").replace('"', '\\"')
    head = f'policy "Clock"\n  authority "Test"\n  uses "{vocab}"\n'
    if trigger_day == 1:
        head += "  trigger day is day 1\n"
    return head + _CLOCK_BODY

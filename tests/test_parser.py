"""The grammar and the AST: every construct parses into the node it should, with spans."""

from __future__ import annotations

from dsl import ast as A
from dsl.parser import parse
from dsl.source import SourceFile


def tree(text: str) -> A.PolicyFile:
    t, diags = parse(SourceFile("t.policy", text))
    assert not diags, diags
    assert t is not None
    return t


HEADER = 'policy "T"\n'


def duty(text: str) -> A.Duty:
    t = tree(HEADER + "obligation o \"O\"\n  " + text + "\n")
    ob = t.declarations[0]
    assert isinstance(ob, A.ObligationDecl)
    return ob.duties[0]


def test_header_fields_in_order():
    t = tree('policy "P"\n  authority "A"\n  version "4"\n  effective 2023-07-01\n  review due 2024-07-01\n'
             '  source "s.txt"\n  uses "../vocabulary.policy"\n  trigger day is day 1\n')
    assert [f.key for f in t.header.fields] == ["authority", "version", "effective", "review", "source", "uses",
                                                "trigger_day"]
    assert t.header.fields[-1].value == 1
    assert t.header.title.value == "P"


def test_deadline_with_role_verb_and_span():
    d = duty("social_worker must complete assessment_completed within 45 working days of referral")
    assert d.role and d.role.text == "social_worker"
    assert d.modality == "must" and d.verb and d.verb.text == "complete"
    assert isinstance(d.timing, A.DeadlineForm)
    assert d.timing.duration == A.Duration(45, "working days", d.timing.duration.span)
    assert d.timing.event and d.timing.event.text == "referral"
    assert (d.span.line, d.span.column) == (3, 3)
    assert d.timing.duration.span.column == 3 + len("social_worker must complete assessment_completed within ")


def test_schedule_with_bounded_steps_and_restart():
    d = duty("iro must hold cla_review first within 20 working days of became_looked_after "
             "then within 3 months then every 1 week until the 1st cla_review then every 6 weeks for 1 year "
             "then every 6 months restart within 20 working days of placement_change")
    t = d.timing
    assert isinstance(t, A.ScheduleForm)
    assert [(type(s).__name__, s.duration.amount, s.duration.unit) for s in t.steps] == [
        ("ThenWithin", 3, "months"), ("ThenEvery", 1, "week"), ("ThenEvery", 6, "weeks"), ("ThenEvery", 6, "months")]
    assert t.steps[1].bound and t.steps[1].bound.ordinal == 1 and t.steps[1].bound.event.text == "cla_review"
    assert isinstance(t.steps[2].bound, A.ForBound)
    assert t.restarts[0].event.text == "placement_change"


def test_other_timing_forms():
    assert isinstance(duty("social_worker must do statutory_visit every 2 weeks").timing, A.RecurrenceForm)
    r = duty("social_worker must do statutory_visit every 6 weeks from placement_start until adoption_order").timing
    assert r.event.text == "placement_start" and r.bound.event.text == "adoption_order"
    a = duty("social_worker must do conference_report_shared at least 5 working days before rcpc").timing
    assert isinstance(a, A.NoticeForm) and a.event.text == "rcpc"
    g = duty("social_worker must do pathway_plan by age 16 years 3 months").timing
    assert isinstance(g, A.AgeForm) and [x.amount for x in g.age] == [16, 3]
    o = duty("social_worker should hold permanence_planning_meeting before the 2nd cla_review").timing
    assert isinstance(o, A.OrdinalForm) and o.ordinal == 2
    v = duty("must do minutes_distributed as soon as possible").timing
    assert isinstance(v, A.VagueForm) and v.phrase == "as soon as possible"
    assert duty("social_worker must do plan_distributed").timing is None


def test_conditions_extension_and_allow():
    t = tree(HEADER + 'obligation o "O"\n  when age under 5 years\n  when placement_type is not long_term or "x"\n'
             '  when "the child agrees"\n  social_worker must do visit within 1 week of placement_start\n'
             '  extendable by team_manager up to 8 weeks\n  allow W405 because "reason"\n')
    ob = t.declarations[0]
    kinds = [type(c).__name__ for c in ob.conditions]
    assert kinds == ["AgeCondition", "AttributeCondition", "ProseCondition"]
    assert ob.conditions[1].negated and len(ob.conditions[1].values) == 2
    assert ob.extensions[0].duration.amount == 8
    assert ob.allows[0].code == "W405" and ob.allows[0].reason.value == "reason"


def test_terms_transitions_principles_and_comments():
    t = tree(HEADER + '# lead comment\nrole chair "Chair" same as cp_chair\n'
             'event e "E"\n  recorded as cin_census "X"\n'
             'status s "S"\n  service front_door\n  entered on a or b\n  left on c\n  initial\n'
             'transition from s to t on e\n  when "w"\n  decided by chair\n'
             'principle p "P"\n  cite "1.1" "quote here"  # trailing\n'
             'checklist c "C"\n  cite "4.3" "one"\n  cite "4.4" "two"\n')
    kinds = [type(d).__name__ for d in t.declarations]
    assert kinds == ["RoleDecl", "EventDecl", "StatusDecl", "TransitionDecl", "NoteDecl", "NoteDecl"]
    s = t.declarations[2]
    assert [n.text for n in s.entered_on] == ["a", "b"] and s.initial and not s.final
    assert [c.text for c in t.comments] == ["# lead comment", "# trailing"]


def test_string_escapes():
    t = tree('policy "a \\"quoted\\" \\\\ word"\n')
    assert t.header.title.value == 'a "quoted" \\ word'


def test_keywords_can_be_used_where_a_name_is_expected_by_context():
    # `review` is a header keyword, yet a perfectly good event name after `must`
    d = duty("iro must hold review within 5 days of referral")
    assert d.action.text == "review" and d.verb and d.verb.text == "hold"

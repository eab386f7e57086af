"""Declared, typed case attributes: declarations, conditions checked against them, fmt, export."""

from __future__ import annotations

import json

from compiler.analyses.check import check_paths
from dsl.formatter import format_file
from dsl.parser import parse
from dsl.source import SourceFile

ATTRS = '''attribute team "Team holding the case"
  value family_intervention_service "Family Intervention Service"
  value cwd_early_support "Children with Disabilities Early Support"

attribute level "Level of need"
  type number

attribute school "School attended"
  type text

'''

DUTY = "  social_worker must do statutory_visit every 2 weeks\n"


def _codes(write_policy, body: str) -> list[tuple[str, str, str | None]]:
    path = write_policy(ATTRS + 'obligation o "O"\n  cite "1" "some words"\n' + body + DUTY)
    result = check_paths([path], [], analyse=False)
    return [(d.code, d.message, d.hint) for d in result.diagnostics if d.code.startswith("E")]


def test_declared_local_attribute_and_values_pass(write_policy):
    assert _codes(write_policy, "  when team is family_intervention_service or cwd_early_support\n") == []
    assert _codes(write_policy, "  when team is not cwd_early_support\n") == []


def test_a_misspelt_attribute_is_an_error_with_did_you_mean(write_policy):
    [(code, message, hint)] = _codes(write_policy, "  when taem is family_intervention_service\n")
    assert code == "E240" and message == "unknown attribute `taem`" and hint == "did you mean `team`?"


def test_a_misspelt_value_is_an_error_with_did_you_mean(write_policy):
    [(code, message, hint)] = _codes(write_policy, "  when team is family_intervention_servce\n")
    assert code == "E241" and "`family_intervention_servce` is not a value of `team`" == message
    assert hint == "did you mean `family_intervention_service`?"


def test_a_value_far_from_any_lists_the_allowed_ones(write_policy):
    [(code, _, hint)] = _codes(write_policy, "  when team is xyz\n")
    assert code == "E241" and hint == "`team` is one of: `family_intervention_service`, `cwd_early_support`"


def test_typed_attributes_take_values_of_their_type(write_policy):
    assert _codes(write_policy, "  when level is 3\n") == []
    assert _codes(write_policy, '  when school is "Oakfield"\n') == []
    [(code, message, _)] = _codes(write_policy, "  when level is three\n")
    assert code == "E241" and message == "`level` is a number, not `three`"
    [(code, message, _)] = _codes(write_policy, "  when school is Oakfield\n")
    assert code == "E241" and "write the value in quotes" in message


def test_vocabulary_attributes_come_in_through_uses(write_policy):
    assert _codes(write_policy, "  when legal_status is care_order or interim_care_order\n") == []
    assert _codes(write_policy, "  when placement_type is placed_with_parents\n") == []


def test_a_local_attribute_cannot_reuse_a_vocabulary_name(write_policy):
    path = write_policy('attribute legal_status "Mine"\n  value a "A"\n')
    result = check_paths([path], [], analyse=False)
    assert [d.code for d in result.diagnostics if d.code.startswith("E")] == ["E202"]


def test_type_and_values_together_or_neither_are_errors(write_policy):
    path = write_policy('attribute a "A"\n  type number\n  value x "X"\n\nattribute b "B"\n')
    result = check_paths([path], [], analyse=False)
    messages = sorted(d.message for d in result.diagnostics if d.code == "E242")
    assert messages == ["attribute `a` has both a type and a list of values",
                        "attribute `b` has neither a type nor any values"]


def test_fmt_round_trips_attribute_declarations():
    text = ('vocabulary "V"\n\nattribute   legal_status "Legal status"\n recorded as ssda903 "LS"\n'
            '  value care_order "Full care order"  coded as ssda903 "C2"\n'
            '  value short_breaks coded as ssda903 "V3" or "V4"\n\nattribute level "L" type number\n')
    tree, diags = parse(SourceFile("v.policy", text))
    assert tree is not None and not diags
    out = format_file(tree, text)
    assert out == ('vocabulary "V"\n\nattribute legal_status "Legal status"\n  recorded as ssda903 "LS"\n'
                   '  value care_order "Full care order"\n    coded as ssda903 "C2"\n'
                   '  value short_breaks\n    coded as ssda903 "V3" or "V4"\n\n'
                   'attribute level "L"\n  type number\n')
    again, _ = parse(SourceFile("v.policy", out))
    assert again is not None and format_file(again, out) == out


def test_export_lists_the_attributes_a_policy_tests_and_declares(write_policy, policyc):
    path = write_policy(ATTRS + 'obligation o "O"\n  cite "1" "some words"\n'
                        "  when legal_status is care_order\n" + DUTY)
    run = policyc(f"export {path}")
    assert run.code == 0, run.err
    attrs = {a["id"]: a for a in json.loads(run.out)["attributes"]}
    assert sorted(attrs) == ["legal_status", "level", "school", "team"]
    ls = attrs["legal_status"]
    assert ls["type"] == "values" and ls["recorded_as"] == [{"dataset": "ssda903", "item": "LS"}]
    care = next(v for v in ls["values"] if v["id"] == "care_order")
    assert care["codes"] == [{"dataset": "ssda903", "code": "C2"}]
    assert attrs["level"]["type"] == "number" and attrs["level"]["values"] == []

"""Stable codes of model problems and lint findings, each with the English text its message is built from.

The web layer shows these messages in the user's language: it keys its own texts by the same codes
and fills them with the same params, so a code added here without a text there fails its tests.
A finding whose code covers several checks (engine, bad_form, unsafe_expression) names the exact
check in params["rule"], itself a key of TEMPLATES.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

UNCLASSIFIED = "unclassified"
RULE = "rule"

TEMPLATES: dict[str, str] = {
    # engine/xml.py: loading the file
    "file_too_large": "file is larger than {limit_mb} MB",
    "too_many_elements": "the model has more than {limit} elements",
    "dtd_not_allowed": "DTD and entity declarations are not allowed in BPMN files",
    "malformed_xml": "malformed XML: {detail}",
    "not_bpmn": "not a BPMN 2.0 document (root element is {root})",
    "bad_text_encoding": "the file is not valid {encoding} text",
    # engine/validation.py: what quytrinh cannot run
    "unsupported_script_task": "script tasks are not allowed: quytrinh runs no code from a model",
    "unsupported_complex_gateway": "complex gateways are not supported",
    "unsupported_compensation": "compensation is not supported",
    "unsupported_transaction": "transactions are not supported",
    "unsupported_data_store": "data stores are not supported",
    "unsupported_business_rule_task": "business rule tasks (DMN decisions) are not supported",
    "unsupported_link_event": "link events are not supported: draw the sequence flow instead",
    "unsupported_loop_data_input_ref":
        "multi-instance input data references are not supported: use camunda:collection",
    "unsupported_loop_data_output_ref": "multi-instance output data references are not supported",
    "unsupported_input_data_item": "multi-instance input data items are not supported: use camunda:elementVariable",
    "unsupported_output_data_item": "multi-instance output data items are not supported",
    "called_process_missing": "calls process '{called}', which is not in this file "
                              "(a procedure and the processes it calls are deployed as one file)",
    "empty_condition": "condition is empty",
    "unsupported_expression_language": "expression language '{language}' is not supported",
    "feel_expression": "FEEL expressions (Camunda 8, '{text}') are not supported; write ${{...}} or Python",
    "expression_syntax_error": "expression '{text}' refused: not a Python or JUEL expression ({reason})",
    "expression_refused": "expression '{text}' refused: {reason}",
    "unknown_property_value": "property {prop} '{value}' is unknown (use {allowed})",
    "assignee_expression_refused": "assignee expression '{text}' refused: {reason}",
    "empty_timer": "timer has an empty {tag}",
    "timer_refused": "timer '{text}' refused: {reason}",
    "service_expression_not_supported": "camunda:expression service tasks are not supported (quytrinh runs no "
                                        "code from a model); name a handler with camunda:topic",
    "bad_delegate_expression": "camunda:delegateExpression {value!r} must be ${{handler_name}}",
    "service_without_handler":
        'service task has no handler: add camunda:type="external" camunda:topic="<handler name>"',
    "unknown_service_handler": "unknown service handler '{handler}' (known: {known})",
    "bad_due_date": "time limit camunda:dueDate: {detail}",
    "bad_deadline": "process property deadline: {detail}",
    "unknown_flow_endpoints": "sequence flow connects unknown elements {source} → {target}",
    "unreachable": "{kind} cannot be reached from a start event",
    "dead_end": "{kind} has no outgoing flow (dead end)",
    "never_reaches_end": "{kind} is on a path that can never reach an end",
    # engine/forms.py: form declarations the engine cannot use
    "form_field_declared_twice": "form field '{field}' is declared twice",
    "form_field_bad_id": "form field id '{field}' must be an identifier (letters, digits, _)",
    "form_field_bad_type": "form field '{field}' has unsupported type '{type}'",
    "form_field_unknown_constraint": "form field '{field}' has unknown constraint '{constraint}'",
    "form_field_constraint_not_number": "form field '{field}': constraint {constraint} needs a whole number",
    "enum_field_without_values": "enum form field '{field}' has no values",
    # engine/form_rules.py: conditional rules
    "form_rule_bad_expression": "form field '{field}': {constraint} expression is refused: {reason}",
    "form_rule_needs_date": "form field '{field}': constraint {constraint} applies to date fields only",
    "form_rule_unknown_date": "form field '{field}': constraint {constraint} names '{ref}', which is neither a date "
                              "field of this form nor a case fact (received_at, notified_at)",
    "form_rule_pattern_not_text": "form field '{field}': a pattern applies to text fields only",
    "form_rule_bad_pattern": "form field '{field}': pattern '{pattern}' is not a valid regular expression",
    # engine/parsing.py: choosing and building the process
    "no_executable_process": "no executable process",
    "process_not_in_file": "process '{process}' is not in this file",
    "process_not_executable": "process '{process}' is marked isExecutable=\"false\"",
    "no_process_executable": "no process is executable (isExecutable=\"false\")",
    "no_process": "the file has no process",
    "several_executable_processes": "several executable processes ({ids}); say which one to deploy",
    "spiff_validation": "{detail}",
    "cannot_build": "cannot build the process: {error}: {detail}",
    # engine/lint.py and engine/lint_flow.py: the ISO design rules
    "no_role": "step '{step}' has no responsible role: put it in a lane with a role, or set camunda:candidateGroups",
    "role_expression": "{source}: role expressions ('{role}') are not supported; name the role code",
    "unknown_role": "{source}: role '{role}' does not exist in the organisation",
    "unknown_unit": "{source}: unit '{unit}' (in '{role}') does not exist",
    "missing_deadline": "the process has no statutory deadline (camunda:property 'deadline')",
    "missing_time_limit": "step '{step}' has no time limit (camunda:dueDate)",
    "bad_form_range": "form field '{field}': {low} {low_value} is above {high} {high_value}",
    "bad_form_min_max_type": "form field '{field}' of type {type} cannot have min/max (only long fields can)",
    "bad_form_length_type": "form field '{field}' of type {type} cannot have minlength/maxlength "
                            "(only string fields can)",
    "bad_form_values_not_enum": "form field '{field}' lists values but its type is {type}, not enum",
    "bad_form_repeated_value": "enum form field '{field}' repeats a value id",
    "bad_form_default": "form field '{field}': default '{default}' is not a valid {type}",
    "bad_form_required_readonly": "form field '{field}' is both required and readonly: nobody can fill it in",
    "bad_form_rule_unknown_name": "form field '{field}': {constraint} names '{name}', which no form of the procedure "
                                  "fills in",
    "bad_default": "gateway '{gateway}': default flow '{flow}' does not leave it",
    "gateway_flow_without_condition": "gateway '{gateway}': flow '{flow}' has no condition and is not the "
                                      "default flow",
    "gateway_without_default": "gateway '{gateway}' has no default flow and its conditions cannot be checked to "
                               "cover every case; add a default flow",
    "gateway_not_covered": "gateway '{gateway}': no condition holds when {values}; add a default flow or a "
                           "condition for it",
    "over_deadline": "step time limits along the main path add up to {total}, past the statutory deadline "
                     "{deadline}: {steps}",
    "over_deadline_branch": "step time limits along a path through exceptional branches add up to {total}, past "
                            "the statutory deadline {deadline}: {steps}",
    # processes/lint.py: the procedure code the file carries
    "code_mismatch": "the process's code is '{found}' but this is procedure '{expected}' "
                     "(set camunda:property code = {expected})",
}


# Params a code carries beyond those its English text shows (translations may name them).
EXTRA_PARAMS: dict[str, set[str]] = {
    "bad_due_date": {"value"}, "bad_deadline": {"value"},
    "role_expression": {"lane"}, "unknown_role": {"lane"}, "unknown_unit": {"lane"},
}


def render(key: str, params: Mapping[str, Any]) -> str:
    """The English message of a code (or rule) filled with its params."""
    return TEMPLATES[key].format(**params)


def text_key(code: str, params: Mapping[str, Any]) -> str:
    """The key of a problem's text: the rule it names, else its code."""
    rule = params.get(RULE)
    return rule if isinstance(rule, str) and rule else code


def template_fields(template: str) -> set[str]:
    """The names a str.format template fills ("{task!r}" names task)."""
    return {name.split("!")[0] for _, name, _, _ in Formatter().parse(template) if name}


def param_names(key: str) -> set[str]:
    """The params a code carries: those its English text uses and its extra ones."""
    return template_fields(TEMPLATES[key]) | EXTRA_PARAMS.get(key, set())

"""Stable codes of service errors, each with the English text its message is built from.

The web layer says these errors in the reader's language: it keys its own texts by the same codes and
fills them with the same params, so a code added here without a text there fails its tests. Errors
raised without a code keep their English message everywhere (the CLI always prints the English).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.problem_codes import template_fields

TEMPLATES: dict[str, str] = {
    # cases and steps (instances.py, tasks.py, access.py, lookup.py, statuses.py)
    "task_not_found": "no task {task}",
    "task_id_invalid": "no task {task!r}",
    "task_closed": "task '{step}' is already {state}",
    "task_closed_by": "task '{step}' is already {state} by {user}",
    "task_already_claimed": "'{step}' is already claimed by {assignee}",
    "may_not_do_assigned": "{actor} may not do '{step}' (assigned to {assignee})",
    "may_not_do_role": "{actor} may not do '{step}' (for role {roles})",
    "may_not_claim": "{actor} may not do '{step}' (role {roles})",
    "may_not_release": "only {assignee} or a leader may release '{step}'",
    "may_not_reassign": "{actor} may not reassign tasks of {case}",
    "assignee_lacks_role": "{assignee} does not hold the role for '{step}'",
    "no_role_to_start": "{actor} holds no role and cannot start a case",
    "may_not_start": "{actor} may not start this procedure (its first step needs role {roles})",
    "may_not_cancel": "{actor} may not cancel {case}",
    "start_data_invalid": "start data must be a JSON object with identifier keys",
    "form_invalid": "the form for '{step}' is not valid",
    "procedure_cannot_continue": "the procedure cannot continue: {detail}",
    "instance_not_found": "no instance {instance}",
    "case_not_found": "no case {case}",
    "case_ref_not_found": "no case '{case}'",
    "case_not_running": "{case} is {status}",
    "case_changed": "{case} was changed by someone else; reload and try again",
    "may_not_see_case": "{actor} may not see case {case}",
    "may_not_write_case": "{actor} has no part in handling case {case} and may only read it",
    "instance_transition": "an instance cannot go from {current} to {target}",
    "task_transition": "a task cannot go from {current} to {target}",
    # dossiers and the counter (reception.py, dossiers.py, dossier_actions.py, dossier_rules.py)
    "no_reception_step": "{procedure} has no reception step",
    "may_not_receive": "{actor} may not receive dossiers of this procedure (role {roles})",
    "unknown_outcome": "unknown outcome",
    "reception_invalid": "the reception is not valid",
    "uploads_need_store": "uploads need an attachment store",
    "reception_step_not_opened": "{procedure} did not open its reception step {step}",
    "reception_not_found": "no reception '{ref}'",
    "dossier_not_found": "no dossier '{ref}'",
    "may_not_withdraw": "{actor} may not withdraw {dossier}: only a one-stop officer or a leader of the agency may",
    "may_not_stop": "{actor} may not stop {dossier}: only a leader of the agency may",
    # a step handled outside the system or moved past (step_override.py)
    "override_invalid": "the record of step '{step}' handled outside the system is not valid",
    "may_not_override": "{actor} may not move {case} past step '{step}': only a leader of the agency may",
    "override_needs_values": "step '{step}' decides where the case goes next: record its values ({detail})",
    "dossier_transition": "a dossier cannot go from {current} ({current_label}) to {target} ({target_label})",
    # apologies for late dossiers (apology.py)
    "appointment_moved_already": "the appointment of {dossier} was already moved by a signed apology; "
                                 "it can be moved only once",
    "appointment_moved_once": "the appointment of {dossier} was already moved once by a signed apology "
                              "(to {moved_to}); it cannot be moved again",
    "apology_pending": "{dossier} already has an apology waiting for signature",
    "no_appointment": "{dossier} has no appointment date to move",
    "appointment_needs_zone": "the new appointment date needs a time zone",
    "appointment_not_later": "the new appointment date {proposed} must be after the current one {current}",
    "apology_reason_missing": "say why the dossier will be late",
    "apology_not_found": "no apology {apology}",
    "not_unit_head": "{actor} does not head the unit handling {dossier}",
    "apology_decided": "apology {apology} for {dossier} is already {state}",
    "dossier_closed": "{dossier} is closed ({status_label})",
    "may_not_ask_apology": "{actor} does not handle {dossier} and may not ask for an apology",
    "apology_internal_case": "{dossier} is an internal case: it has no applicant to apologise to",
    # delegations (substitutes.py)
    "delegation_invalid": "the delegation is not valid",
    "no_such_user": "no such user",
    "may_not_name_substitute": "{actor} may not name a substitute for {user}",
    "substitute_elsewhere": "the substitute works elsewhere",
    "may_not_change_delegations": "{actor} may not change the delegations of {user}",
    "delegation_not_found": "no delegation {delegation}",
    # comments and attachments (comments.py, attachments.py)
    "comment_empty": "the comment is empty",
    "comment_too_long": "the comment is too long",
    "file_empty": "the file is empty",
    "file_too_large": "the file is too large",
    "file_type_refused": "this kind of file is not accepted",
    "file_content_mismatch": "the file's content does not match its extension",
    "too_many_attachments": "too many attachments",
    "attachment_not_found": "no attachment {attachment}",
    "attachment_file_missing": "the file of attachment {attachment} is missing from the store",
    # digital signatures at a signing step (signatures.py)
    "signature_required": "step '{step}' needs {what_label} (a PDF) signed by its performer: attach the signed "
                          "file at this step, then complete it",
    "signature_missing": "file '{file}' has no digital signature",
    "signature_not_valid": "file '{file}': {status_label}",
    "signature_not_performer": "file '{file}' is signed by {signer}, not by this step's performer ({performer})",
    "signature_file_unreadable": "file '{file}' cannot be checked: {detail}",
    "signature_file_gone": "file '{file}' is no longer in the attachment store",
    # signing keys kept on the personal page (signer_keys.py)
    "signing_token_not_configured": "this server has no library for signing tokens (PKCS#11) configured: ask the "
                                    "system administrator",
    "signing_token_labels": "type the label of the signing token and the label of the key on it",
    "signing_p12_size": "the PKCS#12 digital certificate file (.p12, .pfx) is empty or too large",
    "signing_not_owner": "the digital certificate in the file is {signer}'s, not {performer}'s: each person keeps "
                         "only their own digital certificate",
    "approval_signature_password": "approving {procedure} signs its ISO document with your stored digital "
                                   "certificate: type its password",
    # citizens' ratings (ratings.py)
    "rating_invalid": "the rating is not valid",
    "rating_dossier_not_found": "no dossier with this code and ID number",
    "rating_too_early": "the dossier can be rated once it has been dealt with",
    "already_rated": "this dossier has already been rated",
    # procedure versions, approval and migration (versions.py, version_status.py, approval.py, migration.py)
    "version_not_found": "procedure '{procedure}' has no version {version}",
    "open_version_exists": "{procedure} already has an open version ({version}, {status})",
    "draft_waits_decision": "version {version} of {procedure} is {status}; a new draft can be saved once it is "
                            "decided",
    "only_draft_sent": "version {version} of {procedure} is {status}; only a draft can be sent",
    "approval_steps_unexpected": "the approval case has {count} open steps; expected the drafting step",
    "version_transition": "a procedure version cannot go from {current} to {target}",
    "approval_version_not_found": "procedure {procedure} has no version {version}",
    "approval_case_without_version": "approval case {case} is not the approval of any procedure version",
    "not_a_draft": "version {version} of {procedure} is {status}, not a draft",
    "already_in_approval": "version {version} of {procedure} is already in approval case {case}",
    "migration_not_found": "{procedure} has no migration {migration}",
    "migration_not_newer": "cases move to a newer version: {target} is not newer than {source}",
    "migration_target_not_in_force": "version {target} of {procedure} is {status}; cases move only to the version "
                                     "in force",
    "migration_source_never_in_force": "version {source} of {procedure} was never in force; no case runs on it",
    "migration_unknown_filter": "unknown filter {unknown}; use {known}",
    "migration_bad_date": "{key} must be an ISO date or date-time",
    # why a running case does not move, or move back (migration.py): reasons on the dry run and in the record
    "move_state_unreadable": "its stored state cannot be read: {reason}",
    "move_left_version": "it is no longer on the version being migrated",
    "move_subprocess_gone": "a sub-process it is in ({subprocess}) no longer exists in version {target}",
    "move_step_removed": "the step it is in, '{step}', was removed in version {target}",
    "move_passed_removed": "it has passed '{step}', which version {target} removed: its history would not fit",
    "move_step_changed": "the step it is in, '{step}', changed in version {target} ({aspects})",
    "move_open_steps_differ": "its open steps would change ({before} → {after})",
    "move_not_readable": "the moved case would not read back on version {target}: {detail}",
    "move_failed": "not moved: {detail}",
    "revert_failed": "not reverted: {detail}",
    "revert_moved_on": "the case moved on after the migration; it stays on version {target}",
    # the catalog of procedures (procedures.py, catalog.py)
    "may_not_edit_procedures": "{actor} may not edit procedures (only the quality manager, thư ký ISO, may)",
    "procedure_not_in_catalog": "no procedure '{code}' in the catalog",
    "bpmn_not_utf8": "the BPMN file must be UTF-8 encoded",
    "no_executable_process_in_file": "the file has no executable process",
    "file_code_differs": "the file's process has code '{found}', not '{expected}'",
    "procedure_exists": "procedure '{code}' is already in the catalog; save a new draft of it instead",
    "procedure_code_invalid": "a procedure code is 1-60 letters, digits, _ . -",
    "procedure_name_required": "a procedure needs a name",
    "procedure_code_bad": "procedure code '{code}' must be 1-60 letters, digits, _ . -",
    "references_not_texts": "references must be a list of texts",
    "rows_invalid": "{key} must be a list of objects with {fields}",
    "deployed_meanwhile": "{code} v{version} was deployed by someone else just now; try again",
    "no_active_procedure": "no active procedure with code or process id '{ref}'",
    # the database schema and stored workflow states (schema_guard.py, state_check.py)
    "database_newer_than_code": "the database is at schema revision {revision}, which this release does not know "
                                "(it knows up to {head}): a newer release of quytrinh upgraded it; run that "
                                "release, or restore the backup made before the upgrade",
    "case_state_unreadable": "this case's stored workflow state cannot be read by this release ({reason}); "
                             "the administrator must check it (quytrinh db check-states)",
    # administration (admin.py, admin_users.py, passwords.py, tokens.py, staff_import.py)
    "not_an_administrator": "{actor} is not an administrator",
    "outside_admin_scope": "{actor} does not administer {target}",
    "roles_need_global_admin": "{actor} administers part of the organisation only; roles are shared by every "
                               "agency",
    "role_not_found": "no role '{role}'",
    "role_code_invalid": "role code '{code}' must be 1-60 lowercase letters, digits, _ . -",
    "role_kind_invalid": "role kind '{kind}' must be one of {kinds}",
    "role_name_required": "a role needs a name",
    "role_exists": "role '{role}' already exists",
    "role_retired": "role '{role}' is retired",
    "role_in_use_by_procedure": "role '{role}' has a lane in procedures in force ({procedures})",
    "role_in_use_by_holders": "role '{role}' is still held by {count} users ({users}); revoke it first",
    "user_not_found": "no user '{user}'",
    "unit_not_found": "no unit with code '{unit}'",
    "active_user_not_found": "no active user '{user}'",
    "membership_not_held": "{user} does not hold '{role}' in {unit}",
    "membership_needed_by_claimed_steps": "{user} holds open steps that need '{role}' ({cases}); release or reassign "
                                          "them first",
    "username_invalid": "username '{username}' must be 2-80 lowercase letters, digits, _ . -",
    "username_taken": "user '{username}' already exists",
    "full_name_required": "a user needs a full name",
    "email_invalid": "'{email}' is not an email address",
    "phone_invalid": "'{phone}' is not a phone number",
    "user_already_inactive": "{user} is deactivated already",
    "user_already_active": "{user} is active already",
    "may_not_deactivate_self": "{user} may not deactivate their own account",
    "user_holds_claimed_steps": "{user} holds claimed steps in {count} cases ({cases}); hand them back first",
    "password_wrong": "the current password is wrong",
    "password_unchanged": "the new password is the current one",
    "password_too_short": "a password needs at least {minimum} characters",
    "password_is_username": "the password may not be the username",
    "password_too_common": "this password is too common; choose another",
    "token_not_found": "no API token {token}",
    "token_days_invalid": "a token lives 1-3650 days, not {value}",
    "import_unreadable": "the staff list cannot be read ({reason})",
    "import_columns_missing": "the staff list lacks the columns: {columns}",
    "import_rows_invalid": "{count} rows of the staff list are wrong; nothing was imported",
    # audits (periods.py, index766.py)
    "period_invalid": "period '{period}' is not YEAR, YEAR-Qn, YEAR-Hn or YEAR-MM",
    "period_month_invalid": "period '{period}': no month {month}",
    "criterion_not_manual": "criterion {criterion} is computed or unknown; manual ones: {manual}",
    "criterion_points_range": "criterion {criterion} scores 0 to {top}",
    "log_mapping_invalid": "'{part}' is not ROLE=COLUMN with a role among {roles}",
    "log_procedure_unknown": "no procedure {procedure} to check the log against",
    "log_version_unknown": "procedure {procedure} has no version {version}",
    # evidence of the internal audit programme (audits/evidence.py)
    "evidence_dossier_not_found": "evidence: no dossier '{ref}'",
    "evidence_out_of_scope": "evidence: {dossier} is outside the scope of {plan} (dossiers of {procedures} received "
                             "by {agency} from {start} to {end})",
    "evidence_event_not_found": "evidence: {dossier} has no event {seq} (its log has {count})",
}


def render(code: str, params: Mapping[str, Any]) -> str:
    """The English message of a code filled with its params."""
    return TEMPLATES[code].format(**params)


def param_names(code: str) -> set[str]:
    """The params a code's English text uses."""
    return template_fields(TEMPLATES[code])

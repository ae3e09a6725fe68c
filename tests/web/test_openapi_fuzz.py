"""Issue 12 defect 9: the JSON API answers as /api/openapi.json describes it. schemathesis generates requests
from the description and sends them in-process (WSGI) for three roles, on SQLite and PostgreSQL; no answer may
be a server error or disagree with its declared schema. The examples per operation are few (FUZZ_EXAMPLES) so
a backend's run stays under a few minutes; raise it locally to probe harder.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from processes import tokens
from tests.web.conftest import csrf_of
from tests.web.workspace_helpers import receive_ok
from web import create_app

ROLES = ("motcua", "cv.ktht", "iso", "admin")  # the counter, a specialist, the quality manager, the administrator
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))  # 25 took 68 s (SQLite) and 88 s (PostgreSQL)


@pytest.fixture
def fuzzed_app(org, clock, deployed, tmp_path):
    """The app on the demo organisation with QT-XD-01 deployed and one dossier received, no rate limits."""
    deployed("QT-XD-01.bpmn")
    app = create_app({"DATABASE": org, "CLOCK": clock, "TESTING": True, "SECRET_KEY": "test",
                      "RATELIMIT_ENABLED": False, "ATTACHMENTS_DIR": str(tmp_path / "attachments")})
    counter = app.test_client()
    token = csrf_of(counter.get("/login").data)
    counter.post("/login", data={"username": "motcua", "password": "demo1234", "csrf_token": token})
    receive_ok(counter)
    return app


def _failures(schema, headers: dict[str, str]) -> tuple[list[str], int]:
    """Every failing check of every operation, as "METHOD path: message" (collected, not shrunk), and how many
    requests were sent."""
    found: list[str] = []
    sent: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def probe(case) -> None:
            response = case.call(headers=headers)
            sent.append(response.status_code)
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except FailureGroup as group:  # every failure is reported, none stops the run (nor is shrunk)
                for failure in group.exceptions:
                    found.append(f"{case.method} {case.formatted_path} → {response.status_code}: {failure.title}: "
                                 f"{str(failure.message)[:200]}")
            except Failure as failure:
                found.append(f"{case.method} {case.formatted_path} → {response.status_code}: {failure.title}: "
                             f"{str(failure.message)[:200]}")

        probe()
    print(f"{len(sent)} requests, {sum(1 for code in sent if code >= 500)} server errors")  # for the CI log
    return found, len(sent)


@pytest.mark.parametrize("username", ROLES)
def test_the_api_answers_as_described(fuzzed_app, org, clock, username):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzzed_app)
    headers = {"Authorization": f"Bearer {tokens.issue_token(org, username, clock)}"}
    failures, sent = _failures(schema, headers)
    assert sent > 100, "the description lists fewer operations than expected"
    assert not failures, "\n".join(failures)

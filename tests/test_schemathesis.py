"""Schemathesis against the app's own OpenAPI spec (/api/v1/_openapi), in process through WSGI.

Every operation of the spec gets a bounded number of generated requests (deterministic: the same
examples on every run) as the administrator, by bearer token; operations on one record get them
twice, for a random id and for an existing one. Every answer must be no server error, with a
documented status code, content type and a body that matches the documented schema.
"""

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import api_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _run(operation, headers, statuses, **fixed) -> str | None:
    """The failures Schemathesis finds for ``operation``, as text (None when there are none)."""

    @given(case=operation.as_strategy(path_parameters=fixed or None))
    @EXAMPLES
    def generated(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses.add((case.method, response.status_code))

    try:
        generated()
    except BaseException as failure:  # noqa: BLE001 - Schemathesis raises a group of failures
        if isinstance(failure, KeyboardInterrupt):
            raise
        return str(failure)[:2000]
    return None


def test_every_operation_conforms_to_the_spec(app, client, session):
    headers = api_token(client, "admin")
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    failures, statuses, operations = {}, set(), 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        runs = [{}]
        if "{pk}" in operation.path:
            runs.append({"pk": client.get(operation.path.split("{pk}")[0], headers=headers).json["ids"][0]})
        for fixed in runs:
            failure = _run(operation, headers, statuses, **fixed)
            if failure:
                failures[f"{operation.label} {fixed}"] = failure
    assert failures == {}
    assert operations >= 15 * 6
    # the generated requests reached the records, not only the refusals
    assert {("GET", 200), ("POST", 422), ("PUT", 409), ("DELETE", 200), ("DELETE", 404)} <= statuses


def test_the_spec_is_for_administrators_only(app, session):
    anonymous = app.test_client()
    response = anonymous.get("/api/v1/_openapi")
    assert response.status_code == 401 and "paths" not in response.get_data(as_text=True)
    staff = app.test_client()
    response = staff.get("/api/v1/_openapi", headers=api_token(staff, "staff"))
    assert response.status_code == 403
    admin = app.test_client()
    response = admin.get("/api/v1/_openapi", headers=api_token(admin, "admin"))
    assert response.status_code == 200 and "/api/v1/person/" in response.json["paths"]

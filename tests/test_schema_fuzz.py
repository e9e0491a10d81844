"""Schema-driven fuzzing: schemathesis generates requests from /api/openapi.json and checks
every response: no server error, a documented status code and content type, and a body
that matches the documented schema. Bearer token: the IC (every API capability)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from ictool import create_app, demo, people
from ictool.db import connect

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schema")
    app = create_app(
        {"TESTING": True, "DB": str(tmp / "f.db"), "SECRET_KEY": "test", "RATE_LIMITS": False},
        instance_path=str(tmp / "instance"),
    )
    db = connect(app.config["DB"])
    demo.seed(db)
    db.close()
    return app


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, fuzz_app):
    db = connect(fuzz_app.config["DB"])
    maya = next(db["people"].rows_where("name = ?", ["Maya Okafor"]))
    token = people.issue_token(db, maya["id"])  # fresh: a fuzzed revoke may end the last one
    db.close()
    headers = {"Authorization": f"Bearer {token}"}
    if case.method.upper() != case.operation.method.upper():
        # schemathesis also tries methods the route does not have: a 405, never a 5xx
        case.call_and_validate(headers=headers, checks=[checks.not_a_server_error])
        return
    case.call_and_validate(headers=headers, checks=CHECKS)

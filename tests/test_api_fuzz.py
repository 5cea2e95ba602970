"""Issue 8: schemathesis fuzzes every API operation from the OpenAPI schema, with a real token.

Bounded (20 examples per operation, fixed seed via derandomize): no 5xx, and every response —
including the 4xx refusals — matches the documented status codes, content type and schema.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_connection():
    """Like Django's test client: a request must not close the test's transaction-bound connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def office_token(demo, keep_connection):
    from django.contrib.auth import get_user_model

    from danvan.api.tokens import create_token

    # The Sở's office: it sees a subtree, edits it, launches, relays, reviews — the widest officer rights.
    return create_token(user=get_user_model().objects.get(username="vp.skhcn"), name="fuzz").secret


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, office_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {office_token}"}, checks=CHECKS)

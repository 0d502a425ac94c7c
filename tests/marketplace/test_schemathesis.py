"""schemathesis over the API: every operation of /api/schema/, valid and invalid requests generated from
the schema, sent over real HTTP to a live server with a buyer's and a supplier's token. No 5xx.

Bounded (``EXAMPLES`` a mode, a role and an operation) to stay in CI's minute or two; the run that found
the issue 17 defects sent 13,538 cases.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from accounts.services import api_token_create
from tests.security.world import build

EXAMPLES = 6
# Signing out revokes the token every later example signs in with.
SKIP = {"/api/v1/auth/logout/", "/api/v1/auth/logoutall/"}


@pytest.mark.django_db(transaction=True)
def test_no_api_operation_answers_a_server_error(migrated_data, live_server):
    world = build()
    tokens = {role: api_token_create(user=world.users[role])[1] for role in ("buyer_a", "supplier_a")}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    failures: list[tuple] = []
    sent = [0]
    no_invalid: set[str] = set()

    def fuzz(operation, mode, role: str, headers: dict) -> None:
        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            response = case.call(base_url=live_server.url, headers=headers, timeout=30)
            sent[0] += 1
            if response.status_code >= 500:
                failures.append((role, case.method, case.formatted_path, response.status_code, case.body))

        try:
            run()
        except Unsatisfiable:
            # An operation with nothing to get wrong (no parameters, no body) has no invalid requests.
            assert mode == GenerationMode.NEGATIVE, (operation.method, operation.path)
            no_invalid.add(f"{operation.method.upper()} {operation.path}")

    for operation in operations:
        if operation.path in SKIP:
            continue
        for role, key in tokens.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzz(operation, mode, role, {"Authorization": f"Token {key}"})
    assert sent[0] >= len(operations) * 2
    assert failures == []
    print(
        f"schemathesis: {sent[0]} requests over {len(operations)} operations; no invalid request for {sorted(no_invalid)}"
    )

"""Hostile input against every service's OpenAPI: no 5xx, and every response as its document says.

Schemathesis makes one test per operation: the document's examples, its coverage cases (boundaries,
missing and wrong-typed parameters, missing token, malformed bodies) and JP_FUZZ_EXAMPLES random
valid and invalid requests. A failure prints the request as a curl command; a 5xx adds the service log.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devstack.app_server import AppServer
from tests.fuzz.targets import INCLUDED, STATS, document, schema_of

pytestmark = pytest.mark.integration

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schemathesis.pytest.parametrize(**{name: schema_of(name) for name in INCLUDED})
def test_no_server_error_and_every_response_as_documented(
    case: Case[Any], fuzzed: dict[str, AppServer]
) -> None:
    service = case.operation.schema.raw_schema["info"]["x-service"]
    server = fuzzed[service]
    started = time.monotonic()
    response = case.call(base_url=server.url)
    STATS.record(service, case.operation.label, response.status_code, time.monotonic() - started)
    try:
        case.validate_response(response, checks=CHECKS)
    except Exception as failure:
        if response.status_code >= 500:
            failure.add_note(f"--- {service} log, last lines ---\n{server.log_tail(80)}")
        raise


@pytest.mark.parametrize("service", INCLUDED)
def test_the_fuzzed_documents_are_the_served_ones(service: str, fuzzed: dict[str, AppServer]) -> None:
    served = httpx.get(f"{fuzzed[service].url}/openapi.json", timeout=10).json()
    assert served == document(service)

"""OpenAPI descriptions of the refusals a route can answer with, so clients can switch on `code`.

Every error leaves as `{"detail", "code", …context}` (see shared.web.errors). A route declares its refusals
with `responses=refusals(...)`: per status, the error model and one named example per code.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from shared.web.limits import UNMETERED_PATHS


class ErrorOut(BaseModel):
    """Every refusal: a readable message and a machine code; some add context (e.g. the conflicting id)."""

    model_config = ConfigDict(extra="allow")

    detail: str
    code: str


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    example: str
    context: tuple[tuple[str, str], ...] = ()


def refusals(*cases: Refusal) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: per status, the model and one named example per code."""
    by_status: defaultdict[int, list[Refusal]] = defaultdict(list)
    for case in cases:
        by_status[case.status].append(case)
    return {
        status: {
            "model": ErrorOut,
            "description": " | ".join(f"`{c.code}`" for c in group),
            "content": {
                "application/json": {
                    "examples": {
                        c.code: {"value": {"detail": c.example, "code": c.code, **dict(c.context)}}
                        for c in group
                    }
                }
            },
        }
        for status, group in by_status.items()
    }


def invalid(example: str) -> Refusal:
    """A body or query the schema refuses; the response also lists every field in `errors`."""
    return Refusal(422, "validation_error", example)


_PARTICIPANT_ID = "7d9f2a4c-1b3e-4f5a-8c7d-9e0f1a2b3c4d"
# Refusals of shared helpers that several services' routes answer with.
BAD_CURSOR = Refusal(422, "rule_violation", "cursor is not one this API returned")
UNKNOWN_PARTICIPANT = Refusal(
    422,
    "unknown_participant",
    f"participant {_PARTICIPANT_ID} is not known here (yet): register first, or retry shortly",
    (("participant_id", _PARTICIPANT_ID),),
)
OUT_OF_SCOPE = Refusal(403, "out_of_scope", "this participant is outside your area (kota 31.71)")

# Refusals that come from the shared web layer rather than from a route's own rules.
VALIDATION = invalid("limit: Input should be greater than or equal to 1")
MALFORMED_BODY = Refusal(
    400, "malformed_body", "the body is not valid JSON: Expecting value (at character 0)"
)
UNAUTHORIZED = Refusal(401, "unauthorized", "sign in: send `Authorization: Bearer <token>`")
FORBIDDEN = Refusal(403, "forbidden", "this needs the admin role", (("required", "admin"),))
TOO_LARGE = Refusal(413, "request_too_large", "the request body is larger than 1048576 bytes")
RATE_LIMITED = Refusal(429, "rate_limited", "too many writes from this client; retry in 0.4 s")

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def common_refusals(operation: dict[str, Any], path: str) -> list[Refusal]:
    """The refusals the shared layers (auth, parsing, limits) can give an OpenAPI operation."""
    found = []
    if operation.get("parameters") or "requestBody" in operation:
        found.append(VALIDATION)
    if "requestBody" in operation:
        found += [MALFORMED_BODY, TOO_LARGE]
    if operation.get("security"):  # a bearer dependency: FastAPI lists its scheme
        found += [UNAUTHORIZED, FORBIDDEN]
    if path not in UNMETERED_PATHS:  # reads and writes alike (RateLimitMiddleware)
        found.append(RATE_LIMITED)
    return found


def document_common_refusals(app: FastAPI) -> None:
    """Every operation documents the refusals the shared layers can give it, in the API's error shape.

    Done on the generated document, when it is first built, so routes included after this call (reporting
    adds its own) are covered too, and FastAPI's default 422 (a shape this API never sends) is replaced.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        spec = build()
        if first:
            _add_common_refusals(spec)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the document


def _add_common_refusals(spec: dict[str, Any]) -> None:
    for path, path_item in spec.get("paths", {}).items():
        for operation in path_item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            default_422 = responses.get("422", {}).get("content", {}).get("application/json", {})
            if default_422.get("schema", {}).get("$ref") == _FASTAPI_422:
                del responses["422"]
            for case in common_refusals(operation, path):
                _merge(responses, case)
            operation["responses"] = dict(sorted(responses.items()))
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
    if _FASTAPI_422 not in json.dumps(spec["paths"]):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)


def _merge(responses: dict[str, Any], case: Refusal) -> None:
    """Adds `case` to the status it answers with, keeping whatever the route documents there already."""
    response = responses.setdefault(str(case.status), {"description": ""})
    content = response.setdefault("content", {}).setdefault("application/json", {})
    content.setdefault("schema", _ERROR_REF)
    examples = content.setdefault("examples", {})
    if case.code in examples:
        return
    examples[case.code] = {"value": {"detail": case.example, "code": case.code, **dict(case.context)}}
    named = f"`{case.code}`"
    if named not in response["description"]:
        response["description"] = " | ".join(d for d in (response["description"], named) if d)
    if case is RATE_LIMITED:
        response.setdefault("headers", {})["Retry-After"] = {
            "description": "Seconds to wait before sending again",
            "schema": {"type": "integer"},
        }

"""Every error leaves as `{"detail": readable message, "code": machine code}` (PRODUCT.md §4)."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shared.errors import DomainError


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
    return f"{where}: {error.get('msg', 'invalid')}"


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(
        status_code=exc.status_code, content={"detail": exc.detail, "code": exc.code, **exc.context}
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    unparsed = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if unparsed is not None:
        # Not JSON at all: nothing to point at field by field, and 400 tells the client its encoder is wrong.
        reason = unparsed.get("ctx", {}).get("error", "JSON decode error")
        return JSONResponse(
            status_code=400,
            content={"detail": f"the body is not valid JSON: {reason}", "code": "malformed_body"},
        )
    readable = "; ".join(_describe(e) for e in errors[:5])
    fields = [{"field": _describe(e).split(":")[0], "message": e.get("msg", "")} for e in errors]
    return JSONResponse(
        status_code=422, content={"detail": readable, "code": "validation_error", "errors": fields}
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}.get(
        exc.status_code, "http_error"
    )
    return JSONResponse(
        status_code=exc.status_code,
        content={"detail": str(exc.detail), "code": code},
        headers=exc.headers,  # e.g. Allow on a 405, Retry-After, WWW-Authenticate
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)

"""OpenAPI descriptions of the refusals a route can answer with, so clients can switch on `code`.

Every error leaves as `{"detail", "code", …context}` (see shared.web.errors). A route declares its refusals
with `responses=refusals(...)`: per status, the error model and one named example per code.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


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

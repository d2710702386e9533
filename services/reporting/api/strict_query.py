"""No silent filters (issue 14.8): a figure refuses every query parameter its route does not declare.

Without this, FastAPI ignores what it does not know: `/metrics/summary?gender=F` would answer the
unfiltered total, and `kota=31.71&kota=31.72` only the last kota. A router made with
`route_class=FigureRoute` gives each of its routes the check and documents its refusals in OpenAPI.
"""

import copy
import types
from collections.abc import Callable, Iterator
from typing import Any, Union, get_args, get_origin

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from services.reporting.api.filters import UnsupportedFilter
from shared.errors import RuleViolation
from shared.web.refusals import Refusal, refusals

# The dimensions PRODUCT.md §3 names for filters; one a route does not declare yet is "not supported yet",
# told apart from a parameter nobody knows (a typo, another API's).
SPEC_DIMENSIONS = (
    "kota",
    "kecamatan",
    "kelurahan",
    "gender",
    "age_band",
    "sector",
    "agency",
    "disability",
    "ktp_dki",
    "provinsi",
)


class UnknownParameter(RuleViolation):
    code = "unknown_parameter"


class RepeatedParameter(RuleViolation):
    code = "repeated_parameter"


UNKNOWN = Refusal(
    422,
    "unknown_parameter",
    "unknown query parameter: colour (this figure takes from, to, kota, kecamatan, agency, format, lang)",
    (("parameters", "colour"),),
)
UNSUPPORTED = Refusal(
    422,
    "unsupported_filter",
    "not a filter of this figure yet: gender (it filters by kota, kecamatan, agency)",
    (("parameters", "gender"),),
)
REPEATED = Refusal(
    422, "repeated_parameter", "given more than once, but takes one value: kota", (("parameters", "kota"),)
)


async def declared_only(request: Request) -> None:
    """Refuse the query parameters the matched route does not declare, and repeats of single ones."""
    route = request.scope["route"]
    assert isinstance(route, FigureRoute), "declared_only guards FigureRoute routes only"
    given = request.query_params
    unknown = [name for name in dict.fromkeys(given.keys()) if name not in route.query_names]
    if unknown:
        raise _refusal(unknown, route)
    repeated = [name for name in route.query_names - route.list_names if len(given.getlist(name)) > 1]
    if repeated:
        raise RepeatedParameter(
            f"given more than once, but takes one value: {', '.join(repeated)}",
            parameters=", ".join(repeated),
        )


def _refusal(unknown: list[str], route: "FigureRoute") -> RuleViolation:
    filters = [d for d in SPEC_DIMENSIONS if d in route.query_names]
    not_yet = [name for name in unknown if name in SPEC_DIMENSIONS]
    if len(not_yet) == len(unknown):
        by = f"it filters by {', '.join(filters)}" if filters else "it takes no filters yet"
        return UnsupportedFilter(
            f"not a filter of this figure yet: {', '.join(not_yet)} ({by})", parameters=", ".join(not_yet)
        )
    takes = ", ".join(route.declared_order) or "no query parameters"
    parts = [f"unknown query parameter: {', '.join(n for n in unknown if n not in not_yet)}"]
    if not_yet:
        parts.append(f"not a filter of this figure yet: {', '.join(not_yet)}")
    return UnknownParameter(f"{'; '.join(parts)} (this figure takes {takes})", parameters=", ".join(unknown))


DECLARED_ONLY = Depends(declared_only)
REFUSED = refusals(UNKNOWN, UNSUPPORTED, REPEATED)


class FigureRoute(APIRoute):
    """A route that refuses undeclared query parameters (declared_only) and documents the refusals.

    FastAPI builds a route again when its router is included, so both additions are made only once."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        dependencies = list(options.pop("dependencies", None) or [])
        if not any(d.dependency is declared_only for d in dependencies):
            dependencies.insert(0, DECLARED_ONLY)
        responses = _with_refusals(options.pop("responses", None) or {})
        super().__init__(path, endpoint, dependencies=dependencies, responses=responses, **options)
        declared = list(_query_params(self.dependant))
        self.query_names = frozenset(name for name, _ in declared)
        self.list_names = frozenset(name for name, many in declared if many)
        self.declared_order = list(dict.fromkeys(name for name, _ in declared))


def _query_params(dependant: Dependant) -> Iterator[tuple[str, bool]]:
    """Each query parameter of the route and its dependencies: its name, and whether it takes a list."""
    for sub in dependant.dependencies:
        yield from _query_params(sub)
    for field in dependant.query_params:
        yield field.alias, _takes_many(field.field_info.annotation)


def _takes_many(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_takes_many(arg) for arg in get_args(annotation))
    return get_origin(annotation) in (list, set, tuple, frozenset)


def _with_refusals(responses: dict[int | str, Any]) -> dict[int | str, Any]:
    """The route's own responses with REFUSED added: examples merged where it documents a 422 itself."""
    merged = copy.deepcopy(responses)  # a route may share its responses with others
    ours = REFUSED[422]
    theirs = merged.get(422)
    if theirs is None:
        merged[422] = ours
        return merged
    examples = theirs.setdefault("content", {}).setdefault("application/json", {}).setdefault("examples", {})
    for code, example in ours["content"]["application/json"]["examples"].items():
        if code not in examples:
            examples[code] = example
            theirs["description"] = " | ".join(d for d in (theirs.get("description"), f"`{code}`") if d)
    theirs.setdefault("model", ours["model"])
    return merged

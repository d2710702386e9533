"""What the fuzz suite attacks: each service's OpenAPI document, set up for schemathesis.

The documents are read from the services' own apps at collection time (schemathesis makes one pytest
item per operation, so it must know the operations before any server runs);
test_the_fuzzed_documents_are_the_served_ones checks that the running servers serve exactly these.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import HookContext

from tests.tokens import ADMIN

# Every service that has an HTTP API; one is fuzzed as soon as its package exists.
FUZZABLE = ("registration", "training", "permits", "mentoring", "marketing", "finance", "reporting")
INCLUDED = tuple(name for name in FUZZABLE if importlib.util.find_spec(f"services.{name}.app") is not None)

# Hypothesis examples per operation in the fuzzing phase (the examples and coverage phases add their own,
# bounded by the document). The default is what CI runs (`make test`): as many as keep the suite near 3 to
# 4 minutes on the 2-core machine (docs/fuzzing.md has the numbers). A fixed seed keeps a red run
# reproducible on a laptop.
EXAMPLES = int(os.environ.get("JP_FUZZ_EXAMPLES", "150"))
SEED = int(os.environ.get("JP_FUZZ_SEED", "20180101"))

# Ids of real records, harvested once after seeding and before the first example (see conftest.py).
# Drawn in place of random ids half of the time, so requests get past "not found" to the rules behind it.
KNOWN: dict[str, tuple[str, ...]] = {}


@dataclass
class Stats:
    """Requests and answers per service, for the run's closing summary: how deep the fuzzing got."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    answers: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def record(self, service: str, operation: str, status: int, seconds: float) -> None:
        self.calls[service, operation] += 1
        self.answers[service][f"{status // 100}xx"] += 1
        self.seconds[service] += seconds

    def lines(self) -> list[str]:
        lines = []
        for service in INCLUDED:
            sent = {op: n for (s, op), n in self.calls.items() if s == service}
            if sent:
                fewest = min(sent, key=sent.__getitem__)
                answers = ", ".join(f"{n} {kind}" for kind, n in sorted(self.answers[service].items()))
                lines.append(
                    f"{service}: {len(sent)} operations, {sum(sent.values())} requests ({answers}), "
                    f"{self.seconds[service]:.1f} s; fewest {sent[fewest]} for {fewest}"
                )
        return lines


STATS = Stats()


def document(service: str) -> dict[str, Any]:
    app = importlib.import_module(f"services.{service}.app").create_app()
    spec: dict[str, Any] = app.openapi()
    return spec


def schema_of(service: str) -> schemathesis.BaseSchema:
    spec = document(service)
    spec["info"]["x-service"] = service  # an OpenAPI extension field: tells the test which server to call
    token = ADMIN["Authorization"].removeprefix("Bearer ")
    config: dict[str, Any] = {
        "seed": SEED,
        "headers": ADMIN,  # services not yet declaring their bearer scheme get the token too
        "request-timeout": 10,
        "max-stream-events": 1,  # an event stream never ends: read its first event, then hang up
        "generation": {"max-examples": EXAMPLES, "database": "none"},
    }
    schemes = spec.get("components", {}).get("securitySchemes", {})
    if schemes:
        config["auth"] = {"openapi": {name: {"bearer": token} for name in schemes}}
    schema = schemathesis.openapi.from_dict(spec, config=schemathesis.Config.from_dict(config))
    schema.hook(flatmap_path_parameters)
    schema.hook(flatmap_query)
    schema.hook(flatmap_body)
    return schema


def _known_or(name: str, generated: Any) -> st.SearchStrategy[Any]:
    pool = KNOWN.get(name)
    return st.one_of(st.just(generated), st.sampled_from(pool)) if pool else st.just(generated)


def _with_known_ids(values: Any) -> st.SearchStrategy[Any]:
    """Top-level fields named like a harvested id may take a real one; anything else stays as generated."""
    if not isinstance(values, dict):
        return st.just(values)
    return st.fixed_dictionaries({name: _known_or(name, value) for name, value in values.items()})


# Schemathesis hooks, found by their names.
def flatmap_path_parameters(context: HookContext, path_parameters: Any) -> st.SearchStrategy[Any]:
    return _with_known_ids(path_parameters)


def flatmap_query(context: HookContext, query: Any) -> st.SearchStrategy[Any]:
    return _with_known_ids(query)


def flatmap_body(context: HookContext, body: Any) -> st.SearchStrategy[Any]:
    return _with_known_ids(body)

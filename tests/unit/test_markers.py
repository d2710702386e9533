"""`pytest -m "not integration"` is the fast run: every unit test, and nothing that needs a server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import INTEGRATION_DIRS, TESTS, needs_servers

# What only an integration test may import: what starts servers or hands out running ones (devstack's
# config rendering and free ports are unit-testable), the suites that drive them, and server clients.
LAUNCHERS = {"devstack", "devstack.infra", "devstack.app_server", "devstack.up"}
INTEGRATION_PACKAGES = (
    *(f"tests.{name}" for name in sorted(INTEGRATION_DIRS)),
    "aiokafka",
    "redis",
    "psycopg",
    "playwright",
)


def integration_stack(module: str) -> bool:
    return module in LAUNCHERS or any(
        module == top or module.startswith(f"{top}.") for top in INTEGRATION_PACKAGES
    )


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_every_test_directory_is_either_unit_or_integration() -> None:
    homes = {path.relative_to(TESTS).parts[0] for path in TESTS.rglob("test_*.py")}
    assert homes - {"unit"} <= INTEGRATION_DIRS, "a new test directory: list it in INTEGRATION_DIRS"


def test_tests_in_the_server_directories_or_asking_for_servers_are_integration() -> None:
    for name in INTEGRATION_DIRS:
        assert needs_servers(TESTS / name / "test_x.py", ())
    assert needs_servers(TESTS / "unit" / "test_x.py", ("stack", "infra"))
    assert not needs_servers(TESTS / "unit" / "test_x.py", ("tmp_path",))


def test_unit_test_modules_do_not_import_the_integration_stack() -> None:
    offenders = {
        path.name: sorted(filter(integration_stack, imported_modules(path)))
        for path in sorted((TESTS / "unit").rglob("*.py"))
    }
    assert not {name: found for name, found in offenders.items() if found}


def test_no_test_of_this_run_outside_tests_unit_lacks_the_marker(request: pytest.FixtureRequest) -> None:
    """The run's own selection: under `-m "not integration"` anything left outside tests/unit is a stray."""
    strays = [
        item.nodeid
        for item in request.session.items
        if not item.path.is_relative_to(TESTS / "unit") and item.get_closest_marker("integration") is None
    ]
    assert not strays

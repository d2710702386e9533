"""The dashboard is ES modules by concern, no build step (issue 12.8): each short, each reached from
main.js, the page loads main.js as a module, and the service serves the modules as JavaScript."""

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest

from services.reporting.app import DASHBOARD, create_app
from services.reporting.settings import ReportingSettings

STATIC = DASHBOARD.parent
MAX_LINES = 150
# The dashboard's own modules; the vendored Chart.js is a classic script.
MODULES = sorted(
    name
    for name in (path.relative_to(STATIC).as_posix() for path in STATIC.rglob("*.js"))
    if not name.startswith("vendor/")
)
# Static imports, side-effect ones too: `import { a } from "./a.js";`, `import "./b.js";`.
IMPORT = re.compile(r'^\s*import\s+(?:[^;"]*?\bfrom\s+)?"(\.{1,2}/[^"]+)"', re.MULTILINE)
JAVASCRIPT = {"text/javascript", "application/javascript"}


def imports(module: str) -> set[str]:
    """The modules `module` imports, as paths under static/."""
    path = STATIC / module
    found = IMPORT.findall(path.read_text(encoding="utf-8"))
    return {(path.parent / name).resolve().relative_to(STATIC.resolve()).as_posix() for name in found}


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append(dict(attrs))


def test_the_dashboard_is_split_into_modules() -> None:
    assert "main.js" in MODULES and len(MODULES) >= 8, MODULES


@pytest.mark.parametrize("module", MODULES)
def test_each_dashboard_module_stays_short(module: str) -> None:
    lines = len((STATIC / module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"static/{module} has {lines} lines (at most {MAX_LINES}): split it by concern"


def test_every_dashboard_module_is_imported_from_main_js_and_every_import_exists() -> None:
    reached, todo = set(), ["main.js"]
    while todo:
        module = todo.pop()
        if module in reached:
            continue
        reached.add(module)
        found = imports(module)
        missing = sorted(name for name in found if not (STATIC / name).is_file())
        assert not missing, f"static/{module} imports files that do not exist: {missing}"
        todo.extend(found)
    assert reached == set(MODULES), f"modules main.js never imports (dead): {sorted(set(MODULES) - reached)}"


def test_the_page_starts_main_js_as_its_only_module_script() -> None:
    parser = Scripts()
    parser.feed(DASHBOARD.read_text(encoding="utf-8"))
    modules = [script.get("src") for script in parser.found if script.get("type") == "module"]
    classic = [script.get("src") for script in parser.found if script.get("type") != "module"]
    assert modules == ["/static/main.js"]
    assert classic == ["/static/vendor/chart.umd.min.js"]  # Chart.js only: deferred, so it runs first


@pytest.fixture
async def reporting() -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan: the page and its files need neither Redis nor Kafka.
    transport = httpx.ASGITransport(app=create_app(ReportingSettings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as http:
        yield http


async def test_the_service_serves_every_module_as_javascript(reporting: httpx.AsyncClient) -> None:
    for module in MODULES:
        served = await reporting.get(f"/static/{module}")
        assert served.status_code == 200, module
        # Browsers refuse a module script sent with any other type.
        assert served.headers["content-type"].split(";")[0] in JAVASCRIPT, (module, served.headers)


async def test_no_content_security_policy_blocks_the_modules(reporting: httpx.AsyncClient) -> None:
    page = await reporting.get("/")
    assert page.status_code == 200
    policy = page.headers.get("content-security-policy")
    assert policy is None or "'self'" in policy, policy

"""The domain loads no framework at run time, parent packages included.

`lint-imports` (.importlinter, run by `make lint`) checks the import graph, but it does not count the
`__init__` of each parent package that Python runs first: `from shared.auth.principal import …` once
loaded PyJWT through `shared/auth/__init__.py`. So each pure module is imported here in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
PURE = ("services/*/domain", "services/reporting/projection")
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "aiokafka", "redis", "jwt")
# Which frameworks each module newly brings in, in one interpreter: the first module to load one is named.
PROBE = """
import importlib, json, sys
frameworks = sys.argv[1].split(",")
found = {}
for name in sys.argv[2:]:
    before = {top for top in frameworks if top in sys.modules}
    importlib.import_module(name)
    found[name] = sorted(top for top in frameworks if top in sys.modules and top not in before)
print(json.dumps(found))
"""


def pure_modules() -> list[str]:
    files = sorted(path for pattern in PURE for path in ROOT.glob(f"{pattern}/*.py"))
    names = [path.relative_to(ROOT).with_suffix("").parts for path in files]
    return [".".join(parts[:-1] if parts[-1] == "__init__" else parts) for parts in names]


def test_the_domain_and_the_projection_load_no_framework() -> None:
    modules = pure_modules()
    assert len(modules) > 10, modules
    run = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(FRAMEWORKS), *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    loaded = {name: found for name, found in json.loads(run.stdout).items() if found}
    assert not loaded, f"pure modules that load frameworks (follow their imports): {loaded}"

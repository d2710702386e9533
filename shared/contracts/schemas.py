"""JSON Schemas generated from the event models; committed under contracts/schemas and diffed by a test.

Run `python -m shared.contracts.schemas` after changing a contract to refresh the committed files.
"""

import json
from pathlib import Path
from typing import Any

from shared.contracts.envelope import EventEnvelope
from shared.contracts.registry import EVENT_TYPES

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "contracts" / "schemas"


def generated_schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, for the envelope and every (type, version)."""
    schemas = {"EventEnvelope.json": EventEnvelope.model_json_schema()}
    for (event_type, version), model in sorted(EVENT_TYPES.items()):
        schema = model.model_json_schema()
        schema["x-event-type"] = event_type
        schema["x-event-version"] = version
        schemas[f"{event_type}.v{version}.json"] = schema
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generated_schemas().items():
        path = directory / name
        path.write_text(render(schema))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)

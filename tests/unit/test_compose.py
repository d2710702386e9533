"""docker-compose.yml, the Dockerfile and the image's inputs cannot run here (no Docker engine), so they are
checked statically: what compose itself accepts, and what each part must say for the stack to start."""

import base64
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.unit.service_settings import (
    PRODUCING,
    SETTINGS,
    contract_port,
    migration_reads,
    unknown_variables,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
IMAGE_VARIABLES = {"TAG"}  # the image tag has a default; every other variable is a secret


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def app_services() -> dict[str, dict[str, Any]]:
    """The services that run this project's image: each service and its one-shot `<name>-migrate`."""
    return {n: s for n, s in compose()["services"].items() if s["image"].startswith("jakpreneur:")}


def docker_compose(*args: str, env_file: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose (Debian package) is needed to validate the compose file"
    # A bare environment: only the env file may supply the variables, as on a fresh machine.
    return subprocess.run(
        [binary, "--env-file", str(env_file), "-f", str(COMPOSE), *args],
        check=False,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
    )


def env_example() -> dict[str, str]:
    lines = (line.strip() for line in ENV_EXAMPLE.read_text().splitlines())
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_docker_compose_accepts_the_file_with_every_profile() -> None:
    result = docker_compose("--profile", "observability", "config", "-q", env_file=ENV_EXAMPLE)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_while_a_secret_is_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = docker_compose("config", "-q", env_file=empty)
    assert result.returncode != 0
    assert "see .env.example" in result.stderr


def test_every_secret_is_required_and_listed_in_the_example() -> None:
    text = COMPOSE.read_text()
    used = re.findall(r"\$\{([A-Z0-9_]+)([^}]*)\}", text)
    for name, rule in used:
        if name in IMAGE_VARIABLES:
            assert rule.startswith(":-"), f"{name} needs a default"
        else:
            assert rule == ":?see .env.example", f"{name} must be required, not defaulted: {rule!r}"
    example = env_example()
    assert set(example) == {name for name, _ in used}
    assert "change-me" not in text.lower()
    # Placeholders the services refuse (too short, not a key), so a copied example never runs for real.
    assert all(value == "REPLACE-ME" for name, value in example.items() if name not in IMAGE_VARIABLES)


def test_one_image_is_built_once_and_every_app_service_runs_it() -> None:
    services = compose()["services"]
    builders = [name for name, svc in services.items() if "build" in svc]
    assert builders == ["registration-migrate"], "one build, in the service that starts first"
    assert services["registration-migrate"]["build"] == "."
    images = {svc["image"] for svc in app_services().values()}
    assert images == {"jakpreneur:${TAG:-local}"}
    # First in the file among its image's users, so even docker-compose v1 builds before it creates them.
    assert next(iter(app_services())) == "registration-migrate"


def test_every_app_service_is_known_and_its_environment_matches_its_settings() -> None:
    services = app_services()
    assert set(services) == set(SETTINGS) | {f"{name}-migrate" for name in PRODUCING}
    for name, svc in services.items():
        service = name.removesuffix("-migrate")
        unknown = unknown_variables(service, set(svc["environment"]))
        assert not unknown, f"{name} sets variables its settings do not read: {unknown}"
        migrate = ["migrate"] if name.endswith("-migrate") else []
        assert svc["command"] == ["python", "-m", f"services.{service}", *migrate]


def test_each_database_is_migrated_once_by_a_one_shot_service_before_its_instances_start() -> None:
    services = compose()["services"]
    for name in PRODUCING:
        job, instance = services[f"{name}-migrate"], services[name]
        assert job["restart"] == "no" and "ports" not in job and "healthcheck" not in job
        assert job["depends_on"] == {f"{name}-db": {"condition": "service_healthy"}}
        # A job holds its database URL and what its migrations read, no other secret.
        needs = migration_reads(name, auth={"AUTH_ENVIRONMENT", "AUTH_JWT_SECRET"})
        assert job["environment"] == {key: instance["environment"][key] for key in needs}
        assert instance["depends_on"][f"{name}-migrate"] == {"condition": "service_completed_successfully"}
        assert f"{name.upper()}_MIGRATE_ON_START" not in instance["environment"]


def test_long_running_services_come_back_after_a_failure() -> None:
    """Without a restart policy a service that lost a race at start-up stays down, and whatever waits for
    it being healthy (the observability profile) never starts."""
    for name, svc in compose()["services"].items():
        assert svc["restart"] == ("no" if name.endswith("-migrate") else "unless-stopped"), name


def test_app_services_are_healthy_when_ready_on_their_contract_port() -> None:
    for name, svc in app_services().items():
        if name.endswith("-migrate"):
            continue
        port = contract_port(name)
        probe = svc["healthcheck"]["test"]
        assert probe[:3] == ["CMD", "python", "-c"]
        assert f"'http://127.0.0.1:{port}/readyz'" in probe[3], name


def test_services_publish_their_contract_ports_and_nothing_collides() -> None:
    published = []
    for name, svc in compose()["services"].items():
        for mapping in svc.get("ports", []):
            *_, host, container = mapping.split(":")
            published.append(int(host))
            if name in SETTINGS:
                assert int(host) == int(container) == contract_port(name)
                assert svc["environment"][f"{name.upper()}_PORT"] == host
    assert len(published) == len(set(published))


def test_kafka_writes_its_log_into_its_volume_so_topics_survive_down_and_up() -> None:
    kafka = compose()["services"]["kafka"]
    env = kafka["environment"]
    (volume,) = kafka["volumes"]
    assert volume.split(":")[1] == env["KAFKA_LOG_DIRS"]
    # The storage is formatted once with this id; a fresh one each start would refuse the kept log.
    assert len(base64.urlsafe_b64decode(env["CLUSTER_ID"] + "==")) == 16


def test_the_hosts_command_line_reaches_kafka_and_redis_on_loopback() -> None:
    services = compose()["services"]
    env = services["kafka"]["environment"]
    external = {"EXTERNAL://localhost:9094"} & set(env["KAFKA_ADVERTISED_LISTENERS"].split(","))
    assert external and "EXTERNAL://:9094" in env["KAFKA_LISTENERS"].split(",")
    assert "EXTERNAL:PLAINTEXT" in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    assert services["kafka"]["ports"] == ["127.0.0.1:9094:9094"]
    assert services["redis"]["ports"] == ["127.0.0.1:6379:6379"]


def test_services_wait_for_healthy_dependencies() -> None:
    services = compose()["services"]
    for name, svc in services.items():
        assert "healthcheck" in svc or name.endswith("-migrate"), f"{name} has no healthcheck"
        for dependency, rule in svc.get("depends_on", {}).items():
            done = dependency.endswith("-migrate") and rule == {"condition": "service_completed_successfully"}
            assert done or rule == {"condition": "service_healthy"}, f"{name} → {dependency}"


def test_each_producing_service_has_its_own_database() -> None:
    services = compose()["services"]
    for name in PRODUCING:
        assert services[name]["depends_on"].keys() >= {f"{name}-db"}
        assert f"@{name}-db:" in services[name]["environment"][f"{name.upper()}_DATABASE_URL"]


def test_prometheus_scrapes_every_service_on_its_port_and_grafana_reads_it() -> None:
    services = compose()["services"]
    assert services["prometheus"]["profiles"] == services["grafana"]["profiles"] == ["observability"]
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/ops/metrics"
    assert set(job["static_configs"][0]["targets"]) == {f"{n}:{contract_port(n)}" for n in SETTINGS}
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/jakpreneur.json").read_text())
    exprs = " ".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])
    for metric in (
        "outbox_backlog",
        "reporting_consumer_lag",
        "http_request_duration_seconds_bucket",
        "reporting_events_dead_lettered_total",
        "outbox_publish_lag_seconds_bucket",
    ):
        assert metric in exprs


# --- the image -------------------------------------------------------------------------------------------


def dockerignore_excludes(path: str) -> bool:
    """Docker's rule, for the patterns used here: the last pattern matching the path or one of its parent
    folders decides; `!` re-includes; `*` stays within a folder, `**` spans folders."""
    excluded = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        glob = pattern.removeprefix("!").rstrip("/")
        regex = re.escape(glob).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        parts = path.split("/")
        prefixes = ("/".join(parts[: i + 1]) for i in range(len(parts)))
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            excluded = not negate
    return excluded


def dockerfile_copies() -> list[str]:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    return [line.split()[1] for line in lines if line.startswith("COPY ") and "--from=" not in line]


@pytest.mark.parametrize(
    "path",
    [
        ".run/registration.db",
        ".run/infra/postgres/base/1/1",
        ".venv/bin/python",
        ".git/HEAD",
        ".env",
        "tests/unit/data/README.md",
        "tests/faults/results.json",
        "services/registration/.run/registration.db",
        "services/registration/local.db",
        "shared/web/__pycache__/ops.cpython-311.pyc",
        "jakpreneur_platform.egg-info/PKG-INFO",
        ".mypy_cache/3.11/x.json",
        "legacy-import-errors.csv",
    ],
)
def test_local_data_secrets_and_caches_stay_out_of_the_build_context(path: str) -> None:
    assert dockerignore_excludes(path)


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    for source in dockerfile_copies():
        assert (ROOT / source).exists(), source
        assert not dockerignore_excludes(source), source
    for path in ("services/registration/migrations/versions/0001_initial.py", "shared/web/ops.py"):
        assert not dockerignore_excludes(path)


def test_the_image_is_multi_stage_non_root_and_installed_from_the_hashed_lock() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\S+))?$", text, re.MULTILINE)
    assert len(stages) >= 2 and stages[0][1], "a named build stage, then the runtime stage"
    runtime = text.split("\nFROM ")[-1]
    assert "pip install" not in runtime, "the runtime stage installs nothing"
    assert re.search(r"^COPY --from=\S+ /opt/venv /opt/venv$", runtime, re.MULTILINE)
    (user,) = re.findall(r"^USER (\S+)$", runtime, re.MULTILINE)
    assert user.split(":")[0] not in ("0", "root")
    assert re.search(r"pip install --require-hashes --no-deps .*-r \S*requirements\.lock", text)


def locked() -> dict[str, list[tuple[str, list[str]]]]:
    """Each pinned package: its versions (one per marker) with their hashes."""
    pins: dict[str, list[tuple[str, list[str]]]] = {}
    text = (ROOT / "requirements.lock").read_text()
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
        pin = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", entry)
        assert pin, f"not a pinned requirement: {entry[:80]}"
        name, version = pin.groups()
        pins.setdefault(str(canonicalize_name(name)), []).append((version, re.findall(r"sha256:\w+", entry)))
    return pins


def test_the_lock_pins_every_dependency_within_its_pyproject_range_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = locked()
    for line in project["dependencies"]:
        wanted = Requirement(line)
        versions = pins.get(str(canonicalize_name(wanted.name)))
        assert versions, f"{wanted.name} is not in requirements.lock: regenerate it (see its header)"
        for version, _ in versions:
            assert wanted.specifier.contains(version, prereleases=True), f"{wanted.name}=={version} ∉ {line}"
    assert all(hashes for versions in pins.values() for _, hashes in versions)

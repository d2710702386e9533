"""docker-compose.yml cannot run here (no Docker engine), so it is checked statically."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import BaseSettings

from services.finance.settings import FinanceSettings
from services.marketing.settings import MarketingSettings
from services.mentoring.settings import MentoringSettings
from services.permits.settings import PermitsSettings
from services.registration.settings import RegistrationSettings
from services.reporting.settings import ReportingSettings
from services.training.settings import TrainingSettings
from shared.auth.settings import AuthSettings
from shared.kafka.settings import KafkaSettings
from shared.web.limits import LimitSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, type[BaseSettings]] = {
    "registration": RegistrationSettings,
    "training": TrainingSettings,
    "permits": PermitsSettings,
    "reporting": ReportingSettings,
    "mentoring": MentoringSettings,
    "marketing": MarketingSettings,
    "finance": FinanceSettings,
}
PRODUCING = ("registration", "training", "permits", "mentoring", "marketing", "finance")
CONTRACT_PORTS = {
    "registration": 8001,
    "training": 8002,
    "permits": 8003,
    "reporting": 8004,
    "mentoring": 8005,
    "marketing": 8006,
    "finance": 8007,
}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config.get("env_prefix", "")
    nested: dict[str, type[BaseSettings]] = {
        "kafka": KafkaSettings,
        "auth": AuthSettings,
        "limits": LimitSettings,
    }
    own = {f"{prefix}{name}".upper() for name in settings.model_fields if name not in nested}
    for group in nested.values():
        own |= {f"{group.model_config.get('env_prefix', '')}{name}".upper() for name in group.model_fields}
    return own


def test_docker_compose_accepts_the_file() -> None:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose (Debian package) is needed to validate the compose file"
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_built_service_is_known_and_its_environment_matches_its_settings() -> None:
    built = {name: svc for name, svc in compose()["services"].items() if "build" in svc}
    assert set(built) == set(SETTINGS) | {f"{name}-migrate" for name in PRODUCING}
    for name, svc in built.items():
        service = name.removesuffix("-migrate")
        unknown = set(svc["environment"]) - env_names(SETTINGS[service])
        assert not unknown, f"{name} sets variables its settings do not read: {unknown}"
        migrate = ["migrate"] if name.endswith("-migrate") else []
        assert svc["command"] == ["python", "-m", f"services.{service}", *migrate]


def test_each_database_is_migrated_once_by_a_one_shot_service_before_its_instances_start() -> None:
    services = compose()["services"]
    for name in PRODUCING:
        job, instance = services[f"{name}-migrate"], services[name]
        assert job["restart"] == "no" and "ports" not in job and "healthcheck" not in job
        assert job["depends_on"] == {f"{name}-db": {"condition": "service_healthy"}}
        # The job reads only the database URL: no token or personal-data secret for a migration.
        url = f"{name.upper()}_DATABASE_URL"
        assert job["environment"] == {url: instance["environment"][url]}
        assert instance["depends_on"][f"{name}-migrate"] == {"condition": "service_completed_successfully"}
        assert f"{name.upper()}_MIGRATE_ON_START" not in instance["environment"]


def test_services_publish_their_contract_ports_and_nothing_collides() -> None:
    published = []
    for name, svc in compose()["services"].items():
        for mapping in svc.get("ports", []):
            host, container = (int(p) for p in mapping.split(":"))
            published.append(host)
            if name in CONTRACT_PORTS:
                assert host == container == CONTRACT_PORTS[name]
                assert svc["environment"][f"{name.upper()}_PORT"] == str(host)
    assert len(published) == len(set(published))


def test_services_wait_for_healthy_dependencies() -> None:
    services = compose()["services"]
    for name, svc in services.items():
        assert "healthcheck" in svc or name.endswith("-migrate"), f"{name} has no healthcheck"
        for dependency, rule in svc.get("depends_on", {}).items():
            done = dependency.endswith("-migrate") and rule == {"condition": "service_completed_successfully"}
            assert done or rule == {"condition": "service_healthy"}, f"{name} → {dependency}"


def test_each_producing_service_has_its_own_database() -> None:
    services = compose()["services"]
    for name in ("registration", "training", "permits"):
        assert services[name]["depends_on"].keys() >= {f"{name}-db"}
        assert f"@{name}-db:" in services[name]["environment"][f"{name.upper()}_DATABASE_URL"]


def test_prometheus_scrapes_every_service_on_its_port_and_grafana_reads_it() -> None:
    services = compose()["services"]
    assert services["prometheus"]["profiles"] == services["grafana"]["profiles"] == ["observability"]
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/ops/metrics"
    assert set(job["static_configs"][0]["targets"]) == {f"{n}:{p}" for n, p in CONTRACT_PORTS.items()}
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

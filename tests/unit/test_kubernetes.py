"""deploy/kubernetes/ checked offline: every manifest against the Kubernetes API schemas of a stated release
(kubernetes-validate ships them), kustomize's rendering (kubectl's built-in kustomize), and the manifests
against the code: settings, ports, probe paths, migrations, scrape targets."""

import functools
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from kubernetes_validate.utils import validate  # type: ignore[import-untyped]  # it ships no type information
from pydantic import ValidationError

from shared.web.ops import Checks, ops_router
from tests.unit.service_settings import (
    PRODUCING,
    SETTINGS,
    contract_port,
    migration_reads,
    unknown_variables,
)

# The oldest Kubernetes release the manifests are valid for (docs/deployment.md).
KUBERNETES_VERSION = "1.33.0"
ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy/kubernetes"
EXAMPLE_SECRETS = MANIFESTS / "secrets.example.yaml"
KUSTOMIZATION = "kustomize.config.k8s.io/v1beta1"
Doc = dict[str, Any]


def documents(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def manifest_files() -> list[Path]:
    return sorted(p for p in MANIFESTS.rglob("*.yaml") if p.name != "kustomization.yaml")


@functools.cache  # parsed once: read-only for the tests
def manifests() -> list[Doc]:
    return [doc for path in manifest_files() for doc in documents(path)]


def of_kind(kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in manifests() if doc["kind"] == kind}


def containers(kind: str) -> Iterator[tuple[str, Doc, Doc]]:
    """(workload name, pod spec, its one container) of every Deployment or Job."""
    for name, workload in of_kind(kind).items():
        pod = pod_spec(workload)
        (container,) = pod["containers"]
        yield name, pod, container


def pod_spec(workload: Doc) -> Doc:
    pod: Doc = workload["spec"]["template"]["spec"]
    return pod


def release_image() -> str:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return f"jakpreneur:{version}"


def data_of(kind: str, name: str) -> dict[str, str]:
    (source,) = [doc for doc in manifests() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    values: dict[str, str] = source.get("data") or source["stringData"]
    return values


def pod_env(container: Doc) -> dict[str, str]:
    """Every variable the container is given, resolved from the ConfigMaps and the example Secrets."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env |= data_of("ConfigMap", source["configMapRef"]["name"])
        else:
            env |= data_of("Secret", source["secretRef"]["name"])
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
            continue
        ((ref_kind, ref),) = variable["valueFrom"].items()
        kind = {"secretKeyRef": "Secret", "configMapKeyRef": "ConfigMap"}[ref_kind]
        env[variable["name"]] = data_of(kind, ref["name"])[ref["key"]]
    return env


@pytest.mark.parametrize(
    "doc",
    manifests(),
    ids=lambda doc: f"{doc['kind']}/{doc['metadata']['name']}",
)
def test_every_manifest_is_valid_against_the_kubernetes_api_schemas(doc: Doc) -> None:
    """Strict: a misspelt or misplaced field fails, as the API server would refuse it."""
    validate(doc, KUBERNETES_VERSION, strict=True)


def test_each_kustomization_lists_every_manifest_of_its_folder_but_the_example_secrets() -> None:
    kustomizations = sorted(MANIFESTS.rglob("kustomization.yaml"))
    assert [k.parent.name for k in kustomizations] == ["kubernetes", "migrate"]
    for kustomization in kustomizations:
        (spec,) = documents(kustomization)
        assert spec["apiVersion"] == KUSTOMIZATION
        files = {p.name for p in kustomization.parent.glob("*.yaml")} - {"kustomization.yaml"}
        assert set(spec["resources"]) == files - {EXAMPLE_SECRETS.name}
        assert spec["images"] == [{"name": "jakpreneur", "newTag": release_image().split(":")[1]}]


@pytest.mark.parametrize("folder", ["", "migrate"])
def test_kustomize_renders_every_resource_with_the_release_image(folder: str) -> None:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (its built-in kustomize) is needed to render deploy/kubernetes"
    rendered = subprocess.run(
        [kubectl, "kustomize", str(MANIFESTS / folder)], check=True, capture_output=True, text=True
    ).stdout
    docs = [doc for doc in yaml.safe_load_all(rendered) if doc]
    (spec,) = documents(MANIFESTS / folder / "kustomization.yaml")
    listed = [doc for name in spec["resources"] for doc in documents(MANIFESTS / folder / name)]
    assert sorted((d["kind"], d["metadata"]["name"]) for d in docs) == sorted(
        (d["kind"], d["metadata"]["name"]) for d in listed
    )
    images = {c["image"] for d in docs if "template" in d.get("spec", {}) for c in pod_spec(d)["containers"]}
    assert images == {release_image()}


def test_every_service_has_a_deployment_a_service_a_disruption_budget_and_an_autoscaler() -> None:
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        assert set(of_kind(kind)) == set(SETTINGS), kind
    assert {doc["metadata"].get("namespace") for doc in manifests() if doc["kind"] != "Namespace"} == {
        "jakpreneur"
    }


def test_probes_ports_and_commands_match_each_services_code() -> None:
    served = {getattr(route, "path", None) for route in ops_router(Checks(required={})).routes}
    assert {"/healthz", "/readyz", "/ops/metrics"} <= served
    for name, _, container in containers("Deployment"):
        port = contract_port(name)
        assert container["command"] == ["python", "-m", f"services.{name}"]
        assert container["ports"] == [{"name": "http", "containerPort": port}]
        assert pod_env(container)[f"{name.upper()}_PORT"] == str(port)
        assert pod_env(container)[f"{name.upper()}_HOST"] == "0.0.0.0"
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        # Readiness checks wait up to 2 s per dependency (shared/web/ops.py): the probe must wait longer.
        assert container["readinessProbe"]["timeoutSeconds"] > 2
        resources = container["resources"]
        assert resources["requests"].keys() == resources["limits"].keys() == {"cpu", "memory"}
        service = of_kind("Service")[name]["spec"]
        assert service["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]


def test_services_and_budgets_select_the_servers_and_never_a_migration() -> None:
    jobs = {name.removesuffix("-migrate"): job for name, job in of_kind("Job").items()}
    for name, deployment in of_kind("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
        assert of_kind("Service")[name]["spec"]["selector"] == selector
        assert of_kind("PodDisruptionBudget")[name]["spec"]["selector"]["matchLabels"] == selector
        if name in jobs:
            assert not selector.items() <= jobs[name]["spec"]["template"]["metadata"]["labels"].items()


def test_every_variable_a_pod_is_given_is_a_setting_of_its_service() -> None:
    for kind in ("Deployment", "Job"):
        for name, _, container in containers(kind):
            service = name.removesuffix("-migrate")
            unknown = unknown_variables(service, set(pod_env(container)))
            assert not unknown, f"{kind} {name} sets variables its settings do not read: {unknown}"


def test_the_manifests_values_are_accepted_by_the_settings_and_placeholders_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_keys = {
        "REGISTRATION_PII_HASH_KEY": "k" * 48,
        "REGISTRATION_PII_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    for name, _, container in containers("Deployment"):
        env = pod_env(container)
        for variable, value in env.items():
            monkeypatch.setenv(variable, value)
        if name == "registration":
            with pytest.raises(ValidationError, match="PII"):
                SETTINGS[name]()
            for variable, value in real_keys.items():
                monkeypatch.setenv(variable, value)
        settings = SETTINGS[name]()
        assert settings.kafka.replication_factor == 3
        assert settings.kafka.min_insync_replicas == 2
        assert (settings.auth.jwks_url or "").startswith("https://")
        for variable in env:
            monkeypatch.delenv(variable)


def test_each_database_is_migrated_by_a_job_holding_only_what_its_migrations_read() -> None:
    jobs = dict((name, (pod, container)) for name, pod, container in containers("Job"))
    assert set(jobs) == {f"{name}-migrate" for name in PRODUCING}
    for name in PRODUCING:
        pod, container = jobs[f"{name}-migrate"]
        assert container["command"] == ["python", "-m", f"services.{name}", "migrate"]
        assert pod["restartPolicy"] == "Never"
        assert "envFrom" not in container and "ports" not in container
        assert set(pod_env(container)) == migration_reads(name, auth={"AUTH_ENVIRONMENT", "AUTH_JWKS_URL"})


def test_stateless_services_keep_an_instance_through_disruptions_and_scale_out() -> None:
    partitions = int(data_of("ConfigMap", "jakpreneur-config")["KAFKA_PARTITIONS"])
    for name, deployment in of_kind("Deployment").items():
        budget = of_kind("PodDisruptionBudget")[name]["spec"]
        scaler = of_kind("HorizontalPodAutoscaler")[name]["spec"]
        assert scaler["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert budget["minAvailable"] < scaler["minReplicas"] <= deployment["spec"]["replicas"]
        assert scaler["minReplicas"] < scaler["maxReplicas"]
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    # One consumer group: an instance beyond the partition count would only idle.
    assert of_kind("HorizontalPodAutoscaler")["reporting"]["spec"]["maxReplicas"] <= partitions


def test_pods_run_as_the_images_unprivileged_user_on_a_read_only_root() -> None:
    (uid,) = re.findall(r"^USER (\d+):\d+$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert of_kind("Namespace")["jakpreneur"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == (
        "restricted"
    )
    for kind in ("Deployment", "Job"):
        for name, pod, container in containers(kind):
            assert pod["securityContext"]["runAsNonRoot"] is True, name
            assert pod["securityContext"]["runAsUser"] == int(uid), name
            assert pod["automountServiceAccountToken"] is False, name
            assert container["securityContext"] == {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            }, name


def test_production_kafka_is_replicated_and_tokens_come_from_the_identity_provider() -> None:
    config = data_of("ConfigMap", "jakpreneur-config")
    assert len(config["KAFKA_BOOTSTRAP_SERVERS"].split(",")) == 3
    assert (config["KAFKA_REPLICATION_FACTOR"], config["KAFKA_MIN_INSYNC_REPLICAS"]) == ("3", "2")
    assert config["AUTH_ENVIRONMENT"] == "production" and "AUTH_JWT_SECRET" not in config


def test_secrets_exist_only_as_placeholders_each_service_holding_its_own() -> None:
    secrets = {doc["metadata"]["name"]: doc for doc in documents(EXAMPLE_SECRETS)}
    assert set(secrets) == set(SETTINGS) | {"jakpreneur-limits"}
    for secret in secrets.values():
        for key, value in secret["stringData"].items():
            assert "REPLACE-ME" in value or key == "KAFKA_SASL_USERNAME", key
    referenced = {
        source["secretRef"]["name"]
        for _, _, container in containers("Deployment")
        for source in container["envFrom"]
        if "secretRef" in source
    }
    assert referenced == set(secrets)
    assert not [doc for doc in manifests() if doc["kind"] == "Secret" and doc not in secrets.values()]


def relabel(rules: list[Doc], labels: dict[str, str]) -> dict[str, str] | None:
    """Prometheus's `keep` and `replace` relabelling, as the scrape job uses them (None: target dropped)."""
    labels = dict(labels)
    for rule in rules:
        value = ";".join(labels.get(source, "") for source in rule["source_labels"])
        match = re.fullmatch(rule.get("regex", "(.*)"), value)
        if rule["action"] == "keep" and not match:
            return None
        if rule["action"] == "replace" and match:
            labels[rule["target_label"]] = match.expand(rule.get("replacement", "$1").replace("$", "\\"))
    return labels


def test_prometheus_scrapes_every_server_pod_on_its_metrics_path_and_no_migration() -> None:
    (text,) = data_of("ConfigMap", "prometheus-scrape-jakpreneur").values()
    (job,) = yaml.safe_load(text)["scrape_configs"]
    (discovery,) = job["kubernetes_sd_configs"]
    assert discovery == {"role": "pod", "namespaces": {"names": ["jakpreneur"]}}

    def target(workload: Doc) -> dict[str, str] | None:
        meta = workload["spec"]["template"]["metadata"]
        labels = {"__meta_kubernetes_pod_ip": "10.1.2.3", "__meta_kubernetes_pod_name": "pod-1"}
        for key, value in {**meta.get("annotations", {}), **meta["labels"]}.items():
            kind = "annotation" if key in meta.get("annotations", {}) else "label"
            labels[f"__meta_kubernetes_pod_{kind}_{re.sub(r'[^a-zA-Z0-9_]', '_', key)}"] = value
        return relabel(job["relabel_configs"], labels)

    for name, deployment in of_kind("Deployment").items():
        found = target(deployment)
        assert found is not None, name
        assert found["__address__"] == f"10.1.2.3:{contract_port(name)}"
        assert found["__metrics_path__"] == "/ops/metrics"
        assert found["service"] == name
    assert all(target(job) is None for job in of_kind("Job").values())

"""Resolve the Apache Kafka broker classpath from Maven Central into a user cache (never the repo)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from devstack.process import ServerError, run_checked

log = logging.getLogger(__name__)

# Same broker as docker-compose.yml (apache/kafka:4.1.1), so make up, tests, CI and Compose agree.
# aiokafka 0.14 passes tests/integration/test_kafka_smoke.py against 4.0.0, 4.1.1 and 4.4.0 alike;
# JAKPRENEUR_KAFKA_VERSION overrides. Keep in step with <kafka.version> in devstack/kafka/pom.xml.
KAFKA_VERSION = "4.1.1"
POM = Path(__file__).with_name("kafka") / "pom.xml"
MARKER = ".complete"
LOG4J_GROUP = "org.apache.logging.log4j"
FALLBACK_LOG4J = "2.24.3"  # what the Kafka 4.0 release tarball ships


def cache_root() -> Path:
    override = os.environ.get("JAKPRENEUR_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "jakpreneur"


def kafka_version() -> str:
    return os.environ.get("JAKPRENEUR_KAFKA_VERSION") or KAFKA_VERSION


def kafka_home(version: str | None = None) -> Path:
    return cache_root() / f"kafka-{version or kafka_version()}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    # Parallel test runs / CI jobs share the cache; only one of them downloads.
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _jar_version(libs: Path, artifact: str) -> str | None:
    pattern = re.compile(rf"^{re.escape(artifact)}-(\d[\w.\-]*)\.jar$")
    for jar in libs.iterdir():
        match = pattern.match(jar.name)
        if match:
            return match.group(1)
    return None


def logging_artifacts(libs: Path) -> list[str]:
    """Maven coordinates of the log4j binding (plus log4j itself if absent) for the resolved slf4j-api.

    The POM leaves the binding out (the release tarball adds it); without one the broker logs nothing.
    slf4j 1.x needs log4j-slf4j-impl, slf4j 2.x needs log4j-slf4j2-impl.
    """
    slf4j = _jar_version(libs, "slf4j-api")
    if slf4j is None:
        raise ServerError(f"unexpected Kafka classpath in {libs}: no slf4j-api jar")
    log4j = _jar_version(libs, "log4j-api")
    # Kafka 4.0's POM does not depend on log4j at all; 4.1+ brings log4j-api/core with it.
    extra = (
        [] if log4j else [f"{LOG4J_GROUP}:{name}:{FALLBACK_LOG4J}" for name in ("log4j-api", "log4j-core")]
    )
    artifact = "log4j-slf4j2-impl" if int(slf4j.split(".")[0]) >= 2 else "log4j-slf4j-impl"
    return [*extra, f"{LOG4J_GROUP}:{artifact}:{log4j or FALLBACK_LOG4J}"]


def _mvn(mvn: Path, *args: str) -> None:
    run_checked(
        [str(mvn), "-B", "-q", "-Dstyle.color=never", "-f", str(POM), *args],
        what="maven",
        timeout=900,
    )


def ensure_kafka_libs(version: str | None = None, mvn: Path | None = None) -> Path:
    """Return the directory of broker jars, resolving them first if the cache is not complete."""
    version = version or kafka_version()
    home = kafka_home(version)
    libs = home / "libs"
    if (home / MARKER).is_file():
        return libs
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home / ".lock"):
        if (home / MARKER).is_file():
            return libs
        mvn_path = mvn or (Path(found) if (found := shutil.which("mvn")) else None)
        if mvn_path is None:
            raise ServerError("Maven (mvn) is needed to resolve the Kafka jars")
        log.info("resolving Apache Kafka %s jars into %s", version, libs)
        # A missing marker means an earlier attempt died half way: start from scratch.
        shutil.rmtree(libs, ignore_errors=True)
        out = f"-DoutputDirectory={libs}"
        _mvn(
            mvn_path,
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-Dkafka.version={version}",
            out,
        )
        extras = logging_artifacts(libs)
        for artifact in extras:
            _mvn(mvn_path, "dependency:copy", f"-Dartifact={artifact}", out)
        jars = sorted(jar.name for jar in libs.glob("*.jar"))
        if f"kafka_2.13-{version}.jar" not in jars:
            raise ServerError(f"Maven did not produce kafka_2.13-{version}.jar in {libs}")
        partial = home / f"{MARKER}.tmp"
        partial.write_text(json.dumps({"kafka": version, "logging": extras, "jars": jars}, indent=1))
        partial.replace(home / MARKER)  # atomic: the marker is either absent or complete
        log.info("Kafka %s: %d jars resolved (logging via %s)", version, len(jars), extras[-1])
    return libs

"""Find (and, as root, install) the system programs the local servers need."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from devstack.process import ServerError, is_root, run_checked

log = logging.getLogger(__name__)

MIN_JAVA = 17
PG_ROOT = Path("/usr/lib/postgresql")
PG_REQUIRED = ("initdb", "postgres", "pg_ctl")


@dataclass(frozen=True)
class SystemTools:
    java: Path
    mvn: Path
    redis_server: Path
    redis_cli: Path  # creates the local Redis Cluster (devstack/redis_cluster.py)
    pg_bindir: Path


def find_pg_bindir() -> Path | None:
    """Debian keeps each major version's server binaries in /usr/lib/postgresql/<major>/bin.

    (/usr/bin only has wrapper scripts, and /usr/local/bin may hold unrelated links.)
    """
    override = os.environ.get("JAKPRENEUR_PG_BINDIR")
    if override:
        return Path(override)
    candidates = [
        path / "bin"
        for path in PG_ROOT.glob("*")
        if path.name.isdigit() and all((path / "bin" / exe).is_file() for exe in PG_REQUIRED)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda bindir: int(bindir.parent.name))


def find_redis_server() -> Path | None:
    found = shutil.which("redis-server")
    return None if found is None else Path(found)


def java_major(java: Path) -> int:
    # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' on stderr.
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if match is None:
        return 0
    major = int(match.group(1))
    # Java 8 and older report "1.8".
    return int(match.group(2) or 0) if major == 1 else major


CHROMIUM = Path("/usr/bin/chromium")
DEJAVU_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _which(name: str) -> Path | None:
    found = shutil.which(name)
    return None if found is None else Path(found)


def _missing_apt_packages() -> list[str]:
    missing: list[str] = []
    if find_redis_server() is None:
        missing.append("redis-server")
    if _which("redis-cli") is None:
        missing.append("redis-tools")
    if find_pg_bindir() is None:
        missing.append("postgresql")
    java = _which("java")
    if java is None or java_major(java) < MIN_JAVA:
        missing.append("openjdk-17-jre-headless")
    if _which("mvn") is None:
        missing.append("maven")
    # Test tools: the compose file is validated statically; the dashboard is tested in headless Chromium.
    if _which("docker-compose") is None:
        missing.append("docker-compose")
    if not CHROMIUM.exists():
        missing.append("chromium")
    if not DEJAVU_FONT.exists():
        missing.append("fonts-dejavu-core")  # screenshots render the same on every machine
    return missing


def apt_install(packages: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Wait for a concurrent apt/dpkg run instead of failing on its lock.
    lock_wait = ["-o", "DPkg::Lock::Timeout=600"]
    log.info("installing system packages with apt-get: %s", " ".join(packages))
    run_checked(["apt-get", *lock_wait, "update"], what="apt-get update", env=env, timeout=900)
    run_checked(
        ["apt-get", *lock_wait, "install", "-y", "--no-install-recommends", *packages],
        what="apt-get install",
        env=env,
        timeout=1800,
    )


def ensure_system_packages() -> SystemTools:
    """Return the tools' paths, installing missing Debian packages first when we are root."""
    missing = _missing_apt_packages()
    if missing:
        if not is_root():
            raise ServerError(
                "missing system packages: "
                + " ".join(missing)
                + f"\ninstall them with: sudo apt-get install -y {' '.join(missing)}"
            )
        apt_install(missing)
        still_missing = _missing_apt_packages()
        if still_missing:
            raise ServerError(f"still missing after apt-get install: {' '.join(still_missing)}")
    java, mvn, redis, pg = _which("java"), _which("mvn"), find_redis_server(), find_pg_bindir()
    redis_cli = _which("redis-cli")
    assert java is not None and mvn is not None and redis is not None and pg is not None
    assert redis_cli is not None
    return SystemTools(java=java, mvn=mvn, redis_server=redis, redis_cli=redis_cli, pg_bindir=pg)

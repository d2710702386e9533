"""`python -m devstack up` runs infrastructure and every service (`make up`); `infra` only the servers;
`kafka-cluster` three replicated Kafka nodes; `fetch` only installs packages and pre-warms the Kafka jars."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from pathlib import Path

from devstack import up
from devstack.endpoints import Endpoints
from devstack.infra import InfraPorts, LocalInfra
from devstack.kafka_cluster import KafkaCluster
from devstack.kafka_jars import ensure_kafka_libs, kafka_version
from devstack.packages import ensure_system_packages
from devstack.process import ServerError, install_exit_signal_handlers

log = logging.getLogger("devstack")

DEFAULTS = InfraPorts()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    infra = commands.add_parser("infra", help="run Kafka, Redis and PostgreSQL until Ctrl-C/SIGTERM")
    infra.add_argument("--base-dir", type=Path, default=Path(".run/infra"), help="persistent state dir")
    infra.add_argument("--fresh", action="store_true", help="delete --base-dir first")
    infra.add_argument("--temp", action="store_true", help="use a throw-away temp dir instead of --base-dir")
    infra.add_argument("--free-ports", action="store_true", help="pick free ports instead of the defaults")
    infra.add_argument("--kafka-port", type=int, default=DEFAULTS.kafka)
    infra.add_argument("--kafka-controller-port", type=int, default=DEFAULTS.kafka_controller)
    infra.add_argument("--redis-port", type=int, default=DEFAULTS.redis)
    infra.add_argument("--postgres-port", type=int, default=DEFAULTS.postgres)
    infra.add_argument("--redis-appendonly", action="store_true", help="Redis with an append-only file")
    infra.add_argument("--database", action="append", default=[], help="create this database (repeatable)")
    infra.add_argument("--env-file", type=Path, help="also write the endpoints as KEY=VALUE lines here")

    cluster = commands.add_parser("kafka-cluster", help="three Kafka nodes (RF 3, min ISR 2) until Ctrl-C")
    cluster.add_argument("--base-dir", type=Path, default=Path(".run/kafka-cluster"), help="state dir")

    commands.add_parser("fetch", help="install system packages and resolve the Kafka jars, then exit")
    commands.add_parser("up", help="infrastructure and every service on its contract port, until Ctrl-C")
    return parser


def _run_infra(args: argparse.Namespace) -> int:
    base_dir: Path | None = None if args.temp else args.base_dir
    if base_dir is not None and args.fresh:
        shutil.rmtree(base_dir, ignore_errors=True)
    ports = (
        InfraPorts.free()
        if args.free_ports
        else InfraPorts(args.kafka_port, args.kafka_controller_port, args.redis_port, args.postgres_port)
    )
    install_exit_signal_handlers(force=True)
    infra = LocalInfra(base_dir, ports, redis_appendonly=args.redis_appendonly)
    try:
        infra.start()
        endpoints = Endpoints.of(infra)
        for name in args.database:
            endpoints.create_database(name)
        lines = [f"{key}={value}" for key, value in endpoints.env().items()]
        lines += [f"POSTGRES_URL_{name.upper()}={endpoints.postgres_dsn(name)}" for name in args.database]
        if args.env_file is not None:
            args.env_file.parent.mkdir(parents=True, exist_ok=True)
            args.env_file.write_text("\n".join(lines) + "\n")
        print("\n".join(lines), flush=True)
        print(f"# state in {infra.base_dir}; Ctrl-C to stop", flush=True)
        while True:
            for server in infra.servers():
                if not server.is_running:
                    log.error("%s exited unexpectedly\n%s", server.name, server.log_tail())
                    return 1
            time.sleep(1.0)
    except KeyboardInterrupt:
        return 0
    except SystemExit as exc:  # SIGTERM/SIGHUP, see install_exit_signal_handlers
        return 0 if exc.code in (143, 129) else exc.code if isinstance(exc.code, int) else 1
    except ServerError as exc:
        log.error("%s", exc)
        return 1
    finally:
        log.info("stopping local infrastructure")
        infra.stop()


def _run_cluster(base_dir: Path) -> int:
    """A throw-away cluster on free ports (a node's data is formatted for its controller port)."""
    shutil.rmtree(base_dir, ignore_errors=True)
    install_exit_signal_handlers(force=True)
    cluster = KafkaCluster.on_free_ports(base_dir)  # java from PATH, as `make fetch` installs it
    try:
        cluster.start()
        print("\n".join(f"{key}={value}" for key, value in cluster.client_env().items()), flush=True)
        print(f"# state in {cluster.base_dir}; Ctrl-C to stop", flush=True)
        while all(node.is_running for node in cluster.nodes):
            time.sleep(1.0)
        log.error("a kafka node exited unexpectedly")
        return 1
    except (KeyboardInterrupt, SystemExit):
        return 0
    except ServerError as exc:
        log.error("%s", exc)
        return 1
    finally:
        cluster.stop()


def _run_up() -> int:
    install_exit_signal_handlers(force=True)
    try:
        return up.run()
    except (KeyboardInterrupt, SystemExit):
        return 0
    except ServerError as exc:
        log.error("%s", exc)
        return 1


def _fetch() -> int:
    try:
        ensure_system_packages()
        libs = ensure_kafka_libs()
    except ServerError as exc:
        log.error("%s", exc)
        return 1
    log.info("Kafka %s classpath ready in %s", kafka_version(), libs)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    if args.command == "infra":
        return _run_infra(args)
    if args.command == "up":
        return _run_up()
    if args.command == "kafka-cluster":
        return _run_cluster(args.base_dir)
    return _fetch()


if __name__ == "__main__":
    sys.exit(main())

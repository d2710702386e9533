"""Local infrastructure (Kafka, Redis, PostgreSQL) on loopback, shared by `make up`, the tests and CI."""

from devstack.endpoints import Endpoints
from devstack.infra import InfraPorts, LocalInfra
from devstack.kafka import KafkaServer
from devstack.kafka_jars import KAFKA_VERSION, ensure_kafka_libs
from devstack.packages import ensure_system_packages
from devstack.ports import free_port, free_ports
from devstack.postgres import PostgresServer
from devstack.process import ServerError
from devstack.redis_server import RedisServer

__all__ = [
    "KAFKA_VERSION",
    "Endpoints",
    "InfraPorts",
    "KafkaServer",
    "LocalInfra",
    "PostgresServer",
    "RedisServer",
    "ServerError",
    "ensure_kafka_libs",
    "ensure_system_packages",
    "free_port",
    "free_ports",
]

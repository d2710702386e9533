"""Fixtures of the fault suite: its own Kafka and Redis to break, a fresh stack per scenario, the table.

Scenarios stop, pause and restart Kafka and Redis, so they never use servers someone else runs: when the
session's `infra` points at external servers (JP_TEST_* variables), the suite starts its own Kafka and
Redis on free loopback ports (PostgreSQL is only ever given triggers in the suite's own databases).
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

import pytest

from devstack import Endpoints, InfraPorts, LocalInfra, ServerError
from tests.faults.checker import Verdict, settle
from tests.faults.ledger import Ledger
from tests.faults.report import Row, markdown, update_doc
from tests.integration.stack import Stack, running_stack
from tests.pii_scan import scan_topics

ROWS = pytest.StashKey[list[tuple[int, Row]]]()
# The table lists scenarios in the order of the issues: producers, reporting, infrastructure, delivery,
# then the Kafka cluster and several instances.
ORDER = (
    "test_producer_crash",
    "test_reporting_crash",
    "test_infrastructure_outages",
    "test_delivery",
    "test_kafka_cluster",
)
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.fixture(scope="session")
def fault_infra(infra: Endpoints) -> Iterator[Endpoints]:
    local = infra.local
    if local is not None and local.kafka is not None and local.redis is not None:
        yield infra  # the session started these itself: breaking them harms nobody
        return
    own = LocalInfra(ports=InfraPorts.free(), postgres=False)
    try:
        own.start()  # on the main thread, which outlives the servers
    except ServerError as exc:
        pytest.fail(f"the fault suite's Kafka and Redis did not start:\n{exc}", pytrace=False)
    try:
        yield Endpoints(own.kafka_bootstrap, own.redis_url, infra.postgres_url, local=own)
        leaks = scan_topics(own.kafka_bootstrap)
    finally:
        own.stop()
    assert not leaks, f"personal data in the fault suite's topics: {leaks[:5]}"


@pytest.fixture
def stack(fault_infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Fresh topics, keyspace and databases per scenario; Kafka and Redis healthy again afterwards."""
    with running_stack(fault_infra, tmp_path_factory.mktemp("fault")) as started:
        yield started
    local = fault_infra.local
    assert local is not None
    for server in local.servers():
        server.resume()
        if not server.is_running:
            server.start(120)


@dataclass
class Scenario:
    """What a scenario records for the table: its ledger, its verdict and the evidence the fault happened."""

    name: str
    ledger: Ledger = field(default_factory=Ledger)
    verdict: Verdict | None = None
    evidence: list[str] = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)

    def note(self, text: str) -> None:
        self.evidence.append(text)

    async def check(self, reporting_url: str, timeout_s: float = 60.0) -> Verdict:
        """Wait for reporting to show every acknowledged write; zero lost, zero doubled, or fail."""
        self.verdict = await settle(reporting_url, self.ledger, timeout_s)
        assert self.verdict.exact, self.verdict.explain()
        return self.verdict


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Iterator[Scenario]:
    doc = (request.function.__doc__ or request.node.name).strip().splitlines()[0].rstrip(".")
    callspec = getattr(request.node, "callspec", None)
    run = Scenario(f"{doc} ({callspec.id})" if callspec else doc)
    yield run
    outcome = _outcome(run, request.node.stash.get(REPORTS, {}).get("call"))
    verdict = run.verdict
    row = Row(
        scenario=run.name,
        writes=run.ledger.writes,
        expected=verdict.expected if verdict else run.ledger.total(),
        counted=verdict.counted if verdict else -1,
        lost=verdict.lost if verdict else -1,
        doubled=verdict.doubled if verdict else -1,
        seconds=time.monotonic() - run.began,
        outcome=outcome,
        evidence="; ".join(run.evidence),
    )
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    rank = ORDER.index(module) if module in ORDER else len(ORDER)
    request.config.stash.setdefault(ROWS, []).append((rank, row))


def _outcome(run: Scenario, call: pytest.TestReport | None) -> str:
    """pass, FAIL (the figures were wrong) or ERROR (the scenario broke before its verdict)."""
    verdict = run.verdict
    if call is not None and call.passed and verdict is not None:
        return "pass"
    if verdict is not None and not verdict.exact:
        run.note(verdict.explain())
        return "FAIL"
    if call is not None and call.longrepr is not None:
        crash = getattr(call.longrepr, "reprcrash", None)
        run.note((crash.message if crash is not None else str(call.longrepr)).splitlines()[0][:160])
    return "ERROR"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    ranked: list[tuple[int, Row]] = config.stash.get(ROWS, [])
    rows = [row for _, row in sorted(ranked, key=lambda pair: pair[0])]
    if not rows:
        return
    terminalreporter.write_sep("=", "fault suite")
    terminalreporter.write_line(markdown(rows))
    if os.environ.get("JP_FAULTS_DOC") == "1":
        update_doc(rows)
        terminalreporter.write_line("table written to docs/fault-suite.md")

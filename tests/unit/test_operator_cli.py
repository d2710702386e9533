"""The operator CLI's pure parts: option parsing, metric scraping, choosing dead letters."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from operator_cli.dlq import DeadLetter, select
from operator_cli.main import app
from operator_cli.status import outbox_backlog, parse_services


def letter(partition: int, offset: int, value: bytes | None = b"{}") -> DeadLetter:
    return DeadLetter(partition, offset, "bad", "jp.registration", 0, offset, b"k", value)


def test_services_default_to_the_contract_ports_on_the_host() -> None:
    assert parse_services(None, "10.0.0.5") == {
        "registration": "http://10.0.0.5:8001",
        "training": "http://10.0.0.5:8002",
        "permits": "http://10.0.0.5:8003",
        "reporting": "http://10.0.0.5:8004",
        "mentoring": "http://10.0.0.5:8005",
        "marketing": "http://10.0.0.5:8006",
        "finance": "http://10.0.0.5:8007",
    }


def test_services_option_replaces_the_list_and_accepts_commas_and_repeats() -> None:
    given = ["registration=http://a:1/, reporting=http://b:2", "training=http://c:3"]
    assert parse_services(given, "ignored") == {
        "registration": "http://a:1",
        "reporting": "http://b:2",
        "training": "http://c:3",
    }
    with pytest.raises(typer.BadParameter):
        parse_services(["registration"], "h")


def test_outbox_backlog_sums_the_gauge_and_is_none_when_absent() -> None:
    text = (
        "# HELP outbox_backlog Unpublished outbox rows\n# TYPE outbox_backlog gauge\n"
        'outbox_backlog{topic="a"} 3.0\noutbox_backlog{topic="b"} 4.0\n'
        "# HELP other_total x\n# TYPE other_total counter\nother_total 9.0\n"
    )
    assert outbox_backlog(text) == 7
    assert outbox_backlog("# HELP other_total x\n# TYPE other_total counter\nother_total 9.0\n") is None
    assert outbox_backlog("not prometheus at all {") is None


def test_dead_letters_are_chosen_by_partition_and_offset_or_an_unambiguous_offset() -> None:
    letters = [letter(0, 0), letter(0, 1), letter(1, 0)]
    assert select(letters, ["1:0", "0:1", "1:0"]) == [letters[2], letters[1]]
    assert select(letters, ["1"]) == [letters[1]]
    for ambiguous_or_unknown_or_malformed in ("0", "2:0", "x", "a:1"):
        with pytest.raises(typer.BadParameter):
            select(letters, [ambiguous_or_unknown_or_malformed])


def test_value_preview_is_the_first_80_bytes_with_invisible_bytes_escaped() -> None:
    assert letter(0, 0, b"\x00bad\n\xff" + b"y" * 200).preview() == "\\x00bad\\n\\xff" + "y" * 74
    assert letter(0, 0, None).preview() == "<null>"


def test_replay_needs_exactly_one_of_offset_or_all() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["dlq", "replay"]).exit_code == 2
    assert runner.invoke(app, ["dlq", "replay", "--all", "--offset", "0:1"]).exit_code == 2

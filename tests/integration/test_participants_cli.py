"""`jakpreneur participants find` against a running registration service (issue 13.8): masked by default,
unmasked only with a token registration shows full NIKs to, within the token's area."""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from typer.testing import CliRunner, Result

from devstack.app_server import AppServer
from operator_cli.main import app
from shared.auth import Role
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import ADMIN, bearer

HOME = {"kota_code": "31.74", "kecamatan_code": "31.74.01", "kelurahan_code": "31.74.01.1001"}
AWAY = {"kota_code": "31.71", "kecamatan_code": "31.71.01", "kelurahan_code": "31.71.01.1001"}


@pytest.fixture(scope="module")
def registration(stack: Stack) -> AppServer:
    return stack.registration()


@pytest.fixture(scope="module")
def people(registration: AppServer) -> dict[str, dict[str, Any]]:
    """Two namesakes (a word nobody else has), one in each kota, by where they live."""
    word = f"Zq{uuid4().hex[:6]}"
    found = {}
    with client(registration) as http:
        for where, domicile in (("home", HOME), ("away", AWAY)):
            body = participant(random.Random(), random.randrange(1, 9000), date(2023, 1, 2))
            body |= {"full_name": f"Siti {word} Aminah", "domicile": domicile, "agency": "PPKUKM"}
            response = http.post("/participants", json=body)
            assert response.status_code == 201, response.text
            found[where] = body | {"participant_id": response.json()["participant_id"], "word": word}
    return found


def find(
    registration: AppServer, *args: str, token: dict[str, str] = ADMIN, stdin: str | None = None
) -> Result:
    options = [
        f"--registration-url={registration.url}",
        f"--token={token['Authorization'].removeprefix('Bearer ')}",
    ]
    return CliRunner().invoke(
        app, ["participants", "find", *args, *options], input=stdin, env={"COLUMNS": "200"}
    )


def test_a_nik_finds_the_participant_with_the_nik_masked(
    registration: AppServer, people: dict[str, dict[str, Any]]
) -> None:
    person = people["home"]
    shown = find(registration, f"--nik={person['nik']}")
    assert shown.exit_code == 0, shown.output
    assert person["participant_id"] in shown.output and person["full_name"] in shown.output
    assert f"************{person['nik'][-4:]}" in shown.output and person["nik"] not in shown.output
    from_stdin = find(registration, "--nik", "-", stdin=f"{person['nik']}\n")
    assert from_stdin.exit_code == 0 and person["participant_id"] in from_stdin.output


def test_unmasked_shows_the_full_nik_only_to_a_token_that_may_see_it(
    registration: AppServer, people: dict[str, dict[str, Any]]
) -> None:
    nik = people["home"]["nik"]
    admin = find(registration, f"--nik={nik}", "--unmasked")
    assert admin.exit_code == 0 and nik in admin.output
    registrar = bearer(Role.REGISTRAR, kota=HOME["kota_code"])
    masked = find(registration, f"--nik={nik}", token=registrar)
    assert masked.exit_code == 0 and people["home"]["participant_id"] in masked.output
    refused = find(registration, f"--nik={nik}", "--unmasked", token=registrar)
    assert refused.exit_code == 1 and nik not in refused.output
    assert "may not see full NIKs" in refused.output


def test_a_name_finds_the_namesakes_of_the_tokens_area(
    registration: AppServer, people: dict[str, dict[str, Any]]
) -> None:
    home, away = people["home"]["participant_id"], people["away"]["participant_id"]
    word = people["home"]["word"].lower()
    everyone = find(registration, f"--name=siti {word}")
    assert everyone.exit_code == 0 and home in everyone.output and away in everyone.output
    assert not any(p["nik"] in everyone.output for p in people.values())
    one = find(registration, f"--name={word}", "--limit=1")
    assert one.exit_code == 0 and "more than 1 found" in one.output
    scoped = find(registration, f"--name={word}", token=bearer(Role.REGISTRAR, kota=AWAY["kota_code"]))
    assert scoped.exit_code == 0 and away in scoped.output and home not in scoped.output
    nobody = find(registration, "--name=nobody has this name")
    assert nobody.exit_code == 0 and "nobody found in your area" in nobody.output


def test_a_nik_outside_the_tokens_area_is_not_found(
    registration: AppServer, people: dict[str, dict[str, Any]]
) -> None:
    outside = find(
        registration, f"--nik={people['home']['nik']}", token=bearer(Role.REGISTRAR, kota=AWAY["kota_code"])
    )
    assert outside.exit_code == 1 and "nobody is registered under this NIK in your area" in outside.output
    assert people["home"]["participant_id"] not in outside.output


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        ((), 2, "give exactly one of --nik or --name"),
        (("--nik=3171014509900002", "--name=siti"), 2, "give exactly one of --nik or --name"),
        (("--nik=12345",), 1, "refused (422)"),
        (("--name=si",), 1, "refused (422)"),
    ],
    ids=["neither", "both", "short-nik", "short-name"],
)
def test_a_bad_question_is_refused_readably(
    registration: AppServer, args: tuple[str, ...], code: int, words: str
) -> None:
    result = find(registration, *args)
    assert result.exit_code == code and words in result.output, result.output

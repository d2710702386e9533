"""Token verification, roles and area scope: the rules every service's endpoints rely on."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr, ValidationError

from shared.auth import AuthSettings, Principal, Role, mint, verify
from shared.auth.principal import Forbidden, OutOfScope, Unauthorized
from shared.auth.settings import DEVELOPMENT_SECRET
from tests.factories import profile

DEV = AuthSettings()


def test_a_minted_token_verifies_to_its_principal() -> None:
    token = mint(DEV, subject="officer-1", roles=[Role.REGISTRAR], kota="31.71", agency="PPKUKM")
    principal = verify(DEV, token)
    assert principal == Principal("officer-1", frozenset({Role.REGISTRAR}), kota="31.71", agency="PPKUKM")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (mint(DEV, subject="a", roles=[Role.ADMIN], ttl=timedelta(minutes=-5)), "expired"),
        (mint(AuthSettings(jwt_secret=SecretStr("x" * 40)), subject="a", roles=[Role.ADMIN]), "Signature"),
        (mint(AuthSettings(audience="another-api"), subject="a", roles=[Role.ADMIN]), "Audience"),
        (mint(AuthSettings(issuer="someone-else"), subject="a", roles=[Role.ADMIN]), "issuer"),
        ("not-a-token", "not valid"),
        (mint(DEV, subject="x" * 101, roles=[Role.ADMIN]), "subject"),  # wider than audit trails store
    ],
)
def test_bad_tokens_are_refused_with_401(token: str, message: str) -> None:
    with pytest.raises(Unauthorized, match=message) as refused:
        verify(DEV, token)
    assert refused.value.status_code == 401


def test_an_unsigned_token_is_refused() -> None:
    now = datetime.now(UTC)
    claims = {
        "sub": "a",
        "roles": ["admin"],
        "iss": DEV.issuer,
        "aud": DEV.audience,
        "exp": now + timedelta(1),
    }
    with pytest.raises(Unauthorized):
        verify(DEV, jwt.encode(claims, key="", algorithm="none"))


def test_an_identity_provider_key_replaces_the_shared_secret() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings = AuthSettings(environment="production", jwt_public_key=public_pem.decode())
    now = datetime.now(UTC)
    claims = {
        "sub": "sso-7",
        "roles": ["analyst", "unknown-role"],
        "iss": "jakpreneur",
        "aud": "jakpreneur-api",
    }
    token = jwt.encode({**claims, "exp": now + timedelta(hours=1)}, private, algorithm="ES256")
    assert verify(settings, token).roles == frozenset({Role.ANALYST})
    with pytest.raises(Unauthorized):  # the development secret means nothing once a key is configured
        verify(settings, mint(DEV, subject="a", roles=[Role.ADMIN]))


@pytest.mark.parametrize("secret", [None, DEVELOPMENT_SECRET, "short-secret"])
def test_production_refuses_to_start_with_a_default_missing_or_weak_secret(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="AUTH_JWT_SECRET"):
        AuthSettings(environment="production", jwt_secret=SecretStr(secret) if secret else None)
    AuthSettings(environment="production", jwt_secret=SecretStr("a-long-random-secret-" + "z" * 20))


def test_admin_holds_every_role_and_others_only_their_own() -> None:
    admin = Principal("a", frozenset({Role.ADMIN}))
    trainer = Principal("t", frozenset({Role.TRAINER}))
    for role in Role:
        admin.require(role)
    trainer.require(Role.TRAINER, Role.ANALYST)
    with pytest.raises(Forbidden, match="permit_officer"):
        trainer.require(Role.PERMIT_OFFICER)


def test_an_area_scope_refuses_participants_outside_it() -> None:
    person = profile()  # kota and agency of the shared test profile
    inside = Principal("r", frozenset({Role.REGISTRAR}), kota=person.kota_code)
    other_kota = Principal(
        "r", frozenset({Role.REGISTRAR}), kota="31.75" if person.kota_code != "31.75" else "31.71"
    )
    other_agency = Principal(
        "r", frozenset({Role.REGISTRAR}), agency="SOSIAL" if person.agency != "SOSIAL" else "KPKP"
    )
    inside.check_participant(person)
    Principal("a", frozenset({Role.ADMIN})).check_participant(person)
    assert inside.outside(person.kota_code, person.agency.value) is None
    for outside in (other_kota, other_agency):
        with pytest.raises(OutOfScope) as refused:
            outside.check_participant(person)
        assert refused.value.status_code == 403
        assert "outside your area" in (outside.outside(person.kota_code, person.agency.value) or "")

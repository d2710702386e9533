"""Token verification, roles and area scope: the rules every service's endpoints rely on."""

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm
from pydantic import SecretStr, ValidationError

from services.registration.settings import RegistrationSettings
from shared.auth import Principal, Role
from shared.auth.cookie import session_router
from shared.auth.principal import Forbidden, OutOfScope, Unauthorized
from shared.auth.settings import DEVELOPMENT_SECRET, AuthSettings, development_settings
from shared.auth.tokens import authenticate, expiry, mint, verify
from shared.web.errors import install_error_handlers
from tests.factories import profile

DEV = AuthSettings(environment="development")


def test_a_minted_token_verifies_to_its_principal() -> None:
    token = mint(DEV, subject="officer-1", roles=[Role.REGISTRAR], kota="31.71", agency="PPKUKM")
    principal = verify(DEV, token)
    assert principal == Principal("officer-1", frozenset({Role.REGISTRAR}), kota="31.71", agency="PPKUKM")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (mint(DEV, subject="a", roles=[Role.ADMIN], ttl=timedelta(minutes=-5)), "expired"),
        (
            mint(
                AuthSettings(environment="development", jwt_secret=SecretStr("x" * 40)),
                subject="a",
                roles=[Role.ADMIN],
            ),
            "Signature",
        ),
        (
            mint(
                AuthSettings(environment="development", audience="another-api"),
                subject="a",
                roles=[Role.ADMIN],
            ),
            "Audience",
        ),
        (
            mint(
                AuthSettings(environment="development", issuer="someone-else"),
                subject="a",
                roles=[Role.ADMIN],
            ),
            "issuer",
        ),
        ("not-a-token", "not valid"),
        (mint(DEV, subject="x" * 101, roles=[Role.ADMIN]), "subject"),  # wider than audit trails store
        # Events carry the subject as the account that made a change: never a name or an e-mail address.
        (mint(DEV, subject="Budi Santoso", roles=[Role.ADMIN]), "account id"),
        (mint(DEV, subject="budi@example.org", roles=[Role.ADMIN]), "account id"),
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


def _token(claims: dict[str, object], settings: AuthSettings = DEV) -> str:
    now = datetime.now(UTC)
    base = {"sub": "officer-9", "roles": ["registrar"], "iss": settings.issuer, "aud": settings.audience}
    return jwt.encode(
        {**base, "exp": now + timedelta(hours=1), **claims}, settings.signing_secret, algorithm="HS256"
    )


@pytest.mark.parametrize("value", [["31.71"], "", 31.71, "31.99", "3171", "31.71 ", "31.71.01", None, {}])
def test_a_present_but_malformed_kota_claim_is_a_401_never_no_scope(value: object) -> None:
    with pytest.raises(Unauthorized, match="kota claim must be one kota code") as refused:
        verify(DEV, _token({"kota": value}))
    assert refused.value.status_code == 401


@pytest.mark.parametrize("value", [["PPKUKM"], "", 7, "ppkukm", "DINAS", None, True])
def test_a_present_but_malformed_agency_claim_is_a_401_never_no_scope(value: object) -> None:
    with pytest.raises(Unauthorized, match="agency claim must be one of PPKUKM"):
        verify(DEV, _token({"agency": value}))


def test_known_area_claims_scope_the_caller_and_absent_ones_mean_everywhere() -> None:
    assert verify(DEV, _token({"kota": "31.01", "agency": "SOSIAL"})).area == "kota 31.01, agency SOSIAL"
    assert not verify(DEV, _token({})).scoped


def test_services_run_in_production_unless_development_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTH_ENVIRONMENT", raising=False)
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="AUTH_ENVIRONMENT=development"):
        AuthSettings()  # production, and no key: refuses to start
    assert development_settings() is None  # so the CLI mints nothing
    monkeypatch.setenv("AUTH_JWT_SECRET", DEVELOPMENT_SECRET)
    with pytest.raises(ValidationError, match="public development secret"):
        AuthSettings()
    monkeypatch.setenv("AUTH_JWT_SECRET", "a-long-random-secret-" + "z" * 20)
    assert AuthSettings().environment == "production"
    # The personal data keys follow the same environment: the public ones are refused by default too.
    with pytest.raises(ValidationError, match="REGISTRATION_PII_HASH_KEY"):
        RegistrationSettings()
    monkeypatch.setenv("AUTH_ENVIRONMENT", "development")
    assert (development_settings() or DEV).environment == "development"
    RegistrationSettings()  # development keys, asked for


def test_a_token_expired_inside_the_leeway_still_has_an_expiry() -> None:
    token = mint(DEV, subject="a", roles=[Role.ANALYST], ttl=timedelta(seconds=-5))
    assert verify(DEV, token).subject == "a"  # accepted: within the 30 s of clock skew tolerated
    assert expiry(DEV, token) < datetime.now(UTC)
    app = FastAPI()
    app.state.auth = DEV
    install_error_handlers(app)
    app.include_router(session_router(Role.ANALYST))
    with TestClient(app, raise_server_exceptions=False) as http:
        opened = http.post("/session", json={"token": token})
    assert opened.status_code == 200, opened.text  # was a 500: expiry() decoded without the leeway


class _Jwks:
    """A real HTTP server serving a JWKS that the test changes, as an identity provider rotating keys."""

    def __init__(self) -> None:
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.fetches = 0
        self.gate: threading.Event | None = None  # when set up, a fetch waits for it
        self.waiting = threading.Event()
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                if jwks.gate is not None:
                    jwks.waiting.set()
                    if not jwks.gate.wait(10):
                        self.send_error(503)
                        return
                body = json.dumps({"keys": [jwks.public(kid) for kid in list(jwks.keys)]}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def public(self, kid: str) -> dict[str, object]:
        jwk: dict[str, object] = ECAlgorithm.to_jwk(self.keys[kid].public_key(), as_dict=True)
        return {**jwk, "kid": kid, "alg": "ES256", "use": "sig"}

    def rotate_in(self, kid: str) -> None:
        self.keys[kid] = ec.generate_private_key(ec.SECP256R1())

    def sign(self, kid: str, key: ec.EllipticCurvePrivateKey | None = None, **claims: object) -> str:
        now = datetime.now(UTC)
        body = {"sub": f"sso-{kid}", "roles": ["analyst"], "iss": "jakpreneur", "aud": "jakpreneur-api"}
        return jwt.encode(
            {**body, "exp": now + timedelta(hours=1), **claims},
            key or self.keys[kid],
            algorithm="ES256",
            headers={"kid": kid},
        )


@pytest.fixture
def idp() -> Iterator[_Jwks]:
    jwks = _Jwks()
    jwks.rotate_in("2024-a")
    yield jwks
    jwks.server.shutdown()
    jwks.server.server_close()


async def test_keys_come_from_the_identity_providers_jwks_with_rotation(idp: _Jwks) -> None:
    settings = AuthSettings(environment="production", jwks_url=idp.url, jwks_refetch_cooldown_s=0)
    assert (await authenticate(settings, idp.sign("2024-a"))).subject == "sso-2024-a"
    assert verify(settings, idp.sign("2024-a")).roles == frozenset({Role.ANALYST})
    assert idp.fetches == 1  # the key set is cached, not fetched per token
    idp.rotate_in("2024-b")  # the provider starts signing with a new key, published under a new kid
    assert (await authenticate(settings, idp.sign("2024-b"))).subject == "sso-2024-b"
    assert idp.fetches == 2  # the unknown kid made it refetch once
    with pytest.raises(Unauthorized, match="not valid"):
        await authenticate(settings, idp.sign("2024-z", key=ec.generate_private_key(ec.SECP256R1())))
    forged = idp.sign("2024-a", key=ec.generate_private_key(ec.SECP256R1()))  # a known kid, another key
    with pytest.raises(Unauthorized, match="not valid"):
        await authenticate(settings, forged)
    with pytest.raises(Unauthorized, match="not valid"):  # no shared secret to fall back to
        await authenticate(settings, mint(DEV, subject="a", roles=[Role.ADMIN]))
    with pytest.raises(Unauthorized, match="not valid"):  # HS256 "signed" with the published key
        await authenticate(
            settings, jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256", headers={"kid": "2024-a"})
        )


async def test_a_jwks_fetch_does_not_block_the_event_loop(idp: _Jwks) -> None:
    settings = AuthSettings(environment="production", jwks_url=idp.url)
    idp.gate = threading.Event()
    verifying = asyncio.create_task(authenticate(settings, idp.sign("2024-a")))
    # The fetch waits inside the server until this coroutine opens the gate: were the fetch run on the
    # event loop, this coroutine could not run before the server gave up (503) and the token was refused.
    assert await asyncio.to_thread(idp.waiting.wait, 10)
    idp.gate.set()
    assert (await verifying).subject == "sso-2024-a"


def test_production_accepts_a_jwks_url_in_place_of_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTH_ENVIRONMENT", raising=False)
    monkeypatch.setenv("AUTH_JWKS_URL", "https://sso.example/jwks.json")
    settings = AuthSettings()
    assert settings.environment == "production" and settings.jwks is not None
    assert "HS256" not in settings.algorithms

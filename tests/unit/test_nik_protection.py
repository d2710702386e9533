"""Personal data at rest: keyed NIK digests, encrypted values, and keys production refuses."""

from datetime import date

import pytest
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr, ValidationError

from services.registration.adapters.repository import stored_columns
from services.registration.domain.participant import Domicile, RegisterParticipant, register
from services.registration.settings import RegistrationSettings
from shared.auth.settings import AuthSettings
from shared.contracts.enums import Agency, Gender
from shared.personal_data import InsecurePersonalDataKeys, PersonalDataKeys, personal_data_keys
from shared.personal_data.keys import DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_HASH_KEY

NIK = "3171014509900001"
REAL_HASH_KEY = "a-real-random-hash-key-of-enough-bytes-" + "k" * 10
REAL_FERNET_KEY = Fernet.generate_key().decode()
PRODUCTION = AuthSettings(environment="production", jwt_secret=SecretStr("a-long-random-secret-" + "z" * 20))


def keys(hash_key: str | None, encryption_key: str | None, *, production: bool = False) -> PersonalDataKeys:
    return personal_data_keys(
        production=production,
        hash_key=SecretStr(hash_key) if hash_key else None,
        encryption_key=SecretStr(encryption_key) if encryption_key else None,
        prefix="REGISTRATION_",
    )


DEV = keys(None, None)


def test_a_nik_digest_is_stable_keyed_and_hides_the_nik() -> None:
    digest = DEV.digest(NIK)
    assert digest == DEV.digest(NIK) and len(digest) == 64 and NIK not in digest
    assert digest != DEV.digest("3171014509900002")
    assert keys(REAL_HASH_KEY, None).digest(NIK) != digest  # another key: digests not comparable


def test_encryption_is_randomised_and_only_the_key_reads_it_back() -> None:
    token = DEV.encrypt(NIK)
    assert NIK not in token and DEV.encrypt(NIK) != token  # a fresh IV: equal NIKs look different
    assert DEV.decrypt(token) == NIK
    with pytest.raises(InvalidToken):
        keys(None, REAL_FERNET_KEY).decrypt(token)
    assert DEV.encrypt_optional(None) is None and DEV.decrypt_optional(None) is None


def test_a_stored_participant_row_holds_no_personal_value_in_clear() -> None:
    command = RegisterParticipant(
        nik=NIK,
        full_name="Siti Aminah",
        gender=Gender.F,
        birth_date=date(1990, 9, 5),
        phone="081234567890",
        email="siti@example.id",
        disability=False,
        domicile=Domicile("31.71", "31.71.01", "31.71.01.1001"),
        business=None,
        agency=Agency.PPKUKM,
        registered_on=date(2023, 1, 10),
    )
    p = register(command, date(2024, 6, 30))
    row = stored_columns(DEV, p)
    for personal in (NIK, "Siti Aminah", "081234567890", "siti@example.id"):
        assert all(personal not in str(value) for value in row.values()), personal
    assert row["nik_hmac"] == DEV.digest(NIK) and DEV.decrypt(row["nik_encrypted"]) == NIK
    assert DEV.decrypt(row["full_name_encrypted"]) == "Siti Aminah"


@pytest.mark.parametrize(
    ("hash_key", "encryption_key", "message"),
    [
        (None, None, "required in production"),
        (REAL_HASH_KEY, None, "required in production"),
        (None, REAL_FERNET_KEY, "required in production"),
        (DEVELOPMENT_HASH_KEY, REAL_FERNET_KEY, "public development key"),
        (REAL_HASH_KEY, DEVELOPMENT_ENCRYPTION_KEY, "public development key"),
        ("short-hash-key", REAL_FERNET_KEY, "at least 32 bytes"),
        (REAL_FERNET_KEY, REAL_FERNET_KEY, "must differ"),
        (REAL_HASH_KEY, "not-a-fernet-key", "must be a Fernet key"),
    ],
)
def test_production_refuses_to_start_with_missing_default_or_weak_keys(
    hash_key: str | None, encryption_key: str | None, message: str
) -> None:
    with pytest.raises(InsecurePersonalDataKeys, match=message):
        keys(hash_key, encryption_key, production=True)
    with pytest.raises(ValidationError, match=message):
        RegistrationSettings(
            auth=PRODUCTION,
            pii_hash_key=SecretStr(hash_key) if hash_key else None,
            pii_encryption_key=SecretStr(encryption_key) if encryption_key else None,
        )


def test_production_starts_with_real_keys_and_development_with_none() -> None:
    settings = RegistrationSettings(
        auth=PRODUCTION, pii_hash_key=SecretStr(REAL_HASH_KEY), pii_encryption_key=SecretStr(REAL_FERNET_KEY)
    )
    assert settings.personal_data.decrypt(settings.personal_data.encrypt(NIK)) == NIK
    assert RegistrationSettings().personal_data.digest(NIK) == DEV.digest(NIK)


def test_a_malformed_encryption_key_is_refused_in_development_too() -> None:
    with pytest.raises(InsecurePersonalDataKeys, match="Fernet key"):
        keys(None, "too-short")

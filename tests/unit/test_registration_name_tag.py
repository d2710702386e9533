"""The name tag lists show: the masked NIK (its last 4 digits only) and the name, stored as one text."""

import base64
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet
from pydantic import SecretStr

from services.registration.domain.names import NameTag
from services.registration.settings import PersonalDataSettings
from shared.personal_data import InsecurePersonalDataKeys


@pytest.mark.parametrize("name", ["Siti Aminah", "Nur'aini  binti Abdul-Rahman", "M. Rizki", "Ö"])
def test_a_name_tag_reads_back_as_stored_and_keeps_only_the_last_four_digits(name: str) -> None:
    participant_id = uuid4()
    text = NameTag.text("3171014509900123", name)
    assert text == f"************0123 {name}"
    assert NameTag.of_text(participant_id, text) == NameTag(participant_id, name, "************0123")


def test_the_personal_data_keys_are_read_without_any_token_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTH_ENVIRONMENT", "AUTH_JWT_SECRET", "REGISTRATION_PII_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("REGISTRATION_PII_ENCRYPTION_KEY", raising=False)
    with pytest.raises(InsecurePersonalDataKeys, match="required in production"):
        assert PersonalDataSettings().personal_data  # production unless asked otherwise, as for AUTH_
    monkeypatch.setenv("REGISTRATION_PII_HASH_KEY", "h" * 40)
    monkeypatch.setenv("REGISTRATION_PII_ENCRYPTION_KEY", Fernet.generate_key().decode())
    assert PersonalDataSettings().personal_data.hash_key == b"h" * 40
    monkeypatch.setenv("AUTH_ENVIRONMENT", "development")
    monkeypatch.delenv("REGISTRATION_PII_HASH_KEY")
    assert PersonalDataSettings().environment == "development"
    assert PersonalDataSettings().personal_data.hash_key.startswith(b"jakpreneur-development-only")


def test_a_sealed_name_tag_opens_only_on_its_own_row_and_unaltered() -> None:
    keys = PersonalDataSettings(AUTH_ENVIRONMENT="development").personal_data
    row, other = str(uuid4()), str(uuid4())
    token = keys.seal("************0123 Siti Aminah", row)
    assert keys.unseal(token, row) == "************0123 Siti Aminah"
    assert keys.seal("************0123 Siti Aminah", row) != token  # a fresh nonce every time
    assert "Siti" not in token and "*" not in token
    with pytest.raises(InvalidTag):
        keys.unseal(token, other)  # copied onto another participant's row
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        keys.unseal(base64.urlsafe_b64encode(bytes(raw)).decode(), row)
    another_key = PersonalDataSettings(
        AUTH_ENVIRONMENT="development", pii_encryption_key=SecretStr(Fernet.generate_key().decode())
    ).personal_data
    with pytest.raises(InvalidTag):
        another_key.unseal(token, row)

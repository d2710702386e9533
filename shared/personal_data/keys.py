"""The keys a service holding personal data protects it with, and the production rule for them.

HMAC-SHA256 (stdlib `hmac`) gives a value a stable digest the database can index and compare (one
registration per NIK) without holding the value: unlike a plain hash, nobody without the key can try all
10^16 NIKs against it. Fernet (`cryptography`: AES-CBC with HMAC-SHA256, a fresh IV per value) keeps the
value itself, readable only with the encryption key. A value read in bulk (a list of 500 names) is sealed
instead with AES-256-GCM (`cryptography`'s AEAD, a fresh 96-bit nonce per value) under a key derived from the
encryption key by HKDF-SHA256, and bound to its row: Fernet's ~18 µs of Python a token would be most of
such a read, an AEAD call is ~2 µs. No hand-rolled crypto.

Development runs with well-known keys so `make up` works in one command; with `AUTH_ENVIRONMENT=production`
a service refuses to start with those, with none, or with a hash key too short to resist guessing.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

# Public on purpose: they only ever protect local development data, and production refuses them.
DEVELOPMENT_HASH_KEY = "jakpreneur-development-only-pii-hash-key-do-not-deploy"
DEVELOPMENT_ENCRYPTION_KEY = "amFrcHJlbmV1ci1kZXYtb25seS1mZXJuZXQta2V5ISE="
MIN_HASH_KEY_BYTES = 32
_SEALING_KEY_INFO = b"jakpreneur/personal-data/aes-256-gcm/v1"
_NONCE_BYTES = 12  # GCM's own size; random, so unique per value far beyond this registry's sizes


class InsecurePersonalDataKeys(ValueError):
    """Keys that would leave personal data readable (or its digests guessable) to anyone."""


@dataclass(frozen=True)
class PersonalDataKeys:
    hash_key: bytes
    fernet: Fernet
    sealing: AESGCM

    def digest(self, value: str) -> str:
        """The keyed digest (64 hex characters): equal values, equal digests, so it can be unique-indexed."""
        return hmac.new(self.hash_key, value.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, value: str) -> str:
        return self.fernet.encrypt(value.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.fernet.decrypt(token.encode("ascii")).decode()

    def encrypt_optional(self, value: str | None) -> str | None:
        return None if value is None else self.encrypt(value)

    def decrypt_optional(self, token: str | None) -> str | None:
        return None if token is None else self.decrypt(token)

    def seal(self, value: str, bound_to: str) -> str:
        """AES-256-GCM, authenticated with `bound_to` (the row's id): a token copied onto another row, or
        altered, does not open."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self.sealing.encrypt(nonce, value.encode(), bound_to.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def unseal(self, token: str, bound_to: str) -> str:
        """The sealed value; raises cryptography.exceptions.InvalidTag if it was not sealed so."""
        raw = base64.urlsafe_b64decode(token)
        return self.sealing.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode()).decode()


def personal_data_keys(
    *, production: bool, hash_key: SecretStr | None, encryption_key: SecretStr | None, prefix: str
) -> PersonalDataKeys:
    """The keys from a service's settings (`<prefix>PII_HASH_KEY`, `<prefix>PII_ENCRYPTION_KEY`)."""
    hashing = hash_key.get_secret_value() if hash_key else ""
    encrypting = encryption_key.get_secret_value() if encryption_key else ""
    if production:
        _refuse_in_production(hashing, encrypting, prefix)
    fernet_key = encrypting or DEVELOPMENT_ENCRYPTION_KEY
    try:
        fernet = Fernet(fernet_key)
    except ValueError:
        raise InsecurePersonalDataKeys(
            f"{prefix}PII_ENCRYPTION_KEY must be a Fernet key: 32 random bytes, url-safe base64 "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        ) from None
    return PersonalDataKeys((hashing or DEVELOPMENT_HASH_KEY).encode(), fernet, _sealing(fernet_key))


def _sealing(fernet_key: str) -> AESGCM:
    """A key of its own for AES-GCM, derived from the Fernet key (no second secret to manage)."""
    derive = HKDF(algorithm=SHA256(), length=32, salt=None, info=_SEALING_KEY_INFO)
    return AESGCM(derive.derive(base64.urlsafe_b64decode(fernet_key)))


def _refuse_in_production(hashing: str, encrypting: str, prefix: str) -> None:
    if not hashing or not encrypting:
        raise InsecurePersonalDataKeys(
            f"{prefix}PII_HASH_KEY and {prefix}PII_ENCRYPTION_KEY are required in production"
        )
    if hashing == DEVELOPMENT_HASH_KEY or encrypting == DEVELOPMENT_ENCRYPTION_KEY:
        raise InsecurePersonalDataKeys(f"{prefix}PII_* is a public development key; set a real one")
    if len(hashing.encode()) < MIN_HASH_KEY_BYTES:
        raise InsecurePersonalDataKeys(f"{prefix}PII_HASH_KEY must be at least {MIN_HASH_KEY_BYTES} bytes")
    if hashing == encrypting:
        raise InsecurePersonalDataKeys(f"{prefix}PII_HASH_KEY and {prefix}PII_ENCRYPTION_KEY must differ")

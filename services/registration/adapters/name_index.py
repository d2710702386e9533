"""The blind index of names: keyed digests of their normalised words, so names are found without decrypting.

Names are stored encrypted (a fresh IV each time: equal names, different ciphertexts), so the database cannot
compare them. Beside each name the index keeps an HMAC-SHA256 digest of every normalised word (one row per
word, in `participant_name_words`) and of the whole normalised name (`participants.name_digest`): equal
words, equal digests, so a search is an indexed equality and possible duplicates one join. Nobody without
the key can test a guess against a digest.

The key is derived from the service's PII hash key (HMAC of a fixed label), so no new secret is to be
managed and a digest of a name can never equal a NIK's digest; rotating the hash key means rebuilding
this index (as migration 0005 builds it) besides the NIK digests.
"""

import hashlib
import hmac
from dataclasses import dataclass
from functools import cache

from services.registration.domain.names import name_words, normalised_name
from shared.personal_data import PersonalDataKeys

_LABEL = b"jakpreneur/registration/name-index/v1"


@dataclass(frozen=True)
class NameIndex:
    key: bytes

    def digest(self, text: str) -> str:
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def word_digests(self, name: str) -> set[str]:
        """One per distinct word: what a participant is found by."""
        return {self.digest(word) for word in name_words(name)}

    def name_digest(self, name: str) -> str:
        """The whole normalised name: equal for "SITI AMINAH" and "Sití  Aminah"."""
        return self.digest(normalised_name(name))


@cache
def _derived(hash_key: bytes) -> NameIndex:
    return NameIndex(hmac.new(hash_key, _LABEL, hashlib.sha256).digest())


def name_index(keys: PersonalDataKeys) -> NameIndex:
    return _derived(keys.hash_key)

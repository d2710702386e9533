"""Names as a search compares them: whole words, case- and accent-folded, punctuation stripped.

"SITI AMINAH", "Siti  Aminah" and "Sití Aminah" are the same words: `siti`, `aminah`. NFKD splits an accented
letter into its base and a combining mark (dropped) and turns compatibility forms (full-width letters,
ligatures) into plain ones; `casefold` is the caseless form (`ß` → `ss`). An apostrophe joins ("Nur'aini" →
`nuraini`: spelt either way); any other character that is neither a letter nor a digit (a dot, a hyphen,
a comma) separates words ("Moh.Rizki", "Abdul-Rahman").
"""

import unicodedata
from typing import NamedTuple
from uuid import UUID

from services.registration.domain.nik import mask_nik

MIN_QUERY_CHARS = 3  # PRODUCT.md §4: a name search needs at least 3 characters
MAX_QUERY_WORDS = 8
_JOINERS = frozenset("'`\u2018\u2019\u02bc")  # apostrophes: ASCII, grave, curly left and right, modifier


class NameTag(NamedTuple):
    """What puts a name on a pseudonymous list (POST /participants/resolve): the name and the masked NIK.

    Stored as one sealed text (`text`), so a list of 500 costs 500 fast decryptions rather than 1,000 Fernet
    ones, and the full NIK is never decrypted to be masked.
    """

    participant_id: UUID
    full_name: str
    nik_masked: str

    @staticmethod
    def text(nik: str, full_name: str) -> str:
        """The tag as stored: the masked NIK (no space in it), a space, the name."""
        return f"{mask_nik(nik)} {full_name}"

    @classmethod
    def of_text(cls, participant_id: UUID, text: str) -> "NameTag":
        nik_masked, _, full_name = text.partition(" ")
        return cls(participant_id, full_name, nik_masked)


def name_words(name: str) -> list[str]:
    """The normalised words of a name, in order (a word may repeat)."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c) and c not in _JOINERS
    ).casefold()
    # casefold may leave decomposable characters behind; one more pass makes the form stable.
    folded = unicodedata.normalize("NFKD", folded)
    spaced = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return spaced.split()


def normalised_name(name: str) -> str:
    """The whole name as words joined by one space: what "the same name" means for possible duplicates."""
    return " ".join(name_words(name))


def query_problem(query: str) -> str | None:
    """Why a name search cannot run, or None: it needs a few characters, and not too many words."""
    words = name_words(query)
    if sum(len(w) for w in words) < MIN_QUERY_CHARS:
        return f"q must hold at least {MIN_QUERY_CHARS} letters or digits of a name"
    if len(set(words)) > MAX_QUERY_WORDS:
        return f"q may hold at most {MAX_QUERY_WORDS} words"
    return None

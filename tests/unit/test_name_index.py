"""Names are compared as whole words, case- and accent-folded, through keyed digests (the blind index)."""

import pytest
from pydantic import SecretStr

from services.registration.adapters.name_index import name_index
from services.registration.domain.names import name_words, normalised_name, query_problem
from shared.personal_data import personal_data_keys

KEYS = personal_data_keys(production=False, hash_key=None, encryption_key=None, prefix="REGISTRATION_")
OTHER_KEYS = personal_data_keys(
    production=False,
    hash_key=SecretStr("another-hash-key-of-at-least-32-bytes!!"),
    encryption_key=None,
    prefix="REGISTRATION_",
)


@pytest.mark.parametrize(
    "name",
    [
        "SITI AMINAH",
        "Siti Aminah",
        "Sití Aminah",
        "  siti\taminah ",
        "\uff33\uff49\uff54\uff49 \uff21\uff4d\uff49\uff4e\uff41\uff48",  # full-width
        "SİTİ AMİNAH",
        "Siti, Aminah.",
    ],
)
def test_spellings_of_one_name_have_the_same_words(name: str) -> None:
    assert name_words(name) == ["siti", "aminah"]
    assert normalised_name(name) == "siti aminah"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Nur'aini", ["nuraini"]),  # an apostrophe joins: spelt with or without it, one word
        ("Nur\u2019aini", ["nuraini"]),  # a typographic apostrophe too
        ("Moh.Rizki", ["moh", "rizki"]),  # other punctuation separates
        ("Abdul-Rahman bin Yusuf", ["abdul", "rahman", "bin", "yusuf"]),
        ("Straße", ["strasse"]),  # casefold, not just lower
        ("ﬁrdaus", ["firdaus"]),  # compatibility forms (a ligature) become plain letters
        ("Ñoño Çakir", ["nono", "cakir"]),
        ("!!! ...", []),
    ],
)
def test_words_are_case_and_accent_folded_with_punctuation_stripped(name: str, words: list[str]) -> None:
    assert name_words(name) == words


def test_a_search_needs_three_letters_and_at_most_eight_words() -> None:
    assert query_problem("siti") is None
    assert query_problem("al") is not None
    assert query_problem("a.b") is not None  # 2 letters, whatever the punctuation
    assert query_problem("a b c") is None
    assert query_problem(" ".join(f"w{i}" for i in range(9))) is not None
    assert query_problem(" ".join(["siti"] * 9)) is None  # repeated words count once


def test_digests_are_keyed_equal_for_equal_words_and_hide_the_name() -> None:
    index = name_index(KEYS)
    assert index.word_digests("SITI AMINAH") == index.word_digests("Sití aminah")
    assert index.word_digests("Siti Siti") == {index.digest("siti")}
    assert index.name_digest("Siti  AMINAH") == index.name_digest("siti aminah")
    assert index.name_digest("Aminah Siti") != index.name_digest("Siti Aminah")  # the order is the name's
    digest = index.digest("siti")
    assert len(digest) == 64 and "siti" not in digest
    assert name_index(OTHER_KEYS).digest("siti") != digest  # no key, no way to test a guess
    assert digest != KEYS.digest("siti")  # a derived key: never equal to a NIK-style digest

"""Every word of the reporting API that an exported file names has its name there in both languages.

`exports.words.named` shows a word without a name as itself, so a metric, stage or dimension added to the
API but not to services/reporting/exports/words.py would only show up as a raw key in someone's workbook.
(The dashboard's labels are held to the same words by tests/browser/test_dashboard_labels.py.)
"""

from enum import StrEnum

import pytest

from services.reporting.exports.words import DIMENSIONS, INTERVALS, METRICS, STAGES, Lang, Words
from services.reporting.metrics import Dimension, Interval, Metric, Stage

NAMED: list[tuple[str, dict[str, Words], type[StrEnum]]] = [
    ("METRICS", METRICS, Metric),
    ("STAGES", STAGES, Stage),
    ("INTERVALS", INTERVALS, Interval),
    ("DIMENSIONS", DIMENSIONS, Dimension),
]


@pytest.mark.parametrize(("name", "words", "api"), NAMED, ids=[name for name, _, _ in NAMED])
def test_every_word_the_api_serves_has_an_export_name_in_both_languages(
    name: str, words: dict[str, Words], api: type[StrEnum]
) -> None:
    missing = sorted({word.value for word in api} - set(words))
    assert not missing, f"exports/words.py {name} lacks {missing}"
    unnamed = [f"{key} ({lang})" for key, entry in words.items() for lang in Lang if not entry.get(lang)]
    assert not unnamed, f"exports/words.py {name} lacks names: {unnamed}"


def test_only_dimensions_may_name_more_than_the_api_serves() -> None:
    """Filters name profile fields that are not breakdowns (kelurahan, age band …); the rest match exactly."""
    for name, words, api in NAMED:
        if api is not Dimension:
            assert set(words) == {word.value for word in api}, f"exports/words.py {name} differs from the API"

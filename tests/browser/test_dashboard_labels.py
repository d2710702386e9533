"""Every word the reporting API serves has a dashboard label in both languages (static/labels.js).

The modules run in Chromium as the dashboard loads them, but no server is needed: Playwright answers the
page's requests from services/reporting/static/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route

from services.reporting.api.schemas import PeriodResponse, Summary, Vocational, Withheld
from services.reporting.metrics import Dimension, Interval, Metric, Stage
from shared.contracts.enums import TargetScope
from tests.browser.chromium import chromium

STATIC = Path(__file__).resolve().parents[2] / "services" / "reporting" / "static"
ORIGIN = "http://dashboard.test"
LOAD_LABELS = """async () => {
  const labels = await import("/static/labels.js");
  const { TEXT } = await import("/static/text.js");
  const words = Object.fromEntries(Object.entries(TEXT).map(([lang, text]) => [lang, Object.keys(text)]));
  return { labels: { ...labels }, words };
}"""


def summary_fields() -> set[str]:
    """The summary's figures as the tiles name them ("vocational.trained"), without period or flags."""
    plain = set(Summary.model_fields) - set(PeriodResponse.model_fields) - set(Withheld.model_fields)
    nested = {f"vocational.{name}" for name in set(Vocational.model_fields) - set(Withheld.model_fields)}
    return (plain - {"vocational", "compared"}) | nested


API_WORDS = {
    "METRICS": {metric.value for metric in Metric},
    "TILES": summary_fields(),
    "STAGES": {stage.value for stage in Stage},
    "INTERVALS": {interval.value for interval in Interval},
    "DIMENSIONS": {dimension.value for dimension in Dimension},
    "SCOPES": {scope.value for scope in TargetScope},
}


def serve_static(route: Route) -> None:
    path = urlparse(route.request.url).path
    if path.startswith("/static/"):
        route.fulfill(path=STATIC / path.removeprefix("/static/"), content_type="text/javascript")
    else:
        route.fulfill(body="<!doctype html><title>dashboard modules</title>", content_type="text/html")


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium() as browser:
        context = browser.new_context()
        context.route(f"{ORIGIN}/**", serve_static)
        opened = context.new_page()
        opened.goto(f"{ORIGIN}/")
        yield opened
        context.close()


@pytest.fixture(scope="module")
def loaded(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(LOAD_LABELS)
    return found


@pytest.mark.parametrize("names", sorted(API_WORDS))
def test_every_word_the_api_serves_has_a_dashboard_label_in_both_languages(
    loaded: dict[str, Any], names: str
) -> None:
    labels: dict[str, dict[str, Any]] = loaded["labels"][names]
    assert set(labels) == API_WORDS[names], f"static/labels.js {names} differs from the API"
    languages = set(loaded["words"])
    missing = [
        f"{key} ({lang})"
        for key, entry in labels.items()
        for lang in sorted(languages)
        if not isinstance(entry.get(lang), str) or not entry[lang].strip()
    ]
    assert not missing, f"static/labels.js {names} lacks labels: {missing}"


def test_the_metric_picker_offers_only_labelled_metrics(loaded: dict[str, Any]) -> None:
    picker = loaded["labels"]["PICKER_METRICS"]
    assert picker[0] == "registered" and set(picker) <= API_WORDS["METRICS"]


def test_both_languages_have_the_same_dashboard_words(loaded: dict[str, Any]) -> None:
    words = loaded["words"]
    assert set(words) == {"id", "en"}
    assert set(words["id"]) == set(words["en"]), set(words["id"]) ^ set(words["en"])


def test_a_missing_label_shows_its_key_and_a_console_error(page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    shown = page.evaluate(
        """async () => {
      const { label } = await import("/static/i18n.js");
      const { METRICS } = await import("/static/labels.js");
      return [label(METRICS, "registered"), label(METRICS, "a_new_metric")];
    }"""
    )
    assert shown == ["Peserta terdaftar", "a_new_metric"]
    assert any('"a_new_metric"' in error and "labels.js" in error for error in errors), errors

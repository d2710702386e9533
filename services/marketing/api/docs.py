"""Example ids and the refusals the marketing routes document (see shared.web.refusals)."""

from typing import Any

from shared.corrections.api import already_voided, concurrent_change
from shared.web.refusals import Refusal
from shared.web.refusals import refusals as shared_refusals

PRODUCT_ID = "5b7c1e2a-4d3f-4a6b-9c8d-1e2f3a4b5c6d"
PARTICIPANT_ID = "0b9e4c1d-3f7a-4e2b-8c6d-5a1f2e3d4c5b"
CURATION_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
LISTING_ID = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
EXHIBITION_ID = "7e6d5c4b-3a29-4187-a6f5-e4d3c2b1a098"
SHOWCASE_ID = "d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a"

VALIDATION = Refusal(422, "validation_error", "criteria.0.score: Input should be less than or equal to 100")
DATE_RULE = Refusal(
    422, "rule_violation", "shown_on 2023-05-01 is before the product was registered on 2023-06-01"
)
NO_PRODUCT = Refusal(404, "not_found", f"product {PRODUCT_ID} not found", (("product_id", PRODUCT_ID),))
NO_EXHIBITION = Refusal(
    404, "not_found", f"exhibition {EXHIBITION_ID} not found", (("exhibition_id", EXHIBITION_ID),)
)
NO_SHOWCASE = Refusal(404, "not_found", f"showcase {SHOWCASE_ID} not found", (("showcase_id", SHOWCASE_ID),))
ALREADY_VOIDED = already_voided(f"showcase {SHOWCASE_ID}", showcase_id=SHOWCASE_ID)
CONCURRENT_CHANGE = concurrent_change(f"showcase {SHOWCASE_ID}", "2023-08-02", showcase_id=SHOWCASE_ID)


def refusals(*cases: Refusal) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: its own refusals, and the validation error every route can answer."""
    return shared_refusals(*cases, VALIDATION)

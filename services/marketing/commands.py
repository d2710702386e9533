"""What the marketing service is asked to do: one command per change, as the API (or any caller) states it.

Dates left out default in the handler (today, Asia/Jakarta; a showcase: the exhibition's running day). The
domain's rules take these commands whole, so they are defined beside those rules and gathered here, the one
place the API and the handlers import them from. Corrections and voids are the shared `CorrectDate` and
`VoidFact` (the officer comes from the token).
"""

from services.marketing.domain.exhibition import ScheduleExhibition, ShowcaseProduct
from services.marketing.domain.product import Criterion, CurateProduct, ListProduct, RegisterProduct
from shared.corrections.lifecycle import CorrectDate, VoidFact

__all__ = [
    "CorrectDate",
    "Criterion",
    "CurateProduct",
    "ListProduct",
    "RegisterProduct",
    "ScheduleExhibition",
    "ShowcaseProduct",
    "VoidFact",
]

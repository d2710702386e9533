"""What the finance service is asked to do: one command per change, as the API (or any caller) states it.

Dates left out default to today (Asia/Jakarta) in the handler. The domain's rules take these commands whole,
so they are defined beside those rules and gathered here, the one place the API and the handlers import them
from. Corrections and voids are the shared `CorrectDate` and `VoidFact` (the officer comes from the token).
"""

from services.finance.domain.financing import (
    ApplyForFinancing,
    ApproveFinancing,
    DisburseFinancing,
    RejectFinancing,
)
from services.finance.domain.report import SubmitReport
from shared.corrections.lifecycle import CorrectDate, VoidFact

__all__ = [
    "ApplyForFinancing",
    "ApproveFinancing",
    "CorrectDate",
    "DisburseFinancing",
    "RejectFinancing",
    "SubmitReport",
    "VoidFact",
]

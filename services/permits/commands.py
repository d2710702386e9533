"""What the permits service is asked to do: one command per change, as the API (or any caller) states it.

Applying, issuing and rejecting are stated in the domain's own terms (`domain.permit`): the rules that make
and decide a permit take them, and the domain imports nothing above it. Correcting and voiding an issue are
every stage's commands (`shared.corrections`), naming the permit by its id. Dates left out default to today
(Asia/Jakarta); `by` is the officer's account, from the token.
"""

from services.permits.domain.permit import ApplyForPermit, IssuePermit, RejectPermit
from shared.corrections.lifecycle import CorrectDate, VoidFact

__all__ = ["ApplyForPermit", "CorrectDate", "IssuePermit", "RejectPermit", "VoidFact"]

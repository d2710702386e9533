"""What the mentoring service is asked to do: one command per change, as the API (or any caller) states it.

Assigning a mentor and holding a session are stated in the domain's own terms (`domain.mentor`,
`domain.session`): the rules that make a mentor or a session take them, and the domain imports nothing above
it. Correcting and voiding a session are every stage's commands (`shared.corrections`), naming the session
by its id. Dates left out default to today (Asia/Jakarta); `by` is the officer's account, from the token.
"""

from services.mentoring.domain.mentor import AssignMentor
from services.mentoring.domain.session import HoldSession
from shared.corrections.lifecycle import CorrectDate, VoidFact

__all__ = ["AssignMentor", "CorrectDate", "HoldSession", "VoidFact"]

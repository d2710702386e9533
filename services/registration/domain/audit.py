"""Who read or changed whose personal data (UU 27/2022): one entry per participant and request.

One row per participant, even for a page of 500, so "who saw this person" is one indexed lookup on
`participant_id`; a row per request holding a list of ids would need a scan of every list ever served.
A page costs one multi-row INSERT, which the driver sends as a batch.

Lookups by NIK (a 409, a batch row, a dry run, `POST /participants/lookup`) and refused attempts outside the
caller's area are recorded too: the entry names the participant the NIK or the attempt was about, even
one the caller was not told of (only admins read the trail), and `outcome` says what the caller was told.
An edit (PATCH) records its reason and the fields it changed, with before and after values for the
pseudonymous ones only.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class Action(StrEnum):
    READ = "read"  # GET /participants/{id}, or their name put on a list (POST /participants/resolve)
    LIST = "list"  # on a page of GET /participants (a name search too) or of possible duplicates
    REGISTER = "register"  # POST /participants created them
    IMPORT = "import"  # a batch created them
    UPDATE = "update"  # a batch restated them, or PATCH changed them (the reason in `detail`)
    LOOKUP = (
        "lookup"  # their NIK was looked up: a 409, a batch row (dry run, skip), POST /participants/lookup
    )
    ERASE = "erase"  # an admin erased their personal data (the reason in `detail`)
    DISMISS = "dismiss"  # an officer dismissed them as a possible duplicate of another (`detail`)


class Outcome(StrEnum):
    DONE = "done"  # the action happened
    FOUND = "found"  # a NIK lookup matched a participant in the caller's area, who was named
    TAKEN = "taken"  # a NIK lookup matched a participant outside the caller's area: told only "taken"
    NOT_FOUND = "not_found"  # a NIK lookup matched nobody (no participant in the entry)
    REFUSED = "refused"  # outside the caller's area: refused, or answered as if unknown


Value = str | bool | None


@dataclass(frozen=True)
class FieldChange:
    """One field an edit changed. A personal field (domain.upkeep.PERSONAL_FIELDS) is named without values:
    the trail is append-only and outlives an erasure, so it never holds a NIK, name, phone, e-mail or birth
    date."""

    field: str
    before: Value
    after: Value


@dataclass(frozen=True)
class AuditEntry:
    entry_id: int
    recorded_at: datetime
    subject: str
    action: Action
    participant_id: UUID | None
    correlation_id: str | None
    outcome: Outcome
    detail: str | None
    changes: tuple[FieldChange, ...] | None = None  # what an edit changed (PATCH)

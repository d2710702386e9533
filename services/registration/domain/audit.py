"""Who read or changed whose personal data (UU 27/2022): one entry per participant and request.

One row per participant, even for a page of 500, so "who saw this person" is one indexed lookup on
`participant_id`; a row per request holding a list of ids would need a scan of every list ever served.
A page costs one multi-row INSERT, which the driver sends as a batch.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class Action(StrEnum):
    READ = "read"  # GET /participants/{id}
    LIST = "list"  # the participant was on a page of GET /participants
    REGISTER = "register"  # POST /participants created them
    IMPORT = "import"  # a batch created them
    UPDATE = "update"  # a batch restated them


@dataclass(frozen=True)
class AuditEntry:
    entry_id: int
    recorded_at: datetime
    subject: str
    action: Action
    participant_id: UUID
    correlation_id: str | None

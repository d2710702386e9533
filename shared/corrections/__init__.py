"""Correcting and voiding recorded facts, for every service that owns stage facts.

The lifecycle is written once (`lifecycle`: read → the fact's own rules → conditional write → refuse a lost
race → log and event) against a small protocol each stage's facts implement; `errors` holds the one set of
refusals. The owning service checks its own rules for the new date; this package supplies the request bodies
and the officer making the change (`api`: from their token, never the body), the correction log table and
the one way to record a correction: log row and event in the same transaction (`log`), and the use cases
that run the lifecycle in a transaction (`use_cases`).

Only pure names are exported here: importing the package must not pull FastAPI or SQLAlchemy into the
domain, so the API, log and use-case parts are imported from their modules by the layers that use them.
"""

from shared.corrections.errors import AlreadyVoided, ConcurrentChange
from shared.corrections.lifecycle import Correctable, CorrectDate, Voided, VoidFact

__all__ = ["AlreadyVoided", "ConcurrentChange", "CorrectDate", "Correctable", "VoidFact", "Voided"]

"""Correcting and voiding recorded facts, for every service that owns stage facts.

The owning service checks its own rules for the new date; this package supplies the request bodies and the
officer making the change (`api`: from their token, never the body), the correction log table and the one
way to record a correction: log row and event in the same transaction (`log`).

Only the pure refusal is exported here: importing the package must not pull FastAPI or SQLAlchemy into the
domain, so the API and log parts are imported from their modules by the layers that use them.
"""

from shared.corrections.errors import AlreadyVoided

__all__ = ["AlreadyVoided"]

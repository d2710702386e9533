"""Correcting and voiding recorded facts, for every service that owns stage facts.

The owning service checks its own rules for the new date; this package supplies the request bodies, the
officer making the change (from their token, never the body), the correction log table, and the one way to
record a correction: log row and event in the same transaction.
"""

from shared.corrections.api import CorrectionIn, Officer, VoidIn
from shared.corrections.log import AlreadyVoided, correction_log_table, record_correction, record_void

__all__ = [
    "AlreadyVoided",
    "CorrectionIn",
    "Officer",
    "VoidIn",
    "correction_log_table",
    "record_correction",
    "record_void",
]

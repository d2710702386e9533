"""Use cases of the finance service: each one transaction, state and events together; queries through the
read-only view.

Every status change of an application is a conditional update on the status it was read with, so of
concurrent requests on one application exactly one succeeds and the others get 409; a participant's one
live report per period is kept by a unique index (`Taken`). Corrections and voids of reports and
disbursements run the shared lifecycle (shared.corrections.lifecycle); finance has always logged and
published a correction to the date a fact already has (`log_same_date`).
"""

"""Use cases of the mentoring service: each one transaction, state and events together, or one read-only
view for a query; typed against `MentoringStorage` only.

No change here locks a participant: a session's rules span the session, its mentor and the participant's
profile, none of which a concurrent request changes; the correction lifecycle's conditional write refuses a
session changed since it was read.
"""

"""Use cases of the permits service: each one transaction, state and events together, or one read-only
view for a query; typed against `PermitsStorage` only.

No change here locks a participant: a decision is a conditional write on the permit still being applied,
a correction or void one on the issue still standing as read, and the uniqueness of a number and of a
participant's NIB is the database's.
"""

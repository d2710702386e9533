"""Use cases of the training service: each one transaction, state and events together.

Placing, and correcting or voiding a completion or a placement, first lock the participant
(`Participants.lock`): "a placement follows a vocational completion" spans rows that concurrent requests
could otherwise change between one request's read and its write. Enrolling, withdrawing and recording
completions lock the class instead: capacity counts its enrolments, and a withdrawal must not race a
completion of the same enrolment (the one-live-completion index refuses a duplicate completion).
"""

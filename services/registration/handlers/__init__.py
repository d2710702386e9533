"""Use cases of the registration service, by use case: each one transaction, state, event and audit entry
together (registering, reading, upkeep, duplicates).

Every use case acts for a caller and keeps to the caller's area (PRODUCT.md §2 Area scope): a participant
outside it is answered like an unknown one (404), a NIK registered outside it is only "taken", and a
request about another kota or agency is refused (403 `out_of_scope`). The audit trail records each
participant whose personal data was shown or changed, each NIK lookup, and each refused attempt; a
refusal's own transaction is rolled back, so it is recorded in a transaction of its own.
"""

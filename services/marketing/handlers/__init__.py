"""Use cases of the marketing service: each one transaction, state and events together; queries through
the read-only view.

Rules concurrent requests could break are settled by the database: a curation is stored on condition that
the product's level is what was read, a listing and a showcase by unique indexes (`Taken`), corrections and
voids of a showcase on condition that it is unchanged (shared.corrections.lifecycle).
"""

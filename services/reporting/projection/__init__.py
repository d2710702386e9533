"""Reporting's projection: events → facts (facts.py) → subject states and counter changes (earliest.py), for a
batch of records (batch.py). Pure: no Redis, Kafka or web framework (tests/unit/test_projection.py holds it
to that). Where the results are kept, and how they are written atomically with the offsets, is store/'s.
"""

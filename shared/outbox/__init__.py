"""Transactional outbox: a state change and its event commit together; a relay publishes afterwards."""

from shared.outbox.relay import OutboxRelay
from shared.outbox.table import outbox_table
from shared.outbox.writer import add_to_outbox

__all__ = ["OutboxRelay", "add_to_outbox", "outbox_table"]

"""What stage services know of participants: only what registration events told them."""

"""What a refused correction raises: free of SQL and HTTP, so the domain can raise it."""

from shared.errors import Conflict


class AlreadyVoided(Conflict):
    code = "already_voided"

"""Domain errors with a stable machine code; the web layer maps them to HTTP status codes."""


class DomainError(Exception):
    """A rule of the programme was broken; `code` is the machine-readable reason clients switch on."""

    status_code = 422
    code = "invalid"

    def __init__(self, detail: str, **context: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = context


class RuleViolation(DomainError):
    status_code = 422
    code = "rule_violation"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Unavailable(DomainError):
    """A server this request needs is down; the client may retry."""

    status_code = 503
    code = "unavailable"

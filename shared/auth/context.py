"""The verified caller of the current request, for the one check every service must never forget.

Area scope is enforced where a service looks a participant up (`shared.participants.directory.profile_of`),
so no endpoint can act on a participant outside the caller's kota or agency by omission.
"""

from contextvars import ContextVar

from shared.auth.principal import Principal

_current: ContextVar[Principal | None] = ContextVar("principal", default=None)


def set_current_principal(principal: Principal) -> None:
    _current.set(principal)


def current_principal() -> Principal | None:
    """None outside a request (e.g. a background follower), where no caller's scope applies."""
    return _current.get()

"""A correlation id per request, made by the server and carried into events, the audit trail and logs.

The id is always the server's own (a UUID): a client's X-Correlation-ID could otherwise make its requests
look like someone else's, or put anything into audit rows and logs. A client's value is kept beside it as
`client_correlation_id` (logged), if it is a short plain token; anything else is dropped.
"""

import re
from contextvars import ContextVar
from uuid import uuid4

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-correlation-id"
CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_client: ContextVar[str | None] = ContextVar("client_correlation_id", default=None)


def current_correlation_id() -> str | None:
    return _current.get()


def current_client_correlation_id() -> str | None:
    """The id the client sent with this request, when it sent a usable one."""
    return _client.get()


def client_correlation_id(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    value = raw.decode("latin-1")
    return value if CLIENT_ID.fullmatch(value) else None


class CorrelationIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = str(uuid4())
        token = _current.set(correlation_id)
        client_token = _client.set(client_correlation_id(dict(scope["headers"]).get(HEADER.encode())))

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((HEADER.encode(), correlation_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            _client.reset(client_token)
            _current.reset(token)

"""The identity provider's signing keys from its JWKS URL, with rotation, through PyJWT's `PyJWKClient`.

`PyJWKClient` picks the key by the token's `kid`, caches the key set, and refetches it once when a `kid`
is unknown (a rotated key) — at most once per cooldown, so tokens with made-up `kid`s cannot make every
request a fetch. It fetches with blocking urllib: on the event loop, a key already in the cache is used
as is and only a fetch runs in a worker thread (`signing_key`).
"""

import asyncio

import jwt
from jwt import PyJWK, PyJWKClient


class UnknownKey(Exception):
    """No key of the identity provider verifies this token (or its key set could not be fetched)."""


class JwksKeys:
    def __init__(self, url: str, cache_s: float, refetch_cooldown_s: float) -> None:
        self._client = PyJWKClient(
            url, cache_jwk_set=True, lifespan=cache_s, timeout=5, cooldown_duration=refetch_cooldown_s
        )

    def cached(self, kid: str) -> PyJWK | None:
        """The key with this `kid` from the cached key set, without any network call."""
        cache = self._client.jwk_set_cache
        jwk_set = cache.get() if cache is not None else None
        if jwk_set is None:
            return None
        return next((key for key in jwk_set.keys if key.key_id == kid), None)

    def fetch(self, kid: str) -> PyJWK:
        """The key with this `kid`, fetching the key set when needed (blocking)."""
        try:
            return self._client.get_signing_key(kid)
        except jwt.PyJWKClientError as exc:
            raise UnknownKey(str(exc)) from None

    async def signing_key(self, kid: str) -> PyJWK:
        found = self.cached(kid)
        return found if found is not None else await asyncio.to_thread(self.fetch, kid)


def key_id(token: str) -> str:
    """The `kid` of a token's (not yet verified) header; a token without one cannot be matched to a key."""
    kid = jwt.get_unverified_header(token).get("kid")
    if not isinstance(kid, str) or not kid:
        raise UnknownKey("the token names no key (`kid`)")
    return kid

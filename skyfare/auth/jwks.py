"""The identity provider's signing keys: fetched from its JWKS URL, cached, refetched on need.

A key set is fetched lazily (the app starts while the IdP is down), kept for `max_age_s`, and
fetched again when a token names an unknown `kid` (the IdP rotated its keys). Every fetch is
single-flight and at most one per `refetch_interval_s`, so a flood of tokens with made-up key
ids costs the IdP one request per interval, not one per token. When a refresh fails the cached
keys stay in use ("fail static"); only a key we never had makes the IdP's outage the caller's.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import jwt
import msgspec

from kernel.logs import describe
from skyfare.auth.verify import ALGORITHMS_BY_KEY_TYPE, VerificationKey

logger = logging.getLogger(__name__)

MAX_JWKS_BYTES = 256 * 1024  # a JWKS is a few keys; anything larger is not one


class UnknownKey(Exception):
    """The issuer's current key set has no key with this `kid`."""


class KeysUnavailable(Exception):
    """The key set could not be fetched and no cached key has this `kid`."""


class _JwkSet(msgspec.Struct):
    keys: list[dict[str, Any]]


_jwk_set = msgspec.json.Decoder(_JwkSet)


def parse_jwks(document: bytes) -> dict[str, VerificationKey]:
    """The signature keys of a JWKS document by `kid`; ValueError if it is not a JWKS.

    Keys we cannot use are skipped, not fatal: encryption keys, symmetric (`oct`) keys, unknown
    types or curves, keys without a `kid`.
    """
    try:
        jwk_set = _jwk_set.decode(document)
    except msgspec.DecodeError as exc:
        raise ValueError(f"not a JWKS document: {exc}") from exc
    keys: dict[str, VerificationKey] = {}
    for jwk in jwk_set.keys:
        key = _verification_key(jwk)
        if key is not None:
            keys[key.kid] = key
    return keys


def _verification_key(jwk: dict[str, Any]) -> VerificationKey | None:
    kid, kty, use = jwk.get("kid"), jwk.get("kty"), jwk.get("use", "sig")
    if not isinstance(kid, str) or not kid or use != "sig" or kty not in ALGORITHMS_BY_KEY_TYPE:
        return None
    fitting = ALGORITHMS_BY_KEY_TYPE[kty]
    alg = jwk.get("alg")
    if alg is not None and alg not in fitting:
        return None
    try:
        parsed = jwt.PyJWK(jwk)  # infers the algorithm from kty/crv when `alg` is absent
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
        logger.warning("jwks: skipping key %s that does not parse", kid)
        return None
    # An explicit `alg` pins the key to it; otherwise EC/OKP keys fit one algorithm (their curve's)
    # and RSA keys any RSA algorithm.
    algorithms = frozenset({alg}) if alg else _implied_algorithms(kty, parsed.algorithm_name)
    return VerificationKey(kid=kid, algorithms=algorithms, key=parsed.key)


def _implied_algorithms(kty: str, inferred: str) -> frozenset[str]:
    return ALGORITHMS_BY_KEY_TYPE["RSA"] if kty == "RSA" else frozenset({inferred})


class JwksKeySet:
    """The keys of one JWKS URL, with its own HTTP session and a per-fetch timeout."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 2.0,
        max_age_s: float = 300.0,
        refetch_interval_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._max_age_s = max_age_s
        self._refetch_interval_s = refetch_interval_s
        self._clock = clock
        self._keys: dict[str, VerificationKey] = {}
        # Moves each time a fetch brings a document unlike the last (a key added or retired).
        self.generation = 0
        self._document: bytes | None = None
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._last_failed = False
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    async def key(self, kid: str) -> VerificationKey:
        """The key named `kid`; `UnknownKey` if the issuer does not publish it, `KeysUnavailable`
        if the issuer cannot be asked and no cached key has that id."""
        if kid not in self._keys or self._is_stale():
            await self._refresh()
        key = self._keys.get(kid)
        if key is not None:
            return key
        if self._last_failed:
            raise KeysUnavailable(self.url)
        raise UnknownKey(kid)

    @property
    def fresh(self) -> bool:
        """Whether the keys are younger than `max_age_s` (`key` would not refetch them)."""
        return not self._is_stale()

    async def close(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age_s

    def _cooling_down(self) -> bool:
        last = self._last_attempt
        return last is not None and self._clock() - last < self._refetch_interval_s

    async def _refresh(self) -> None:
        # Under the lock even to decide: a request that arrives while a fetch is in flight
        # waits for its result instead of judging the kid against the keys of before.
        async with self._lock:
            if self._cooling_down():
                return
            self._last_attempt = self._clock()
            try:
                document = await self._fetch()
                keys = parse_jwks(document)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                self._last_failed = True
                logger.warning("jwks: fetching %s failed: %s", self.url, describe(exc))
                return
            self._keys, self._fetched_at, self._last_failed = keys, self._clock(), False
            if document != self._document:
                self._document = document
                self.generation += 1
            logger.info("jwks: %d signing key(s) from %s", len(keys), self.url)

    async def _fetch(self) -> bytes:
        if self._closed:
            raise ValueError("the key set is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        async with self._session.get(self.url, headers={"Accept": "application/json"}) as resp:
            if resp.status != 200:
                raise ValueError(f"answered HTTP {resp.status}")
            body = bytearray()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_JWKS_BYTES:
                    raise ValueError(f"document larger than {MAX_JWKS_BYTES} bytes")
            return bytes(body)

"""Real JWTs on a simulated clock.

The article's Express server signs two tokens with jsonwebtoken::

    const accessToken = jwt.sign({ username }, SECRET_KEY, { expiresIn: '15m' });
    const refreshToken = jwt.sign({ username }, REFRESH_SECRET_KEY, { expiresIn: '7d' });

We do the same with PyJWT: HS256, a different key for each kind, and the
claims ``sub``, ``typ`` (``access`` or ``refresh``), ``iat``, ``exp`` and
``jti``. Time is the simulation's: ``iat`` is ``SIM_EPOCH`` plus the
simulated seconds (floored to whole seconds, as jsonwebtoken does) and
``exp = iat + ttl``.

Checking is split the way a simulation needs it:

- PyJWT checks what does not depend on time: the signature, and that the
  algorithm is the one we pinned (so ``alg: none`` and tampered tokens fail).
- Our code checks ``exp`` against the simulated clock of whoever checks,
  with a leeway: a token is expired once ``now >= exp + leeway``, the rule
  jsonwebtoken and PyJWT both use.

A server sees the same token string thousands of times, so the signature
check is remembered per exact string (a bounded cache, oldest out first).
Any change to the string is a different key and is checked afresh.

A client that refreshes *before* expiry needs to know when its token dies.
It reads ``exp`` and ``iat`` without checking the signature, as
``jwt-decode`` does in a browser (``unverified``), and its own clock then
decides: that is where clock skew comes in (``client/clock.py``).
"""

from __future__ import annotations

import math
import random
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

import jwt

# 2025-03-13 00:00:00 UTC, the day the article was posted: simulated t = 0.
SIM_EPOCH = 1_741_824_000
ALGORITHM = "HS256"
# Demo keys, 32+ bytes as RFC 7518 asks for HS256. One per token kind, so a
# refresh token can never pass as an access token (and the reverse).
ACCESS_KEY = "silent-refresh-lab access-token signing key"
REFRESH_KEY = "silent-refresh-lab refresh-token signing key"
_KEYS = {"access": ACCESS_KEY, "refresh": REFRESH_KEY}
_REQUIRED_CLAIMS = ["sub", "typ", "iat", "exp", "jti"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of checking a token at one moment."""

    ok: bool
    reason: str  # "valid", "missing", "invalid", "wrong_type" or "expired"
    claims: dict | None = None


class TokenIssuer:
    """Signs access and refresh tokens; ``jti`` values are a counter so runs repeat exactly.

    ``access_ttl_spread_s`` > 0 gives each access token a lifetime drawn
    uniformly from the whole seconds in [ttl, ttl + spread] (Microsoft Entra's
    60-90 min) from ``rng``, so logins made together stop expiring together.
    """

    def __init__(
        self, access_ttl_s: int, refresh_ttl_s: int, access_ttl_spread_s: int = 0, rng: random.Random | None = None
    ):
        self.ttl_s = {"access": int(access_ttl_s), "refresh": int(refresh_ttl_s)}
        self.access_ttl_spread_s = int(access_ttl_spread_s)
        self.rng = rng if rng is not None else random.Random(0)
        self._issued = 0

    def lifetime_s(self, kind: str) -> int:
        """The lifetime of the next token of ``kind``."""
        if kind == "access" and self.access_ttl_spread_s:
            return self.ttl_s["access"] + self.rng.randint(0, self.access_ttl_spread_s)
        return self.ttl_s[kind]

    def issue(self, kind: str, subject: str, now_s: float) -> str:
        self._issued += 1
        iat = math.floor(SIM_EPOCH + now_s)
        claims = {
            "sub": subject,
            "typ": kind,
            "iat": iat,
            "exp": iat + self.lifetime_s(kind),
            "jti": f"{kind[0]}{self._issued}",
        }
        token = jwt.encode(claims, _KEYS[kind], algorithm=ALGORITHM)
        _remember(token, Unverified(claims["jti"], iat, claims["exp"]))  # no need to decode it again to read these
        return token


class Unverified(NamedTuple):
    """What anyone can read in a token without its key, as ``jwt-decode`` does: not to be trusted."""

    jti: str
    iat: int | None
    exp: int | None


# token -> its unverified claims: the issuer writes each token's in, the oldest go first.
_READ: OrderedDict[str, Unverified] = OrderedDict()
_READ_KEPT = 65_536
_UNREADABLE = Unverified("?", None, None)


def _remember(token: str, read: Unverified) -> None:
    _READ[token] = read
    if len(_READ) > _READ_KEPT:
        _READ.popitem(last=False)


def unverified(token: str) -> Unverified:
    """The token's ``jti``, ``iat`` and ``exp``, read without checking anything."""
    read = _READ.get(token)
    if read is None:  # not one we issued lately: decode it
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
            read = Unverified(str(claims.get("jti", "")), claims.get("iat"), claims.get("exp"))
        except jwt.InvalidTokenError:
            read = _UNREADABLE
        _remember(token, read)
    return read


def token_id(token: str | None) -> str:
    """The token's ``jti`` (unchecked), or "" for no token; for records only."""
    return unverified(token).jti if token else ""


class TokenVerifier:
    """Checks one kind of token the way the article's middleware does.

    ``check(token, now_s)`` returns a ``Verdict``. The signature check is
    cached per exact token string; expiry is decided on every call.
    ``accepts(token, now_s)`` is ``check(...).ok`` for the hot path: it
    looks up one number per good token, the moment it stops being valid.
    """

    def __init__(self, kind: str, leeway_s: float = 0.0, cache_size: int = 32_768):
        self.kind = kind
        self.leeway_s = leeway_s
        self._key = _KEYS[kind]
        self._cache: OrderedDict[str, Verdict] = OrderedDict()
        self._cache_size = cache_size
        self._expires: dict[str, float] = {}  # good tokens: exp + leeway, the epoch second they die

    def accepts(self, token: str | None, now_s: float) -> bool:
        """Whether ``check(token, now_s).ok``, with one dict lookup for a token seen before."""
        expires = self._expires.get(token)
        if expires is None:
            return self.check(token, now_s).ok
        return SIM_EPOCH + now_s < expires

    def check(self, token: str | None, now_s: float) -> Verdict:
        if not token:
            return _MISSING
        verdict = self._cache.get(token)
        if verdict is None:
            verdict = self._verify_signature(token)
            self._cache[token] = verdict
            if verdict.ok:
                self._expires[token] = verdict.claims["exp"] + self.leeway_s
            if len(self._cache) > self._cache_size:
                oldest, _ = self._cache.popitem(last=False)
                self._expires.pop(oldest, None)
        if verdict.ok and SIM_EPOCH + now_s >= verdict.claims["exp"] + self.leeway_s:
            return Verdict(False, "expired", verdict.claims)
        return verdict

    def _verify_signature(self, token: str) -> Verdict:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],  # pinned: "none" and others are refused
                options={"verify_exp": False, "verify_iat": False, "require": _REQUIRED_CLAIMS},
            )
        except jwt.InvalidTokenError:
            return _INVALID
        if claims["typ"] != self.kind:
            return Verdict(False, "wrong_type", claims)
        return Verdict(True, "valid", claims)


_MISSING = Verdict(False, "missing")
_INVALID = Verdict(False, "invalid")

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
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

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
    """Signs access and refresh tokens; ``jti`` values are a counter so runs repeat exactly."""

    def __init__(self, access_ttl_s: int, refresh_ttl_s: int):
        self.ttl_s = {"access": int(access_ttl_s), "refresh": int(refresh_ttl_s)}
        self._issued = 0

    def issue(self, kind: str, subject: str, now_s: float) -> str:
        self._issued += 1
        iat = math.floor(SIM_EPOCH + now_s)
        claims = {
            "sub": subject,
            "typ": kind,
            "iat": iat,
            "exp": iat + self.ttl_s[kind],
            "jti": f"{kind[0]}{self._issued}",
        }
        token = jwt.encode(claims, _KEYS[kind], algorithm=ALGORITHM)
        _remember_id(token, claims["jti"])  # records name it: no need to decode it again for that
        return token


# token -> jti, for records: the issuer writes each token's in, the oldest go first.
_IDS: OrderedDict[str, str] = OrderedDict()
_IDS_KEPT = 65_536


def _remember_id(token: str, jti: str) -> None:
    _IDS[token] = jti
    if len(_IDS) > _IDS_KEPT:
        _IDS.popitem(last=False)


def token_id(token: str | None) -> str:
    """The token's ``jti`` (unchecked), or "" for no token; for records only."""
    if not token:
        return ""
    jti = _IDS.get(token)
    if jti is None:  # not one we issued lately: read it
        try:
            jti = jwt.decode(token, options={"verify_signature": False}).get("jti", "")
        except jwt.InvalidTokenError:
            jti = "?"
        _remember_id(token, jti)
    return jti


class TokenVerifier:
    """Checks one kind of token the way the article's middleware does.

    ``check(token, now_s)`` returns a ``Verdict``. The signature check is
    cached per exact token string; expiry is decided on every call.
    ``accepts(token, now_s)`` is ``check(...).ok`` for the hot path: it
    looks up one number per good token, the moment it stops being valid.
    """

    def __init__(self, kind: str, leeway_s: float = 0.0, cache_size: int = 4096):
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

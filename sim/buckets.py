"""Token buckets: a rate with a burst, written ``PER_S[:BURST]``.

Two things in the lab are token buckets: the auth server's rate limit (a
refresh that finds the bucket empty is answered 429) and a browser's retry
budget (a retry that finds it empty is not made). ``TokenBucket`` is the
setting, ``Bucket`` the running bucket of one run.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from .fields import ConfigError

BUCKET_TEXT = "must be PER_S[:BURST], numbers > 0 (BURST >= 1; default: one second's worth)"


class TokenBucket(NamedTuple):
    """``per_s`` tokens a second, at most ``burst`` kept."""

    per_s: float
    burst: float


def numbers(name: str, value: Any, text: str, count: int, allowed: str) -> list[float]:
    """The first ``count`` numbers of ``A:B:...``, or a ``ConfigError``."""
    parts = text.split(":")
    try:
        found = [float(part) for part in parts[:count]]
    except ValueError:
        raise ConfigError(name, value, allowed) from None
    if len(found) < count or any(not math.isfinite(n) for n in found):
        raise ConfigError(name, value, allowed)
    return found


def parse_bucket(name: str, value: Any) -> TokenBucket | None:
    """``PER_S[:BURST]`` as a ``TokenBucket`` (``None`` stays ``None``: no bucket)."""
    if value is None or isinstance(value, TokenBucket):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 2:  # a bucket read back from a saved scenario
        value = f"{value[0]!r}:{value[1]!r}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = repr(float(value))
    if not isinstance(value, str) or len(value.split(":")) > 2:
        raise ConfigError(name, value, BUCKET_TEXT)
    found = numbers(name, value, value, len(value.split(":")), BUCKET_TEXT)
    per_s = found[0]
    burst = found[1] if len(found) == 2 else max(1.0, per_s)
    if not (0 < per_s <= 1e6 and 1 <= burst <= 1e9):
        raise ConfigError(name, value, BUCKET_TEXT)
    return TokenBucket(per_s, burst)


class Bucket:
    """A running token bucket, full at the start: ``take(now)`` is ``0.0`` if a token was there,
    else the seconds until the next one."""

    def __init__(self, setting: TokenBucket):
        self.per_s, self.burst = setting.per_s, setting.burst
        self.tokens, self.updated_s = setting.burst, 0.0

    def take(self, now_s: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now_s - self.updated_s) * self.per_s)
        self.updated_s = now_s
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_s

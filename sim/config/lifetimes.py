"""How long tokens live, as the article's server sets them."""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import MAX_SECONDS, check_seconds, setting, whole, whole_seconds


@dataclass(frozen=True)
class TokenPolicy:
    """Token lifetimes, as the article's server sets them (15 min and 7 days).

    JWT ``exp`` is a whole number of seconds, so lifetimes are too.
    ``leeway_s`` is the clock tolerance the checker allows past ``exp``
    (0, as jsonwebtoken's default). ``access_ttl_spread_s`` randomises
    each access token's lifetime on the server, as Microsoft Entra does
    (60-90 min: ``access_ttl_s = 3600``, ``access_ttl_spread_s = 1800``).
    """

    access_ttl_s: int = setting(15 * 60, "access-token lifetime, whole s")
    refresh_ttl_s: int = setting(7 * 24 * 3600, "refresh-token lifetime, whole s")
    leeway_s: float = setting(0.0, "clock tolerance past exp, s")
    access_ttl_spread_s: int = setting(
        0, "each access token lives access_ttl + a whole number of s drawn uniformly from 0 to this (Entra: 1800)"
    )

    def __post_init__(self) -> None:
        whole_seconds(self, "access_ttl_s")
        whole_seconds(self, "refresh_ttl_s")
        check_seconds("leeway_s", self.leeway_s)
        whole(self, "access_ttl_spread_s", 0, "a whole number of seconds", maximum=int(MAX_SECONDS))

"""How long tokens live, as the article's server sets them."""

from __future__ import annotations

from dataclasses import dataclass

from .fields import check_seconds, check_whole, setting


@dataclass(frozen=True)
class TokenPolicy:
    """Token lifetimes, as the article's server sets them (15 min and 7 days).

    JWT ``exp`` is a whole number of seconds, so lifetimes are too.
    ``leeway_s`` is the clock tolerance the checker allows past ``exp``
    (0, as jsonwebtoken's default).
    """

    access_ttl_s: int = setting(15 * 60, "access-token lifetime, whole s (default 900)")
    refresh_ttl_s: int = setting(7 * 24 * 3600, "refresh-token lifetime, whole s (default 604800)")
    leeway_s: float = setting(0.0, "clock tolerance past exp, s (default 0)")

    def __post_init__(self) -> None:
        check_whole("access_ttl_s", self.access_ttl_s, 1, "a whole number of seconds")
        check_whole("refresh_ttl_s", self.refresh_ttl_s, 1, "a whole number of seconds")
        check_seconds("leeway_s", self.leeway_s)

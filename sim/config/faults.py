"""Answers no refresh can fix.

Some APIs answer a permission failure with 401 where RFC 6750 says 403
``insufficient_scope``. To the client's interceptor it looks like an
expired token: it refreshes and retries, gets 401 again, and does so until
its loop guard (``max_retries``) stops it. ``unfixable_401_rate`` is the
share of requests aimed at such a resource: every call they make with a
good token is answered 401.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import check_number, setting


@dataclass(frozen=True)
class Faults:
    """What the servers get wrong, on purpose."""

    unfixable_401_rate: float = setting(
        0.0, "share of requests the API answers 401 whatever the token (a permission failure sent as 401), 0 to 1"
    )

    def __post_init__(self) -> None:
        check_number("unfixable_401_rate", self.unfixable_401_rate, 0, 1)

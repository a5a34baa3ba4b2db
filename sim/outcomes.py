"""What a call came to, and how a request ended: named, never 0, -1 or ``None``.

A call's ``Status`` is what the client saw of it: an HTTP status the server
sent (200, 401, 429, 503), ``NO_ANSWER`` (it left, and nothing usable came
back: the client's timeout, a connection reset, an answer lost on the way),
or one of the two fates of a call that never left the browser: ``WITHDRAWN``
(its timeout fired while it waited for a connection) and ``NOT_SENT`` (its
turn came after the user was logged out). Records keep the number (a call
record's ``status`` column holds only what a server sent, or 0).

A request ends one way (``Ending``): ``ok`` is the only success;
``unauthorized`` is a 401 past its last retry; ``logged_out`` means its
login ended first; ``failed`` is a call with no answer in time, or a
refresh whose tries ran out while the session was kept.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Status(IntEnum):
    """What the client saw of one call."""

    OK = 200
    UNAUTHORIZED = 401
    TOO_MANY_REQUESTS = 429
    UNAVAILABLE = 503
    NO_ANSWER = 0  # it left; no answer came in time (timeout, reset, lost)
    NOT_SENT = -1  # its turn in the browser's line came after the user was logged out
    WITHDRAWN = -2  # the client's timeout fired while it still waited in the browser's line

    @property
    def left(self) -> bool:
        """Whether the call left the browser (a server may have seen it)."""
        return self not in (Status.NOT_SENT, Status.WITHDRAWN)

    @property
    def verdict(self) -> bool:
        """Whether the server decided (200 or 401), so there is nothing to try again."""
        return self in (Status.OK, Status.UNAUTHORIZED)


def left(status: int) -> bool:
    """``Status.left`` for a status that may be a plain number from a server (200, 401)."""
    return status not in (Status.NOT_SENT, Status.WITHDRAWN)


class Ending(StrEnum):
    """How a request ended."""

    OK = "ok"
    UNAUTHORIZED = "unauthorized"
    LOGGED_OUT = "logged_out"
    FAILED = "failed"


ENDINGS = tuple(Ending)

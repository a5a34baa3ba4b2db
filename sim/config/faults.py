"""What goes wrong: an auth server that is down, slow or rate-limited, answers that are lost, and
answers no refresh can fix.

Auth-server faults are scheduled windows of simulated time, as many as you
like, each written ``START:END`` (seconds) plus what happens in it:

- an **outage** (``START:END[:MODE]``): ``503`` answers every refresh at
  once with 503 Service Unavailable; ``silent`` accepts the connection and
  never answers, until the window ends and the connections are reset (the
  client sees a network error then, or gives up sooner at its timeout);
- a **brownout** (``START:END:FACTOR``): every refresh a worker starts in
  the window takes ``FACTOR`` times its usual service time;
- a **rate limit** (``PER_S[:BURST]``, the whole run): a token bucket of
  ``BURST`` tokens (default: one second's worth) refilled at ``PER_S``; a
  refresh that finds it empty gets 429 with ``Retry-After`` (whole seconds
  until the next token).

``refresh_loss`` is the share of refresh answers lost on the way back: the
server did the refresh (and rotated the token, if it rotates), the client
sees a network error. Faults apply to ``/refresh-token``; logins always
succeed.

Each auth-server fault is a class that holds its parameters and says what
it does to a refresh call (the hooks of ``AuthFault``): ``refusal(now_s)`` as
the call arrives (turn it away, or hold it and then reset it),
``slowdown(now_s)`` when a worker starts on it, ``loses()`` once it is
answered. ``Faults.auth_faults()`` gives a run its faults, fresh (a rate
limit's bucket starts full); the auth server asks them in that order
(``sim.servers.fault_schedule``). A new kind of fault is a class here, a
field of ``Faults`` that sets it (its flag comes from the field), and its
line in ``auth_faults``.

``unfixable_401_rate``: some APIs answer a permission failure with 401
where RFC 6750 says 403 ``insufficient_scope``. To the client's
interceptor it looks like an expired token: it refreshes and retries, gets
401 again, and does so until its loop guard (``max_retries``) stops it.
That share of requests asks for such a resource: every call they make with
a good token is answered 401.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from ..buckets import Bucket, TokenBucket, numbers, parse_bucket
from ..fields import MAX_SECONDS, ConfigError, check_number, setting
from ..outcomes import Status

OUTAGE_MODES = ("503", "silent")


class Refusal(NamedTuple):
    """A refresh call turned away as it arrives: with ``status`` at once, or held until ``hold_until_s``."""

    status: Status
    outcome: str
    retry_after_s: float = 0.0
    hold_until_s: float | None = None  # a silent outage: no answer until then, then the connection is reset


class AuthFault(Protocol):
    """What a fault of the auth server may do to a refresh call; a fault has any of these hooks."""

    def refusal(self, now_s: float) -> Refusal | None: ...  # the call arrives

    def slowdown(self, now_s: float) -> float: ...  # a worker starts on it: its service time times this

    def loses(self) -> bool: ...  # it was answered: the answer is lost on the way back


class Outage(NamedTuple):
    """The auth server is down from ``start_s`` to ``end_s``: ``503`` answers at once, ``silent`` never."""

    start_s: float
    end_s: float
    mode: str = "503"

    def refusal(self, now_s: float) -> Refusal | None:
        if not self.start_s <= now_s < self.end_s:
            return None
        if self.mode == "silent":  # held, then the connection is reset
            return Refusal(Status.NO_ANSWER, "reset", hold_until_s=self.end_s)
        return Refusal(Status.UNAVAILABLE, "outage")


class Brownout(NamedTuple):
    """Refreshes a worker starts from ``start_s`` to ``end_s`` take ``factor`` times as long."""

    start_s: float
    end_s: float
    factor: float

    def slowdown(self, now_s: float) -> float:
        return self.factor if self.start_s <= now_s < self.end_s else 1.0


class RateLimit:
    """A token bucket of refreshes: a call that finds it empty gets 429 with ``Retry-After`` (whole s)."""

    def __init__(self, setting: TokenBucket):
        self.bucket = Bucket(setting)  # one per run, full at the start

    def refusal(self, now_s: float) -> Refusal | None:
        wait_s = self.bucket.take(now_s)
        if wait_s:
            return Refusal(Status.TOO_MANY_REQUESTS, "rate_limited", float(max(1, math.ceil(wait_s))))
        return None


class AnswerLoss:
    """A share of refresh answers lost on the way back: the refresh was done, the client sees nothing."""

    def __init__(self, share: float, rng: random.Random):
        self.share, self.rng = share, rng

    def loses(self) -> bool:
        return self.rng.random() < self.share


def window(name: str, value: Any, allowed: str) -> tuple[float, float, list[str]]:
    """``START:END[:...]`` -> (start, end, the rest), checked: 0 <= START < END <= MAX_SECONDS."""
    if not isinstance(value, str):
        raise ConfigError(name, value, allowed)
    start, end = numbers(name, value, value, 2, allowed)
    if not 0 <= start < end <= MAX_SECONDS:
        raise ConfigError(name, value, allowed)
    return start, end, value.split(":")[2:]


OUTAGE_TEXT = "must be START:END[:MODE], seconds with 0 <= START < END <= 1e+09, MODE 503 (the default) or silent"
BROWNOUT_TEXT = "must be START:END:FACTOR, seconds with 0 <= START < END <= 1e+09, FACTOR a number from 1 to 1000"


def _joined(value: Any) -> Any:
    """A window read back from saved provenance (a list, or the NamedTuple) as the text it came from."""
    if isinstance(value, (list, tuple)):
        return ":".join(repr(v) if isinstance(v, float) else str(v) for v in value)
    return value


def parse_outage(value: Any) -> Outage:
    value = _joined(value)
    start, end, rest = window("auth_outages", value, OUTAGE_TEXT)
    if len(rest) > 1 or (rest and rest[0] not in OUTAGE_MODES):
        raise ConfigError("auth_outages", value, OUTAGE_TEXT)
    return Outage(start, end, rest[0] if rest else "503")


def parse_brownout(value: Any) -> Brownout:
    value = _joined(value)
    start, end, rest = window("auth_brownouts", value, BROWNOUT_TEXT)
    if len(rest) != 1:
        raise ConfigError("auth_brownouts", value, BROWNOUT_TEXT)
    try:
        factor = float(rest[0])
    except ValueError:
        raise ConfigError("auth_brownouts", value, BROWNOUT_TEXT) from None
    if not 1 <= factor <= 1000:
        raise ConfigError("auth_brownouts", value, BROWNOUT_TEXT)
    return Brownout(start, end, factor)


def _listed(value: Any) -> list:
    """A flag given once or repeated, a TOML string or list: always a list."""
    if value is None:
        return []
    if isinstance(value, (str, Outage, Brownout)):
        return [value]
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (str, list, tuple)):
        return [value]  # one window as a list of numbers
    return list(value)


@dataclass(frozen=True)
class Faults:
    """What the servers and the network get wrong, on purpose."""

    unfixable_401_rate: float = setting(
        0.0, "share of requests the API answers 401 whatever the token (a permission failure sent as 401), 0 to 1"
    )
    auth_outages: tuple = setting(
        (),
        "the auth server is down from START to END s: MODE 503 answers at once, silent never answers (repeatable)",
        flag="--auth-outage",
        metavar="START:END[:MODE]",
        repeat=True,
        default_text="none",
    )
    auth_brownouts: tuple = setting(
        (),
        "the auth server's refreshes take FACTOR times as long from START to END s (repeatable)",
        flag="--auth-brownout",
        metavar="START:END:FACTOR",
        repeat=True,
        default_text="none",
    )
    auth_rate_limit: TokenBucket | None = setting(
        None,
        "a token bucket of refreshes at the auth server: PER_S a second, BURST at most; over it, 429 with Retry-After",
        metavar="PER_S[:BURST]",
        default_text="no limit",
    )
    refresh_loss: float = setting(0.0, "share of refresh answers lost on the way back (the refresh was done), 0 to 1")
    custom: tuple = setting(
        (), "faults of your own: callables that make one AuthFault per run (a class, say)", cli=False
    )

    def __post_init__(self) -> None:
        check_number("unfixable_401_rate", self.unfixable_401_rate, 0, 1)
        for name, allowed in (("auth_outages", OUTAGE_TEXT), ("auth_brownouts", BROWNOUT_TEXT)):
            value = getattr(self, name)
            if not isinstance(value, (str, list, tuple, Outage, Brownout)):  # a bare number, a boolean
                raise ConfigError(name, value, f"{allowed} (a list of them, or one)")
        object.__setattr__(self, "auth_outages", tuple(parse_outage(v) for v in _listed(self.auth_outages)))
        object.__setattr__(self, "auth_brownouts", tuple(parse_brownout(v) for v in _listed(self.auth_brownouts)))
        object.__setattr__(self, "auth_rate_limit", parse_bucket("auth_rate_limit", self.auth_rate_limit))
        check_number("refresh_loss", self.refresh_loss, 0, 1)
        if not isinstance(self.custom, tuple) or not all(callable(make) for make in self.custom):
            raise ConfigError("custom", self.custom, "must be a tuple of callables that each make an AuthFault")

    def auth_faults(self, rng: random.Random) -> list[AuthFault]:
        """This run's auth-server faults, in the order the server asks them (``rng``: lost answers)."""
        rate_limit = [RateLimit(self.auth_rate_limit)] if self.auth_rate_limit else []
        loss = [AnswerLoss(self.refresh_loss, rng)] if self.refresh_loss else []
        return [*self.auth_outages, *self.auth_brownouts, *rate_limit, *loss, *(make() for make in self.custom)]

    @property
    def windows(self) -> list[tuple[float, float]]:
        """Every fault window, (start, end), in order of start."""
        return sorted((w.start_s, w.end_s) for w in (*self.auth_outages, *self.auth_brownouts))

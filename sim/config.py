"""What a run is made of: validated, frozen value objects, one per concern.

A scenario is the article's system with numbers filled in: how long tokens
live (``TokenPolicy``), how far away and how fast the servers are
(``Latencies``), how many requests each server works on at once
(``Capacities``), who sends requests and when (``Workload``), and how the
client reacts to a 401 (``strategy``).

Every field carries its unit in its name (``access_ttl_s`` is seconds) and is
checked when the object is made, so a bad value fails at once with a message
that names the field, the value and what is allowed::

    >>> TokenPolicy(access_ttl_s=-5)
    Traceback (most recent call last):
    ...
    sim.config.ConfigError: access_ttl_s = -5: must be a whole number of seconds >= 1

Sweeps copy a scenario with one thing changed: ``scenario.with_(access_ttl_s=60)``
(a thin wrapper over ``dataclasses.replace`` that finds the right part).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

STRATEGY_NAMES = ("naive", "locked", "queued")
WORKLOAD_KINDS = ("burst", "steady", "trace")
SERVICE_DISTRIBUTIONS = ("fixed", "exponential")


class ConfigError(ValueError):
    """A configuration value that is not allowed.

    ``str(error)`` is the one line a user sees: field, value, what is allowed.
    """

    def __init__(self, field_name: str, value: Any, allowed: str):
        self.field = field_name
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field_name} = {value!r}: {allowed}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_seconds(name: str, value: Any, *, positive: bool = False) -> None:
    if not _is_number(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ConfigError(name, value, f"must be a number of seconds {bound}")


def _check_whole(name: str, value: Any, minimum: int, what: str = "a whole number") -> None:
    if not _is_number(value) or value != int(value) or value < minimum:
        raise ConfigError(name, value, f"must be {what} >= {minimum}")


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(name, value, f"must be one of {', '.join(choices)}")


@dataclass(frozen=True)
class TokenPolicy:
    """Token lifetimes, as the article's server sets them (15 min and 7 days).

    JWT ``exp`` is a whole number of seconds, so lifetimes are too.
    ``leeway_s`` is the clock tolerance the checker allows past ``exp``
    (0, as jsonwebtoken's default).
    """

    access_ttl_s: int = 15 * 60
    refresh_ttl_s: int = 7 * 24 * 3600
    leeway_s: float = 0.0

    def __post_init__(self) -> None:
        _check_whole("access_ttl_s", self.access_ttl_s, 1, "a whole number of seconds")
        _check_whole("refresh_ttl_s", self.refresh_ttl_s, 1, "a whole number of seconds")
        _check_seconds("leeway_s", self.leeway_s)


@dataclass(frozen=True)
class Latencies:
    """Network and service times, in seconds.

    ``rtt_s`` is the round trip between the client and either server (half
    each way). ``api_401_service_s`` is how long the API's auth middleware
    takes to reject a bad token, which is much less than real work.
    With ``service_distribution = "exponential"`` the two service times are
    means of exponential draws; with ``"fixed"`` they are exact.
    """

    rtt_s: float = 0.08
    api_service_s: float = 0.05
    api_401_service_s: float = 0.002
    auth_service_s: float = 0.03
    service_distribution: str = "fixed"

    def __post_init__(self) -> None:
        _check_seconds("rtt_s", self.rtt_s)
        _check_seconds("api_service_s", self.api_service_s)
        _check_seconds("api_401_service_s", self.api_401_service_s)
        _check_seconds("auth_service_s", self.auth_service_s)
        _check_choice("service_distribution", self.service_distribution, SERVICE_DISTRIBUTIONS)


@dataclass(frozen=True)
class Capacities:
    """How many calls each server works on at once; 0 means unbounded."""

    api_capacity: int = 0
    auth_capacity: int = 0

    def __post_init__(self) -> None:
        _check_whole("api_capacity", self.api_capacity, 0, "a whole number of workers (0 = unbounded)")
        _check_whole("auth_capacity", self.auth_capacity, 0, "a whole number of workers (0 = unbounded)")


@dataclass(frozen=True)
class Workload:
    """Who sends requests, and when.

    - ``burst``: ``users`` sessions log in at 0; at ``at_s`` (default: one
      second after the first access token expires) each fires
      ``concurrency`` requests at once. The article's warning case.
    - ``steady``: ``users`` sessions log in spread uniformly over the first
      access lifetime (all at 0 if ``synchronized``); each loads pages as a
      Poisson process of ``page_rate_per_s``, every page sending
      ``concurrency`` requests in parallel, until ``duration_s``.
    - ``trace``: requests replayed from a CSV file ``arrivals`` with
      columns ``time_s,user``; each user logs in at its first arrival.
    """

    kind: str = "burst"
    users: int = 1
    concurrency: int = 5
    at_s: float | None = None
    page_rate_per_s: float = 0.05
    duration_s: float = 3600.0
    synchronized: bool = False
    arrivals: str | None = None

    def __post_init__(self) -> None:
        _check_choice("kind", self.kind, WORKLOAD_KINDS)
        _check_whole("users", self.users, 1)
        _check_whole("concurrency", self.concurrency, 1)
        if self.at_s is not None:
            _check_seconds("at_s", self.at_s)
        _check_seconds("page_rate_per_s", self.page_rate_per_s, positive=True)
        _check_seconds("duration_s", self.duration_s, positive=True)
        if not isinstance(self.synchronized, bool):
            raise ConfigError("synchronized", self.synchronized, "must be true or false")
        if self.kind == "trace" and not self.arrivals:
            raise ConfigError("arrivals", self.arrivals, "the trace workload needs a CSV file of time_s,user")


@dataclass(frozen=True)
class ClientPolicy:
    """How the client reacts to a 401, and what it does after a logout.

    ``relogin_after_s``: think time before the user logs in again after a
    failed refresh logged them out; ``None`` (the default) means they don't.
    """

    strategy: str = "naive"
    relogin_after_s: float | None = None

    def __post_init__(self) -> None:
        _check_choice("strategy", self.strategy, STRATEGY_NAMES)
        if self.relogin_after_s is not None:
            _check_seconds("relogin_after_s", self.relogin_after_s)


@dataclass(frozen=True)
class Scenario:
    """Everything one run needs. ``record_calls`` keeps every API call too
    (for sequence diagrams); auth calls are always kept."""

    tokens: TokenPolicy = field(default_factory=TokenPolicy)
    latencies: Latencies = field(default_factory=Latencies)
    capacities: Capacities = field(default_factory=Capacities)
    workload: Workload = field(default_factory=Workload)
    client: ClientPolicy = field(default_factory=ClientPolicy)
    seed: int = 1
    record_calls: bool = False
    name: str = "custom"

    def __post_init__(self) -> None:
        _check_whole("seed", self.seed, 0)

    @property
    def strategy(self) -> str:
        return self.client.strategy

    def with_(self, **changes: Any) -> Scenario:
        """A copy with fields changed, wherever they live.

        ``scenario.with_(strategy="locked", access_ttl_s=60, seed=3)``
        """
        parts = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        own = {k: v for k, v in changes.items() if k in parts}
        rest = {k: v for k, v in changes.items() if k not in parts}
        for part_name, part in parts.items():
            if not dataclasses.is_dataclass(part):
                continue
            names = {f.name for f in dataclasses.fields(part)}
            mine = {k: rest.pop(k) for k in list(rest) if k in names}
            if mine:  # on top of a part given in the same call, if there is one
                own[part_name] = dataclasses.replace(own.get(part_name, part), **mine)
        if rest:
            name = sorted(rest)[0]
            raise ConfigError(name, rest[name], "is not a scenario field")
        return dataclasses.replace(self, **own)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

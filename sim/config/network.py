"""How far away and how fast the two servers are, and how many calls each works on at once."""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import check_choice, check_seconds, setting, whole

SERVICE_DISTRIBUTIONS = ("fixed", "exponential")


@dataclass(frozen=True)
class Latencies:
    """Network and service times, in seconds.

    ``rtt_s`` is the round trip between the client and either server (half
    each way). ``api_401_service_s`` is how long the API's auth middleware
    takes to reject a bad token, which is much less than real work.
    With ``service_distribution = "exponential"`` the two service times are
    means of exponential draws; with ``"fixed"`` they are exact.
    """

    rtt_s: float = setting(0.08, "client-server round trip, s")
    api_service_s: float = setting(0.05, "API work per valid request, s")
    api_401_service_s: float = setting(0.002, "API time to reject a bad token, s")
    auth_service_s: float = setting(0.03, "auth server time per login/refresh, s")
    service_distribution: str = setting(
        "fixed", "service times: exact, or exponential draws with that mean", choices=SERVICE_DISTRIBUTIONS
    )

    def __post_init__(self) -> None:
        check_seconds("rtt_s", self.rtt_s)
        check_seconds("api_service_s", self.api_service_s)
        check_seconds("api_401_service_s", self.api_401_service_s)
        check_seconds("auth_service_s", self.auth_service_s)
        check_choice("service_distribution", self.service_distribution, SERVICE_DISTRIBUTIONS)


@dataclass(frozen=True)
class Capacities:
    """How many calls each server works on at once (0 means unbounded), and, for a server that is
    one event loop as the article's Node process is, each call's CPU on it (``event_loop.py``)."""

    api_capacity: int = setting(0, "API workers (0 = unbounded)")
    auth_capacity: int = setting(0, "auth workers (0 = unbounded)")
    api_cpu_s: float = setting(
        0.0, "CPU per API call on the servers' one event loop (verify, route), s; 0 for both: no event loop"
    )
    auth_cpu_s: float = setting(0.0, "CPU per login or refresh call on the servers' one event loop (verify, sign), s")

    def __post_init__(self) -> None:
        whole(self, "api_capacity", 0, "a whole number of workers (0 = unbounded)")
        whole(self, "auth_capacity", 0, "a whole number of workers (0 = unbounded)")
        check_seconds("api_cpu_s", self.api_cpu_s)
        check_seconds("auth_cpu_s", self.auth_cpu_s)

    @property
    def event_loop(self) -> bool:
        """Whether the servers share one event loop (the article's one Node process)."""
        return bool(self.api_cpu_s or self.auth_cpu_s)

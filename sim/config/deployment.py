"""Where a backend-for-frontend runs: its instances, its load balancer, and its session store.

A BFF client (``tier = "bff"``, ``sim/client/tier.py``) says what the token
manager does; how many copies of it an operator runs, how the load balancer
spreads a session's requests over them, and how far away and how busy the
session store is are the deployment's, like the auth server's workers. So
they live here, beside ``Capacities``, and a comparison of SPA clients and
BFF clients runs them all on one scenario: browser clients read none of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import check_choice, check_seconds, setting, whole

BALANCERS = ("round-robin", "random", "sticky")
MAX_INSTANCES = 64
MAX_STORE_CAPACITY = 100_000


@dataclass(frozen=True)
class Deployment:
    """A BFF's instances behind a load balancer, and its shared session store (read by BFF clients only)."""

    instances: int = setting(2, f"BFF instances behind the load balancer, 1 to {MAX_INSTANCES}")
    balancer: str = setting(
        "round-robin",
        "how the load balancer picks an instance: round-robin (each request the next), random, or sticky (a "
        "session always to the same one: also a session kept in one instance's memory)",
        choices=BALANCERS,
    )
    bff_rtt_s: float = setting(0.0, "the browser's round trip to the BFF, s (the BFF's own calls take rtt_s)")
    store_rtt_s: float = setting(0.0, "one round trip to the session store, s: each request reads its session")
    store_capacity: int = setting(
        0,
        "operations the session store serves at once (its connections), the rest wait in line; 0: unlimited",
    )

    def __post_init__(self) -> None:
        whole(self, "instances", 1, maximum=MAX_INSTANCES)
        check_choice("balancer", self.balancer, BALANCERS)
        check_seconds("bff_rtt_s", self.bff_rtt_s)
        check_seconds("store_rtt_s", self.store_rtt_s)
        whole(self, "store_capacity", 0, "a whole number of connections (0 = unlimited)", maximum=MAX_STORE_CAPACITY)

    @property
    def before_s(self) -> float:
        """What every request spends before its instance handles it: the trip to the BFF (there and
        back, counted up front) and the session's read from the store."""
        return self.bff_rtt_s + self.store_rtt_s

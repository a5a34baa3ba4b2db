"""Where the tokens live and who refreshes them: the browser, or a backend-for-frontend.

The article's client is the browser: its tabs hold the tokens and refresh
them. The OAuth 2.0 for Browser-Based Applications draft recommends, for
apps that can run one, a *backend-for-frontend* (BFF): the browser holds
only an HttpOnly session cookie, and a server keeps the session's tokens in
a session store and refreshes them on the user's behalf. The refresh
problem moves rather than disappears. Two requests of one session reach
two BFF instances behind a load balancer at the moment the access token
died; each reads the session, each sees an expired token, and with
rotating refresh tokens the second refresh presents a used token::

    browser --cookie--> load balancer --> instance A --refresh(r1)--> auth server: r2
                                     \\--> instance B --refresh(r1)--> auth server: reuse!

The family ``tier`` has two modes:

- ``InBrowser`` (``"browser"``, the article): the user's tabs are the
  clients, as everywhere else in the lab.
- ``Bff`` (``"bff"``): the user's tabs send their requests to
  ``instances`` BFF instances, picked by the ``balancer`` (round-robin,
  random, or sticky by session). Each instance is one of the session's
  clients (a ``ClientTab`` whose requests come from every tab of the
  browser), and the session store is their shared storage. So the
  client's other parts keep their meaning, one level up: ``single_flight =
  "tab"`` is a single flight per process (authkit-session's in-flight map),
  ``session_lock = "distributed"`` a lock in the shared store (Redis ``SET
  NX PX``), ``proactive`` the margin a token manager refreshes before, and
  the auth server's rotation, reuse detection and grace windows apply
  unchanged. Each request first crosses from the browser to the BFF and
  reads its session from the store (``bff_rtt_s + store_rtt_s``, counted
  up front); the BFF's own calls to the API and the auth server take the
  scenario's ``rtt_s``, a data centre's round trip.

A session kept in each instance's memory only works with sticky sessions,
and then one instance holds it: that is ``balancer = "sticky"`` here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar

from ..fields import check_choice, check_seconds, setting, whole
from ..parts import Part

BALANCERS = ("round-robin", "random", "sticky")
MAX_INSTANCES = 64


class Tier(Part, family="tier"):
    """Who holds the tokens and refreshes them: the browser's tabs, or BFF instances."""

    bff: ClassVar[bool] = False

    def clients(self, browser_tabs: int) -> int:
        """How many clients (``ClientTab``) a user's session has."""
        return browser_tabs

    def router(self, rng: random.Random | None) -> Router | None:
        """What picks the client of each request (``None``: the tab that made it)."""
        return None


@dataclass(frozen=True)
class InBrowser(Tier, mode="browser"):
    """The browser's tabs hold the tokens and refresh them (the article)."""


@dataclass(frozen=True)
class Bff(Tier, mode="bff"):
    """A backend-for-frontend: instances behind a load balancer keep each session's tokens in a shared
    session store and refresh them; the browser holds only a session cookie."""

    bff: ClassVar[bool] = True

    instances: int = setting(2, f"BFF instances behind the load balancer, 1 to {MAX_INSTANCES}")
    balancer: str = setting(
        "round-robin",
        "how the load balancer picks an instance: round-robin (each request the next), random, or sticky (a "
        "session always to the same one: also a session kept in one instance's memory)",
        choices=BALANCERS,
    )
    bff_rtt_s: float = setting(0.0, "the browser's round trip to the BFF, s (the BFF's own calls take rtt_s)")
    store_rtt_s: float = setting(0.0, "one round trip to the session store, s: each request reads its session")

    def __post_init__(self) -> None:
        whole(self, "instances", 1, maximum=MAX_INSTANCES)
        check_choice("balancer", self.balancer, BALANCERS)
        check_seconds("bff_rtt_s", self.bff_rtt_s)
        check_seconds("store_rtt_s", self.store_rtt_s)

    def clients(self, browser_tabs: int) -> int:
        return self.instances

    def router(self, rng: random.Random | None) -> Router | None:
        return Router(self, rng)

    @property
    def before_s(self) -> float:
        """What every request spends before its instance handles it: the trip to the BFF (there and
        back, counted up front) and the session's read from the store."""
        return self.bff_rtt_s + self.store_rtt_s


class Router:
    """The load balancer: the instance each request goes to."""

    def __init__(self, tier: Bff, rng: random.Random | None):
        self.instances, self.balancer = tier.instances, tier.balancer
        self.rng = rng
        self.next = 0  # round-robin's turn, one counter for the whole balancer

    def pick(self, user: int) -> int:
        if self.balancer == "sticky":  # the session's cookie hashes to one instance
            return user % self.instances
        if self.balancer == "random":
            return self.rng.randrange(self.instances)
        instance, self.next = self.next, (self.next + 1) % self.instances
        return instance

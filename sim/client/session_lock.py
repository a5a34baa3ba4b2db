"""A lock in the session store: one refresh at a time per session, across BFF instances.

A single flight lives in one process's memory (authkit-session's in-flight
map), so two BFF instances that meet the same expiry still refresh twice.
The shared session store can hold a lock too (Redis's ``SET key owner NX PX
ttl``): each instance tries to set the key; the one that sets it refreshes
and deletes it, the others try again every ``lock_poll_s`` and, once they
hold it, look at the session again and take the tokens the first one
stored. Each try is a round trip to the store (``lock_acquire_s``). The key
expires by itself after ``lease_ttl_s`` (the lease), so a holder that dies
mid-refresh does not block the session for ever, but then its refresh may
have reached the auth server and rotated the refresh token without anyone
storing the answer: the next holder presents the old one (a reuse, unless
the server allows a grace window). ``lock_holder_deaths`` makes the first
holders die that way. A waiter may give up: after ``lock_wait_s`` without
the lock (oauth2-proxy: 5 s) it clears the session, and the user is sent to
the login page.

The family ``session_lock`` has two modes: ``NoSessionLock`` (``"none"``)
and ``DistributedLock`` (``"distributed"``); only a BFF has a session store
to put one in (``tier.py``).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from ..fields import check_seconds, setting, whole
from ..parts import Part
from ..servers import SessionStore
from .storage import TokenStore

if TYPE_CHECKING:
    from .tab import ClientTab

MAX_HOLDER_DEATHS = 1000


class SessionLock(Part, family="session_lock"):
    """Whether a BFF's instances take a lock in the session store before they refresh."""

    def make(self) -> Lease | None:
        """A session's lock (``None``: it has none)."""
        return None

    def refresh(
        self, tab: ClientTab, stale: str | None, request_id: int, proactive: bool
    ) -> Generator[simpy.Event, Any, str | None]:
        """``tab`` (an instance) asks for tokens to replace ``stale``: the new access token, or ``None``."""
        return (yield from tab.client.cross_tab_lock.refresh(tab, stale, request_id, proactive))


@dataclass(frozen=True)
class NoSessionLock(SessionLock, mode="none"):
    """Each instance refreshes when it decides to."""


@dataclass(frozen=True)
class DistributedLock(SessionLock, mode="distributed"):
    """``SET lock:<session> <me> NX PX <lease>`` in the session store, tried every ``lock_poll_s``."""

    lock_acquire_s: float = setting(0.001, "one try to take the lock: a round trip to the store, s")
    lease_ttl_s: float = setting(10.0, "the lease: the lock frees itself this long after it was taken, s")
    lock_poll_s: float = setting(0.05, "a waiter tries again this often, s")
    lock_holder_deaths: int = setting(
        0,
        f"the first N holders die after sending their refresh (nothing stored, the lock left to its lease), 0 to "
        f"{MAX_HOLDER_DEATHS}",
    )

    lock_wait_s: float = setting(
        0.0,
        "a waiter gives up after this long without the lock and clears the session (the user logs in again), s; 0: "
        "waits for ever",
        quiet=True,
    )

    def __post_init__(self) -> None:
        check_seconds("lock_acquire_s", self.lock_acquire_s)
        check_seconds("lock_wait_s", self.lock_wait_s)
        check_seconds("lease_ttl_s", self.lease_ttl_s, positive=True)
        check_seconds("lock_poll_s", self.lock_poll_s, positive=True)
        whole(self, "lock_holder_deaths", 0, maximum=MAX_HOLDER_DEATHS)

    def make(self) -> Lease | None:
        return Lease(self.lock_holder_deaths)

    def refresh(
        self, tab: ClientTab, stale: str | None, request_id: int, proactive: bool
    ) -> Generator[simpy.Event, Any, str | None]:
        env, lease, store = tab.env, tab.browser.lease, tab.browser.session_store
        started_s = env.now
        while True:
            if self.lock_wait_s and env.now - started_s >= self.lock_wait_s:  # "timeout obtaining session lock"
                tab.observer.session_lock_gave_up(tab.id, env.now)
                tab.browser.logout(tab)  # the session is cleared from the store
                return None
            yield from store.use("lock", self.lock_acquire_s)  # SET NX PX: a round trip
            if not tab.working:  # the session ended while it waited
                return None
            if lease.free(env.now):
                holder = lease.take(env.now + self.lease_ttl_s)
                break
            yield env.timeout(self.lock_poll_s)
        stored = tab.store.access  # a second look at the session, under the lock
        if tab.client.on_logout.replaced(stored, stale, tab.logged_in):
            lease.release(holder, store)
            return stored
        if lease.deaths_left:  # this instance dies once its refresh has left: nothing stored, the key stays
            lease.deaths_left -= 1
            lost = TokenStore()
            lost.refresh = tab.store.refresh
            yield from tab.ask_for_tokens(stale, request_id, proactive, store=lost)
            return None
        token = yield from tab.client.cross_tab_lock.refresh(tab, stale, request_id, proactive)
        lease.release(holder, store)  # DEL, if the key is still ours (a lease that ran out is someone else's now)
        return token


class Lease:
    """A session's lock key in the store: who holds it, and until when."""

    __slots__ = ("holder", "until_s", "deaths_left")

    def __init__(self, deaths: int) -> None:
        self.holder = 0  # the number of the last holder (0: none yet)
        self.until_s = -math.inf
        self.deaths_left = deaths

    def free(self, now_s: float) -> bool:
        return now_s >= self.until_s

    def take(self, until_s: float) -> int:
        self.holder += 1
        self.until_s = until_s
        return self.holder

    def release(self, holder: int, store: SessionStore) -> None:
        store.note("unlock")
        if self.holder == holder:
            self.until_s = -math.inf

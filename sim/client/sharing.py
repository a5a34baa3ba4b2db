"""Single flight: whether the 401s of one tab share one refresh.

Five requests get a 401 at once. The article's interceptor awaits its own
``axios.post('/refresh-token')`` for each of them: five refreshes, a storm.
With single flight the first 401 starts one and the others wait for *that*
one: the refresh in flight is an ``env.event()`` that every waiter yields,
replaced by a new one once it fires, as the bell in SimPy's "School"
example is for each class (``Flight``).

The family ``single_flight`` has three modes:

- ``NoSingleFlight`` (``"none"``, the article): every 401 refreshes.
- ``PerTab`` (``"tab"``): one refresh in flight per tab; a 401 meanwhile
  joins it, or, with ``in_flight_401 = "fail"``, reaches the app as a 401
  (axios-auth-refresh's ``deduplicateRefresh``: its response interceptor is
  off while the refresh runs).
- ``TabLock`` (``"lock"``): a lock per tab, not a shared result (Authlib's
  ``asyncio.Lock``): each caller waits its turn and looks at the store
  again; if the token was replaced meanwhile it takes it, otherwise it
  refreshes itself. While the refreshes succeed it is single flight; after
  one *fails*, every caller in line refreshes again, one after another.

The same flight is what a held request waits for (the request interceptor
of ``hold_while_refreshing``): "the tab's refresh in flight".
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from ..fields import check_choice, setting
from ..parts import Part

if TYPE_CHECKING:
    from .request import Request
    from .tab import ClientTab

IN_FLIGHT_401 = ("join", "fail")


class SingleFlight(Part, family="single_flight"):
    """How the 401s of one tab share refreshes."""

    def after_401(self, tab: ClientTab, request: Request, used: str | None) -> Generator[simpy.Event, Any, str | None]:
        """The new token ``request`` retries with after ``used`` got a 401 (``None``: none came)."""
        raise NotImplementedError

    def start(self, tab: ClientTab, stale: str | None, proactive: bool) -> simpy.Event:
        """A refresh no request waits on by itself (a proactive one): an event giving its token."""
        raise NotImplementedError

    def drops_401(self, tab: ClientTab) -> bool:
        """Whether a 401 that comes back now reaches the app as it is, with no refresh and no retry."""
        return False


@dataclass(frozen=True)
class NoSingleFlight(SingleFlight, mode="none"):
    """Every 401 sends its own refresh (the article's ``await axios.post('/refresh-token')``).

    If requests are held while refreshing, each refresh becomes the one they wait for.
    """

    def after_401(self, tab: ClientTab, request: Request, used: str | None) -> Generator[simpy.Event, Any, str | None]:
        if tab.client.hold_while_refreshing:
            return (yield from tab.wait_for(request, tab.flight.launch(tab.refresh(used, request.id))))
        start = tab.env.now
        token = yield from tab.refresh(used, request.id)
        request.held_s += tab.env.now - start
        return token

    def start(self, tab: ClientTab, stale: str | None, proactive: bool) -> simpy.Event:
        """A refresh of its own, which requests are held for if the client holds them, and which
        races any other refresh otherwise."""
        if tab.client.hold_while_refreshing:
            return tab.flight.launch(tab.refresh(stale, proactive=proactive))
        return tab.env.process(tab.refresh(stale, proactive=proactive))


@dataclass(frozen=True)
class PerTab(SingleFlight, mode="tab"):
    """At most one refresh in flight per tab; every 401 meanwhile waits for it."""

    in_flight_401: str = setting(
        "join",
        "a 401 that comes back while the tab's refresh is in flight: join (wait for it, retry) or fail (reach "
        "the app as a 401: axios-auth-refresh's deduplicateRefresh)",
        choices=IN_FLIGHT_401,
        quiet=True,
    )

    def __post_init__(self) -> None:
        check_choice("in_flight_401", self.in_flight_401, IN_FLIGHT_401)

    def after_401(self, tab: ClientTab, request: Request, used: str | None) -> Generator[simpy.Event, Any, str | None]:
        return (yield from tab.wait_for(request, self.start(tab, used, proactive=False)))  # join the one in flight

    def start(self, tab: ClientTab, stale: str | None, proactive: bool) -> simpy.Event:
        """The refresh in flight, starting one (for ``stale``) if there is none."""
        return tab.flight.join(lambda: tab.refresh(stale, proactive=proactive))

    def drops_401(self, tab: ClientTab) -> bool:
        return self.in_flight_401 == "fail" and tab.flight.in_flight is not None


@dataclass(frozen=True)
class TabLock(SingleFlight, mode="lock"):
    """One lock per tab; each caller in turn takes a token stored meanwhile, or refreshes itself::

    async with self._token_refresh_lock:        # Authlib's AsyncOAuth2Client
        if self.token.is_expired(leeway=self.leeway):
            await self.refresh_token(url, refresh_token=refresh_token)
    """

    def after_401(self, tab: ClientTab, request: Request, used: str | None) -> Generator[simpy.Event, Any, str | None]:
        return (yield from tab.wait_for(request, self.start(tab, used, proactive=False)))

    def start(self, tab: ClientTab, stale: str | None, proactive: bool) -> simpy.Event:
        """The caller's turn at the lock, and its refresh if it still needs one: an event giving its token."""
        return tab.env.process(self._in_turn(tab, stale, proactive))

    @staticmethod
    def _in_turn(tab: ClientTab, stale: str | None, proactive: bool) -> Generator[simpy.Event, Any, str | None]:
        with tab.flight.lock.request() as turn:
            yield turn
            stored = tab.store.access
            if proactive:  # it looked at expiry: look again (is_expired, under the lock)
                if stored is not None and not tab.due():
                    return stored
                stale = stored  # it refreshes to replace what it finds due now
            elif tab.client.on_logout.replaced(stored, stale, tab.logged_in):  # it got a 401: was it replaced?
                return stored
            return (yield from tab.refresh(stale, proactive=proactive))


class Flight:
    """A tab's refresh in flight, as one event that fires with its result (the new token, or ``None``)."""

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.in_flight: simpy.Event | None = None
        self._lock: simpy.Resource | None = None

    @property
    def lock(self) -> simpy.Resource:
        """The tab's refresh lock (``TabLock``), made when first taken."""
        if self._lock is None:
            self._lock = simpy.Resource(self.env, capacity=1)
        return self._lock

    def join(self, start: Callable[[], Generator[simpy.Event, Any, Any]]) -> simpy.Event:
        """The refresh in flight, or a new one made by ``start()`` if there is none."""
        if self.in_flight is None:
            self.launch(start())
        return self.in_flight

    def launch(self, work: Generator[simpy.Event, Any, Any]) -> simpy.Event:
        """Start ``work`` as the refresh in flight (the latest one, if another is still out)."""
        done = self.env.event()
        self.in_flight = done
        self.env.process(self._run(work, done))
        return done

    def _run(self, work: Generator[simpy.Event, Any, Any], done: simpy.Event) -> Generator[simpy.Event, Any, None]:
        result = yield from work
        if self.in_flight is done:  # cleared before waking the waiters: the next expiry starts a new one
            self.in_flight = None
        done.succeed(result)

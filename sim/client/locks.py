"""A lock across tabs: one refresh at a time per user, whichever tab makes it.

Single flight lives in one tab's memory; two tabs that meet the same expiry
each refresh, and under rotation one of them presents a refresh token the
other has just used. auth0-spa-js takes a lock first (``navigator.locks``,
the Web Locks API: one holder at a time per origin, the rest wait in
line) and, once it holds it, looks at the cache again: if another tab
refreshed meanwhile it takes that token and sends nothing (double-checked
locking)::

    await navigator.locks.request('refresh', async () => {
      const entry = await cache.get(key);      // a second look, under the lock
      if (entry) return entry;
      return await refreshTokens();
    });

The family ``cross_tab_lock`` has two modes, ``NoLock`` (``false``, the
article) and ``WebLock`` (``true``). A tab may give up waiting for the lock
(``lock_timeout_s``: auth0-spa-js aborts its request after 5 s and throws a
``TimeoutError`` to the app): its refresh gets no token and the requests
that waited for it fail, with the session kept. ``make(env)`` gives a browser its
lock; ``refresh(tab, ...)`` is the tab's refresh around it. How long the
lock takes to pass from one tab to the next is ``tab_sync``'s
(``tab_sync.py``): no time, or what Chromium took in the probe.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from ..fields import check_seconds, setting
from ..parts import Part

if TYPE_CHECKING:
    from .tab import ClientTab


class CrossTabLock(Part, family="cross_tab_lock"):
    """Whether a user's tabs take a lock before they refresh."""

    def make(self, env: simpy.Environment) -> simpy.Resource | None:
        """The browser's lock (``None``: it has none)."""
        return None

    def refresh(
        self, tab: ClientTab, stale: str | None, request_id: int, proactive: bool
    ) -> Generator[simpy.Event, Any, str | None]:
        """``tab`` asks for tokens to replace ``stale``: the new access token, or ``None``."""
        return (yield from tab.client.refresh_in.ask(tab, stale, request_id, proactive))


@dataclass(frozen=True)
class NoLock(CrossTabLock, mode=False):
    """Each tab refreshes when it decides to (the article: it has one tab)."""


@dataclass(frozen=True)
class WebLock(CrossTabLock, mode=True):
    """``navigator.locks.request('refresh', ...)``: one holder at a time, a second look at the store under it."""

    lock_timeout_s: float = setting(
        0.0, "give up waiting for the lock after this long, s (the requests that waited fail); 0: wait for ever"
    )

    def __post_init__(self) -> None:
        check_seconds("lock_timeout_s", self.lock_timeout_s)

    def make(self, env: simpy.Environment) -> simpy.Resource | None:
        return simpy.Resource(env, capacity=1)

    def refresh(
        self, tab: ClientTab, stale: str | None, request_id: int, proactive: bool
    ) -> Generator[simpy.Event, Any, str | None]:
        with tab.browser.lock.request() as turn:
            if self.lock_timeout_s:
                yield turn | tab.env.timeout(self.lock_timeout_s)
                if not turn.triggered:  # AbortController.abort(): a TimeoutError reaches the app
                    return None
            else:
                yield turn
            yield from tab.client.tab_sync.lock_granted(
                tab.env, tab.store, tab.browser.sync_rng
            )  # it crosses to the tab
            if not tab.working:  # the page was left while in line
                return None
            stored = tab.store.access
            if tab.client.on_logout.replaced(stored, stale, tab.logged_in):  # another tab refreshed meanwhile
                return stored
            return (yield from tab.client.refresh_in.ask(tab, stale, request_id, proactive))

"""Where a refresh call is made: in the tab that needs it, or in one SharedWorker for every tab.

The article's tab makes its own refresh call. Several tabs then each refresh,
and a lock across tabs (``locks.py``) orders them but cannot make the next
tab see the previous one's rotated refresh token in time (``tab_sync.py``).
A ``SharedWorker`` is one script per origin that every tab of the browser
talks to by ``postMessage``; the lab's fix in real tabs
(reality/client/refresh-worker.js) makes the refresh call there and keeps
the tokens in the worker's own memory::

    const answer = async ({ stale, stored }) => {
      tokens ??= stored;                                  // the first tab hands over its login's tokens
      if (tokens.accessToken !== stale) return tokens;    // already refreshed, for another tab
      return (refreshing ??= refresh().finally(() => (refreshing = null)));
    };

The tab then stores what the worker answers, for its next calls. Each tab
connects when it loads, so the worker starts with the page, not at the first
401 (its start, 15 to 50 ms in the probe, would sit on the refresh's path),
and the tab that logs in hands it the login's tokens.

The family ``refresh_in`` has two modes: ``InTab`` (``"tab"``, the article)
and ``InSharedWorker`` (``"shared-worker"``). ``make(env)`` gives a browser
its worker; ``ask(tab, ...)`` is the tab's refresh. What starting the worker
and a message to it cost comes from ``tab_sync`` (nothing, or what the probe
measured).
"""

from __future__ import annotations

import random
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from ..parts import Part
from .sharing import Flight
from .storage import KEYS, TabMemory, TokenStore
from .tab_sync import TabSync

if TYPE_CHECKING:
    from .tab import ClientTab


class RefreshIn(Part, family="refresh_in"):
    """Where a browser's refresh calls are made."""

    def make(self, env: simpy.Environment, sync: TabSync, rng: random.Random | None) -> RefreshWorker | None:
        """The browser's SharedWorker, started now (``None``: it has none)."""
        return None

    def ask(
        self, tab: ClientTab, stale: str | None, request_id: int, proactive: bool
    ) -> Generator[simpy.Event, Any, str | None]:
        """``tab`` needs tokens to replace ``stale``: the new access token, or ``None``."""
        return (yield from tab.ask_for_tokens(stale, request_id, proactive))


@dataclass(frozen=True)
class InTab(RefreshIn, mode="tab"):
    """The tab makes its own refresh call (the article)."""


@dataclass(frozen=True)
class InSharedWorker(RefreshIn, mode="shared-worker"):
    """One SharedWorker makes the refresh calls of every tab, one at a time, and keeps the tokens."""

    def make(self, env: simpy.Environment, sync: TabSync, rng: random.Random | None) -> RefreshWorker | None:
        return RefreshWorker(env, sync, rng)

    def ask(
        self, tab: ClientTab, stale: str | None, request_id: int, proactive: bool
    ) -> Generator[simpy.Event, Any, str | None]:
        worker, store = tab.browser.worker, tab.store
        stored = {key: getattr(store, key) for key in KEYS}  # what the tab's message carries
        yield from worker.reached()
        if worker.tokens.refresh is None:  # tokens ??= stored (no login handed over)
            for key, value in stored.items():
                setattr(worker.tokens, key, value)
        if worker.tokens.refresh is None:  # nothing to refresh with: the tab's catch logs out
            tab.logout()
            return None
        if worker.tokens.access is not stale:  # already refreshed, for another tab or request
            token = worker.tokens.access
        else:
            token = yield worker.flight.join(lambda: worker.refresh(tab, stale, request_id, proactive))
        if token is None:
            return None
        if tab.working:  # the tab stores what the worker answered: localStorage.setItem, twice
            for key in KEYS:
                setattr(store, key, getattr(worker.tokens, key))
        return token


class RefreshWorker:
    """A browser's SharedWorker: its tokens, its refresh in flight, and when it is running."""

    def __init__(self, env: simpy.Environment, sync: TabSync, rng: random.Random | None):
        self.env, self.sync, self.rng = env, sync, rng
        self.tokens = TokenStore()  # the worker's memory: workers have no localStorage
        self.flight = Flight(env)
        self.started = env.timeout(sync.worker_start_s(rng))  # new SharedWorker(...) as the tabs load

    def logged_in(self, store: TokenStore | TabMemory) -> None:
        """A login's tokens, handed over by the tab that logged in: they replace the worker's."""
        for key in KEYS:
            setattr(self.tokens, key, getattr(store, key))

    def reached(self) -> Generator[simpy.Event, Any, None]:
        """A message from a tab and its answer, once the worker runs."""
        yield self.started
        message_s = self.sync.worker_message_s(self.rng)
        if message_s:
            yield self.env.timeout(message_s)

    def refresh(
        self, tab: ClientTab, stale: str | None, request_id: int, proactive: bool
    ) -> Generator[simpy.Event, Any, str | None]:
        """The worker's refresh call, through the browser's connections; a failed one makes it
        forget its tokens, so the next login's are taken."""
        token = yield from tab.ask_for_tokens(stale, request_id, proactive, self.tokens)
        if token is None:
            self.tokens.access = self.tokens.refresh = None
        return token

"""One user's browser: the tabs they have open, the storage those tabs share, and their logins.

The article has one tab. Real users open several, and each tab runs its
own copy of the app: its own interceptors, its own refresh in flight, its
own page loads. What the tabs share is the browser: ``localStorage`` (or
the refresh-token cookie), the login itself (a failed refresh sends the user
to the login page, in every tab), and, if the app takes one, a lock that
lets one tab refresh at a time (``navigator.locks``).

Tabs that keep their tokens apart (``sessionStorage``, or each tab's
memory: ``storage = "tab"``) share no login either: each tab logs in on its
own (silently, through the identity provider's session cookie), holds its
own refresh token, and is sent to the login page alone. A ``Login`` is the
tabs that share one set of tokens: all of the browser's, or one tab.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator
from typing import Any

import simpy

from ..config import BrowserLimits
from ..observers import Observer
from ..servers import AuthServer, ResourceServer, SessionStore
from ..servers.auth import AuthAnswer
from .composition import Client
from .device_clock import Clock
from .storage import TabMemory, TokenStore
from .tab import ClientTab
from .transport import Transport


class Login:
    """The tabs that share one set of tokens, whether they are logged in, and how many logins they had
    (a timer or a call from an earlier login stops when it sees a newer one)."""

    __slots__ = ("tabs", "logged_in", "count")

    def __init__(self, tabs: list[ClientTab]) -> None:
        self.tabs = tabs
        self.logged_in = False
        self.count = 0


class Browser:
    """A user's tabs, their storage, their lock across tabs, and their logins."""

    def __init__(
        self,
        env: simpy.Environment,
        user: int,
        tabs: int,
        auth: AuthServer,
        api: ResourceServer,
        observer: Observer,
        client: Client,
        relogin_after_s: float | None = None,
        clock: Clock | None = None,
        open_until_s: float = math.inf,
        limits: BrowserLimits | None = None,
        rng: random.Random | None = None,
        sync_rng: random.Random | None = None,
        store: SessionStore | None = None,
    ):
        self.env = env
        self.user = user
        self.auth = auth
        self.client = client
        self.observer = observer
        self.relogin_after_s = relogin_after_s
        self.clock = clock  # the device's clock; only a client that refreshes before expiry reads it
        self.open_until_s = open_until_s  # when the user closes the app (its timers stop)
        self.rng = rng if rng is not None else random.Random(user)  # backoff jitter
        self.retry_budget = client.retry.budget()
        transport = Transport(env, api, auth, limits or BrowserLimits(), client, self, observer)
        self.sync_rng = sync_rng  # tab_sync's draws: storage and lock delays, the worker's start
        self.lock = client.cross_tab_lock.make(env)  # navigator.locks: one holder at a time, the rest in line
        self.session_store = store  # a BFF's shared session store (None: the tabs' own storage)
        self.lease = client.session_lock.make()  # a BFF's lock in the session store, if any
        # a BFF whose session is a cookie: (instance, refresh token) -> its refresh in flight
        self.flights_by_token: dict | None = None if client.session_in.shared else {}
        self.worker = client.refresh_in.make(env, client.tab_sync, sync_rng)  # a SharedWorker for every tab, if any
        stores = client.tab_sync.views(client.storage.stores(tabs), env, sync_rng)  # each tab's copy, or one
        self.tabs = [
            ClientTab(env, user * tabs + index, self, observer, client, store, transport)
            for index, store in enumerate(stores)
        ]
        shared = client.storage.shares_login
        self.logins = [Login(self.tabs)] if shared else [Login([tab]) for tab in self.tabs]
        for login in self.logins:
            for tab in login.tabs:
                tab.login = login
        observer.browser_opened(self)

    def login_of(self, session: int) -> Login:
        """The login of the tab whose id is ``session``."""
        return self.tabs[session - self.tabs[0].id].login

    def login(self) -> Generator[simpy.Event, Any, None]:
        """Log in every set of tabs that shares tokens: all of them at once, or each tab on its own."""
        if len(self.logins) == 1:
            return (yield from self.log_in(self.logins[0]))
        yield self.env.all_of([self.env.process(self.log_in(login)) for login in self.logins])
        return None

    def log_in(self, login: Login) -> Generator[simpy.Event, Any, None]:
        """POST /login from the login's first tab; its every tab is logged in (the others without an
        access token of their own, if it lives in each tab's memory)."""
        first = login.tabs[0]
        sent_s = self.env.now
        answer = yield from self.auth.post_login(first.id)
        for tab in login.tabs:
            tab.store.access = None
            tab.logged_in = True
        self.keep(first.store, answer, sent_s)
        if self.worker is not None:  # the tab hands the login's tokens to the SharedWorker
            self.worker.logged_in(first.store)
        login.logged_in = True
        login.count += 1
        first.note("login")
        self.client.proactive.on_login(self, login.tabs)  # a renewal timer in each tab, say

    def keep(self, store: TokenStore | TabMemory, answer: AuthAnswer, sent_s: float) -> None:
        """Store a login's or refresh's tokens (sent at ``sent_s``), and when the access token is
        due, if the app looks."""
        store.access = answer.access
        if self.session_store is not None:  # a BFF writes the session back to its store
            self.session_store.note("write")
        if answer.refresh is not None:  # a login's, or rotated: localStorage.setItem, or Set-Cookie
            store.refresh = answer.refresh
        if self.clock is not None:
            store.expires_at, store.refresh_at = self.clock.learned(answer.access, answer.expires_in, sent_s)

    def logout(self, by: ClientTab) -> None:
        """The login page, in every tab of ``by``'s login: tokens cleared; counted once per logout."""
        login = by.login
        if not login.logged_in:
            return
        for tab in login.tabs:
            tab.store.access = tab.store.refresh = None
            tab.logged_in = False
        login.logged_in = False
        by.note("logout")
        if self.relogin_after_s is not None:
            self.env.process(self._relogin(login))

    def _relogin(self, login: Login) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.relogin_after_s)
        if not login.logged_in:
            yield from self.log_in(login)

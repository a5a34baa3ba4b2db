"""One user's browser: the tabs they have open, the storage those tabs share, and their login.

The article has one tab. Real users open several, and each tab runs its
own copy of the app: its own interceptors, its own refresh in flight, its
own page loads. What the tabs share is the browser: ``localStorage`` (or
the refresh-token cookie), the login itself (a failed refresh sends the user
to the login page, in every tab), and, if the app takes one, a lock that
lets one tab refresh at a time (``navigator.locks``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from ..config import RefreshPolicy
from ..records import Recorder
from ..servers import AuthServer, ResourceServer
from .storage import CookieJar, TabMemory, TokenStore
from .tab import ClientTab


class Browser:
    """A user's tabs, their shared storage, their lock across tabs, and whether they are logged in."""

    def __init__(
        self,
        env: simpy.Environment,
        user: int,
        tabs: int,
        auth: AuthServer,
        api: ResourceServer,
        recorder: Recorder,
        policy: RefreshPolicy,
        relogin_after_s: float | None = None,
    ):
        self.env = env
        self.auth = auth
        self.relogin_after_s = relogin_after_s
        self.logged_in = False
        self.logouts = 0
        # navigator.locks.request('refresh', ...): one holder at a time, the rest in line
        self.lock = simpy.Resource(env, capacity=1) if policy.cross_tab_lock else None
        if policy.storage == "local":
            local = TokenStore()  # one localStorage for every tab
            stores = [local] * tabs
        else:
            jar = CookieJar()  # one cookie; an access token in each tab's memory
            stores = [TabMemory(jar) for _ in range(tabs)]
        self.tabs = [
            ClientTab(env, user * tabs + index, self, auth, api, recorder, policy, store)
            for index, store in enumerate(stores)
        ]

    def login(self) -> Generator[simpy.Event, Any, None]:
        """POST /login from the first tab; every tab is logged in (the others without an access
        token of their own, if it lives in each tab's memory)."""
        first = self.tabs[0]
        answer = yield from self.auth.login(first.id)
        for tab in self.tabs:
            tab.store.access = None
            tab.logged_in = True
        first.store.access, first.store.refresh = answer.access, answer.refresh
        self.logged_in = True
        first.note("login")

    def logout(self, by: ClientTab) -> None:
        """The login page, in every tab: tokens cleared; counted once per logout."""
        if not self.logged_in:
            return
        for tab in self.tabs:
            tab.store.access = tab.store.refresh = None
            tab.logged_in = False
        self.logged_in = False
        self.logouts += 1
        by.note("logout")
        if self.relogin_after_s is not None:
            self.env.process(self._relogin())

    def _relogin(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.relogin_after_s)
        if not self.logged_in:
            yield from self.login()

"""A client session: one browser tab with its token store.

The article keeps both tokens in ``localStorage`` and gives the app three
moves, which are the session's methods here:

- ``login()``: POST /login, store both tokens;
- ``refresh()``: POST /refresh-token with the stored refresh token, store the
  new access token; on a 401, ``logout()``: clear the tokens and send the user
  to the login page;
- ``call_api()``: send one request with a given access token.

The strategies in ``strategies.py`` decide *when* to call these. What is
shared by all of them lives here: the single-flight refresh (one
``env.event()`` that every waiting request yields, replaced once it fires,
as in SimPy's "School" example) and the bookkeeping of each request.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from .auth_server import AuthServer
from .records import Recorder, TokenEvent
from .resource_server import ResourceServer
from .tokens import token_id


class TokenStore:
    """The tab's ``localStorage``: an access and a refresh token, or none."""

    __slots__ = ("access", "refresh")

    def __init__(self) -> None:
        self.access: str | None = None
        self.refresh: str | None = None


class Request:
    """One request the app makes; ``retried`` is the article's ``_retry`` flag."""

    __slots__ = ("id", "created_s", "api_calls", "unauthorized", "held_s", "retried")
    # held_s: time spent waiting for a refresh, its own or a shared one

    def __init__(self, request_id: int, created_s: float):
        self.id = request_id
        self.created_s = created_s
        self.api_calls = 0
        self.unauthorized = 0
        self.held_s = 0.0
        self.retried = False


class ClientSession:
    """One user's tab: tokens, the servers it talks to, and its requests."""

    def __init__(
        self,
        env: simpy.Environment,
        session_id: int,
        auth: AuthServer,
        api: ResourceServer,
        recorder: Recorder,
        relogin_after_s: float | None = None,
    ):
        self.env = env
        self.id = session_id
        self.auth = auth
        self.api = api
        self.recorder = recorder
        self.relogin_after_s = relogin_after_s
        self.store = TokenStore()
        self.logged_in = False
        self.logouts = 0
        # The refresh in flight, shared by everyone who waits for it (single-flight).
        self.refreshing: simpy.Event | None = None

    # -- the three moves -------------------------------------------------

    def login(self) -> Generator[simpy.Event, Any, bool]:
        answer = yield from self.auth.login(self.id)
        self.store.access, self.store.refresh = answer.access, answer.refresh
        self.logged_in = True
        self._note("login")
        return True

    def refresh(self, stale: str | None, request: Request | None = None) -> Generator[simpy.Event, Any, str | None]:
        """Ask for a new access token after ``stale`` got a 401; return it, or ``None`` after logging out.

        The ``request`` that sends it (if one does) counts the wait as held.
        """
        start = self.env.now
        request_id = request.id if request else -1
        answer = yield from self.auth.refresh(self.store.refresh, self.id, request_id, token_id(stale))
        if request is not None:
            request.held_s += self.env.now - start
        if answer.status != 200:
            self.logout()
            return None
        if self.logged_in:  # a late answer after a logout must not revive the session
            self.store.access = answer.access
            self._note("stored")
        return answer.access

    def logout(self) -> None:
        """Clear the tokens (the article's redirect to /login); counted once per logout."""
        if not self.logged_in:
            return
        self.store.access = self.store.refresh = None
        self.logged_in = False
        self.logouts += 1
        self._note("logout")
        if self.relogin_after_s is not None:
            self.env.process(self._relogin())

    def call_api(self, request: Request, token: str | None) -> Generator[simpy.Event, Any, int]:
        request.api_calls += 1
        status = yield from self.api.call(token, self.id, request.id)
        if status == 401:
            request.unauthorized += 1
        return status

    # -- single-flight ---------------------------------------------------

    def shared_refresh(self, stale: str | None) -> simpy.Event:
        """The refresh in flight, starting one (for ``stale``) if there is none.

        Yielding the returned event gives the new access token, or ``None``
        if the refresh failed and the session logged out.
        """
        if self.refreshing is None:
            self.refreshing = self.env.event()
            self.env.process(self._run_shared_refresh(stale, self.refreshing))
        return self.refreshing

    def _run_shared_refresh(self, stale: str | None, done: simpy.Event) -> Generator[simpy.Event, Any, None]:
        token = yield from self.refresh(stale)
        self.refreshing = None  # cleared before waking the waiters: the next expiry starts a new one
        done.succeed(token)

    def wait_for(self, request: Request, event: simpy.Event) -> Generator[simpy.Event, Any, Any]:
        """Hold ``request`` until ``event`` fires; the time counts as held."""
        start = self.env.now
        value = yield event
        request.held_s += self.env.now - start
        return value

    # -- bookkeeping -----------------------------------------------------

    def finish(self, request: Request, status: int) -> None:
        self.end(request, "ok" if status == 200 else "unauthorized")

    def end(self, request: Request, reason: str) -> None:
        self.recorder.request_done(
            request.id, self.id, request.created_s, self.env.now, reason,
            request.api_calls, request.unauthorized, request.held_s,
        )  # fmt: skip

    def _note(self, event: str) -> None:
        self.recorder.token_events.append(TokenEvent(self.env.now, self.id, event, token_id(self.store.access)))

    def _relogin(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.relogin_after_s)
        if not self.logged_in:
            yield from self.login()

"""A client tab: one user's browser tab, its token store and its three moves.

The article keeps both tokens in ``localStorage`` and gives the app three
moves, which are the tab's methods here:

- ``login()``: POST /login, store both tokens;
- ``refresh()``: POST /refresh-token with the stored refresh token, store the
  new access token; on a 401, ``logout()``: clear the tokens and send the user
  to the login page;
- ``call_api()``: send one request with a given access token.

*When* to make these moves is the interceptors' business
(``interceptors.py``); the tab only knows how. It also holds the refresh
in flight (``single_flight.py``) and writes each request's record when the
request ends.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from ..config import RefreshPolicy
from ..records import Recorder, TokenEvent
from ..servers import AuthServer, ResourceServer
from ..tokens import token_id
from .request import Request
from .single_flight import SingleFlight
from .storage import TokenStore


class ClientTab:
    """One user's tab: tokens, the servers it talks to, its refresh policy, its requests.

    Records call it a ``session`` (its ``id`` is the user's number).
    """

    def __init__(
        self,
        env: simpy.Environment,
        session_id: int,
        auth: AuthServer,
        api: ResourceServer,
        recorder: Recorder,
        policy: RefreshPolicy,
        relogin_after_s: float | None = None,
    ):
        self.env = env
        self.id = session_id
        self.auth = auth
        self.api = api
        self.recorder = recorder
        self.policy = policy
        self.relogin_after_s = relogin_after_s
        self.store = TokenStore()
        self.logged_in = False
        self.logouts = 0
        self.flight = SingleFlight(env)

    @property
    def refreshing(self) -> simpy.Event | None:
        """The tab's refresh in flight (an event giving the new access token, or ``None``), if any."""
        return self.flight.in_flight

    # -- the three moves -------------------------------------------------

    def login(self) -> Generator[simpy.Event, Any, bool]:
        answer = yield from self.auth.login(self.id)
        self.store.access, self.store.refresh = answer.access, answer.refresh
        self.logged_in = True
        self._note("login")
        return True

    def refresh(self, stale: str | None, request_id: int = -1) -> Generator[simpy.Event, Any, str | None]:
        """Ask for a new access token after ``stale`` got a 401; return it, or ``None`` after logging out.

        ``request_id`` names the request that sends it, if one does (-1:
        the tab's shared refresh).
        """
        answer = yield from self.auth.refresh(self.store.refresh, self.id, request_id, token_id(stale))
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
        """One API call with ``token`` from inside the request's process; the status."""
        request.api_calls += 1
        status = yield from self.api.call(token, self.id, request.id)
        if status == 401:
            request.unauthorized += 1
        return status

    # -- waiting ---------------------------------------------------------

    def own_refresh(self, request: Request, stale: str | None) -> Generator[simpy.Event, Any, str | None]:
        """``request``'s own refresh (no single-flight): the article's ``await axios.post('/refresh-token')``.

        If requests are held while refreshing, this becomes the refresh they wait for.
        """
        if self.policy.hold_while_refreshing:
            return (yield from self.wait_for(request, self.flight.launch(self.refresh(stale, request.id))))
        start = self.env.now
        token = yield from self.refresh(stale, request.id)
        request.held_s += self.env.now - start
        return token

    def shared_refresh(self, stale: str | None) -> simpy.Event:
        """The refresh in flight, starting one (for ``stale``) if there is none (single-flight).

        Yielding the returned event gives the new access token, or ``None``
        if the refresh failed and the tab logged out.
        """
        return self.flight.join(lambda: self.refresh(stale))

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
            request=request.id, session=self.id, created_s=request.created_s, finished_s=self.env.now,
            reason=reason, api_calls=request.api_calls, unauthorized=request.unauthorized, held_s=request.held_s,
        )  # fmt: skip

    def _note(self, event: str) -> None:
        self.recorder.token_events.append(TokenEvent(self.env.now, self.id, event, token_id(self.store.access)))

    def _relogin(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.relogin_after_s)
        if not self.logged_in:
            yield from self.login()

"""A client tab: one browser tab running the app, its token store and its moves.

The article keeps both tokens in ``localStorage`` and gives the app three
moves; the login is the browser's (``browser.py``), the others the tab's:

- ``refresh()``: POST /refresh-token with the stored refresh token, store the
  new access token (and the new refresh token, if the server rotated it); on
  a 401, ``logout()``: clear the tokens and send the user to the login page;
- ``call_api()``: send one request with a given access token.

*When* to make these moves is the interceptors' business
(``interceptors.py``) and the client's parts' (``Client``); the tab only
knows how. It also holds its refresh in flight (``sharing.Flight``: in the
tab's memory, so other tabs know nothing of it), and writes each request's
record when the request ends.

Words: a *refresh* is what a tab does to get a new access token, one try or
more (``Refresh``); a *refresh call* is one try, one POST /refresh-token; the
*refresh token* is what it presents.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from ..observers import Observer, Refresh
from ..outcomes import Ending, Status, left
from ..records import TokenEvent
from ..tokens import token_id
from .request import Request
from .sharing import Flight
from .storage import TabMemory, TokenStore
from .transport import Transport

if TYPE_CHECKING:
    from .browser import Browser, Login
    from .composition import Client


class ClientTab:
    """One tab: its token store, its client's parts, its transport, its requests.

    Records call it a ``session``: its ``id`` is ``user * tabs + index``
    (the user's number, with one tab per user).
    """

    def __init__(
        self,
        env: simpy.Environment,
        session_id: int,
        browser: Browser,
        observer: Observer,
        client: Client,
        store: TokenStore | TabMemory,
        transport: Transport,
    ):
        self.env = env
        self.id = session_id
        self.browser = browser
        self.transport = transport  # the browser's connections, this tab's time, the client's timeouts
        self.observer = observer
        self.client = client
        self.store = store  # localStorage (shared by the browser's tabs), or this tab's memory and the cookie
        self.logged_in = False  # the browser's login, kept here too: every request reads it
        self.flight = Flight(env)
        self.login: Login  # the tabs it shares its tokens with (the browser sets it)

    @property
    def working(self) -> bool:
        """Whether the tab's work already decided goes on: the user is logged in, or the client
        stays on the page at a logout (``logout.py``)."""
        return self.logged_in or self.client.on_logout.keeps_working

    @property
    def refreshing(self) -> simpy.Event | None:
        """The tab's refresh in flight (an event giving the new access token, or ``None``), if any."""
        return self.flight.in_flight

    # -- the moves -------------------------------------------------------

    def refresh(
        self, stale: str | None, request_id: int = -1, proactive: bool = False
    ) -> Generator[simpy.Event, Any, str | None]:
        """Get a new access token to replace ``stale``; return it, or ``None`` after logging out.

        ``stale`` got a 401, or (``proactive``) is about to expire.
        ``request_id`` names the request that sends it, if one does (-1:
        the tab's shared refresh). The lock across tabs, or a BFF's lock in the
        session store, if the client takes one, wraps it (``locks.py``,
        ``session_lock.py``).
        """
        if not self.working:  # the page was left for the login page (another request's refresh failed)
            return None
        return (yield from self.client.session_lock.refresh(self, stale, request_id, proactive))

    def ask_for_tokens(
        self, stale: str | None, request_id: int, proactive: bool, store: TokenStore | None = None
    ) -> Generator[simpy.Event, Any, str | None]:
        """POST /refresh-token with the stored refresh token, again if the client retries a try that
        got no verdict (``retry.py``); store what comes back (in the tab's store, or in ``store``: a
        SharedWorker's). ``None`` if the user was logged out, or if the tries ran out and the client
        keeps the session (the waiting requests fail)."""
        env, client, observer = self.env, self.client, self.observer
        refresh = Refresh(self.id, self.browser.user, token_id(stale), request_id, proactive, env.now)
        observer.refresh_started(refresh)
        token = yield from self._tries(refresh, client, self.store if store is None else store)
        refresh.token, refresh.ended_s = token, env.now
        observer.refresh_ended(refresh)
        return token

    def _tries(
        self, refresh: Refresh, client: Client, store: TokenStore | TabMemory
    ) -> Generator[simpy.Event, Any, str | None]:
        env = self.env
        tries = client.retry.tries(self.browser.rng, self.browser.retry_budget)
        while True:
            sent_s = env.now
            # The refresh token is read when the call is made (the article's refreshTokens reads
            # localStorage, then axios.post): a call waiting for a connection keeps the one it was given.
            answer = yield from self.transport.post_refresh_token(store.refresh, refresh)
            if answer.status is Status.NOT_SENT:  # the page was left while it waited its turn
                return None
            if answer.status == Status.OK:
                if self.working:  # a late answer after the page was left must not revive the session
                    self.browser.keep(store, answer, sent_s)
                    self.note("stored", answer.access)
                return answer.access
            if answer.status == Status.UNAUTHORIZED:  # the verdict: this refresh token is no good
                if client.refresh_rejected == "logout":  # the article's catch: off to /login
                    self.logout()
                return None
            wait_s = tries.next_wait_s(answer.status, answer.retry_after_s, env.now)
            if wait_s is None:
                break
            yield env.timeout(wait_s)
            if not self.working:
                return None
        if client.retries_exhausted == "logout":  # the article's catch: off to /login
            self.logout()
        return None

    def logout(self) -> None:
        """The article's redirect to /login, for every tab of the browser; counted once per logout."""
        self.browser.logout(self)

    def call_api(self, request: Request, token: str | None) -> Generator[simpy.Event, Any, int]:
        """One API call with ``token`` from inside the request's process; the status."""
        status = yield from self.transport.call(token, self.id, request.id)
        if left(status):
            request.api_calls += 1
        if status == Status.UNAUTHORIZED:
            request.unauthorized += 1
        return status

    # -- what a proactive client believes (``device_clock.py``) --------------

    def due(self) -> bool:
        """Whether the stored access token is due for a proactive refresh, by this device's clock."""
        store = self.store
        return store.access is None or self.browser.clock.due(store.refresh_at)

    def believes_expired(self) -> bool:
        """Whether, by this device's clock, the stored access token is dead (or there is none)."""
        store = self.store
        return store.access is None or self.browser.clock.expired(store.expires_at)

    def wait_for(self, request: Request, event: simpy.Event) -> Generator[simpy.Event, Any, Any]:
        """Hold ``request`` until ``event`` fires; the time counts as held."""
        start = self.env.now
        value = yield event
        request.held_s += self.env.now - start
        return value

    # -- bookkeeping -----------------------------------------------------

    def finish(self, request: Request, status: int) -> None:
        """The request's last answer: 200, a 401 past the last retry, or anything else (failed)."""
        if status is Status.NOT_SENT:  # its call waited in the browser's line past the end of its login
            return self.end(request, Ending.LOGGED_OUT)
        ending = Ending.OK if status == Status.OK else Ending.UNAUTHORIZED if status == Status.UNAUTHORIZED else None
        self.end(request, ending or Ending.FAILED)
        return None

    def gave_up(self, request: Request) -> None:
        """No token to retry with: the request's login ended (the user is, or was, on the login
        page), or the refresh's tries ran out and the session was kept."""
        kept = self.logged_in and request.login in (-1, self.login.count)
        self.end(request, Ending.FAILED if kept else Ending.LOGGED_OUT)

    def ok(self, request_id: int, created_s: float) -> None:
        """A request answered 200 at its first call: one record, no ``Request`` ever made (the hot path)."""
        self.observer.request_ok(request_id, self.id, created_s, self.env.now)

    def end(self, request: Request, reason: Ending) -> None:
        self.observer.request_ended(
            request=request.id, session=self.id, created_s=request.created_s, finished_s=self.env.now,
            reason=reason, api_calls=request.api_calls, unauthorized=request.unauthorized, held_s=request.held_s,
        )  # fmt: skip

    def note(self, event: str, access: str | None = None) -> None:
        """A change to the tab's token store (its access token now ``access``, or the stored one),
        for the records."""
        access = self.store.access if access is None else access
        self.observer.tokens_changed(TokenEvent(self.env.now, self.id, event, token_id(access)))

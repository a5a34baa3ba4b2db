"""A client tab: one browser tab running the app, its token store and its moves.

The article keeps both tokens in ``localStorage`` and gives the app three
moves; the login is the browser's (``browser.py``), the others the tab's:

- ``refresh()``: POST /refresh-token with the stored refresh token, store the
  new access token (and the new refresh token, if the server rotated it); on
  a 401, ``logout()``: clear the tokens and send the user to the login page;
- ``call_api()``: send one request with a given access token.

*When* to make these moves is the interceptors' business
(``interceptors.py``); the tab only knows how. It also holds its refresh in
flight (``single_flight.py``: in the tab's memory, so other tabs know nothing
of it), takes the browser's lock across tabs if the app uses one, and writes
each request's record when the request ends.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from ..config import RefreshPolicy
from ..records import Recorder, TokenEvent
from ..servers import AuthServer, ResourceServer
from ..servers.faults import STATUS_NO_ANSWER
from ..tokens import token_id
from .request import Request
from .retry import Tries
from .single_flight import SingleFlight
from .storage import TabMemory, TokenStore
from .transport import STATUS_NOT_SENT, STATUS_WITHDRAWN, Transport

if TYPE_CHECKING:
    from .browser import Browser


class ClientTab:
    """One tab: its token store, the servers it talks to, its refresh policy, its requests.

    Records call it a ``session``: its ``id`` is ``user * tabs + index``
    (the user's number, with one tab per user).
    """

    def __init__(
        self,
        env: simpy.Environment,
        session_id: int,
        browser: Browser,
        auth: AuthServer,
        api: ResourceServer,
        recorder: Recorder,
        policy: RefreshPolicy,
        store: TokenStore | TabMemory,
        transport: Transport,
    ):
        self.env = env
        self.id = session_id
        self.browser = browser
        self.auth = auth
        self.api = api
        self.transport = transport  # the browser's connections, this tab's time, the client's timeouts
        self.recorder = recorder
        self.policy = policy
        self.store = store  # localStorage (shared by the browser's tabs), or this tab's memory and the cookie
        self.logged_in = False  # the browser's login, kept here too: every request reads it
        self.flight = SingleFlight(env)

    @property
    def refreshing(self) -> simpy.Event | None:
        """The tab's refresh in flight (an event giving the new access token, or ``None``), if any."""
        return self.flight.in_flight

    # -- the moves -------------------------------------------------------

    def refresh(
        self, stale: str | None, request_id: int = -1, proactive: bool = False
    ) -> Generator[simpy.Event, Any, str | None]:
        """Ask for a new access token to replace ``stale``; return it, or ``None`` after logging out.

        ``stale`` got a 401, or (``proactive``) is about to expire.
        ``request_id`` names the request that sends it, if one does (-1:
        the tab's shared refresh). With a lock across tabs, the tab waits
        for its turn and then looks at the store again: if another tab
        refreshed meanwhile it takes that token and sends nothing
        (double-checked locking, as auth0-spa-js does).
        """
        if not self.logged_in:  # on the login page (another request's refresh failed): nothing to send
            return None
        lock = self.browser.lock
        if lock is None:
            return (yield from self._ask_for_tokens(stale, request_id, proactive))
        with lock.request() as turn:  # navigator.locks.request('refresh', ...)
            yield turn
            if not self.logged_in:  # logged out while in line
                return None
            if self.store.access is not stale:  # another tab refreshed while this one waited
                return self.store.access
            return (yield from self._ask_for_tokens(stale, request_id, proactive))

    def _ask_for_tokens(
        self, stale: str | None, request_id: int, proactive: bool
    ) -> Generator[simpy.Event, Any, str | None]:
        """POST /refresh-token with the stored refresh token, again if the policy retries a try that
        got no verdict (``retry.py``); store what comes back. ``None`` if the user was logged out,
        or if the tries ran out and the policy keeps the session (the waiting requests fail)."""
        recorder, env = self.recorder, self.env
        if proactive:
            recorder.proactive_refreshes += 1
        tries = Tries(self.policy, self.browser.rng, self.browser.retry_budget, env.now)
        store = self.store
        while True:
            sent_s = env.now
            recorder.refresh_attempts += 1
            answer = yield from self.transport.refresh(lambda: store.refresh, self.id, request_id, token_id(stale))
            if answer.status == STATUS_NOT_SENT:  # the user was logged out while it waited its turn
                recorder.refresh_attempts -= 1
                if proactive and tries.made == 1:  # it never left: no proactive refresh after all
                    recorder.proactive_refreshes -= 1
                return None
            if answer.status == 200:
                if self.logged_in:  # a late answer after a logout must not revive the session
                    self.browser.keep(self.store, answer, sent_s)
                    self.note("stored")
                return answer.access
            if answer.status == 401:  # the verdict: this refresh token is no good
                if self.policy.refresh_rejected == "logout":  # the article's catch: off to /login
                    self.logout()
                return None
            if answer.status == STATUS_NO_ANSWER:
                recorder.refresh_timeouts += 1
            wait_s = tries.next_wait(answer.retry_after_s, env.now)
            if wait_s is None:
                break
            yield env.timeout(wait_s)
            if not self.logged_in:
                return None
        if self.policy.retries_exhausted == "logout":  # the article's catch: off to /login
            self.logout()
        return None

    def logout(self) -> None:
        """The article's redirect to /login, for every tab of the browser; counted once per logout."""
        self.browser.logout(self)

    def call_api(self, request: Request, token: str | None) -> Generator[simpy.Event, Any, int]:
        """One API call with ``token`` from inside the request's process; the status."""
        request.api_calls += 1
        status = yield from self.transport.call(token, self.id, request.id)
        if status == STATUS_WITHDRAWN:  # timed out in the browser's line: it never reached the API
            request.api_calls -= 1
            status = STATUS_NO_ANSWER  # (STATUS_NOT_SENT goes on to ``finish``, which uncounts it)
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

    def shared_refresh(self, stale: str | None, proactive: bool = False) -> simpy.Event:
        """The refresh in flight, starting one (for ``stale``) if there is none (single-flight).

        Yielding the returned event gives the new access token, or ``None``
        if the refresh failed and the tab logged out.
        """
        return self.flight.join(lambda: self.refresh(stale, proactive=proactive))

    def start_refresh(self, stale: str | None, proactive: bool = False) -> simpy.Event:
        """A refresh no request waits on by itself (a proactive one): an event giving its token.

        With single-flight it is the shared one (joined if one is in flight);
        without, a refresh of its own, which requests are held for if the
        policy holds them, and which races any other refresh otherwise.
        """
        if self.policy.single_flight == "tab":
            return self.shared_refresh(stale, proactive)
        if self.policy.hold_while_refreshing:
            return self.flight.launch(self.refresh(stale, proactive=proactive))
        return self.env.process(self.refresh(stale, proactive=proactive))

    # -- what a proactive client believes (``clock.py``) --------------------

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
        if status == STATUS_NOT_SENT:  # its call waited in the browser's line past the end of its login
            request.api_calls -= 1
            return self.end(request, "logged_out")
        if status == STATUS_WITHDRAWN:  # its timeout fired while it waited for a connection: it never left
            request.api_calls -= 1
        self.end(request, "ok" if status == 200 else "unauthorized" if status == 401 else "failed")
        return None

    def gave_up(self, request: Request) -> None:
        """No token to retry with: the request's login ended (the user is, or was, on the login
        page), or the refresh's tries ran out and the session was kept."""
        kept = self.logged_in and request.login in (-1, self.browser.login_count)
        self.end(request, "failed" if kept else "logged_out")

    def end(self, request: Request, reason: str) -> None:
        self.recorder.request_done(
            request=request.id, session=self.id, created_s=request.created_s, finished_s=self.env.now,
            reason=reason, api_calls=request.api_calls, unauthorized=request.unauthorized, held_s=request.held_s,
        )  # fmt: skip

    def note(self, event: str) -> None:
        """A change to the tab's token store, for the records."""
        self.recorder.token_events.append(TokenEvent(self.env.now, self.id, event, token_id(self.store.access)))

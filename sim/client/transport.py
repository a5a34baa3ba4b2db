"""What the browser does between the app and the network: connections, its own time, timeouts.

With nothing set, a call goes straight to the server (``send`` and ``call``
are the server's own, at no cost). With limits, each call of a tab first
takes ``client_cost_s`` of the tab's main thread (one call at a time per
tab: the app's own work before ``xhr.send()``), then waits for one of the
browser's ``max_connections`` connections to the origin (all tabs share
them; a refresh waits in the same line as API calls). A client timeout
counts from ``xhr.send()``, the wait for a connection included, as a
browser's does: a call still waiting when it fires is withdrawn and never
reaches the server; one already sent is abandoned (its connection freed)
and the server still does the work, and records it. A call whose turn
comes after the user was logged out is not sent at all.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import simpy

from ..config import BrowserLimits, RefreshPolicy
from ..servers import AuthServer, ResourceServer
from ..servers.auth import AuthAnswer
from ..servers.faults import STATUS_NO_ANSWER

if TYPE_CHECKING:
    from .browser import Browser

STATUS_NOT_SENT = -1  # the call's turn came after the user was logged out: it never left
STATUS_WITHDRAWN = -2  # the client's timeout fired while the call still waited for a connection


class Transport:
    """One browser's way to the servers (its connections are shared by its tabs)."""

    def __init__(
        self,
        env: simpy.Environment,
        api: ResourceServer,
        auth: AuthServer,
        limits: BrowserLimits,
        policy: RefreshPolicy,
        browser: Browser,
    ):
        self.env = env
        self.api = api
        self.auth = auth
        self.browser = browser
        self.cost_s = limits.client_cost_s
        self.connections = simpy.Resource(env, capacity=limits.max_connections) if limits.max_connections else None
        self.api_timeout_s = policy.api_timeout_s
        self.refresh_timeout_s = policy.refresh_timeout_s
        self.direct = not (limits.limited or policy.api_timeout_s)
        if self.direct:  # the common case: the server's own calls, nothing in between
            self.send = api.send
        self.main_threads: dict[int, simpy.Resource] = {}

    # -- API calls -------------------------------------------------------------

    def send(self, token: str | None, session: int, request: int, answered: Callable[[simpy.Event], None]) -> None:
        """``ResourceServer.send`` through the browser: ``answered`` gets an event whose value is the status."""
        self.env.process(self.call(token, session, request)).callbacks.append(answered)

    def call(self, token: str | None, session: int, request: int) -> Generator[simpy.Event, Any, int]:
        """One API call from inside a process; the status (``STATUS_NO_ANSWER`` if the client gave up,
        ``STATUS_NOT_SENT`` if the user was logged out before its turn)."""
        if self.direct:
            return (yield from self.api.call(token, session, request))
        status = yield from self._through_browser(
            session, lambda: self.api.call(token, session, request), self.api_timeout_s
        )
        return STATUS_NO_ANSWER if status is None else status  # (or withdrawn, or not sent: the caller counts)

    # -- refresh calls -----------------------------------------------------------

    def refresh(
        self, refresh_token: Callable[[], str | None], session: int, request: int, trigger: str
    ) -> Generator[simpy.Event, Any, AuthAnswer]:
        """POST /refresh-token through the browser, with the refresh token stored when it leaves;
        a timeout is an ``AuthAnswer`` with no status."""
        if self.direct and not self.refresh_timeout_s:
            return (yield from self.auth.refresh(refresh_token(), session, request, trigger))
        answer = yield from self._through_browser(
            session, lambda: self.auth.refresh(refresh_token(), session, request, trigger), self.refresh_timeout_s
        )
        if answer is None or answer == STATUS_WITHDRAWN:  # timed out: after it left, or still in the line
            return AuthAnswer(STATUS_NO_ANSWER, "timeout")
        if answer == STATUS_NOT_SENT:
            return AuthAnswer(STATUS_NOT_SENT, "not_sent")
        return answer

    # -- the browser's line ---------------------------------------------------

    def _through_browser(
        self, session: int, make_call: Callable[[], Generator[simpy.Event, Any, Any]], timeout_s: float
    ) -> Generator[simpy.Event, Any, Any]:
        """The tab's time, then a connection and the call, until it answers or ``timeout_s`` passes
        (``None`` if it did not; ``STATUS_NOT_SENT`` if the user was logged out before its turn)."""
        env, browser = self.env, self.browser
        login = browser.login_count
        if self.cost_s:
            thread = self.main_threads.get(session) or self.main_threads.setdefault(session, simpy.Resource(env, 1))
            with thread.request() as turn:
                yield turn
                yield env.timeout(self.cost_s)
        sent: list[bool] = []  # becomes [True] once the call has left
        attempt = env.process(self._connected(make_call, login, sent))
        if not timeout_s:
            return (yield attempt)
        yield attempt | env.timeout(timeout_s)
        if attempt.triggered:
            return attempt.value
        attempt.interrupt()  # withdrawn from the line, or abandoned with its connection freed
        return None if sent else STATUS_WITHDRAWN

    def _connected(
        self, make_call: Callable[[], Generator[simpy.Event, Any, Any]], login: int, sent: list[bool]
    ) -> Generator[simpy.Event, Any, Any]:
        """Wait for a connection, then make the call (unless the user was logged out meanwhile)."""
        try:
            if self.connections is None:
                return (yield from self._if_still_logged_in(make_call, login, sent))
            with self.connections.request() as connection:
                yield connection
                return (yield from self._if_still_logged_in(make_call, login, sent))
        except simpy.Interrupt:  # the client gave up: the server goes on with what it has
            return None

    def _if_still_logged_in(
        self, make_call: Callable[[], Generator[simpy.Event, Any, Any]], login: int, sent: list[bool]
    ) -> Generator[simpy.Event, Any, Any]:
        browser = self.browser
        if not browser.logged_in or browser.login_count != login:
            return STATUS_NOT_SENT
        sent.append(True)
        server = self.env.process(make_call())  # the server's side runs on its own, whatever the client does
        return (yield server)

"""What the browser does between the app and the network: connections, its own time, timeouts.

With nothing set, a call goes straight to the server (``send`` and ``call``
are the server's own, at no cost). With limits, each call of a tab first
takes ``client_cost_s`` of the tab's main thread (one call at a time per
tab: the app's own work before ``xhr.send()``), then waits for one of the
browser's ``max_connections`` connections to the origin (all tabs share
them; a refresh call waits in the same line as API calls). A client timeout
counts from ``xhr.send()``, the wait for a connection included, as a
browser's does: a call still waiting when it fires is withdrawn and never
reaches the server (``Status.WITHDRAWN``); one already sent is abandoned
(its connection freed) and the server still does the work, and records it
(``Status.NO_ANSWER``). A call whose turn comes after the user was logged
out is not sent at all (``Status.NOT_SENT``) if the logout left the page
(``on_logout = "unload"``); on a page that stays it goes out as it was made,
with the token it was given when it was made: a call's headers and body are
fixed by then (the Fetch standard's request; Chromium's socket pool only
holds it until a connection is free).

Each refresh call (and each API call, when an observer listens) is a
``Call`` the observers hear of when it is asked for and when it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import simpy

from ..config import BrowserLimits
from ..observers import Call, Observer, Refresh, wants
from ..outcomes import Status
from ..servers import AuthServer, ResourceServer
from ..servers.auth import AuthAnswer

if TYPE_CHECKING:
    from .browser import Browser, Login
    from .composition import Client

Answered = Callable[[simpy.Event], None]


class Transport:
    """One browser's way to the servers (its connections are shared by its tabs)."""

    def __init__(
        self,
        env: simpy.Environment,
        api: ResourceServer,
        auth: AuthServer,
        limits: BrowserLimits,
        client: Client,
        browser: Browser,
        observer: Observer,
    ):
        self.env = env
        self.api = api
        self.auth = auth
        self.browser = browser
        self.observer = observer
        self.cost_s = limits.client_cost_s
        self.connections = simpy.Resource(env, capacity=limits.max_connections) if limits.max_connections else None
        self.api_timeout_s = client.api_timeout_s
        self.refresh_timeout_s = client.refresh_timeout_s
        self.direct = not (limits.limited or client.api_timeout_s)
        self.watched = wants(observer, "call_asked") or wants(observer, "call_ended")
        if self.direct:  # the common case: the server's own calls, nothing in between
            self.send = self._send_watched if self.watched else api.send
        self.main_threads: dict[int, simpy.Resource] = {}
        self.dropped_at_logout = not client.on_logout.keeps_working  # the page is left: its line with it

    # -- API calls -------------------------------------------------------------

    def send(self, token: str | None, session: int, request: int, answered: Answered) -> None:
        """``ResourceServer.send`` through the browser: ``answered`` gets an event whose value is the status."""
        self.env.process(self.call(token, session, request)).callbacks.append(answered)

    def _send_watched(self, token: str | None, session: int, request: int, answered: Answered) -> None:
        """``ResourceServer.send`` with nothing in between, told to the observers."""
        call = self._asked("api", session, request)
        call.sent_s = call.asked_s

        def ended(answer: simpy.Event) -> None:
            self._ended(call, answer.value)
            answered(answer)

        self.api.send(token, session, request, ended)

    def call(self, token: str | None, session: int, request: int) -> Generator[simpy.Event, Any, int]:
        """One API call from inside a process; the status (``Status.NO_ANSWER`` if the client gave up,
        ``WITHDRAWN`` if it gave up before the call left, ``NOT_SENT`` if the user was logged out first)."""
        if self.direct and not self.watched:
            return (yield from self.api.call(token, session, request))
        call = self._asked("api", session, request)
        if self.direct:
            call.sent_s = call.asked_s
            status = yield from self.api.call(token, session, request)
        else:
            status = yield from self._through_browser(
                call, lambda: self.api.call(token, session, request), self.api_timeout_s
            )
        self._ended(call, status)
        return status

    # -- refresh calls -----------------------------------------------------------

    def post_refresh_token(
        self, refresh_token: str | None, refresh: Refresh
    ) -> Generator[simpy.Event, Any, AuthAnswer]:
        """One try of ``refresh``: POST /refresh-token through the browser with ``refresh_token``, the
        one stored when the call was made (its body does not change while it waits for a connection);
        a call that got no answer is an ``AuthAnswer`` with that status."""
        call = self._asked("refresh", refresh.session, refresh.request, refresh)
        refresh.tries.append(call)
        auth = self.auth

        def post() -> Generator[simpy.Event, Any, AuthAnswer]:
            return auth.post_refresh_token(refresh_token, refresh.session, refresh.request, refresh.trigger)

        if self.direct and not self.refresh_timeout_s:
            call.sent_s = call.asked_s
            answer = yield from post()
        else:
            answer = yield from self._through_browser(call, post, self.refresh_timeout_s)
            if not isinstance(answer, AuthAnswer):  # timed out, or never left
                answer = AuthAnswer(answer, "timeout" if answer is not Status.NOT_SENT else "not_sent")
        self._ended(call, answer.status, answer.retry_after_s)
        return answer

    # -- the browser's line ---------------------------------------------------

    def _through_browser(
        self, call: Call, make_call: Callable[[], Generator[simpy.Event, Any, Any]], timeout_s: float
    ) -> Generator[simpy.Event, Any, Any]:
        """The tab's time, then a connection and the call, until it answers or ``timeout_s`` passes
        (``Status.NO_ANSWER`` if it left and did not answer, ``WITHDRAWN`` if it had not left;
        ``NOT_SENT`` if the user was logged out before its turn)."""
        env = self.env
        login = self.browser.login_of(call.session)
        count = login.count
        if self.cost_s:
            threads = self.main_threads
            thread = threads.get(call.session) or threads.setdefault(call.session, simpy.Resource(env, 1))
            with thread.request() as turn:
                yield turn
                yield env.timeout(self.cost_s)
        attempt = env.process(self._connected(make_call, login, count, call))
        if not timeout_s:
            return (yield attempt)
        yield attempt | env.timeout(timeout_s)
        if attempt.triggered:
            return attempt.value
        attempt.interrupt()  # withdrawn from the line, or abandoned with its connection freed
        return Status.NO_ANSWER if call.sent_s == call.sent_s else Status.WITHDRAWN  # sent_s is nan until it left

    def _connected(
        self, make_call: Callable[[], Generator[simpy.Event, Any, Any]], login: Login, count: int, call: Call
    ) -> Generator[simpy.Event, Any, Any]:
        """Wait for a connection, then make the call (unless the user was logged out meanwhile)."""
        try:
            if self.connections is None:
                return (yield from self._if_still_logged_in(make_call, login, count, call))
            with self.connections.request() as connection:
                yield connection
                return (yield from self._if_still_logged_in(make_call, login, count, call))
        except simpy.Interrupt:  # the client gave up: the server goes on with what it has
            return None

    def _if_still_logged_in(
        self, make_call: Callable[[], Generator[simpy.Event, Any, Any]], login: Login, count: int, call: Call
    ) -> Generator[simpy.Event, Any, Any]:
        if self.dropped_at_logout and (not login.logged_in or login.count != count):
            return Status.NOT_SENT
        call.sent_s = self.env.now
        server = self.env.process(make_call())  # the server's side runs on its own, whatever the client does
        return (yield server)

    # -- telling the observers -------------------------------------------------

    def _asked(self, kind: str, session: int, request: int, refresh: Refresh | None = None) -> Call:
        call = Call(kind, session, request, self.env.now, refresh)
        self.observer.call_asked(call)
        return call

    def _ended(self, call: Call, status: int, retry_after_s: float = 0.0) -> None:
        call.ended_s, call.status, call.retry_after_s = self.env.now, Status(status), retry_after_s
        self.observer.call_ended(call)

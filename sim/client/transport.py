"""What the browser does between the app and the network: connections, its own time, timeouts.

With nothing set, a call goes straight to the server (``send`` and ``call``
are the server's own, at no cost). With limits, each call of a tab first
takes ``client_cost_s`` of the tab's main thread (one call at a time per
tab), then one of the browser's ``max_connections`` connections to the
origin (all tabs share them; a refresh waits in the same line as API
calls), and the client gives up after its timeout: the call is abandoned,
its connection freed, and the server still does the work (the abandoned
call is still served and recorded).
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
    pass


class Transport:
    """One browser's way to the servers (its connections are shared by its tabs)."""

    def __init__(
        self,
        env: simpy.Environment,
        api: ResourceServer,
        auth: AuthServer,
        limits: BrowserLimits,
        policy: RefreshPolicy,
    ):
        self.env = env
        self.api = api
        self.auth = auth
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
        """One API call from inside a process; the status (``STATUS_NO_ANSWER`` if the client gave up)."""
        if self.direct:
            return (yield from self.api.call(token, session, request))
        status = yield from self._through_browser(session, self.api.call(token, session, request), self.api_timeout_s)
        return STATUS_NO_ANSWER if status is None else status

    # -- refresh calls -----------------------------------------------------------

    def refresh(
        self, refresh_token: str | None, session: int, request: int, trigger: str
    ) -> Generator[simpy.Event, Any, AuthAnswer]:
        """POST /refresh-token through the browser; a timeout is an ``AuthAnswer`` with no status."""
        call = self.auth.refresh(refresh_token, session, request, trigger)
        if self.direct and not self.refresh_timeout_s:
            return (yield from call)
        answer = yield from self._through_browser(session, call, self.refresh_timeout_s)
        return AuthAnswer(STATUS_NO_ANSWER, "timeout") if answer is None else answer

    # -- the browser's line ---------------------------------------------------

    def _through_browser(
        self, session: int, call: Generator[simpy.Event, Any, Any], timeout_s: float
    ) -> Generator[simpy.Event, Any, Any]:
        """The tab's time, a connection, then ``call`` until it answers or ``timeout_s`` passes
        (``None``, or ``STATUS_NO_ANSWER`` for an API call, if it did not)."""
        env = self.env
        if self.cost_s:
            thread = self.main_threads.get(session) or self.main_threads.setdefault(session, simpy.Resource(env, 1))
            with thread.request() as turn:
                yield turn
                yield env.timeout(self.cost_s)
        if self.connections is None:
            return (yield from self._within(call, timeout_s))
        with self.connections.request() as connection:
            yield connection
            return (yield from self._within(call, timeout_s))

    def _within(self, call: Generator[simpy.Event, Any, Any], timeout_s: float) -> Generator[simpy.Event, Any, Any]:
        if not timeout_s:
            return (yield from call)
        answer = self.env.process(call)  # the server goes on with it whatever the client does
        yield answer | self.env.timeout(timeout_s)
        if answer.triggered:
            return answer.value
        return None

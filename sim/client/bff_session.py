"""Where a BFF keeps a session: in a store its instances share, or sealed in a cookie the browser carries.

A server-side session store (Redis, say: oauth2-proxy's) is one copy of the
session's tokens: an instance that refreshes writes it, and the next request
of the session, on whichever instance, reads the new tokens at once.

Many BFFs keep no server-side copy. The session is sealed into the cookie
itself (authkit-session's ``wos-session``, Auth.js's JWT session, ASP.NET
Core's authentication cookie under Duende's token management), and the
browser sends it with every request. Then the new tokens reach the other
requests only when a response that sets the cookie reaches the browser::

    request 1 (cookie r1) --> instance: refresh(r1) -> r2 ........ response: Set-Cookie r2
    request 2 (cookie r1) -----------> (sent before that response) instance: refresh(r1): reuse!

and when several responses set it, the browser keeps the last one to arrive,
whatever it holds (last writer wins). Which responses set it is the
library's: one whose request refreshed (authkit-session's
``refreshedSessionData``, Duende's ``SignInAsync``), or every one (Auth.js
re-seals the session it read on every call, to slide its expiry: a
response that read the old session writes it back over the new one).

The family ``session_in`` has two modes: ``SharedStore`` (``"store"``, the
lab's BFF so far) and ``SealedCookie`` (``"cookie"``). A cookie's instance
serves each request as a ``CookieRequest``: the instance, holding the
session as the request carried it. Its per-process single flight is keyed by
the refresh token the cookie carried (authkit-session's in-flight map, and
Duende's, are), so a request with an older cookie starts a refresh of its
own once the first has ended.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import simpy

from ..fields import check_choice, setting
from ..parts import Part
from ..servers import SessionStore
from .proactive import Send
from .request import Request
from .sharing import Flight
from .storage import KEYS, TokenStore
from .tab import ClientTab

if TYPE_CHECKING:
    from ..config.deployment import Deployment
    from ..observers import Observer

COOKIE_SET_BY = ("refresh", "every-response")


class SessionIn(Part, family="session_in"):
    """Where a BFF keeps each session's tokens between requests."""

    shared: ClassVar[bool] = True  # one copy every instance reads (a store the instances wait on)

    def store(self, env: simpy.Environment, deployment: Deployment, observer: Observer) -> SessionStore | None:
        """The shared session store the instances read and write (``None``: the session is not kept there)."""
        return SessionStore(env, deployment, observer)

    def deliver(
        self, instance: ClientTab, store: SessionStore | None, deployment: Deployment, send: Send,
        request_id: int, created_s: float,
    ) -> None:  # fmt: skip
        """The browser's request reaches ``instance``, which handles it (``send``)."""
        store.read_then(deployment.before_s, lambda: send(instance, request_id, created_s))


@dataclass(frozen=True)
class SharedStore(SessionIn, mode="store"):
    """A session store every instance reads and writes (Redis): new tokens reach every request at once."""


@dataclass(frozen=True)
class SealedCookie(SessionIn, mode="cookie"):
    """The session sealed in the browser's cookie: each request carries it as it was when the request left, and a
    response that sets it replaces it (the last to arrive wins)."""

    shared: ClassVar[bool] = False
    cookie_set_by: str = setting(
        "refresh",
        "which responses set the session cookie: refresh (those whose request refreshed the tokens: authkit-session, "
        "Duende) or every-response (each re-seals the session it read, Auth.js's JWT session)",
        choices=COOKIE_SET_BY,
        quiet=True,
    )

    def __post_init__(self) -> None:
        check_choice("cookie_set_by", self.cookie_set_by, COOKIE_SET_BY)

    def store(self, env: simpy.Environment, deployment: Deployment, observer: Observer) -> SessionStore | None:
        return None

    def deliver(
        self, instance: ClientTab, store: SessionStore | None, deployment: Deployment, send: Send,
        request_id: int, created_s: float,
    ) -> None:  # fmt: skip
        carried = copy_session(instance.store)  # the cookie as the browser sends it now
        count = instance.login.count
        every = self.cookie_set_by == "every-response"

        def arrived(_: simpy.Event) -> None:
            send(CookieRequest(instance, carried, count, every), request_id, created_s)

        instance.env.timeout(deployment.bff_rtt_s).callbacks.append(arrived)


class CookieRequest(ClientTab):
    """An instance serving one request with the session its cookie carried.

    It is the instance (its id, transport and login) with the carried session as its store, and the
    instance's refresh in flight for the refresh token the cookie carried. When the request's response
    reaches the browser, it sets the cookie if the session changed (or, ``every``, always).
    """

    def __init__(self, instance: ClientTab, carried: TokenStore, count: int, every: bool):
        self.env, self.id, self.browser = instance.env, instance.id, instance.browser
        self.transport, self.observer, self.client = instance.transport, instance.observer, instance.client
        self.store = carried
        self.login = instance.login
        self.instance, self.count, self.every = instance, count, every
        self.carried_access = carried.access
        flights = self.browser.flights_by_token
        key = (instance.id, carried.refresh)
        self.flight = flights.get(key) or flights.setdefault(key, SessionFlight(self.env))

    @property
    def logged_in(self) -> bool:  # type: ignore[override]
        """The login the cookie was sent under is still on (a logout cleared the cookie for every request)."""
        return self.instance.logged_in and self.login.count == self.count

    def refresh(
        self, stale: str | None, request_id: int = -1, proactive: bool = False
    ) -> Generator[simpy.Event, Any, str | None]:
        self.flight.session = self.store  # whoever joins this refresh takes the session it stores
        return (yield from super().refresh(stale, request_id, proactive))

    def wait_for(self, request: Request, event: simpy.Event) -> Generator[simpy.Event, Any, Any]:
        """Hold ``request`` for a refresh; one it joined gives it the session that refresh stored."""
        token = yield from super().wait_for(request, event)
        session = self.flight.session
        if token is not None and session is not None and session is not self.store and session.access is token:
            copy_session(session, self.store)
        return token

    def ok(self, request_id: int, created_s: float) -> None:
        self.respond()
        super().ok(request_id, created_s)

    def end(self, request: Request, reason: Any) -> None:
        self.respond()
        super().end(request, reason)

    def respond(self) -> None:
        """The response reaches the browser: ``Set-Cookie`` with this request's session, if it sets one."""
        if self.logged_in and (self.every or self.store.access is not self.carried_access):
            copy_session(self.store, self.instance.store)
            self.note("cookie")


class SessionFlight(Flight):
    """An instance's refresh in flight for one refresh token, and the session it stores its answer in."""

    def __init__(self, env: simpy.Environment):
        super().__init__(env)
        self.session: TokenStore | None = None


def copy_session(source: TokenStore, into: TokenStore | None = None) -> TokenStore:
    """``into`` (or a new store) holding what ``source`` holds."""
    into = TokenStore() if into is None else into
    for key in KEYS:
        setattr(into, key, getattr(source, key))
    return into

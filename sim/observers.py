"""Watching a run from outside: observers hear of each thing as it happens.

A run tells its observers what happens, at the moment it happens, the way a
Ciw simulation tells its ``tracker``: a browser opened, a request made, a
call asked for, sent and ended, a refresh started and ended, tokens stored,
a user logged out, a server's record of a call, a refresh token judged by
its family. ``run(scenario, observers=[...])`` takes any number of them.

The records the metrics are computed from are kept by one such observer
(``sim.records.Recorder``); the invariant tests, the playground's diagram
and anyone studying a run subscribe the same way, instead of reaching into
the model. Observing never changes a run: every hook is called after the
model has decided what to do, and schedules nothing.

Subclass ``Observer`` and override the hooks you want; the rest do
nothing. A hook that is not overridden costs the run nothing: requests
that meet no expiry are the hot path, so the run asks ``wants(hook)``
once, and only then takes the path that reports it.

What observers receive about the client's own calls and refreshes are
``Call`` and ``Refresh`` objects, the same object at each step of its life
(``call_asked`` then ``call_ended``; ``refresh_started`` then
``refresh_ended``): keep a reference if you want the later fields.
"""

from __future__ import annotations

import math
from typing import Any

from .outcomes import Status


class Call:
    """One call a tab asked its browser to make: an API call, or one try of a refresh.

    ``kind`` is ``"api"`` or ``"refresh"``; ``refresh`` is the ``Refresh``
    a try belongs to. ``status`` is what the client saw (``Status``), known
    at ``ended_s``; ``sent_s`` is when it left the browser (``nan`` if it
    never did).
    """

    __slots__ = ("kind", "session", "request", "refresh", "asked_s", "sent_s", "ended_s", "status", "retry_after_s")

    def __init__(self, kind: str, session: int, request: int, asked_s: float, refresh: Refresh | None = None):
        self.kind = kind
        self.session = session
        self.request = request
        self.refresh = refresh
        self.asked_s = asked_s
        self.sent_s = math.nan
        self.ended_s = math.nan
        self.status: Status | None = None
        self.retry_after_s = 0.0

    def __repr__(self) -> str:
        return f"<Call {self.kind} session={self.session} asked={self.asked_s:g} status={self.status!r}>"


class Refresh:
    """One refresh a tab made: from asking for tokens to the answer it settled on, its tries included.

    ``trigger`` is the ``jti`` of the access token it replaces (``""``: none
    stored), ``request`` the request that sent it (-1: the tab's shared
    refresh), ``proactive`` whether it was made before any 401 asked for it.
    ``tries`` are its calls in order; ``token`` the access token it got
    (``None``: it failed, or the user was logged out).
    """

    __slots__ = ("session", "user", "trigger", "request", "proactive", "started_s", "ended_s", "tries", "token")

    def __init__(self, session: int, user: int, trigger: str, request: int, proactive: bool, started_s: float):
        self.session = session
        self.user = user
        self.trigger = trigger
        self.request = request
        self.proactive = proactive
        self.started_s = started_s
        self.ended_s = math.nan
        self.tries: list[Call] = []
        self.token: str | None = None

    @property
    def verdict(self) -> bool:
        """Whether its last try got the server's verdict (200 or 401)."""
        return bool(self.tries) and self.tries[-1].status in (Status.OK, Status.UNAUTHORIZED)


class Observer:
    """Hears of what happens in a run. Every hook does nothing until overridden."""

    # who is there
    def browser_opened(self, browser: Any) -> None:
        """A user's browser, with its tabs, before its first login."""

    # requests, as the app sees them
    def request_made(self, request: int, session: int, time_s: float) -> None:
        """The app asked for request ``request`` in tab ``session``."""

    def request_ok(self, request: int, session: int, created_s: float, finished_s: float) -> None:
        """A request ended 200 at its first call, having waited for nothing (most of them)."""

    def request_ended(
        self,
        *,
        request: int,
        session: int,
        created_s: float,
        finished_s: float,
        reason: str,
        api_calls: int,
        unauthorized: int,
        held_s: float,
    ) -> None:
        """Any other request ended (``reason`` one of ``sim.outcomes.Ending``)."""

    # the client's calls and refreshes
    def call_asked(self, call: Call) -> None:
        """A tab asked for a call (a refresh's try always; an API call when anyone listens)."""

    def call_ended(self, call: Call) -> None:
        """The call's answer reached the client, or it gave up, or the call never left."""

    def refresh_started(self, refresh: Refresh) -> None:
        """A tab asks the auth server for tokens (under the cross-tab lock, if it takes one)."""

    def refresh_ended(self, refresh: Refresh) -> None:
        """The refresh settled: stored a token, failed, or found the user logged out."""

    def tokens_changed(self, event: Any) -> None:
        """A ``sim.records.TokenEvent``: a login, a token stored, a logout."""

    # the servers
    def call_served(self, record: Any) -> None:
        """A ``sim.records.CallRecord``, when its answer is back: every auth call; API calls with
        ``record_calls``."""

    def token_refused(self, reason: str, time_s: float) -> None:
        """The API turned a token away (``expired``, ``invalid``, ...)."""

    def family_verdict(self, family: Any, verdict: str) -> None:
        """The auth server judged a refresh token by its family (``sim.servers.families``)."""

    def family_revoked(self, family: Any) -> None:
        """Reuse detection revoked a whole family."""

    def session_lock_gave_up(self, session: int, time_s: float) -> None:
        """A BFF instance waited ``lock_wait_s`` for the session's lock and cleared the session."""

    def store_used(self, operation: str, time_s: float) -> None:
        """A BFF used its session store (``read``, ``lock``, ``unlock`` or ``write``; ``sim.servers.session_store``)."""


HOOKS = tuple(name for name in vars(Observer) if not name.startswith("_"))


def overrides(observer: Observer, hook: str) -> bool:
    """Whether ``observer`` does something on ``hook``."""
    return getattr(type(observer), hook) is not getattr(Observer, hook)


class Observers(Observer):
    """Several observers heard as one: each hook calls, in order, those that override it."""

    def __init__(self, observers: list[Observer]):
        self.observers = list(observers)
        for hook in HOOKS:
            listening = [getattr(observer, hook) for observer in self.observers if overrides(observer, hook)]
            setattr(self, hook, _fan_out(listening))

    def wants(self, hook: str) -> bool:
        return any(overrides(observer, hook) for observer in self.observers)


def _fan_out(listening: list) -> Any:
    if not listening:
        return lambda *args, **kwargs: None
    if len(listening) == 1:
        return listening[0]

    def every(*args: Any, **kwargs: Any) -> None:
        for hook in listening:
            hook(*args, **kwargs)

    return every


def hub(observers: list[Observer]) -> Observer:
    """What the model reports to: the one observer itself, or all of them as one."""
    return observers[0] if len(observers) == 1 else Observers(observers)


def wants(observer: Observer, hook: str) -> bool:
    """Whether anyone at ``observer`` (a hub or a single observer) listens to ``hook``."""
    return observer.wants(hook) if isinstance(observer, Observers) else overrides(observer, hook)

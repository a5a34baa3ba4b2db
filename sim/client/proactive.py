"""Refreshing before expiry: three ways real libraries do it.

The article refreshes only after a 401: by then a request has already been
turned away. Most mature clients refresh *before* the token dies, a margin
ahead (60 s in oidc-client-ts, auth0-spa-js and Authlib, 5 s in keycloak-js,
300 s in MSAL.js), and they do it in one of three ways. Each is a mode of
the family ``proactive``, one class each:

- ``Off`` (``"off"``): only after a 401 (the article).
- ``OnUse`` (``"on-use"``): the request interceptor looks at the token
  first; if it dies within the margin, the request waits for a refresh and
  goes out with the new token (auth0-spa-js's ``getTokenSilently``, MSAL's
  ``acquireTokenSilent``, keycloak-js's ``updateToken(minValidity)``).
- ``Timer`` (``"timer"``): each tab arms a timer for expiry minus the margin
  and refreshes when it fires, whether or not anything is being sent.
  oidc-client-ts checks its timers on a 5 s ``setInterval``, so a refresh
  fires up to one tick late (``timer_tick_s``).
- ``Background`` (``"background"``): past the margin, the request goes out
  at once with the current token while a refresh runs beside it
  (stale-while-revalidate: MSAL's ``refresh_in``, google-auth's
  non-blocking refresh). Only a token the client believes already dead
  makes a request wait.

A proactive refresh is one more way into the tab's refresh (the
``single_flight`` part's ``start``): with single flight it is the shared
refresh, which a 401 arriving meanwhile joins; without it, a 401 arriving
meanwhile sends a refresh of its own, and the two race (axios #10701: under
rotation, one of them presents a used refresh token).

Whether a token is due is the device clock's business (``device_clock.py``),
by the settings every early mode shares (``Early``): margin, jitter, XFetch,
and where expiry is read from. Everything after the refresh (the 401s, the
retries) is the article's response interceptor, unchanged
(``interceptors.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import simpy

from ..fields import ConfigError, check_bool, check_choice, check_number, check_seconds, setting
from ..parts import Part
from .interceptors import held, send
from .request import Request

if TYPE_CHECKING:
    from .browser import Browser
    from .tab import ClientTab

EXPIRY_SOURCES = ("exp", "expires_in", "expires_in-from-send")
AFTER_FAILURE = ("next-tick", "stop")
MAX_XFETCH_BETA = 1000.0

Send = Callable[["ClientTab", int, float], None]


class Proactive(Part, family="proactive"):
    """Whether, and how, the client refreshes before its token expires."""

    reads_expiry: ClassVar[bool] = True  # looks at the token's expiry on the device's clock

    @property
    def request_interceptor(self) -> Send:
        """What ``api.get()`` runs first: the plain request interceptor, or one that looks at expiry."""
        return send

    def on_login(self, browser: Browser, tabs: list[ClientTab]) -> None:
        """What the app starts in ``tabs`` when they log in (a renewal timer, say)."""


@dataclass(frozen=True)
class Off(Proactive, mode="off"):
    """Only after a 401 (the article)."""

    reads_expiry: ClassVar[bool] = False


@dataclass(frozen=True)
class Early(Proactive):
    """What every mode that refreshes early shares: the margin, and how expiry is judged."""

    margin_s: float = setting(60.0, "refresh this long before expiry, s")
    margin_frac: float = setting(
        0.0, "a further margin, as a share of the token's lifetime (expires_in), 0 to 1: angular-oauth2-oidc's "
        "timeoutFactor 0.75 is 0.25",
        quiet=True,
    )  # fmt: skip
    margin_jitter_s: float = setting(0.0, "a uniform random extra margin of up to this, per token, s")
    xfetch_beta: float = setting(
        0.0,
        f"XFetch early refresh: refresh when now - delta*beta*ln(U) passes the refresh time (delta: the last "
        f"refresh's round trip), 0 to {MAX_XFETCH_BETA:g}; 0 is off",
    )
    expiry_from: str = setting(
        "exp",
        "exp: the JWT's exp against the client's own clock; expires_in: the lifetime counted from the answer's "
        "arrival; expires_in-from-send: counted from when the refresh was sent (MSAL.js)",
        choices=EXPIRY_SOURCES,
    )
    skew_estimation: bool = setting(
        False, "with expiry_from exp: estimate the clock's offset from iat and the round trip's midpoint (keycloak-js)"
    )

    def __post_init__(self) -> None:
        check_seconds("margin_s", self.margin_s)
        check_number("margin_frac", self.margin_frac, 0, 1)
        check_seconds("margin_jitter_s", self.margin_jitter_s)
        check_number("xfetch_beta", self.xfetch_beta, 0, MAX_XFETCH_BETA)
        check_choice("expiry_from", self.expiry_from, EXPIRY_SOURCES)
        check_bool("skew_estimation", self.skew_estimation)
        if self.skew_estimation and self.expiry_from != "exp":
            raise ConfigError("skew_estimation", True, "corrects the clock for expiry_from = exp only")


@dataclass(frozen=True)
class OnUse(Early, mode="on-use"):
    """Before sending, refresh first if the token expires within the margin."""

    @property
    def request_interceptor(self) -> Send:
        return send_on_use


@dataclass(frozen=True)
class Timer(Early, mode="timer"):
    """A timer per tab fires at expiry minus the margin, checked every ``timer_tick_s``."""

    timer_tick_s: float = setting(5.0, "how often the timer checks the clock, s")
    timer_after_failure: str = setting(
        "next-tick",
        "after a renewal that got no token: next-tick (the next tick finds the token due and tries again) or stop "
        "(the timer is not armed again this login: oidc-client-ts)",
        choices=AFTER_FAILURE,
        quiet=True,
    )

    timer_follows_store: bool = setting(
        True,
        "plan again when the stored token changes (another tab's refresh, seen through a storage event); false: "
        "fire when the tab's own plan says and renew whatever is stored then (oidc-client-ts has no listener)",
        quiet=True,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        check_seconds("timer_tick_s", self.timer_tick_s, positive=True)
        check_choice("timer_after_failure", self.timer_after_failure, AFTER_FAILURE)
        check_bool("timer_follows_store", self.timer_follows_store)

    def on_login(self, browser: Browser, tabs: list[ClientTab]) -> None:
        """Each tab's page arms its own renewal timer, the first tab's at once, the others' at a random phase."""
        for tab in tabs:
            index = browser.tabs.index(tab)
            phase_s = browser.clock.rng.uniform(0.0, self.timer_tick_s) if index else 0.0
            browser.env.process(timer(tab, phase_s, self))


@dataclass(frozen=True)
class Background(Early, mode="background"):
    """Past the margin, send with the current token and refresh meanwhile."""

    @property
    def request_interceptor(self) -> Send:
        return send_in_background


PROACTIVE_MODES = tuple(Proactive.modes)


def send_on_use(tab: ClientTab, request_id: int, created_s: float) -> None:
    """``send`` for ``on-use``: a token due for refresh is refreshed first."""
    if tab.logged_in and tab.due():
        refresh = tab.client.single_flight.start(tab, tab.store.access, proactive=True)
        tab.env.process(held(tab, Request(request_id, created_s, login=tab.login.count), refresh))
        return None
    return send(tab, request_id, created_s)


def send_in_background(tab: ClientTab, request_id: int, created_s: float) -> None:
    """``send`` for ``background``: past the margin, refresh beside the request."""
    if tab.logged_in and tab.due():
        refresh = tab.client.single_flight.start(tab, tab.store.access, proactive=True)
        if tab.believes_expired():  # nothing usable to send meanwhile: wait, as on use
            tab.env.process(held(tab, Request(request_id, created_s, login=tab.login.count), refresh))
            return None
    return send(tab, request_id, created_s)


def timer(tab: ClientTab, phase_s: float, part: Timer) -> Generator[simpy.Event, Any, None]:
    """``Timer``: the tab's renewal timer, from login to logout.

    It checks the clock every ``tick_s`` (ticks at login + ``phase_s`` + k
    ticks) and refreshes at the first tick that finds the token due. Ticks
    are not simulated one by one: for the token in the store, the first
    tick that will find it due is worked out in advance (with XFetch, by
    drawing its chance at each tick in turn, as the live checks would), and
    the timer sleeps until then. If the token changed meanwhile (another
    refresh, another tab), it plans again, unless it does not follow the
    store (``timer_follows_store = false``: no storage listener), and then
    it renews whatever is stored when its plan says. After a refresh the next check is
    a tick later at the earliest, so a clock that believes every new token
    due refreshes once per tick, for ever. The timer stops with the login,
    when the user closes the app (``Browser.open_until_s``), or, with
    ``timer_after_failure = "stop"``, after a renewal that got no token (oidc-client-ts's
    expiring timer is cancelled when it fires, src/utils/Timer.ts, and only
    a successful renewal arms it again).
    """
    env, browser, login = tab.env, tab.browser, tab.login
    count, tick_s = login.count, part.timer_tick_s
    stop_on_failure, follows = part.timer_after_failure == "stop", part.timer_follows_store
    first_s = env.now + phase_s
    k = 1  # the next tick to check: the first is a tick after login (oidc-client-ts waits at least 1 s)
    while tab.logged_in and login.count == count:
        planned_for = tab.store.access
        k = first_due_tick(tab, first_s, tick_s, max(k, math.ceil((env.now - first_s) / tick_s - 1e-9)))
        wake_s = first_s + k * tick_s
        if wake_s > browser.open_until_s:  # the app is closed by then
            return
        yield env.timeout(max(0.0, wake_s - env.now))
        k += 1
        if not tab.logged_in or login.count != count:
            return
        if tab.store.access is planned_for or not follows:  # the token the plan was for is due now
            token = yield tab.client.single_flight.start(tab, tab.store.access, proactive=True)
            if token is None and stop_on_failure:
                return


def first_due_tick(tab: ClientTab, first_s: float, tick_s: float, k: int) -> int:
    """The first tick from ``k`` on at which the timer finds the stored token due."""
    store, clock = tab.store, tab.browser.clock
    if store.access is None:  # nothing stored (a new tab's memory): due at once
        return k
    due_s = clock.sim_time(store.refresh_at)  # due for sure from here
    k_due = max(k, math.ceil((due_s - first_s) / tick_s - 1e-9))
    reach_s = clock.xfetch_reach_s()
    if not reach_s:
        return k_due
    # XFetch: each earlier tick within its reach fires with its own chance
    for early in range(max(k, math.ceil((due_s - reach_s - first_s) / tick_s)), k_due):
        if clock.due(store.refresh_at, at_s=first_s + early * tick_s):
            return early
    return k_due

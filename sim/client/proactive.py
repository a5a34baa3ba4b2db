"""Refreshing before expiry: three ways real libraries do it.

The article refreshes only after a 401: by then a request has already been
turned away. Most mature clients refresh *before* the token dies, a margin
ahead (60 s in oidc-client-ts, auth0-spa-js and Authlib, 5 s in keycloak-js,
300 s in MSAL.js), and they do it in one of three ways (``proactive``):

- ``on-use``: the request interceptor looks at the token first; if it dies
  within the margin, the request waits for a refresh and goes out with the
  new token (auth0-spa-js's ``getTokenSilently``, MSAL's
  ``acquireTokenSilent``, keycloak-js's ``updateToken(minValidity)``).
- ``timer``: each tab arms a timer for expiry minus the margin and refreshes
  when it fires, whether or not anything is being sent. oidc-client-ts
  checks its timers on a 5 s ``setInterval``, so a refresh fires up to one
  tick late (``timer_tick_s``).
- ``background``: past the margin, the request goes out at once with the
  current token while a refresh runs beside it (stale-while-revalidate:
  MSAL's ``refresh_in``, google-auth's non-blocking refresh). Only a token
  the client believes already dead makes a request wait.

A proactive refresh is one more way into the tab's refresh
(``ClientTab.start_refresh``): with ``single_flight = "tab"`` it is the
shared refresh, which a 401 arriving meanwhile joins; without it, a 401
arriving meanwhile sends a refresh of its own, and the two race (axios
#10701: under rotation, one of them presents a used refresh token).

Whether a token is due is the clock's business (``clock.py``): margin,
jitter, XFetch, clock offset and where expiry is read from all live there.
Everything after the refresh (the 401s, the retries) is the article's
response interceptor, unchanged (``interceptors.py``).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from .interceptors import held, send
from .request import Request
from .tab import ClientTab


def send_on_use(tab: ClientTab, request_id: int, created_s: float) -> None:
    """``send`` for ``proactive = "on-use"``: a token due for refresh is refreshed first."""
    if tab.logged_in and tab.due():
        refresh = tab.start_refresh(tab.store.access, proactive=True)
        tab.env.process(held(tab, Request(request_id, created_s, login=tab.browser.login_count), refresh))
        return None
    return send(tab, request_id, created_s)


def send_in_background(tab: ClientTab, request_id: int, created_s: float) -> None:
    """``send`` for ``proactive = "background"``: past the margin, refresh beside the request."""
    if tab.logged_in and tab.due():
        refresh = tab.start_refresh(tab.store.access, proactive=True)
        if tab.believes_expired():  # nothing usable to send meanwhile: wait, as on use
            tab.env.process(held(tab, Request(request_id, created_s, login=tab.browser.login_count), refresh))
            return None
    return send(tab, request_id, created_s)


SENDERS = {"off": send, "on-use": send_on_use, "timer": send, "background": send_in_background}


def timer(tab: ClientTab, phase_s: float) -> Generator[simpy.Event, Any, None]:
    """``proactive = "timer"``: the tab's renewal timer, from login to logout.

    It checks the clock every ``timer_tick_s`` (ticks at login + ``phase_s``
    + k ticks) and refreshes at the first tick that finds the token due.
    Ticks are not simulated one by one: for the token in the store, the
    first tick that will find it due is worked out in advance (with
    XFetch, by drawing its chance at each tick in turn, as the live checks
    would), and the timer sleeps until then. If the token changed
    meanwhile (another refresh, another tab), it plans again. After a
    refresh the next check is a tick later at the earliest, so a clock that
    believes every new token due refreshes once per tick, for ever. The
    timer stops with the login, or when the user closes the app
    (``Browser.open_until_s``).
    """
    env, browser, tick_s = tab.env, tab.browser, tab.policy.timer_tick_s
    login = browser.login_count
    first_s = env.now + phase_s
    k = 1  # the next tick to check: the first is a tick after login (oidc-client-ts waits at least 1 s)
    while tab.logged_in and browser.login_count == login:
        planned_for = tab.store.access
        k = first_due_tick(tab, first_s, tick_s, max(k, math.ceil((env.now - first_s) / tick_s - 1e-9)))
        wake_s = first_s + k * tick_s
        if wake_s > browser.open_until_s:  # the app is closed by then
            return
        yield env.timeout(max(0.0, wake_s - env.now))
        k += 1
        if not tab.logged_in or browser.login_count != login:
            return
        if tab.store.access is planned_for:  # still the token the plan was for: it is due now
            yield tab.start_refresh(planned_for, proactive=True)


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

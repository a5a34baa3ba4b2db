"""The client as axios interceptors: what happens between ``api.get()`` and its answer.

Five tabs' worth of requests ask for data at the moment the access token
dies. Each one goes out with the old token, and each one comes back 401.
What now?

axios answers in two places. The **request interceptor** runs before a
request leaves; the article's only attaches the stored token::

    api.interceptors.request.use(config => {
      config.headers.Authorization = `Bearer ${localStorage.getItem('accessToken')}`;
      return config;
    });

The **response interceptor** runs on every answer; the article's refreshes
and retries once on a 401::

    if (error.response?.status === 401 && !originalRequest._retry) {
      originalRequest._retry = true;
      const { accessToken } = (await axios.post('/refresh-token', { refreshToken })).data;
      localStorage.setItem('accessToken', accessToken);
      return api(originalRequest);            // retry once with the new token
    }                                         // (a failed refresh clears the tokens
    return Promise.reject(error);             //  and goes to /login)

Run that for five requests at once and you get five refresh calls: a refresh
storm. Each choice of the ``Client`` (``composition.py``) changes one line of it:

=========================  ===================================================
``hold_while_refreshing``  request interceptor: a refresh is in flight, so
                           hold the request and send it with the new token
``max_retries``            ``!originalRequest._retry``: how many rounds
``late_401_check``         before refreshing, look at the store: was the
                           token that got the 401 already replaced?
``single_flight``          ``await axios.post('/refresh-token')``: join the
                           refresh in flight instead of sending another
                           (``sharing.py``)
=========================  ===================================================

``naive``, ``locked`` and ``queued`` are named clients of these choices
(``sim.presets.CLIENTS``). A client that refreshes *before* the 401
(``proactive``) puts a look at the token's expiry in front of ``send``;
that lives in ``proactive.py``, and everything after it is the code here.

Most requests meet no expiry: their token is attached at once and their
answer is 200. Such a request is no SimPy process. ``send`` hands its call
to the API with a callback, and it costs the call's own events and one
record. Only a request that has to wait (held, or answered 401) becomes a
process, running ``held`` or ``response_interceptor`` below, which read top
to bottom like the article's code.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from ..outcomes import Ending, left
from .request import Request

if TYPE_CHECKING:
    from .tab import ClientTab


def send(tab: ClientTab, request_id: int, created_s: float) -> None:
    """``api.get(...)`` at ``created_s``: the request interceptor, the call, then the response interceptor."""
    if not tab.logged_in:  # the user is on the login page: the app sends nothing
        return tab.end(Request(request_id, created_s), Ending.LOGGED_OUT)
    refreshing = tab.flight.in_flight
    if refreshing is not None and tab.client.hold_while_refreshing:  # wait it out, then send
        tab.env.process(held(tab, Request(request_id, created_s, login=tab.login.count), refreshing))
        return None
    token = tab.store.access  # config.headers.Authorization = `Bearer ${accessToken}`

    def answered(answer: simpy.Event) -> None:
        status = answer.value
        if status == 200:  # the common case: done, one record, and no Request was ever needed
            tab.ok(request_id, created_s)
        elif status == 401:
            request = Request(request_id, created_s, api_calls=1, unauthorized=1, login=tab.login.count)
            tab.env.process(response_interceptor(tab, request, token, status))
        else:  # no answer in time, or never sent (the browser held it past a logout, or withdrew it)
            tab.finish(Request(request_id, created_s, api_calls=1 if left(status) else 0), status)

    tab.transport.send(token, tab.id, request_id, answered)
    return None


def held(tab: ClientTab, request: Request, refresh: simpy.Event) -> Generator[simpy.Event, Any, None]:
    """Request interceptor, ``hold_while_refreshing``: wait for the refresh in flight, then send."""
    new_token = yield from tab.wait_for(request, refresh)
    if new_token is None or not tab.working:  # the refresh failed, or another tab's did
        return tab.gave_up(request)
    token = tab.store.access if tab.logged_in else new_token  # a page that stays after a logout: the one it got
    status = yield from tab.call_api(request, token)
    yield from response_interceptor(tab, request, token, status)


def response_interceptor(
    tab: ClientTab, request: Request, used: str | None, status: int
) -> Generator[simpy.Event, Any, None]:
    """The article's response interceptor: on a 401, get a new token and retry, at most ``max_retries`` times."""
    client = tab.client
    while status == 401 and request.retries < client.max_retries:  # && !originalRequest._retry
        if client.single_flight.drops_401(tab):
            break  # the interceptor is off while the tab's refresh runs: the 401 reaches the app
        request.retries += 1  # originalRequest._retry = true
        token = yield from token_after_401(tab, request, used)
        if token is None or not tab.working:  # a refresh failed (this one or another tab's): off to /login
            return tab.gave_up(request)
        status = yield from tab.call_api(request, token)  # return api(originalRequest)
        used = token
    tab.finish(request, status)  # a 401 past the last retry is final: Promise.reject(error)


def token_after_401(tab: ClientTab, request: Request, used: str | None) -> Generator[simpy.Event, Any, str | None]:
    """The token to retry with after ``used`` got a 401 (``None``: logged out)."""
    stored = tab.store.access
    if tab.client.late_401_check and tab.client.on_logout.replaced(stored, used, tab.logged_in):
        return stored  # a late 401: someone already refreshed (or logged out: None)
    return (yield from tab.client.single_flight.after_401(tab, request, used))  # join one, or send one

"""Refresh strategies: what the client does when the API answers 401.

Five tabs' worth of requests ask for data at the moment the access token
dies. Each one goes out with the old token, and each one comes back 401.
What now?

The article's axios response interceptor answers for one request at a time::

    if (error.response?.status === 401 && !originalRequest._retry) {
      originalRequest._retry = true;
      const { accessToken } = (await axios.post('/refresh-token', { refreshToken })).data;
      localStorage.setItem('accessToken', accessToken);
      return api(originalRequest);            // retry once with the new token
    }                                         // (a failed refresh clears the tokens
    return Promise.reject(error);             //  and goes to /login)

Run that for five requests at once and you get five refresh calls: a refresh
storm. The article warns about this and stops there. The three strategies:

``naive``
    The interceptor exactly as written: every 401 sends its own refresh.
``locked``
    Single-flight: at most one refresh in flight per session. A request
    whose 401 arrives while one is in flight waits for it; one whose 401
    arrives after its token was already replaced retries with the current
    token, sending no refresh at all.
``queued``
    ``locked``, and while a refresh is in flight new requests are held
    before they are sent and released with the new token afterwards (the
    pause-while-refreshing of axios-auth-refresh), so fewer are wasted on 401s.

A strategy is a generator function ``(session, request)`` that SimPy runs
as the request's process: it sends the request, handles a 401, and ends
the request with ``session.finish`` or ``session.end``. Each reads top to
bottom like the interceptor it models.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol

import simpy

from .session import ClientSession, Request


class RefreshStrategy(Protocol):
    """What every strategy is: the life of one request, as a SimPy process."""

    def __call__(self, session: ClientSession, request: Request) -> Generator[simpy.Event, Any, None]: ...


def naive(session: ClientSession, request: Request) -> Generator[simpy.Event, Any, None]:
    """The article's interceptor: on a first 401, refresh, store, retry once."""
    token = session.store.access  # the request interceptor adds the stored token
    status = yield from session.call_api(request, token)
    if status == 401 and not request.retried:
        request.retried = True  # originalRequest._retry = true
        new_token = yield from session.refresh(token, request)  # one refresh per 401: the storm
        if new_token is None:  # refresh failed: tokens cleared, off to /login
            return session.end(request, "logged_out")
        status = yield from session.call_api(request, new_token)  # return api(originalRequest)
    session.finish(request, status)  # a second 401 is final


def locked(session: ClientSession, request: Request) -> Generator[simpy.Event, Any, None]:
    """Single-flight: at most one refresh in flight; everyone else waits for it."""
    token = session.store.access
    status = yield from session.call_api(request, token)
    if status == 401 and not request.retried:
        request.retried = True
        new_token = yield from _token_after_401(session, request, token)
        if new_token is None:
            return session.end(request, "logged_out")
        status = yield from session.call_api(request, new_token)
    session.finish(request, status)


def queued(session: ClientSession, request: Request) -> Generator[simpy.Event, Any, None]:
    """``locked``, and new requests wait out a refresh in flight before they are sent."""
    if session.refreshing is not None:  # hold it rather than send a doomed request
        new_token = yield from session.wait_for(request, session.refreshing)
        if new_token is None:
            return session.end(request, "logged_out")
    yield from locked(session, request)


def _token_after_401(
    session: ClientSession, request: Request, used: str | None
) -> Generator[simpy.Event, Any, str | None]:
    """The token to retry with after a 401 on ``used`` (``None``: logged out)."""
    if not session.logged_in:
        return None
    if session.store.access is not used:  # a late 401: someone already refreshed
        return session.store.access
    return (yield from session.wait_for(request, session.shared_refresh(used)))


STRATEGIES: dict[str, RefreshStrategy] = {
    "naive": naive,
    "locked": locked,
    "queued": queued,
}

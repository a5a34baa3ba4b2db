"""What happened, written down at the moment it happened.

The ``Recorder`` is the observer (``observers.py``) every run has: it
appends flat records as things happen (a request finished, a call was
answered, a token was stored) and counts what has no record of its own
(refresh tries, timeouts, logouts, reuse caught), each count once, where
the event is heard. It never computes a metric; ``metrics.py`` turns the
records into pandas DataFrames afterwards.

Each record kind is a ``NamedTuple`` that documents its columns. Requests
are by far the most numerous (a million in the benchmark), so they are kept
in typed columns (``array``) rather than as a million tuples: about 50
bytes a request instead of several hundred. The rarer kinds are plain lists
of tuples.
"""

from __future__ import annotations

from array import array
from typing import NamedTuple

import numpy as np
import pandas as pd

from .observers import Observer, Refresh
from .outcomes import ENDINGS, Ending, Status

# Why a request ended (``outcomes.Ending``), as the records store it: a small code each.
REASONS = tuple(str(ending) for ending in ENDINGS)
_REASON_CODES = {reason: code for code, reason in enumerate(REASONS)}
_OK = _REASON_CODES[Ending.OK]


class RequestRecord(NamedTuple):
    """One request from the moment the app asked for it to its final answer."""

    request: int  # id, unique within a run
    session: int
    created_s: float  # the app asked for it
    finished_s: float  # the app got its final answer
    reason: str  # one of REASONS (``outcomes.Ending``)
    api_calls: int  # calls sent to the API for it (1, plus one per retry)
    unauthorized: int  # 401s it got from the API
    held_s: float  # time spent waiting for a refresh (its own or a shared one)


class CallRecord(NamedTuple):
    """One HTTP call to a server (auth calls always; API calls when asked).

    Built by keyword, ``CallRecord(session=..., **exchange.times(), ...)``,
    so a new column never shifts another.
    """

    session: int
    request: int  # -1 for calls no single request owns (login, single-flight refresh)
    server: str  # "auth" or "api"
    endpoint: str  # "login", "refresh" or "resource"
    sent_s: float  # left the client
    arrived_s: float  # reached the server
    started_s: float  # a worker picked it up (after any queue)
    served_s: float  # the server answered
    received_s: float  # the answer reached the client
    status: int  # 200 or 401
    outcome: str  # "valid", "missing", "invalid", "wrong_type", "expired"; refresh: a family's verdict too
    # ("grace", "reuse_allowed", "reused", "invalidated", "revoked", "idle_expired"); API: "revoked",
    # "insufficient_scope" (a 401 no refresh fixes)
    token: str  # jti of the token presented
    issued: str = ""  # jti of the access token handed out, or ""
    trigger: str = ""  # refresh only: jti of the access token whose 401 set it off
    issued_refresh: str = ""  # refresh only: jti of the refresh token handed out (rotation), or ""


class TokenEvent(NamedTuple):
    """A change to a session's token store."""

    time_s: float
    session: int
    event: str  # "login", "stored", "logout"

    access: str  # jti of the access token now held, or ""


class Recorder(Observer):
    """Collects the records of one run, and its counts.

    Requests answered 200 at their first call, having waited for nothing,
    are nearly all of them and differ only in four columns; they are kept in
    four arrays of their own (``request_ok``), the rest in eight
    (``request_done``). The frame puts them back together.
    """

    def __init__(self) -> None:
        self._ok_request = array("q")
        self._ok_session = array("q")
        self._ok_created = array("d")
        self._ok_finished = array("d")
        self._request = array("q")
        self._session = array("q")
        self._created = array("d")
        self._finished = array("d")
        self._reason = array("b")
        self._api_calls = array("b")
        self._unauthorized = array("b")
        self._held = array("d")
        self.calls: list[CallRecord] = []
        self.token_events: list[TokenEvent] = []
        self.refresh_attempts = 0  # refresh tries the clients made, retries included (not those never sent)
        self.refresh_timeouts = 0  # ... that got no answer: timed out, reset, lost, or withdrawn from the line
        self.proactive_refreshes = 0  # refreshes made before any 401 asked for one (that made a try)
        self.logouts = 0  # users sent to the login page
        self.expired_on_arrival = 0  # API calls turned away for a token that had expired by then
        self.rate_limited = 0  # refresh calls the auth server's rate limit turned away
        self.reuse_detected = 0  # invalidated refresh tokens presented outside any allowance
        self.families_revoked = 0  # families reuse detection revoked
        self.store_times = array("d")  # when a BFF used its session store, each operation

    # -- what the Recorder hears ---------------------------------------------------------

    def refresh_ended(self, refresh: Refresh) -> None:
        tries = [one for one in refresh.tries if one.status is not Status.NOT_SENT]  # a try never sent is none
        self.refresh_attempts += len(tries)
        self.refresh_timeouts += sum(one.status in (Status.NO_ANSWER, Status.WITHDRAWN) for one in tries)
        if refresh.proactive and tries:  # (a try never sent is always the last: it ends the refresh)
            self.proactive_refreshes += 1

    def tokens_changed(self, event: TokenEvent) -> None:
        self.token_events.append(event)
        if event.event == "logout":
            self.logouts += 1

    def call_served(self, record: CallRecord) -> None:
        self.calls.append(record)
        if record.status == Status.TOO_MANY_REQUESTS:
            self.rate_limited += 1

    def token_refused(self, reason: str, time_s: float) -> None:
        if reason == "expired":
            self.expired_on_arrival += 1

    def family_verdict(self, family: object, verdict: str) -> None:
        if verdict == "reused":
            self.reuse_detected += 1

    def family_revoked(self, family: object) -> None:
        self.families_revoked += 1

    def store_used(self, operation: str, time_s: float) -> None:
        self.store_times.append(time_s)

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
        """A request ended (any way, after any number of calls)."""
        self._request.append(request)
        self._session.append(session)
        self._created.append(created_s)
        self._finished.append(finished_s)
        self._reason.append(_REASON_CODES[reason])
        self._api_calls.append(api_calls)
        self._unauthorized.append(unauthorized)
        self._held.append(held_s)

    def request_ok(self, request: int, session: int, created_s: float, finished_s: float) -> None:
        """A request ended 200 at its first call, having waited for nothing: reason "ok", one
        API call, no 401, nothing held."""
        self._ok_request.append(request)
        self._ok_session.append(session)
        self._ok_created.append(created_s)
        self._ok_finished.append(finished_s)

    @property
    def request_count(self) -> int:
        return len(self._request) + len(self._ok_request)

    def requests(self) -> list[RequestRecord]:
        """The request records as tuples, in id order (handy in tests; use the frame for analysis)."""
        frame = self.requests_frame().sort_values("request")
        return [RequestRecord(*row) for row in frame.itertuples(index=False)]

    def requests_frame(self) -> pd.DataFrame:
        """One row per request: those that met something in the order they ended, then the rest."""
        return pd.DataFrame(self.request_columns())

    def request_columns(self) -> dict[str, np.ndarray | pd.Categorical]:
        """The columns of ``requests_frame`` as arrays (no frame built: cheaper at a million rows)."""
        ok = len(self._ok_request)

        def column(array_: array, dtype: type, fast: float | int) -> np.ndarray:
            return np.concatenate([np.frombuffer(array_, dtype=dtype), np.full(ok, fast, dtype=dtype)])

        def both(full: array, fast: array, dtype: type) -> np.ndarray:
            return np.concatenate([np.frombuffer(full, dtype=dtype), np.frombuffer(fast, dtype=dtype)])

        return {
            "request": both(self._request, self._ok_request, np.int64),
            "session": both(self._session, self._ok_session, np.int64),
            "created_s": both(self._created, self._ok_created, np.float64),
            "finished_s": both(self._finished, self._ok_finished, np.float64),
            "reason": pd.Categorical.from_codes(column(self._reason, np.int8, _OK), REASONS),
            "api_calls": column(self._api_calls, np.int8, 1),
            "unauthorized": column(self._unauthorized, np.int8, 0),
            "held_s": column(self._held, np.float64, 0.0),
        }

    def calls_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.calls, columns=CallRecord._fields)

    def token_events_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.token_events, columns=TokenEvent._fields)

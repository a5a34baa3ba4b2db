"""What happened, written down at the moment it happened.

The model appends flat records as things happen (a request finished, a call
was answered, a token was stored) and never computes a metric itself;
``metrics.py`` turns the records into pandas DataFrames afterwards.

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

# Why a request ended; "ok" is the only success.
REASONS = ("ok", "unauthorized", "logged_out")
_REASON_CODES = {reason: code for code, reason in enumerate(REASONS)}


class RequestRecord(NamedTuple):
    """One request from the moment the app asked for it to its final answer."""

    request: int  # id, unique within a run
    session: int
    created_s: float  # the app asked for it
    finished_s: float  # the app got its final answer
    reason: str  # one of REASONS
    api_calls: int  # calls sent to the API for it (1, or 2 with a retry)
    unauthorized: int  # 401s it got from the API
    held_s: float  # time spent waiting for a refresh (its own or a shared one)


class CallRecord(NamedTuple):
    """One HTTP call to a server (auth calls always; API calls when asked)."""

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
    outcome: str  # "valid", "missing", "invalid", "wrong_type", "expired"
    token: str  # jti of the token presented
    issued: str  # jti of the access token handed out, or ""
    trigger: str  # refresh only: jti of the access token whose 401 set it off


def call_record(session: int, request: int, server: str, endpoint: str, times, status: int, outcome: str,
                token: str, issued: str = "", trigger: str = "") -> CallRecord:  # fmt: skip
    """A ``CallRecord`` from ``times``: anything with ``sent_s`` ... ``received_s`` (an ``Exchange``)."""
    return CallRecord(
        session, request, server, endpoint,
        times.sent_s, times.arrived_s, times.started_s, times.served_s, times.received_s,
        status, outcome, token, issued, trigger,
    )  # fmt: skip


class TokenEvent(NamedTuple):
    """A change to a session's token store."""

    time_s: float
    session: int
    event: str  # "login", "stored", "logout"
    access: str  # jti of the access token now held, or ""


class Recorder:
    """Collects the records of one run."""

    def __init__(self) -> None:
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

    def request_done(
        self,
        request: int,
        session: int,
        created_s: float,
        finished_s: float,
        reason: str,
        api_calls: int,
        unauthorized: int,
        held_s: float,
    ) -> None:
        self._request.append(request)
        self._session.append(session)
        self._created.append(created_s)
        self._finished.append(finished_s)
        self._reason.append(_REASON_CODES[reason])
        self._api_calls.append(api_calls)
        self._unauthorized.append(unauthorized)
        self._held.append(held_s)

    @property
    def request_count(self) -> int:
        return len(self._request)

    def requests(self) -> list[RequestRecord]:
        """The request records as tuples (handy in tests; use the frame for analysis)."""
        columns = zip(
            self._request, self._session, self._created, self._finished,
            (REASONS[r] for r in self._reason), self._api_calls, self._unauthorized, self._held,
            strict=True,
        )  # fmt: skip
        return [RequestRecord(*row) for row in columns]

    def requests_frame(self) -> pd.DataFrame:
        """One row per request, in the order they finished."""
        return pd.DataFrame(
            {
                "request": np.frombuffer(self._request, dtype=np.int64),
                "session": np.frombuffer(self._session, dtype=np.int64),
                "created_s": np.frombuffer(self._created, dtype=np.float64),
                "finished_s": np.frombuffer(self._finished, dtype=np.float64),
                "reason": pd.Categorical.from_codes(np.frombuffer(self._reason, dtype=np.int8), REASONS),
                "api_calls": np.frombuffer(self._api_calls, dtype=np.int8),
                "unauthorized": np.frombuffer(self._unauthorized, dtype=np.int8),
                "held_s": np.frombuffer(self._held, dtype=np.float64),
            }
        )

    def calls_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.calls, columns=CallRecord._fields)

    def token_events_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.token_events, columns=TokenEvent._fields)

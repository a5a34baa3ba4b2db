"""One request the app makes, and what happened to it so far."""

from __future__ import annotations


class Request:
    """One call the app asks for (``api.get(...)``), from its ask to its final answer.

    ``retries`` counts refresh-and-retry rounds: the article's ``_retry``
    flag is ``retries == 1``. ``held_s`` is the time it spent waiting for a
    refresh, its own or a shared one, before or after a 401. ``login`` is
    the browser's login it was made under: if that login ends before the
    request does, the request ends ``logged_out``, even if the user is
    already logged in again.
    """

    __slots__ = ("id", "created_s", "api_calls", "unauthorized", "held_s", "retries", "login")

    def __init__(self, request_id: int, created_s: float, api_calls: int = 0, unauthorized: int = 0, login: int = -1):
        self.id = request_id
        self.created_s = created_s
        self.api_calls = api_calls
        self.unauthorized = unauthorized
        self.held_s = 0.0
        self.retries = 0
        self.login = login

"""The article's interceptor and the two fixes it points at, as named clients.

``naive`` is the article's interceptor as written (in the library matrix it
answers to ``article``); ``locked`` and ``queued`` are the fixes its warning
about concurrent requests points at. Figures, tables, the command line and
the README read their words and looks from here.
"""

from __future__ import annotations

from ..client import Client, PerTab
from ..palette import OKABE_ITO
from .citations import Source
from .named import Look, NamedClient

NAIVE = NamedClient(
    Client(name="naive"),  # every default of Client is the article's
    "strategy",
    "the article's interceptor exactly as written",
    (
        Source(
            "max_retries",
            "1",
            "the article, section 2.1",
            "if (error.response?.status === 401 && !originalRequest._retry) { originalRequest._retry = true;",
        ),
        Source("storage", "local", "the article, section 2.1", "const refreshToken = localStorage.getItem(...)"),
    ),  # fmt: skip
    does="every 401 refreshes",
    look=Look(OKABE_ITO["vermillion"], "-", "o"),
    aliases=("article",),
)

LOCKED = NamedClient(
    Client(name="locked", single_flight=PerTab(), late_401_check=True),
    "strategy",
    "the fix the article hints at: one refresh in flight, the late 401 noticed",
    does="one refresh at a time per tab",
    look=Look(OKABE_ITO["blue"], "-", "s"),
)

QUEUED = NamedClient(
    Client(name="queued", single_flight=PerTab(), late_401_check=True, hold_while_refreshing=True),
    "strategy",
    "locked, and new requests held while a refresh is in flight, as axios-auth-refresh's request queue does",
    does="locked + hold new requests",
    # dashed: locked and queued often coincide, and both must stay visible
    look=Look(OKABE_ITO["bluish_green"], (0, (4, 2)), "^"),
)

STRATEGIES = (NAIVE, LOCKED, QUEUED)

"""The client: browser tabs that hold tokens and send requests through axios-style interceptors.

- ``storage``: where a tab keeps its tokens (``TokenStore``);
- ``request``: one request and what happened to it (``Request``);
- ``single_flight``: the one refresh in flight that others share (``SingleFlight``);
- ``tab``: a tab's moves, login, refresh, logout, call (``ClientTab``);
- ``interceptors``: when to make them, by the ``RefreshPolicy`` (``send``).
"""

from .interceptors import held, response_interceptor, send, token_after_401
from .request import Request
from .single_flight import SingleFlight
from .storage import TokenStore
from .tab import ClientTab

__all__ = [
    "ClientTab",
    "Request",
    "SingleFlight",
    "TokenStore",
    "held",
    "response_interceptor",
    "send",
    "token_after_401",
]

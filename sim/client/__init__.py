"""The client: browser tabs that hold tokens and send requests through axios-style interceptors.

- ``storage``: where a tab keeps its tokens (``TokenStore``, or ``TabMemory``
  and the browser's ``CookieJar``);
- ``browser``: a user's tabs, their shared storage and lock, their login (``Browser``);
- ``request``: one request and what happened to it (``Request``);
- ``single_flight``: the one refresh in flight that others share (``SingleFlight``);
- ``tab``: a tab's moves, login, refresh, logout, call (``ClientTab``);
- ``interceptors``: when to make them, by the ``RefreshPolicy`` (``send``);
- ``clock``: the device's clock and what it says of a token's expiry (``Clock``);
- ``proactive``: refreshing before expiry: on use, on a timer, in the background.
"""

from .browser import Browser
from .clock import Clock
from .interceptors import held, response_interceptor, send, token_after_401
from .proactive import SENDERS, send_in_background, send_on_use, timer
from .request import Request
from .single_flight import SingleFlight
from .storage import CookieJar, TabMemory, TokenStore
from .tab import ClientTab

__all__ = [
    "SENDERS",
    "Browser",
    "Clock",
    "ClientTab",
    "Request",
    "CookieJar",
    "SingleFlight",
    "TabMemory",
    "TokenStore",
    "held",
    "response_interceptor",
    "send",
    "send_in_background",
    "send_on_use",
    "timer",
    "token_after_401",
]

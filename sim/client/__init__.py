"""The client: browser tabs that hold tokens and send requests through axios-style interceptors.

What a client *does* is a ``Client`` (``composition.py``): the interceptors'
switches and one part per choice, each a family of classes, one per way:

- ``sharing``: single flight, whether 401s share a refresh (``NoSingleFlight``, ``PerTab``, ``TabLock``);
- ``storage``: where the tokens live (``Local``, ``Cookie``, ``SessionStorage``);
- ``locks``: a lock across tabs (``NoLock``, ``WebLock``);
- ``logout``: what a logout does to work already decided (``Unload``, ``Stay``);
- ``worker``: where refresh calls are made (``InTab``, ``InSharedWorker``);
- ``tab_sync``: how soon a tab sees another tab's doings (``Instant``, ``Measured``);
- ``tier``: the browser's tabs, or a backend-for-frontend's instances (``InBrowser``, ``Bff``);
- ``session_lock``: a BFF's lock in the session store (``NoSessionLock``, ``DistributedLock``);
- ``session_in``: where a BFF keeps a session, a shared store or a sealed cookie (``SharedStore``, ``SealedCookie``);
- ``proactive``: refreshing before expiry (``Off``, ``OnUse``, ``Timer``, ``Background``);
- ``retry``: trying a refresh that got no verdict again (``NoRetry``, ``Immediate``, ``Fixed``, ...).

How it runs:

- ``interceptors``: ``send``, ``held``, ``response_interceptor``: the article's code, line by line;
- ``browser``: a user's tabs, their shared storage, lock and login (``Browser``);
- ``tab``: a tab's moves, refresh, logout, call (``ClientTab``);
- ``transport``: the browser's connections, the tab's time per call, timeouts;
- ``device_clock``: the device's clock and what it says of a token's expiry (``Clock``);
- ``request``: one request and what happened to it so far (``Request``).
"""

from .bff_session import CookieRequest, SealedCookie, SessionIn, SharedStore
from .browser import Browser
from .composition import Client
from .device_clock import Clock
from .interceptors import held, response_interceptor, send, token_after_401
from .locks import CrossTabLock, NoLock, WebLock
from .logout import OnLogout, Stay, Unload
from .proactive import Background, Early, Off, OnUse, Proactive, Timer
from .request import Request
from .retry import (
    Backoff,
    Decorrelated,
    EqualJitter,
    Exponential,
    Fixed,
    FullJitter,
    Immediate,
    NoRetry,
    Retry,
    Retrying,
)
from .session_lock import DistributedLock, Lease, NoSessionLock, SessionLock
from .sharing import Flight, NoSingleFlight, PerTab, SingleFlight, TabLock
from .storage import Cookie, CookieJar, Local, SessionStorage, Storage, TabMemory, TokenStore
from .tab import ClientTab
from .tab_sync import Instant, Measured, StorageArea, TabSync, TabView
from .tier import Bff, InBrowser, Tier
from .worker import InSharedWorker, InTab, RefreshIn, RefreshWorker

__all__ = [
    "Background",
    "Backoff",
    "Bff",
    "Browser",
    "Client",
    "ClientTab",
    "Clock",
    "Cookie",
    "CookieJar",
    "CookieRequest",
    "CrossTabLock",
    "Decorrelated",
    "DistributedLock",
    "Early",
    "EqualJitter",
    "Exponential",
    "Fixed",
    "Flight",
    "FullJitter",
    "Immediate",
    "InBrowser",
    "InSharedWorker",
    "InTab",
    "Instant",
    "Lease",
    "Local",
    "Measured",
    "NoLock",
    "NoRetry",
    "NoSessionLock",
    "NoSingleFlight",
    "Off",
    "OnLogout",
    "OnUse",
    "PerTab",
    "Proactive",
    "RefreshIn",
    "RefreshWorker",
    "Request",
    "Retry",
    "Retrying",
    "SealedCookie",
    "SessionIn",
    "SessionLock",
    "SessionStorage",
    "SharedStore",
    "SingleFlight",
    "Stay",
    "Storage",
    "StorageArea",
    "TabLock",
    "TabMemory",
    "TabSync",
    "TabView",
    "Tier",
    "Timer",
    "TokenStore",
    "Unload",
    "WebLock",
    "held",
    "response_interceptor",
    "send",
    "token_after_401",
]

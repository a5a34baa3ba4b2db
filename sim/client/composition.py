"""A client, composed of parts: each replaces one line of the article's interceptors.

The article's axios client is two interceptors. The request interceptor
attaches the stored token; the response interceptor refreshes and retries
once on a 401::

    api.interceptors.request.use(config => {                             # hold_while_refreshing,
      config.headers.Authorization = `Bearer ${localStorage.getItem('accessToken')}`;  # proactive
      return config;
    });
    api.interceptors.response.use(res => res, async error => {
      const originalRequest = error.config;
      if (error.response?.status === 401 && !originalRequest._retry) {   # max_retries (1 here)
        originalRequest._retry = true;
        const refreshToken = localStorage.getItem('refreshToken');      # late_401_check, storage
        const { data } = await axios.post('/refresh-token', { refreshToken });  # single_flight,
        localStorage.setItem('accessToken', data.accessToken);          #   cross_tab_lock, retry
        return api(originalRequest);
      }
      return Promise.reject(error);                                     # refresh_rejected,
    });                                                                 #   retries_exhausted,
                                                                        #   on_logout

A ``Client`` holds one part per choice the article's code makes without
saying so. The plain fields are switches of the interceptors themselves
(``interceptors.py`` reads them); the others are parts (``sim.parts``), each
a family of classes, one per way of doing it, holding the parameters that
way needs and doing its work: ``single_flight`` (``sharing.py``),
``storage`` (``storage.py``), ``cross_tab_lock`` (``locks.py``),
``proactive`` (``proactive.py``), ``retry`` (``retry.py``), ``on_logout``
(``logout.py``), ``refresh_in`` (``worker.py``), ``tab_sync``
(``tab_sync.py``).

A client has a ``name``: the named client it is (``sim.presets.CLIENTS``:
the article's three strategies and the real libraries), or was made from.
``with_(max_retries=3)`` makes a new client from it, and remembers the
change, so its ``label`` says ``locked+max_retries=3`` and the same change
can be laid on another named client (``rebased``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..fields import ConfigError, check_bool, check_choice, check_seconds, setting, whole
from ..parts import Part, flat_fields, flat_values, replace_flat, slot
from .bff_session import SessionIn, SharedStore
from .locks import CrossTabLock, NoLock
from .logout import OnLogout, Unload
from .proactive import Off, Proactive
from .retry import NoRetry, Retry
from .session_lock import NoSessionLock, SessionLock
from .sharing import NoSingleFlight, SingleFlight
from .storage import Local, Storage
from .tab_sync import Instant, TabSync
from .tier import InBrowser, Tier
from .worker import InTab, RefreshIn

MAX_RETRIES_LIMIT = 100  # a request's API calls are counted in a byte
WHEN_RETRIES_RUN_OUT = ("logout", "fail")
WHEN_REFRESH_REJECTED = ("logout", "fail")


@dataclass(frozen=True)
class Client:
    """What a client does about expiry: the interceptors' switches and its parts.

    The defaults are the article's interceptor (the ``naive`` strategy).
    """

    name: str = setting(
        "naive",
        "the named client (sim.presets.CLIENTS: a strategy, or a real library as its source behaves); "
        "the flags below change its fields",
        flag="--client",
        aliases=("--strategy", "--library"),
        metavar="NAME",
    )
    single_flight: SingleFlight = slot(
        NoSingleFlight(),
        "none: every 401 sends its own refresh (the article); tab: one refresh in flight per tab, the other 401s "
        "wait for it; lock: a lock per tab, each caller in turn takes a token stored meanwhile or refreshes itself "
        "(Authlib's async client)",
    )
    hold_while_refreshing: bool = setting(
        False, "hold new requests while a refresh is in flight and send them with the new token"
    )
    late_401_check: bool = setting(
        False, "after a 401, if the token that got it was already replaced, retry with the stored one and send no "
        "refresh (or give up if the store is empty: logged out)",
    )  # fmt: skip
    max_retries: int = setting(
        1, f"refresh-and-retry rounds per request, 0 to {MAX_RETRIES_LIMIT}: 1 is the article's _retry flag, "
        "0 never refreshes",
    )  # fmt: skip
    storage: Storage = slot(
        Local(),
        "local: both tokens in localStorage, shared by every tab (the article's code); cookie: the refresh token "
        "in an HttpOnly cookie, the access token in each tab's memory; tab: each tab its own tokens and login "
        "(sessionStorage, or memory: MSAL.js, oidc-client-ts, keycloak-js)",
    )
    cross_tab_lock: CrossTabLock = slot(
        NoLock(), "one refresh at a time per user across tabs; the tab that gets the lock re-reads the store first"
    )
    refresh_in: RefreshIn = slot(
        InTab(),
        "where refresh calls are made: tab (each tab its own, the article); shared-worker (one SharedWorker for "
        "every tab of the browser makes them one at a time and keeps the tokens)",
    )
    proactive: Proactive = slot(
        Off(),
        "refresh before expiry: off (only after a 401, the article); on-use: before sending, if the token expires "
        "within the margin; timer: at expiry minus the margin, on a tick; background: past the margin, send with "
        "the current token and refresh meanwhile",
    )
    refresh_timeout_s: float = setting(
        0.0, "give up on a refresh call after this long, s; 0: wait for ever", quiet=True
    )
    api_timeout_s: float = setting(
        0.0, "give up on an API call after this long, s (the request fails); 0: wait for ever", quiet=True
    )
    retry: Retry = slot(
        NoRetry(),
        "how a refresh that got no verdict (503, 429, timeout, network error) is tried again: none (the article), "
        "at once, fixed interval, exponential, or full, equal or decorrelated jitter (Brooker)",
    )
    retries_exhausted: str = setting(
        "logout",
        "when a refresh's tries run out: logout (the article's catch), or fail the requests and keep the session",
        choices=WHEN_RETRIES_RUN_OUT,
        quiet=True,
    )
    refresh_rejected: str = setting(
        "logout",
        "when the auth server rejects the refresh token (401): logout (the article's catch), or fail the requests "
        "that waited and keep the tokens (a library that raises)",
        choices=WHEN_REFRESH_REJECTED,
        quiet=True,
    )
    on_logout: OnLogout = slot(
        Unload(),
        "what a logout does to work already decided: unload (the article's window.location.href = '/login': "
        "calls waiting for a connection are dropped, requests end logged out); stay (an SPA's route, or the moment "
        "before a navigation: calls made go out, a request holding a new token retries with it)",
    )
    tab_sync: TabSync = slot(
        Instant(),
        "how soon a tab sees another tab's doings: instant (one memory, the lab's default); measured (each tab its "
        "own copy of localStorage, updated late; Web Lock grants and a SharedWorker's start as Chromium took them "
        "in reality/storage_probe.py)",
    )
    tier: Tier = slot(
        InBrowser(),
        "who holds the tokens and refreshes them: browser (the tabs, the article) or bff (instances of a "
        "backend-for-frontend behind a load balancer, the session's tokens in a shared store; the browser holds a "
        "cookie)",
        quiet=True,
    )
    session_lock: SessionLock = slot(
        NoSessionLock(),
        "with tier = bff: none, or distributed (a lock in the session store, SET NX PX with a lease: one refresh "
        "at a time per session across instances)",
        quiet=True,
    )
    session_in: SessionIn = slot(
        SharedStore(),
        "with tier = bff: where a session's tokens live between requests: store (a session store every instance "
        "reads: new tokens reach every request at once) or cookie (sealed in the browser's cookie: each request "
        "carries it as it left, a response sets it, the last to arrive wins)",
        quiet=True,
    )
    # The flat changes made to the named client, in the order of flat_keys(), and the named client itself.
    changes: tuple[tuple[str, Any], ...] = field(default=(), metadata={"flat": False})
    base: Client | None = field(default=None, compare=False, repr=False, metadata={"flat": False})

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError("client", self.name, "must be the name of a client")
        check_bool("hold_while_refreshing", self.hold_while_refreshing)
        check_bool("late_401_check", self.late_401_check)
        whole(self, "max_retries", 0, maximum=MAX_RETRIES_LIMIT)
        check_seconds("refresh_timeout_s", self.refresh_timeout_s)
        check_seconds("api_timeout_s", self.api_timeout_s)
        check_choice("retries_exhausted", self.retries_exhausted, WHEN_RETRIES_RUN_OUT)
        check_choice("refresh_rejected", self.refresh_rejected, WHEN_REFRESH_REJECTED)
        if self.hold_while_refreshing and self.single_flight.mode == "lock":
            raise ConfigError(
                "hold_while_refreshing", True, "holds requests for a shared refresh; with single_flight = lock "
                "each request that needs a token waits its turn at the lock: use false",
            )  # fmt: skip
        self._check_tier()
        if self.refresh_in.mode != "tab" and not self.storage.shares_login:
            raise ConfigError(
                "refresh_in", self.refresh_in.mode, "keeps one set of tokens for every tab; with storage = tab "
                "(each tab its own) use refresh_in = tab",
            )  # fmt: skip

    def _check_tier(self) -> None:
        """A BFF's instances share one session store; the browser's own machinery is not theirs."""
        if not self.tier.bff:
            if self.session_lock.mode != "none":
                raise ConfigError("session_lock", self.session_lock.mode, "needs tier = bff (a session store)")
            if self.session_in.mode != "store":
                raise ConfigError("session_in", self.session_in.mode, "needs tier = bff (the browser holds a cookie)")
            return
        if not self.session_in.shared:  # the session travels with each request: no store, no server-side timer
            if self.session_lock.mode != "none":
                raise ConfigError(
                    "session_lock", self.session_lock.mode, "locks a session kept in the store: with session_in = "
                    "cookie use none",
                )  # fmt: skip
            if self.proactive.mode == "timer":
                raise ConfigError(
                    "proactive", "timer", "with session_in = cookie a server sees the session only in a request: "
                    "use on-use or background",
                )  # fmt: skip
        browser_only = (
            ("storage", self.storage.mode, "local", "the BFF's session store is shared by its instances"),
            ("cross_tab_lock", self.cross_tab_lock.mode, False, "a Web Lock is the browser's: use session_lock"),
            ("refresh_in", self.refresh_in.mode, "tab", "a SharedWorker is the browser's"),
            ("tab_sync", self.tab_sync.mode, "instant", "it models browser tabs"),
        )
        for name, value, allowed, why in browser_only:
            if value != allowed:
                raise ConfigError(name, value, f"with tier = bff only {str(allowed).lower()} ({why})")

    # -- seen flat: what scenario files, flags and with_() name -------------------------

    def with_(self, changes: Mapping[str, Any] | None = None, /, **more: Any) -> Client:
        """A new client with flat keys changed (``max_retries=3``, ``proactive="timer"``,
        ``timer_tick_s=2``), remembered as changes to the named client."""
        changes = {**(changes or {}), **more}
        if not changes:
            return self
        if "name" in changes:  # another name is another named client, with these changes laid on it
            raise ConfigError("name", changes["name"], "names the client: give it as client_named(name, ...)")
        for name, value in list(changes.items()):  # a part given whole: its mode and parameters
            if isinstance(value, Part):
                del changes[name]
                changes.update(value.flat())
        base = self.base or self
        merged = {**dict(self.changes), **changes}
        made = replace_flat(base, merged)  # every change at once, on the named client: none may go unread
        order = {name: index for index, name in enumerate(flat_keys())}
        kept = tuple(sorted(merged.items(), key=lambda item: order[item[0]]))
        return dataclasses.replace(made, changes=kept, base=base)

    def rebased(self, named: Client) -> Client:
        """This client's changes laid on another named client (``compare`` runs one change on each)."""
        return named.with_(dict(self.changes))

    def flat(self) -> dict[str, Any]:
        """The keys this client reads, and their values: ``{"single_flight": "tab", "in_flight_401":
        "join", "max_retries": 1, ..., "retry": "none", ...}``."""
        return flat_values(self)

    @property
    def label(self) -> str:
        """The name, then every change that makes it differ from its named client:
        ``locked+max_retries=3``."""
        base, mine, defaults = (self.base or self).flat(), self.flat(), flat_defaults()
        shown = [
            f"{name}={value_text(mine.get(name, value))}"  # as the client holds it: "5" is the bucket 5:5
            for name, value in self.changes
            if base.get(name, defaults.get(name)) != mine.get(name, value)
        ]
        return "+".join([self.name, *shown])

    def as_dict(self) -> dict[str, Any]:
        """Name and flat values, as a saved result's provenance gives them."""
        return {"name": self.name, **self.flat(), "changes": dict(self.changes)}


@cache
def flat_keys() -> tuple[str, ...]:
    """Every flat key of a client, in order (``name`` aside)."""
    return tuple(f.name for f in flat_fields(Client) if f.name != "name")


@cache
def flat_defaults() -> dict[str, Any]:
    """Each flat key's default: the value a client that does not read it would have."""
    return {f.name: Client().flat().get(f.name, f.default) for f in flat_fields(Client) if f.name != "name"}


def value_text(value: object) -> str:
    """A value as a scenario file writes it: ``true``, ``tab``, ``3``, ``0.2:3`` (a token bucket)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return ":".join(f"{part:g}" for part in value)
    return str(value)

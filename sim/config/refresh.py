"""What the client does about a 401, and with several tabs: independent choices.

The article's axios response interceptor, and the line of it each choice
replaces::

    api.interceptors.response.use(res => res, async error => {
      const originalRequest = error.config;
      if (error.response?.status === 401 && !originalRequest._retry) {   # max_retries (1 here)
        originalRequest._retry = true;
        const refreshToken = localStorage.getItem('refreshToken');      # late_401_check: look at
                                                                        #   the store first
        const { data } = await axios.post('/refresh-token', { refreshToken });  # single_flight:
        localStorage.setItem('accessToken', data.accessToken);          #   share one in flight
        return api(originalRequest);
      }
      return Promise.reject(error);
    });

and the request interceptor, which the article leaves alone
(``hold_while_refreshing`` makes it wait out a refresh in flight)::

    api.interceptors.request.use(config => {
      config.headers.Authorization = `Bearer ${localStorage.getItem('accessToken')}`;
      return config;
    });
"""

from __future__ import annotations

from dataclasses import dataclass

from .faults import TokenBucket, parse_bucket
from .fields import ConfigError, check_bool, check_choice, check_number, check_seconds, whole

SINGLE_FLIGHT_SCOPES = ("none", "tab")
IN_FLIGHT_401 = ("join", "fail")
STORAGE_MODES = ("local", "cookie")
MAX_RETRIES_LIMIT = 100  # a request's API calls are counted in a byte
MAX_XFETCH_BETA = 1000.0
PROACTIVE_MODES = ("off", "on-use", "timer", "background")
EXPIRY_SOURCES = ("exp", "expires_in")
# Read only when the client refreshes before expiry (``proactive`` not "off").
PROACTIVE_FIELDS = ("margin_s", "margin_jitter_s", "xfetch_beta", "expiry_from", "skew_estimation", "timer_tick_s")
RETRY_POLICIES = ("none", "immediate", "fixed", "exponential", "full-jitter", "equal-jitter", "decorrelated")
WHEN_RETRIES_RUN_OUT = ("logout", "fail")
WHEN_REFRESH_REJECTED = ("logout", "fail")
MAX_TRIES_LIMIT = 100
# Read only when a failed refresh is retried (``retry`` not "none").
RETRY_FIELDS = ("retry_base_s", "retry_cap_s", "max_tries", "retry_budget", "retry_after")


@dataclass(frozen=True)
class RefreshPolicy:
    """The client's refresh behaviour, every choice made.

    ``single_flight``
        ``"none"``: every 401 sends its own refresh (the article);
        ``"tab"``: at most one refresh in flight per tab, and every 401
        that comes meanwhile waits for it.
    ``hold_while_refreshing``
        The request interceptor holds a new request while a refresh is in
        flight and sends it with the new token afterwards, instead of
        sending it with a token that is about to be replaced.
    ``late_401_check``
        After a 401, look at the token store first: if the token that got
        the 401 was already replaced (someone else refreshed), retry with
        the stored one and send no refresh; if the store is empty (logged
        out), give up.
    ``max_retries``
        How many times one request may refresh and retry: the article's
        ``_retry`` flag allows 1; 0 never refreshes; more is a loop guard
        for a client that retries until it gets through.
    ``storage``
        Where the tokens live when a user has several tabs open.
        ``"local"`` (the article's code): both in ``localStorage``, which
        every tab reads and writes at once. ``"cookie"`` (what the article's
        text recommends): the refresh token in an HttpOnly cookie the
        browser sends with each refresh and replaces for every tab when the
        server rotates it, the access token in each tab's memory, so each
        tab starts without one and no tab sees another's.
    ``cross_tab_lock``
        One refresh at a time per user across tabs (Web Locks, as
        auth0-spa-js does it); the tab that gets the lock looks at the
        store again and skips its refresh if another tab already did it.
    ``in_flight_401``
        With ``single_flight = "tab"``, what a 401 that comes back while the
        tab's refresh is in flight does: ``"join"`` waits for that refresh
        and retries; ``"fail"`` reaches the app as a 401, with no retry
        (axios-auth-refresh's ``deduplicateRefresh``, 5.x's default, and
        3.x's ``pauseInstanceWhileRefreshing``: the instance's response
        interceptor is off while its refresh runs).

    Refreshing *before* expiry (``proactive.py`` has the details):

    ``proactive``
        ``"off"``: only after a 401 (the article). ``"on-use"``: before
        sending, refresh first if the token expires within the margin
        (auth0-spa-js, MSAL, keycloak-js, Authlib). ``"timer"``: a timer
        per tab fires at expiry minus the margin, checked every
        ``timer_tick_s`` (oidc-client-ts). ``"background"``: past the
        margin, send with the current token and refresh meanwhile
        (stale-while-revalidate: MSAL's ``refresh_in``, google-auth's
        non-blocking refresh); a token the client thinks expired still
        waits for the refresh.
    ``margin_s``, ``margin_jitter_s``
        Refresh this long before expiry, plus a uniform random extra of up
        to ``margin_jitter_s`` drawn for each token.
    ``xfetch_beta``
        Probabilistic early refresh (XFetch): at each check, also refresh
        if ``now - delta * beta * ln(U)`` passes the refresh time, delta
        being the last refresh's round trip; 0 turns it off.
    ``expiry_from``
        How the client knows when its token dies: ``"exp"`` read from the
        JWT against its own clock (wrong by the clock's offset), or
        ``"expires_in"`` counted from when the answer arrived (immune to
        the offset, late by the answer's trip).
    ``skew_estimation``
        With ``exp``: estimate the clock's offset at each login and
        refresh as keycloak-js does (``iat`` against the midpoint of the
        round trip) and correct for it.

    When a call fails without a verdict (``retry.py`` has the details):

    ``refresh_timeout_s``, ``api_timeout_s``
        Give up on a refresh or an API call after this long (0: wait for
        ever, axios's default). The server still does the work.
    ``retry``, ``retry_base_s``, ``retry_cap_s``, ``max_tries``
        How a refresh that got no verdict (a 503, a 429, a timeout, a
        network error) is tried again: ``none`` (the article), at once, at a
        fixed interval, with exponential backoff, or with full, equal or
        decorrelated jitter (Brooker, 2015), at most ``max_tries`` tries in
        all. A 401 is a verdict: the user is logged out.
    ``retry_budget``
        A token bucket of retries per browser (``PER_S[:BURST]``): a retry
        that finds it empty is not made.
    ``retry_after``
        Wait at least as long as a 429's ``Retry-After`` says.
    ``retries_exhausted``
        When the tries run out: ``logout`` (the article's catch), or
        ``fail`` the requests that waited and keep the session.
    ``refresh_rejected``
        When the auth server rejects the refresh token (401: expired,
        revoked, reused): ``logout`` (the article's catch clears the tokens
        and goes to /login), or ``fail`` the requests that waited and keep
        the tokens, as a library that raises and leaves the decision to its
        caller does (Authlib, requests-oauthlib, google-auth).
    """

    single_flight: str = "none"
    hold_while_refreshing: bool = False
    late_401_check: bool = False
    max_retries: int = 1
    storage: str = "local"
    cross_tab_lock: bool = False
    in_flight_401: str = "join"
    proactive: str = "off"
    margin_s: float = 60.0
    margin_jitter_s: float = 0.0
    xfetch_beta: float = 0.0
    expiry_from: str = "exp"
    skew_estimation: bool = False
    timer_tick_s: float = 5.0
    refresh_timeout_s: float = 0.0
    api_timeout_s: float = 0.0
    retry: str = "none"
    retry_base_s: float = 1.0
    retry_cap_s: float = 30.0
    max_tries: int = 3
    retry_budget: TokenBucket | None = None
    retry_after: bool = False
    retries_exhausted: str = "logout"
    refresh_rejected: str = "logout"

    def __post_init__(self) -> None:
        check_choice("single_flight", self.single_flight, SINGLE_FLIGHT_SCOPES)
        check_choice("in_flight_401", self.in_flight_401, IN_FLIGHT_401)
        if self.in_flight_401 != "join" and self.single_flight != "tab":
            raise ConfigError(
                "in_flight_401", self.in_flight_401, "is about a shared refresh in flight: needs single_flight = tab"
            )
        check_bool("hold_while_refreshing", self.hold_while_refreshing)
        check_bool("late_401_check", self.late_401_check)
        whole(self, "max_retries", 0, maximum=MAX_RETRIES_LIMIT)
        check_choice("storage", self.storage, STORAGE_MODES)
        check_bool("cross_tab_lock", self.cross_tab_lock)
        check_choice("proactive", self.proactive, PROACTIVE_MODES)
        check_seconds("margin_s", self.margin_s)
        check_seconds("margin_jitter_s", self.margin_jitter_s)
        check_number("xfetch_beta", self.xfetch_beta, 0, MAX_XFETCH_BETA)
        check_choice("expiry_from", self.expiry_from, EXPIRY_SOURCES)
        check_bool("skew_estimation", self.skew_estimation)
        check_seconds("timer_tick_s", self.timer_tick_s, positive=True)
        check_seconds("refresh_timeout_s", self.refresh_timeout_s)
        check_seconds("api_timeout_s", self.api_timeout_s)
        check_choice("retry", self.retry, RETRY_POLICIES)
        check_seconds("retry_base_s", self.retry_base_s)
        check_seconds("retry_cap_s", self.retry_cap_s)
        whole(self, "max_tries", 1, maximum=MAX_TRIES_LIMIT)
        object.__setattr__(self, "retry_budget", parse_bucket("retry_budget", self.retry_budget))
        check_bool("retry_after", self.retry_after)
        check_choice("retries_exhausted", self.retries_exhausted, WHEN_RETRIES_RUN_OUT)
        check_choice("refresh_rejected", self.refresh_rejected, WHEN_REFRESH_REJECTED)
        if self.skew_estimation and self.expiry_from != "exp":
            raise ConfigError("skew_estimation", True, "corrects the clock for expiry_from = exp only")

    @property
    def reads_expiry(self) -> bool:
        """Whether the client looks at its token's expiry at all (only to refresh before it)."""
        return self.proactive != "off"

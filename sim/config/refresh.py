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

from .fields import check_bool, check_choice, whole

SINGLE_FLIGHT_SCOPES = ("none", "tab")
STORAGE_MODES = ("local", "cookie")
MAX_RETRIES_LIMIT = 100  # a request's API calls are counted in a byte


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
    """

    single_flight: str = "none"
    hold_while_refreshing: bool = False
    late_401_check: bool = False
    max_retries: int = 1
    storage: str = "local"
    cross_tab_lock: bool = False

    def __post_init__(self) -> None:
        check_choice("single_flight", self.single_flight, SINGLE_FLIGHT_SCOPES)
        check_bool("hold_while_refreshing", self.hold_while_refreshing)
        check_bool("late_401_check", self.late_401_check)
        whole(self, "max_retries", 0, maximum=MAX_RETRIES_LIMIT)
        check_choice("storage", self.storage, STORAGE_MODES)
        check_bool("cross_tab_lock", self.cross_tab_lock)

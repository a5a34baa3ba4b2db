"""What the client does about a 401: four independent choices.

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
    """

    single_flight: str = "none"
    hold_while_refreshing: bool = False
    late_401_check: bool = False
    max_retries: int = 1

    def __post_init__(self) -> None:
        check_choice("single_flight", self.single_flight, SINGLE_FLIGHT_SCOPES)
        check_bool("hold_while_refreshing", self.hold_while_refreshing)
        check_bool("late_401_check", self.late_401_check)
        whole(self, "max_retries", 0, maximum=MAX_RETRIES_LIMIT)

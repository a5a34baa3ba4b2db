"""Where a tab keeps its tokens: the article's ``localStorage``, or a cookie and the tab's memory.

The article's code reads and writes ``localStorage`` directly::

    localStorage.setItem('accessToken', accessToken);
    localStorage.getItem('refreshToken');

``localStorage`` is one per site: every tab of the user reads and writes the
same two values at once, so all tabs of a browser share one ``TokenStore``.

Its text recommends instead an HttpOnly cookie for the refresh token. Script
cannot read it; the browser sends it with each refresh call and replaces it,
for every tab at once, when an answer sets a new one. The access token then
lives in each tab's memory. A tab's ``TabMemory`` holds its own access token
and reaches the browser's one ``CookieJar`` for the refresh token, so the
tab's code reads and writes ``store.access`` and ``store.refresh`` the same
way in both modes (writing ``store.refresh`` stands for the browser obeying
the server's ``Set-Cookie``).

The family ``storage`` has a mode for each: ``Local`` (``"local"``) and
``Cookie`` (``"cookie"``); ``stores(tabs)`` gives each tab its store.

Most browser SDKs do neither by default. MSAL.js and oidc-client-ts keep
their tokens in ``sessionStorage``, which is one per tab, and keycloak-js in
each instance's memory: each tab has its own tokens, logs in on its own
(silently, through the identity provider's session cookie) and holds its
own refresh token, so two tabs never present the same one. That is the
third mode, ``SessionStorage`` (``"tab"``): a ``TokenStore`` per tab, and a
login per tab (``shares_login``; ``browser.py``).

A client that refreshes before expiry also keeps, beside its access token,
when it believes that token dies and when to refresh it (local clock times
from ``clock.py``), as MSAL and auth0-spa-js keep ``expiresOn`` in their
caches: ``expires_at`` and ``refresh_at``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from ..parts import Part

KEYS = ("access", "refresh", "expires_at", "refresh_at")  # what a store keeps: localStorage's items


class TokenStore:
    """``localStorage``: an access and a refresh token, or none; shared by every tab of a browser."""

    __slots__ = KEYS

    def __init__(self) -> None:
        self.access: str | None = None
        self.refresh: str | None = None
        self.expires_at = self.refresh_at = -math.inf  # no token: due at once


class CookieJar:
    """The browser's HttpOnly refresh-token cookie, one for every tab."""

    __slots__ = ("refresh",)

    def __init__(self) -> None:
        self.refresh: str | None = None


class TabMemory:
    """One tab's access token in memory, and the browser's refresh-token cookie."""

    __slots__ = ("access", "jar", "expires_at", "refresh_at")

    def __init__(self, jar: CookieJar) -> None:
        self.access: str | None = None
        self.jar = jar
        self.expires_at = self.refresh_at = -math.inf  # no token: due at once

    @property
    def refresh(self) -> str | None:
        return self.jar.refresh

    @refresh.setter
    def refresh(self, token: str | None) -> None:
        self.jar.refresh = token


class Storage(Part, family="storage"):
    """Where a browser's tabs keep their tokens."""

    shares_login: ClassVar[bool] = True  # the tabs log in once, together, and are logged out together

    def stores(self, tabs: int) -> list[TokenStore | TabMemory]:
        """One store per tab (the same object for tabs that share one)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Local(Storage, mode="local"):
    """Both tokens in ``localStorage``, one store every tab reads and writes (the article's code)."""

    def stores(self, tabs: int) -> list[TokenStore | TabMemory]:
        shared = TokenStore()
        return [shared] * tabs


@dataclass(frozen=True)
class Cookie(Storage, mode="cookie"):
    """The refresh token in an HttpOnly cookie the browser keeps for every tab; the access token in
    each tab's memory (what the article's text recommends)."""

    def stores(self, tabs: int) -> list[TokenStore | TabMemory]:
        jar = CookieJar()
        return [TabMemory(jar) for _ in range(tabs)]


@dataclass(frozen=True)
class SessionStorage(Storage, mode="tab"):
    """Each tab its own tokens (``sessionStorage``, or the tab's memory), from a login of its own
    (MSAL.js's and oidc-client-ts's default store, keycloak-js's memory)."""

    shares_login: ClassVar[bool] = False

    def stores(self, tabs: int) -> list[TokenStore | TabMemory]:
        return [TokenStore() for _ in range(tabs)]

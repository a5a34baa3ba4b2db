"""What a logout does to the work a tab had already decided on.

The article's catch ends with a navigation::

    localStorage.removeItem('accessToken');
    localStorage.removeItem('refreshToken');
    window.location.href = '/login';

Leaving the page ends everything the page was doing: the calls still
waiting for one of the browser's connections are never sent, and the
requests in flight end with the page (the HTML standard unloads the old
document when the navigation commits, and the Fetch standard terminates
the fetches of its fetch group). That is the mode ``Unload``.

An app that routes to its login page inside the page (an SPA's
``router.push('/login')``), and any page in the moment before its
navigation takes effect, does not stop what it already decided. In real
Chromium tabs (``reality/``, issue 21) a request whose own refresh
succeeded held the new token in memory and retried with it after a
sibling's failed refresh had cleared the store, and got its 200; a refresh
call already made went out with the refresh token it was given; a late
refresh answer was stored again. That is the mode ``Stay``. Either way the
app makes no *new* request once the user is on the login page.

The family ``on_logout`` has the two modes; a tab reads ``keeps_working``
through ``ClientTab.working``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..parts import Part


class OnLogout(Part, family="on_logout"):
    """Whether a tab's work already decided goes on after the user is logged out."""

    keeps_working: ClassVar[bool]

    def replaced(self, stored: str | None, used: str | None, logged_in: bool) -> bool:
        """Whether the ``stored`` access token replaced ``used``, at a second look at the store (the
        late-401 check, or under the cross-tab lock): then the tab takes it and sends no refresh."""
        return stored is not used  # an empty store means a logout: the request takes None and gives up


@dataclass(frozen=True)
class Unload(OnLogout, mode="unload"):
    """``window.location.href = '/login'`` (the article): the page is left, its calls waiting for a
    connection are dropped and its requests end logged out."""

    keeps_working = False


@dataclass(frozen=True)
class Stay(OnLogout, mode="stay"):
    """The page stays (an SPA's router, or the moment before a navigation takes effect): calls already
    made go out, a request holding a new token retries with it, answers are still stored."""

    keeps_working = True

    def replaced(self, stored: str | None, used: str | None, logged_in: bool) -> bool:
        # The harness's code: `if (stored && stored !== bearer)`; after a logout an empty store is no
        # new token, and the request refreshes (with no refresh token: the server answers 401).
        return stored is not used and (stored is not None or logged_in)

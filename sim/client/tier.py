"""Where the tokens live and who refreshes them: the browser, or a backend-for-frontend.

The article's client is the browser: its tabs hold the tokens and refresh
them. The OAuth 2.0 for Browser-Based Applications draft recommends, for
apps that can run one, a *backend-for-frontend* (BFF): the browser holds
only an HttpOnly session cookie, and a server keeps the session's tokens in
a session store and refreshes them on the user's behalf. The refresh
problem moves rather than disappears. Two requests of one session reach
two BFF instances behind a load balancer at the moment the access token
died; each reads the session, each sees an expired token, and with
rotating refresh tokens the second refresh presents a used token::

    browser --cookie--> load balancer --> instance A --refresh(r1)--> auth server: r2
                                     \\--> instance B --refresh(r1)--> auth server: reuse!

The family ``tier`` has two modes:

- ``InBrowser`` (``"browser"``, the article): the user's tabs are the
  clients, as everywhere else in the lab.
- ``Bff`` (``"bff"``): the user's tabs send their requests to the BFF's
  instances, picked by its load balancer (round-robin, random, or sticky by
  session). How many instances, which balancer and how far away the
  session store is are the deployment's, not the client's (the scenario's
  ``[bff]`` part, ``sim/config/deployment.py``). Each instance is one of
  the session's clients (a ``ClientTab`` whose requests come from every tab
  of the browser), and the session store is their shared storage. So the
  client's other parts keep their meaning, one level up: ``single_flight =
  "tab"`` is a single flight per process (authkit-session's in-flight map),
  ``session_lock = "distributed"`` a lock in the shared store (Redis ``SET
  NX PX``), ``proactive`` the margin a token manager refreshes before, and
  the auth server's rotation, reuse detection and grace windows apply
  unchanged. Each request first crosses from the browser to the BFF and
  reads its session from the store (``bff_rtt_s + store_rtt_s``, counted
  up front: ``sim/servers/session_store.py``); the BFF's own calls to the API and the auth server take the
  scenario's ``rtt_s``, a data centre's round trip.

A session kept in each instance's memory only works with sticky sessions,
and then one instance holds it: that is ``balancer = "sticky"`` here. Many
BFFs keep no server-side copy at all and seal the session into the cookie
itself; then each request carries its own copy (``session_in = "cookie"``,
``bff_session.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..parts import Part


class Tier(Part, family="tier"):
    """Who holds the tokens and refreshes them: the browser's tabs, or BFF instances."""

    bff: ClassVar[bool] = False


@dataclass(frozen=True)
class InBrowser(Tier, mode="browser"):
    """The browser's tabs hold the tokens and refresh them (the article)."""


@dataclass(frozen=True)
class Bff(Tier, mode="bff"):
    """A backend-for-frontend: instances behind a load balancer keep each session's tokens in a shared
    session store and refresh them; the browser holds only a session cookie."""

    bff: ClassVar[bool] = True

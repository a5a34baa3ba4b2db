"""What the article says, and what the lab assumes to fill in the rest.

The article gives two numbers, an access token of 15 minutes and a refresh
token of 7 days, and a shape: an axios interceptor that refreshes and retries
each request once, tokens in ``localStorage``, an Express server that signs
HS256 JWTs and never rotates the refresh token. A simulation needs much more:
how far away the servers are, how long they work on a call, how many workers
they have, how users click. The article is silent on all of it, so the lab
assumes it, and a conclusion such as "at these numbers the strategies look
alike" rests on those assumptions as much as on the article.

``assumptions_table(scenario)`` puts the two side by side for any scenario:
each row is one number the model uses, its value in that scenario, what the
article says about it (or that it says nothing), and why the lab's default is
what it is. The values are read from the scenario itself, so the table cannot
drift from what runs; the reasons live here, once, and every notebook shows
the rows its own scenarios use.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .scenario import Scenario, scenario_parts
from .tokens import ALGORITHM

SILENT = "nothing"  # what the "the article says" column holds where the article gives no number


@dataclass(frozen=True)
class Assumption:
    """One number the model uses: the scenario field it lives in, and where the lab's value comes from."""

    topic: str
    field: str
    article: str  # what the article says about it, or SILENT
    why: str  # why the lab's default is what it is, and its source
    article_value: object = None  # the article's value in the field's unit; None where it gives none


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "access token lifetime",
        "access_ttl_s",
        "15 min: jwt.sign(..., { expiresIn: '15m' }) in /login and /refresh-token (section 3)",
        "the article's value",
        900,
    ),
    Assumption(
        "refresh token lifetime",
        "refresh_ttl_s",
        "7 days: jwt.sign(..., { expiresIn: '7d' }) in /login (section 3.1)",
        "the article's value",
        604800,
    ),
    Assumption(
        "refresh token rotation",
        "rotation",
        "none: /refresh-token answers { accessToken } only, so one refresh token serves 7 days (section 3.2)",
        "the article's rule; notebook 08 turns rotation on",
        False,
    ),
    Assumption(
        "server leeway on exp",
        "leeway_s",
        "none: jwt.verify with no clockTolerance (section 3.2)",
        "the article's rule (jsonwebtoken's default clockTolerance is 0)",
        0,
    ),
    Assumption(
        "round trip to a server",
        "rtt_s",
        SILENT,
        "assumed: a browser on a home or mobile connection to a server in its own region, where round trips "
        "of 20 to 150 ms are usual; 80 ms is mid-range, the same for the API and the auth server",
    ),
    Assumption(
        "API work per call",
        "api_service_s",
        SILENT,
        "assumed: a handler that reads a database and renders JSON, 50 ms",
    ),
    Assumption(
        "API rejecting a dead token",
        "api_401_service_s",
        SILENT,
        "assumed: the auth middleware answers 401 before the handler runs; checking an HS256 JWT takes "
        "microseconds, the 2 ms is the framework around it",
    ),
    Assumption(
        "auth server work per refresh",
        "auth_service_s",
        SILENT,
        f"assumed: not the signing ({ALGORITHM} signs in microseconds; the article's endpoint does only that), "
        "but what a production refresh endpoint adds: a session or revocation lookup in a database, password-grade "
        "hashing at login, and the network inside the data centre; 30 ms",
    ),
    Assumption(
        "service time distribution",
        "service_distribution",
        SILENT,
        "assumed: fixed makes timelines exact and easy to check by hand; exponential (the article scenario) "
        "gives the variable service times of queueing theory's M/M/c, whose formulas the tests check",
    ),
    Assumption(
        "auth server workers",
        "auth_capacity",
        SILENT,
        "assumed: 0 means unbounded (no queue: timelines show the protocol alone); the article scenario "
        "gives a small auth service 8 workers (Node processes, or a database pool)",
    ),
    Assumption(
        "API workers",
        "api_capacity",
        SILENT,
        "assumed: unbounded, so the API's own queue never hides the refresh's cost",
    ),
    Assumption(
        "workload",
        "kind",
        "many requests at once after expiry: the warning in section 4.2, with no numbers",
        "burst: the article's warning case, one moment; steady: users loading pages for hours (assumed)",
    ),
    Assumption("users", "users", SILENT, "assumed: enough for the auth server to see more than one user at a time"),
    Assumption(
        "tabs per user",
        "tabs",
        SILENT,
        "assumed: one tab, the simplest reading of the article's React app (it never mentions tabs); notebook 08 "
        "opens more",
    ),
    Assumption(
        "API calls per page",
        "concurrency",
        "'several requests' at once (section 4.2), no number",
        "assumed: 5 calls in parallel, a dashboard-like single-page app",
    ),
    Assumption(
        "pages per second per user",
        "page_rate_per_s",
        SILENT,
        "assumed: a Poisson stream of one page every 20 s, an active user",
    ),
    Assumption(
        "how long users stay",
        "duration_s",
        SILENT,
        "assumed: long enough for every user to meet several expiries (the article scenario: two hours, "
        "eight 15 min lifetimes)",
    ),
    Assumption(
        "when users log in",
        "login_window_s",
        SILENT,
        "assumed: spread uniformly over one access lifetime unless a notebook synchronises them",
    ),
)

# Which workload kinds use a workload field (the others are left out of a burst's table, and so on).
_WORKLOAD_ONLY = {
    "page_rate_per_s": ("steady",),
    "duration_s": ("steady",),
    "login_window_s": ("steady",),
    "users": ("burst", "steady"),
    "tabs": ("burst", "steady"),
    "concurrency": ("burst", "steady"),
}


def _value(scenario: Scenario, field: str) -> object:
    for name in scenario_parts():
        part = getattr(scenario, name)
        if hasattr(part, field):
            return getattr(part, field)
    raise KeyError(field)


def _shown(field: str, value: object, scenario: Scenario) -> str:
    """A value as a reader wants it: seconds in the unit that reads best, 0 workers as unbounded."""
    if field in ("auth_capacity", "api_capacity"):
        return "unbounded" if value == 0 else f"{value} worker{'' if value == 1 else 's'}"
    if field == "login_window_s" and value is None:
        value = None if scenario.workload.synchronized else scenario.tokens.access_ttl_s
        if value is None:
            return "all at 0 s (synchronised)"
    if field == "page_rate_per_s":
        return f"{value:g} (one page every {1 / value:g} s)"
    if field == "rotation":
        return "on" if value else "off"
    if field.endswith("_s") and isinstance(value, int | float):
        if value >= 86400 and value % 86400 == 0:
            return f"{value:g} s ({value / 86400:g} days)"
        if value >= 3600 and value % 3600 == 0:
            return f"{value:g} s ({value / 3600:g} h)"
        if value >= 60 and value % 60 == 0:
            return f"{value:g} s ({value / 60:g} min)"
        return f"{value * 1000:g} ms" if 0 < value < 1 else f"{value:g} s"
    return str(value)


def _origin(assumption: Assumption, value: object) -> str:
    """ "article" where the value is the article's, "changed" where the article gives another, else "assumed"."""
    if assumption.article_value is None:
        return "assumed"
    return "article" if value == assumption.article_value else "changed"


def assumptions_table(scenario: Scenario | None = None) -> pd.DataFrame:
    """Each number ``scenario`` uses: its value, what the article says, and why the lab's value is what it is.

    The ``from`` column reads ``article`` where the value is the article's, ``changed`` where the
    article gives another (a notebook shortening the lifetimes, say) and ``assumed`` where the
    article gives none: the line between what the article says and what the lab adds.

    ``scenario`` defaults to ``Scenario()``, the burst most notebooks start from. Workload rows the
    scenario's kind does not use are left out.
    """
    scenario = scenario or Scenario()
    rows = []
    for assumption in ASSUMPTIONS:
        kinds = _WORKLOAD_ONLY.get(assumption.field)
        if kinds is not None and scenario.workload.kind not in kinds:
            continue
        value = _value(scenario, assumption.field)
        rows.append(
            {
                "topic": assumption.topic,
                "field": assumption.field,
                "value": _shown(assumption.field, value, scenario),
                "from": _origin(assumption, value),
                "the article says": assumption.article,
                "why this value": assumption.why,
            }
        )
    return pd.DataFrame(rows).set_index("topic")

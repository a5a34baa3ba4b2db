"""The architect's decision matrix: every library preset in five situations.

"What will *my* stack do?" is a question about situations, not strategies: a
burst of requests when the token has just died, three tabs against a server
that rotates refresh tokens, a morning rush on a small auth server, a minute
of auth outage, a laptop whose clock runs two minutes fast. Each situation
here is a small scenario built around the chosen server's access lifetime T,
so that every user meets about one expiry whatever T is (users log in within
a minute, are idle until T - 2 min or so, then load pages until T + 5 min:
``Workload.pages_from_s``). Each library runs in each situation on the same
arrivals; a cell gives refresh calls per user (per expiry), failed requests,
logouts and the p95 latency of the requests that met an expiry (a 401, or a
wait for a refresh): what a user feels of the refresh.

The server-side token managers of a backend-for-frontend (``BFF_NAMES``)
are rows too, each on the scenario's default deployment: two instances
behind a round-robin load balancer, the browser's tabs sending every
request through them. Their clock is their server's, so the skew
situation leaves them alone.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .config import Workload
from .experiment import run_all
from .presets import BFF_NAMES, LIBRARY_NAMES
from .scenario import Scenario

# (name, what it is): the situations, in the order the matrix shows them.
SITUATIONS: dict[str, str] = {
    "burst": "one tab fires 50 requests 1 s after its access token died",
    "tabs": "20 users with 3 tabs each, pages every 10 s per tab, 3 calls a page; the server's own rotation "
    "rules (the article's server, which never rotates, is given rotation with reuse detection)",
    "rush": "500 users who logged in within a minute, pages of 5 calls every 20 s, 4 auth workers",
    "outage": "100 users, the auth server answers 503 for the 60 s around their expiry",
    "skew": "50 users whose clocks run 2 min fast",
}
# The cells: (column of the matrix's data, what it means).
CELLS: dict[str, str] = {
    "refresh_per_user": "refresh calls per user (each meets about one expiry)",
    "requests_failed": "requests that did not end 200",
    "logouts": "users sent to the login page",
    "latency_p95_ms": "p95 latency of the successful requests that met an expiry (ms; - none did)",
}
# The rows: the article, every browser library, then every BFF token manager.
MATRIX_NAMES = (*LIBRARY_NAMES, *BFF_NAMES)
BEFORE_EXPIRY_S = 120.0  # users come back this long before their token dies
AFTER_EXPIRY_S = 300.0  # and stay this long after


def situation(name: str, server: str = "article") -> Scenario:
    """The scenario of one situation against ``server``'s defaults (client fields left at the article's)."""
    base = Scenario(name=f"matrix/{name}").with_(server=server)
    ttl_s = float(base.tokens.access_ttl_s + base.tokens.access_ttl_spread_s)  # the longest a token lives
    around = {
        "kind": "steady",
        "login_window_s": 60.0,
        "pages_from_s": max(0.0, ttl_s - BEFORE_EXPIRY_S),
        "duration_s": ttl_s + 60.0 + AFTER_EXPIRY_S,
    }
    if name == "burst":
        return base.with_(workload=Workload(kind="burst", concurrency=50, at_s=ttl_s + 1.0))
    if name == "tabs":
        rotation = {"rotation": True, "reuse_detection": True} if server == "article" else {}
        workload = Workload(users=20, tabs=3, concurrency=3, page_rate_per_s=0.1, **around)
        return base.with_(workload=workload, **rotation)
    if name == "rush":
        workload = Workload(users=500, concurrency=5, page_rate_per_s=0.05, **around)
        return base.with_(workload=workload, auth_capacity=4)
    if name == "outage":
        workload = Workload(users=100, concurrency=4, page_rate_per_s=0.1, **around)
        return base.with_(workload=workload, auth_capacity=8, auth_outages=(f"{ttl_s - 30:g}:{ttl_s + 30:g}",))
    if name == "skew":
        workload = Workload(
            users=50, concurrency=3, page_rate_per_s=0.1, **{**around, "pages_from_s": max(0.0, ttl_s - 360)}
        )
        return base.with_(workload=workload, clock_offset_s=120.0)
    raise KeyError(name)


def library_matrix(
    libraries: Iterable[str] = MATRIX_NAMES,
    server: str = "article",
    situations: Iterable[str] = tuple(SITUATIONS),
    jobs: int = 0,
) -> pd.DataFrame:
    """One row per (library, situation): the cells of the matrix, plus the run's own summary keys."""
    libraries, situations = list(libraries), list(situations)
    plan = [(lib, name, situation(name, server).with_(client=lib)) for name in situations for lib in libraries]
    results = run_all([scenario for _, _, scenario in plan], jobs=jobs)
    rows = []
    for (lib, name, scenario), result in zip(plan, results, strict=True):
        s = result.summary
        rows.append(
            {
                "library": lib,
                "situation": name,
                "server": server,
                "refresh_per_user": s["refresh_calls"] / scenario.workload.users,
                "requests_failed": s["requests_failed"],
                "logouts": s["logouts"],
                "latency_p95_ms": 1000 * s["expiry_latency_p95_s"],
                "requests": s["requests"],
                "users": scenario.workload.users,
                "refresh_calls": s["refresh_calls"],
            }
        )
    return pd.DataFrame(rows)


def matrix_tables(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One library x situation table per cell kind, rows in the registry's order."""
    order = [name for name in MATRIX_NAMES if name in set(data["library"])]
    columns = [name for name in SITUATIONS if name in set(data["situation"])]
    return {cell: data.pivot(index="library", columns="situation", values=cell).loc[order, columns] for cell in CELLS}

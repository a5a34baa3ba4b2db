"""The backend-for-frontend beside the single-page app: ``scenarios/bff.toml``'s clients on one workload.

Single-page apps refresh in the browser; the BFF token managers refresh on
four instances behind a round-robin load balancer, the session in a shared
store. Under rotation with reuse detection the question is who keeps the
session, what it costs the auth server, what a user waits at an expiry, and
what the session store serves. Two deployments beside the file's own show
the cheaper fixes: authkit-session on sticky sessions (its single flight
per process is then enough), and the unfixed one with a grace window at
the server.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..experiment import run_all
from ..palette import OKABE_ITO
from ..scenario_file import SCENARIOS_DIR, load_scenario_file
from .spec import FigureSpec
from .theme import style

BFF_FILE = SCENARIOS_DIR / "bff.toml"
# (label, client, changes): the fixes a BFF can have without a distributed lock, beside the file's clients.
BFF_FIXES = (
    ("authkit-session, sticky", "authkit-session", {"balancer": "sticky"}),
    ("authkit-session-before-33, grace 10 s", "authkit-session-before-33", {"grace_s": 10.0}),
)


def bff_data(path: Path | str = BFF_FILE) -> pd.DataFrame:
    """One row per client of ``scenarios/bff.toml`` (and per ``BFF_FIXES``): ``label``, ``tier``
    (browser or bff), ``users``, ``requests``, ``sessions_lost`` (logins revoked by reuse detection, or
    sent to the login page), ``refresh_per_user``, ``auth_peak_per_s``, ``expiry_p95_ms`` (the p95 latency
    of requests that met an expiry), ``store_ops_per_request`` and ``store_peak_per_s``."""
    return _bff(str(path)).copy()


@lru_cache(maxsize=2)
def _bff(path: str) -> pd.DataFrame:
    scenario, strategies, _ = load_scenario_file(path)
    plan = [(name, scenario.with_(client=name)) for name in strategies]
    plan += [(label, scenario.with_(client=name, **changes)) for label, name, changes in BFF_FIXES]
    results = run_all([one for _, one in plan], jobs=0)
    rows = []
    for (label, one), result in zip(plan, results, strict=True):
        s, users = result.summary, one.workload.users
        rows.append(
            {
                "label": label,
                "tier": "bff" if one.client.tier.bff else "browser",
                "session_in": one.client.session_in.mode if one.client.tier.bff else "",  # store, or cookie
                "users": users,
                "requests": s["requests"],
                "sessions_lost": max(s["families_revoked"], s["logouts"]),  # a revoked login is often logged out too
                "refresh_per_user": s["refresh_calls"] / users,
                "auth_peak_per_s": s["refresh_peak_per_s"],
                "expiry_p95_ms": 1000 * s["expiry_latency_p95_s"],
                "store_ops_per_request": s["store_ops"] / s["requests"],
                "store_peak_per_s": s["store_peak_per_s"],
            }
        )
    return pd.DataFrame(rows)


TIER_COLORS = {"browser": OKABE_ITO["blue"], "bff": OKABE_ITO["orange"]}
PANELS = (
    ("sessions_lost", "sessions lost\n(% of users)", lambda rows: 100 * rows["sessions_lost"] / rows["users"]),
    ("refresh_per_user", "refresh calls per user\n(each meets one expiry)", lambda rows: rows["refresh_per_user"]),
    ("auth_peak_per_s", "auth server: most refresh\ncalls in one second", lambda rows: rows["auth_peak_per_s"]),
    ("expiry_p95_ms", "p95 latency of requests that\nmet an expiry (ms)", lambda rows: rows["expiry_p95_ms"]),
    ("store_peak_per_s", "session store: most operations\nin one second", lambda r: r["store_peak_per_s"]),
)


def fig_bff(data: pd.DataFrame) -> Figure:
    """One horizontal bar per client in each panel: SPA clients in blue, BFFs in orange.

    ``data`` is ``sim.figures.bff_data()``.
    """
    with style():
        fig = Figure(figsize=(13.5, 0.38 * len(data) + 2.0), layout="constrained")
        axes = fig.subplots(1, len(PANELS), sharey=True)
        positions = np.arange(len(data))[::-1]
        colors = [TIER_COLORS[tier] for tier in data["tier"]]
        for ax, (column, title, value) in zip(axes, PANELS, strict=True):
            values = value(data)
            ax.barh(positions, values, color=colors, height=0.7)
            top = float(values.max()) or 1.0
            storeless = data["session_in"].fillna("") != "store" if column == "store_peak_per_s" else None
            for row, (y, v) in enumerate(zip(positions, values, strict=True)):
                text = f"{v:.0f}" if v >= 10 or v == 0 else f"{v:.2g}"  # refreshes per user: 1.1
                if storeless is not None and storeless.iloc[row]:  # an SPA, or a BFF that keeps it in a cookie
                    text = "no store (cookie)" if data["tier"].iloc[row] == "bff" else "no store"
                ax.text(v + top * 0.02, y, text, va="center", fontsize=8)
            ax.set_xlim(0, top * 1.3)
            ax.set_title(title, fontsize=9)
            ax.grid(axis="y", visible=False)
        axes[0].set_yticks(positions, data["label"], fontsize=9)
        fig.legend(
            [Patch(color=TIER_COLORS["browser"]), Patch(color=TIER_COLORS["bff"])],
            [
                "single-page app (tokens in the browser)",
                "backend-for-frontend, 4 instances (tokens used by the server only)",
            ],
            loc="outside lower center",
            ncols=2,
            fontsize=9,
            frameon=False,
        )
        users = int(data["users"].iloc[0])
        fig.suptitle(
            f"{users} users, 2 tabs, the article's lifetimes, rotation with reuse detection, no grace window "
            "(scenarios/bff.toml)\nBFFs round-robin unless marked; each keeps its sessions as its source does: "
            "oauth2-proxy in Redis, the others in the browser's cookie",
            fontsize=10,
        )
        return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "bff",
        "The backend-for-frontend beside the single-page app",
        "scenarios/bff.toml: 100 users with 2 tabs under rotation with reuse detection. SPA clients (locked, "
        "auth0-spa-js, msal-browser) beside the BFF token managers on 4 round-robin instances, and two cheaper "
        "BFF fixes (sticky sessions; a 10 s grace window). Each BFF keeps its sessions as its source does "
        "(oauth2-proxy in Redis, the others sealed in the browser's cookie). Sessions lost, refresh calls per "
        "user, the auth server's peak, the p95 latency at an expiry, and the session store's peak load.",
        bff_data,
        fig_bff,
        ("12-backend-for-frontend",),
    ),
)

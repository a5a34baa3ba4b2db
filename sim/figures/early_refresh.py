"""Refreshing before expiry: a herd that logged in together, a wrong clock, XFetch's chances.

A client that refreshes a minute before expiry spares its users the 401,
but a fleet that logged in together comes back together every lifetime
(``herd``: ``scenarios/herd.toml``, and how randomised lifetimes, a jittered
margin or XFetch spread it), and a client whose clock is off refreshes
too early or too late (``clock_skew``: ``SKEW``, per expiry rule,
``SKEW_CLIENTS``). ``xfetch_curve`` is XFetch's chance of refreshing early,
from its closed form (no simulation).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FormatStrFormatter, MultipleLocator, NullLocator

from .. import Scenario, TokenPolicy, Workload, run_all
from ..palette import OKABE_ITO
from ..scenario_file import SCENARIOS_DIR, load_scenario_file
from ..sweep import Sweep
from .runs import swept
from .spec import FigureSpec
from .theme import style

# One colour per herd variant, and per clock-skew client, from the colour-blind-safe set.
VARIANT_COLORS = {
    "fixed": OKABE_ITO["vermillion"],
    "randomised": OKABE_ITO["blue"],
    "jittered": OKABE_ITO["bluish_green"],
    "xfetch": OKABE_ITO["reddish_purple"],
}
SKEW_STYLES = {
    "exp, margin 5 s": (OKABE_ITO["orange"], "-", "v"),
    "exp, margin 60 s": (OKABE_ITO["vermillion"], "-", "o"),
    "exp, margin 225 s": (OKABE_ITO["reddish_purple"], "-", "s"),
    "exp + skew estimation, margin 60 s": (OKABE_ITO["blue"], (0, (4, 2)), "^"),
    "expires_in, margin 60 s": (OKABE_ITO["bluish_green"], ":", "D"),
}


def _color(table: dict, name: str, index: int) -> str:
    fallback = list(OKABE_ITO.values())
    return table.get(name, fallback[index % len(fallback)])


# -- a herd: 10,000 users who logged in together ---------------------------------------------------

HERD_FILE = SCENARIOS_DIR / "herd.toml"
HERD_BIN_S = 10.0


def herd_data(path: Path | str = HERD_FILE, users: int | None = None) -> pd.DataFrame:
    """Refresh calls reaching the auth server per second (averaged over 10 s), for each variant of
    ``scenarios/herd.toml``, with each variant's headline numbers beside every row.

    The file's scenario: 10,000 users log in within 10 s to an auth server of
    4 workers, and a renewal timer in each tab refreshes 60 s before expiry
    (oidc-client-ts's defaults), for 4 hours. Its variants: ``fixed``
    lifetimes of 60 min, ``randomised`` ones of 60-90 min (Entra), a margin
    ``jittered`` by up to 10 min more, and ``xfetch`` (beta = 1). ``users``
    runs a smaller fleet (for notebooks). One row per variant and 10 s:
    ``time_min`` (the bin's start), ``refreshes_per_s``; per variant:
    ``peak_per_s`` and ``peak_to_mean`` (per whole second, as the summary's
    ``refresh_peak_per_s`` and ``auth_load_peak_to_mean``),
    ``refresh_p99_s`` (refresh round trip) and ``latency_p99_s`` (requests).
    """
    return _herd(str(path), users).copy()


@lru_cache(maxsize=4)
def _herd(path: str, users: int | None) -> pd.DataFrame:
    _, strategies, variants = load_scenario_file(path)
    plan = {name: variant.with_(strategy=strategies[0]) for name, variant in variants.items()}
    if users is not None:
        plan = {name: variant.with_(users=users) for name, variant in plan.items()}
    results = run_all(list(plan.values()), jobs=0)
    frames = []
    for name, result in zip(plan, results, strict=True):
        duration_s = result.scenario.workload.duration_s
        edges = np.arange(0.0, duration_s + HERD_BIN_S, HERD_BIN_S)
        counts, _ = np.histogram(result.refreshes["arrived_s"], bins=edges)
        summary = result.summary
        frames.append(
            pd.DataFrame(
                {
                    "variant": name,
                    "time_min": edges[:-1] / 60,
                    "refreshes_per_s": counts / HERD_BIN_S,
                    "peak_per_s": summary["refresh_peak_per_s"],
                    "peak_to_mean": summary["auth_load_peak_to_mean"],
                    "refresh_p99_s": summary["refresh_latency_p99_s"],
                    "latency_p99_s": summary["latency_p99_s"],
                    "users": result.scenario.workload.users,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def fig_herd(data: pd.DataFrame) -> Figure:
    """Refresh arrivals per second over time, one panel per variant on one scale, each panel
    titled with its highest 10 s mean (what is drawn), its busiest second and that second's ratio to the
    mean, and its refresh p99.

    ``data`` is ``sim.figures.herd_data()``.
    """
    with style():
        variants = list(dict.fromkeys(data["variant"]))
        fig = Figure(figsize=(9.5, 1.55 * len(variants) + 1.3), layout="constrained")
        axes = fig.subplots(len(variants), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        top = data["refreshes_per_s"].max()
        for index, (ax, name) in enumerate(zip(axes, variants, strict=True)):
            rows = data[data["variant"] == name]
            color = _color(VARIANT_COLORS, name, index)
            ax.fill_between(rows["time_min"], rows["refreshes_per_s"], step="post", color=color, alpha=0.35, lw=0)
            ax.step(rows["time_min"], rows["refreshes_per_s"], where="post", color=color, lw=1.0)
            first = rows.iloc[0]
            ax.set_title(  # the drawn peak is a 10 s mean; the summary's peak is the busiest single second
                f"{name}: highest 10 s mean {rows['refreshes_per_s'].max():,.0f}/s; busiest second "
                f"{first['peak_per_s']:,.0f} calls, {first['peak_to_mean']:.1f}× the mean; "
                f"refresh p99 {first['refresh_p99_s']:.2f} s",
                loc="left",
                fontsize=9,
            )
            ax.set_ylim(0, top * 1.08)
            ax.xaxis.set_major_locator(MultipleLocator(30))
        axes[-1].set_xlabel("time since the first login (min)")
        fig.supylabel("refresh calls per second (mean over 10 s)", fontsize=9)
        users = int(data["users"].iloc[0])
        fig.suptitle(
            f"{users:,} users log in within 10 s; each tab refreshes 60 s before expiry (timer, 5 s tick)",
            fontsize=10,
        )
        return fig


# -- clock skew: what a wrong clock does to a proactive client -------------------------------------

# Keycloak's 5 min access tokens; each user loads a page of 2 requests every ~10 s for half
# an hour; the client refreshes on use (locked: one refresh at a time per tab).
SKEW = Scenario(
    tokens=TokenPolicy(access_ttl_s=300),
    workload=Workload(kind="steady", users=10, concurrency=2, page_rate_per_s=0.1, duration_s=1800.0),
    name="clock-skew",
).with_(strategy="locked", proactive="on-use")
SKEW_OFFSETS_S = (-600, -450, -300, -240, -180, -120, -60, -30, 0, 30, 60, 120, 180, 240, 270, 300, 450, 600)
# (label, client fields): three margins reading exp (keycloak-js 5 s, the common 60 s, google-auth's
# 225 s), then the two cures at 60 s.
SKEW_CLIENTS: tuple[tuple[str, dict], ...] = (
    ("exp, margin 5 s", {"margin_s": 5}),
    ("exp, margin 60 s", {"margin_s": 60}),
    ("exp, margin 225 s", {"margin_s": 225}),
    ("exp + skew estimation, margin 60 s", {"margin_s": 60, "skew_estimation": True}),
    ("expires_in, margin 60 s", {"margin_s": 60, "expiry_from": "expires_in"}),
)


def clock_skew_data(offsets_s: tuple[float, ...] = SKEW_OFFSETS_S, scenario: Scenario = SKEW) -> pd.DataFrame:
    """Refresh calls and 401s per request against the client's clock offset, per expiry rule.

    ``SKEW``: 10 users with access tokens of 5 min, each loading a page of 2
    requests every ~10 s for 30 min, a client that refreshes on use. Every
    user's clock is off by the same ``offset_s`` (ahead if > 0). One row per
    (client, offset): ``refreshes_per_request``, ``unauthorized_per_request``
    (401s for an expired token), ``latency_p95_ms``. One seed.
    """
    return _clock_skew(tuple(offsets_s), scenario).copy()


@lru_cache(maxsize=4)
def _clock_skew(offsets_s: tuple[float, ...], scenario: Scenario) -> pd.DataFrame:
    offsets = {"clock_offset_s": tuple(float(offset_s) for offset_s in offsets_s)}
    runs = swept(Sweep("clock-skew", scenario, offsets, dict(SKEW_CLIENTS)))
    return pd.DataFrame(
        {
            "client": runs["client"],
            "offset_s": runs["clock_offset_s"].map(dict(zip(offsets["clock_offset_s"], offsets_s, strict=True))),
            "refreshes_per_request": runs["refresh_calls"] / runs["requests"],
            "unauthorized_per_request": runs["expired_on_arrival"] / runs["requests"],
            "latency_p95_ms": 1000 * runs["latency_p95_s"],
            "access_ttl_s": scenario.tokens.access_ttl_s,
        }
    )


def fig_clock_skew(data: pd.DataFrame) -> Figure:
    """Refresh calls per request (log scale) and 401s per request against the clock offset, one
    line per client; the band where ``exp`` with a 60 s margin loops is shaded.

    ``data`` is ``sim.figures.clock_skew_data()``.
    """
    with style():
        fig = Figure(figsize=(10, 4.3), layout="constrained")
        refresh_ax, denied_ax = fig.subplots(1, 2, sharex=True)
        clients = list(dict.fromkeys(data["client"]))
        for index, client in enumerate(clients):
            rows = data[data["client"] == client].sort_values("offset_s")
            color, linestyle, marker = SKEW_STYLES.get(client, (_color({}, client, index), "-", "o"))
            look = dict(color=color, linestyle=linestyle, marker=marker, markersize=4, label=client)
            refresh_ax.plot(rows["offset_s"] / 60, rows["refreshes_per_request"], **look)
            denied_ax.plot(rows["offset_s"] / 60, rows["unauthorized_per_request"], **look)
        ttl_min = data["access_ttl_s"].iloc[0] / 60
        for ax in (refresh_ax, denied_ax):
            ax.axvline(0, color="0.6", lw=0.8)
            ax.set_xlabel("client clock offset (min; + is fast)")
            ax.xaxis.set_major_locator(MultipleLocator(2))
        refresh_ax.axvspan(ttl_min - 1, data["offset_s"].max() / 60, color="0.9", zorder=0)
        refresh_ax.text(
            ttl_min - 0.8, 0.45, "exp, 60 s margin:\nevery new token\nis due at once",
            transform=refresh_ax.get_xaxis_transform(), va="top", fontsize=8,
        )  # fmt: skip
        refresh_ax.set_yscale("log")
        refresh_ax.yaxis.set_major_locator(FixedLocator([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]))
        refresh_ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        refresh_ax.yaxis.set_minor_locator(NullLocator())
        refresh_ax.set_ylabel("refresh calls per request (log scale)")
        refresh_ax.set_title("refreshes: a fast clock refreshes early, then always", loc="left", fontsize=10)
        denied_ax.set_ylabel("401s (expired token) per request")
        denied_ax.set_title("401s: a slow clock refreshes too late", loc="left", fontsize=10)
        handles, labels = refresh_ax.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8)
        fig.suptitle(
            f"A client that refreshes on use, access tokens of {ttl_min:g} min, every client's clock off by "
            "the same offset",
            fontsize=10,
        )
        return fig


# -- XFetch's chance of refreshing early -----------------------------------------------------------


def xfetch_curve(delta_s: float, betas: tuple[float, ...] = (1, 10, 100), reach: float = 5) -> pd.DataFrame:
    """XFetch's chance that one check, ``x`` seconds before the refresh time, refreshes early:
    P(-delta * beta * ln U >= x) = exp(-x / (delta * beta)), for each beta."""
    rows = []
    for beta in betas:
        x = np.linspace(0, reach * delta_s * max(betas), 400)
        rows.append(pd.DataFrame({"beta": beta, "seconds_before": x, "chance": np.exp(-x / (delta_s * beta))}))
    return pd.concat(rows, ignore_index=True).assign(delta_s=delta_s)


def fig_xfetch(data: pd.DataFrame) -> Figure:
    """One check's chance of refreshing early against how long before the refresh time it
    comes, one line per beta. ``data`` is ``xfetch_curve(delta_s)``."""
    with style():
        fig = Figure(figsize=(6.5, 3.6), layout="constrained")
        ax = fig.subplots()
        for index, (beta, rows) in enumerate(data.groupby("beta", sort=True)):
            color = list(OKABE_ITO.values())[(index + 1) % len(OKABE_ITO)]
            mean = rows["delta_s"].iloc[0] * beta
            ax.plot(rows["seconds_before"], rows["chance"], color=color, label=f"β = {beta:g} (δ·β = {mean:g} s)")
        ax.set_xlabel("seconds before the refresh time")
        ax.set_ylabel("chance one check refreshes")
        delta = data["delta_s"].iloc[0]
        ax.set_title(f"XFetch: refresh when now − δ·β·ln U ≥ refresh time (δ = {delta:g} s)", loc="left", fontsize=10)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, math.ceil(data["seconds_before"].max()))
        ax.legend()
        return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "herd",
        "A herd that logged in together",
        "Refresh calls reaching the auth server per second when 10,000 users log in within 10 s and each "
        "tab's timer refreshes 60 s before expiry (scenarios/herd.toml, 4 auth workers, 4 hours). With "
        "fixed 60 min lifetimes the whole fleet comes back every hour, squeezed only by the server's own "
        "queue; lifetimes randomised by the server (60-90 min, as Entra) or a margin jittered by the "
        "client spread the herd out within a few hours. XFetch does not: its delta is the last round "
        "trip, longest for the users who queued longest, so it pulls exactly those forward.",
        herd_data,
        fig_herd,
        ("09-proactive-refresh",),
    ),
    FigureSpec(
        "clock_skew",
        "A wrong clock and a proactive client",
        "Refresh calls and 401s per request against how far the client's clock is off, for a client that "
        "refreshes on use before its 5 min tokens expire. Reading exp, a clock ahead by more than the "
        "lifetime minus the margin refreshes before every page; a clock behind by more than the margin "
        "refreshes too late and meets 401s. Estimating the skew (keycloak-js) or counting expires_in "
        "from the answer's arrival ends both.",
        clock_skew_data,
        fig_clock_skew,
        ("09-proactive-refresh",),
    ),
)

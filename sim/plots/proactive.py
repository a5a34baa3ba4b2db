"""Refreshing before expiry: a herd that logged in together, a wrong clock, XFetch's chances."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FormatStrFormatter, MultipleLocator, NullLocator

from ..palette import OKABE_ITO
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


# -- 9. the herd ---------------------------------------------------------------------


def fig_herd(data: pd.DataFrame) -> Figure:
    """Refresh arrivals per second over time, one panel per variant on one scale, each panel
    titled with its peak, its peak-to-mean and its refresh p99.

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
            ax.set_title(
                f"{name}: peak {first['peak_per_s']:,.0f}/s, {first['peak_to_mean']:.1f}× the mean; "
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


# -- 10. clock skew ----------------------------------------------------------------


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


# -- XFetch's chance of refreshing early ----------------------------------------------


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

"""Outages and backoff: the backlog through an outage, recovery against its length, backoff
policies with many clients, and the browser's connection limit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..palette import OKABE_ITO
from .theme import _strategies, style

_CLIENT_COLORS = [OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"], OKABE_ITO["orange"], OKABE_ITO["blue"]]
_CLIENT_MARKERS = ["o", "X", "v", "s"]


def _clients(data: pd.DataFrame) -> dict[str, tuple[str, str]]:
    names = list(dict.fromkeys(data["client"]))
    return {name: (_CLIENT_COLORS[i % 4], _CLIENT_MARKERS[i % 4]) for i, name in enumerate(names)}


# -- the backlog through one outage --------------------------------------------------


def fig_outage_backlog(data: pd.DataFrame) -> Figure:
    """The auth server's backlog over time, one line per client (log scale), the outage shaded.

    ``data`` is ``sim.figures.outage_backlog_data()``.
    """
    with style():
        fig = Figure(figsize=(9.5, 4.6), layout="constrained")
        ax = fig.subplots()
        start, end = data["outage_start_s"].iloc[0], data["outage_end_s"].iloc[0]
        ax.axvspan(start, end, color="0.88", zorder=0)
        ax.text((start + end) / 2, 0.98, "outage", transform=ax.get_xaxis_transform(), ha="center", va="top",
                fontsize=8)  # fmt: skip
        for client, (color, _) in _clients(data).items():
            rows = data[data["client"] == client]
            recovery = rows["recovery_s"].iloc[0]
            note = "never back" if math.isnan(recovery) else f"back after {recovery:g} s"
            ax.step(rows["time_s"], rows["backlog"] + 0.1, where="post", color=color, lw=1.4,
                    label=f"{client}: {note}")  # fmt: skip
        ax.set_yscale("log")
        ax.set_ylim(0.08, None)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("refresh calls held by the auth server\n(mean over 5 s, + 0.1 for the log scale)")
        ax.legend(loc="upper left", fontsize=8)
        ax.set_title("A 30 s silent outage of an auth server with six times the headroom it needs", loc="left",
                     fontsize=10)  # fmt: skip
        return fig


# -- recovery against the outage's length -------------------------------------------


def fig_outage_recovery(data: pd.DataFrame) -> Figure:
    """Recovery time against outage length, one line per client; a run that never recovered is a
    cross at the top, at the time it was watched.

    ``data`` is ``sim.figures.outage_recovery_data()``.
    """
    with style():
        fig = Figure(figsize=(8, 4.6), layout="constrained")
        ax = fig.subplots()
        top = float(data["watched_s"].max()) * 1.15
        clients = _clients(data)
        dodge = np.linspace(-0.8, 0.8, len(clients))  # seconds: coinciding points stay visible
        for (client, (color, marker)), nudge in zip(clients.items(), dodge, strict=True):
            rows = data[data["client"] == client].sort_values("outage_s")
            x = rows["outage_s"] + nudge
            y = rows["recovery_s"].where(rows["recovered"], top)
            ax.plot(x, y, color=color, marker=marker, markersize=6, lw=1.2, label=client)
            lost = ~rows["recovered"]
            ax.scatter(x[lost], [top] * lost.sum(), marker="x", s=70, color=color, zorder=5)
        ax.axhline(top, color="0.6", lw=0.8, ls=":")
        ax.text(data["outage_s"].min(), top, "not back while users were there", va="bottom", fontsize=8)
        ax.set_xticks(sorted(data["outage_s"].unique()))
        ax.set_ylim(-5, top * 1.12)
        ax.set_xlabel("length of the silent outage (s)")
        ax.set_ylabel("time for the backlog to come back (s)")
        ax.legend(loc="center right", fontsize=8)
        return fig


# -- backoff policies with many clients ----------------------------------------------


def fig_backoff_policies(data: pd.DataFrame) -> Figure:
    """Calls per successful refresh and time to drain, one bar per retry policy.

    ``data`` is ``sim.figures.backoff_policies_data()``.
    """
    with style():
        fig = Figure(figsize=(10, 4.2), layout="constrained")
        calls_ax, drain_ax = fig.subplots(1, 2, sharey=True)
        policies = list(data["retry"])
        y = np.arange(len(policies))
        # red: some clients never got through
        colors = [OKABE_ITO["vermillion"] if n else OKABE_ITO["blue"] for n in data["never_refreshed"]]
        calls_ax.barh(y, data["calls_per_success"], color=colors)
        drain_ax.barh(y, data["drain_s"], color=colors)
        users = int((data["refreshed"] + data["never_refreshed"]).iloc[0])
        for k, row in enumerate(data.itertuples()):
            calls_ax.text(row.calls_per_success, k, f" {row.calls_per_success:.1f}", va="center", fontsize=8)
            if math.isnan(row.drain_s):
                drain_ax.text(0, k, f" never: {row.never_refreshed} of {users} never refreshed", va="center",
                              fontsize=8, color=OKABE_ITO["vermillion"])  # fmt: skip
            else:
                drain_ax.text(row.drain_s, k, f" {row.drain_s:.0f} s", va="center", fontsize=8)
        calls_ax.set_yticks(y)
        calls_ax.set_yticklabels(policies)
        calls_ax.invert_yaxis()
        calls_ax.set_xlabel("refresh calls per successful refresh (log scale)")
        drain_ax.set_xlabel("time until the last refresh succeeded (s)")
        calls_ax.set_ylabel("retry policy")
        calls_ax.set_xscale("log")
        calls_ax.set_xlim(1, data["calls_per_success"].max() * 4)
        drain_ax.set_xlim(0, np.nanmax(data["drain_s"]) * 1.3)
        fig.suptitle("200 clients refresh at once against one auth worker (10 s of work), giving up after 1 s, "
                     "up to 100 tries", fontsize=10)  # fmt: skip
        return fig


# -- the connection limit --------------------------------------------------------------


def fig_connection_limit(data: pd.DataFrame) -> Figure:
    """p95 latency of requests that met an expiry (and of the others) per strategy, unlimited
    connections beside 6.

    ``data`` is ``sim.figures.connection_limit_data()``.
    """
    with style():
        fig = Figure(figsize=(8.5, 4.2), layout="constrained")
        met_ax, clear_ax = fig.subplots(1, 2, sharey=True)
        strategies = _strategies(data)
        limits = sorted(data["max_connections"].unique())
        width = 0.8 / len(limits)
        for k, limit in enumerate(limits):
            rows = data[data["max_connections"] == limit].set_index("strategy").reindex(list(strategies))
            x = np.arange(len(strategies)) + (k - (len(limits) - 1) / 2) * width
            label = "unlimited connections" if limit == 0 else f"{limit} connections per origin"
            hatch = "" if limit == 0 else "//"
            colors = [look["color"] for look in strategies.values()]
            for ax, column in ((met_ax, "expiry_latency_p95_ms"), (clear_ax, "clear_latency_p95_ms")):
                ax.bar(x, rows[column], width, color=colors, edgecolor="black", hatch=hatch, label=label, alpha=0.9)
        for ax, title in ((met_ax, "requests that met an expiry"), (clear_ax, "all the others")):
            ax.set_xticks(np.arange(len(strategies)))
            ax.set_xticklabels(list(strategies))
            ax.set_xlabel("strategy")
            ax.set_title(title, fontsize=10)
        met_ax.set_ylabel("p95 latency (ms)")
        keys = [Patch(facecolor="0.85", edgecolor="black", hatch="" if limit == 0 else "//",
                      label="unlimited connections" if limit == 0 else f"{limit} connections per origin")
                for limit in limits]  # fmt: skip
        fig.legend(handles=keys, loc="outside lower center", ncols=2, fontsize=8)
        fig.suptitle("Pages of 8 calls of ~300 ms, tokens of a minute: solid unlimited, hatched 6 per origin",
                     fontsize=10)  # fmt: skip
        return fig

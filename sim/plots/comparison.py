"""The figures that compare the strategies on the committed scenarios.

A burst's refresh storm, refresh calls over time, latency distributions,
the auth server's load, and sensitivity to the access-token lifetime.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .theme import _line_style, _log2_axis, _strategies, style

# -- 2. refresh storm --------------------------------------------------------------


def fig_refresh_storm(storm: pd.DataFrame) -> Figure:
    """Refresh calls and slowest request of one burst against its size.

    ``storm`` is ``sim.figures.refresh_storm_data()``.
    """
    with style():
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        calls_ax, slow_ax = fig.subplots(1, 2)
        for strategy, look in _strategies(storm).items():
            rows = storm[storm["strategy"] == strategy].sort_values("concurrency")
            marker = {"marker": look["marker"], "markersize": 6}
            if strategy == "queued":
                marker["markerfacecolor"] = "white"
            calls_ax.plot(rows["concurrency"], rows["refresh_calls"], **_line_style(look), **marker)
            slow_ax.plot(rows["concurrency"], rows["slowest_request_ms"], **_line_style(look), **marker)
        sizes = storm["concurrency"]
        for ax in (calls_ax, slow_ax):
            ax.set_xscale("log", base=2)
            _log2_axis(ax.xaxis, sizes)
            ax.set_xlabel("requests fired at once after the token expired (log scale)")
        calls_ax.set_yscale("log", base=2)
        _log2_axis(calls_ax.yaxis, sizes)
        calls_ax.set_ylabel("refresh calls sent (log scale)")
        calls_ax.set_title("Refresh calls per burst")
        capacity = int(storm["auth_capacity"].iloc[0])
        slow_ax.set_ylim(bottom=0)
        slow_ax.set_ylabel("latency of the slowest request (ms)")
        slow_ax.set_title(f"Slowest request (auth server: {capacity} workers)")
        calls_ax.legend(title="strategy", loc="upper left")
        return fig


# -- 3. refresh calls over time ----------------------------------------------------


def fig_refresh_timeline(timeline: pd.DataFrame) -> Figure:
    """Refresh calls per time window, one line per strategy, expiries marked.

    ``timeline`` is ``sim.figures.refresh_timeline_data()``.
    """
    with style():
        fig = Figure(figsize=(8, 4.5), layout="constrained")
        ax = fig.subplots()
        bin_s = float(timeline["bin_s"].iloc[0])
        for strategy, look in _strategies(timeline).items():
            rows = timeline[timeline["strategy"] == strategy].sort_values("bin_start_s")
            edges = np.append(rows["bin_start_s"].to_numpy(), rows["bin_start_s"].iloc[-1] + bin_s)
            ax.stairs(rows["refresh_calls"], edges, **_line_style(look), lw=1.8)
        ttl = float(timeline["access_ttl_s"].iloc[0])
        end = float(timeline["bin_start_s"].max() + bin_s)
        for expiry in np.arange(ttl, end, ttl):
            ax.axvline(expiry, color="0.35", lw=0.9, linestyle=":", zorder=0)
        ax.set_xlim(0, end)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("time since the users logged in together (s)")
        ax.set_ylabel(f"refresh calls sent per {bin_s:g} s")
        ax.set_title(f"Access tokens live {ttl:g} s (dotted: multiples of {ttl:g} s)", loc="left")
        legend = ax.legend(title="strategy", loc="upper right", frameon=True, framealpha=1)
        legend.get_frame().set_edgecolor("none")
        return fig


# -- 4. latency distributions --------------------------------------------------------


def fig_latency_cdf(quantiles: pd.DataFrame) -> Figure:
    """Latency CDFs per strategy: requests that met an expiry, and the rest.

    ``quantiles`` is ``sim.figures.latency_cdf_data()``.

    Curves often coincide (every strategy serves a request that met no
    expiry alike), so each is drawn narrower than the one before it, on top
    of it: the first strategy is the widest line, at the bottom, and stays
    visible as a border around the others. A panel whose curves lie within a
    few milliseconds of each other from p5 to p99 says so in a note.
    """
    looks = _strategies(quantiles)
    widths = {name: 1.4 + 1.6 * (len(looks) - 1 - i) for i, name in enumerate(looks)}
    with style():
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        clear_ax, expiry_ax = fig.subplots(1, 2, sharex=True, sharey=True)
        panels = (
            (clear_ax, False, "Requests that met no expiry"),
            (expiry_ax, True, "Requests that met an expiry\n(got a 401 or waited for a refresh)"),
        )
        for ax, met, title in panels:
            panel = quantiles[quantiles["met_expiry"] == met]
            for z, (strategy, look) in enumerate(looks.items()):
                rows = panel[panel["strategy"] == strategy].sort_values("fraction")
                n = int(rows["requests"].iloc[0])
                style_ = _line_style(look) | {"label": f"{strategy} ({n:,} requests)", "lw": widths[strategy]}
                ax.plot(rows["latency_ms"], rows["fraction"], zorder=2 + z, **style_)
            middle = panel[panel["fraction"].between(0.05, 0.99)]
            gap_ms = middle.groupby("fraction")["latency_ms"].agg(lambda ms: ms.max() - ms.min()).max()
            if len(looks) > 1 and gap_ms <= 5:  # the curves coincide: say so
                apart = "less than 1 ms" if gap_ms < 1 else f"at most {gap_ms:.0f} ms"
                ax.text(
                    0.97,
                    0.6,
                    f"The {len(looks)} curves coincide: from p5 to p99\nthey are {apart} apart.\n"
                    f"{next(iter(looks))} is the widest line, at the bottom.",
                    transform=ax.transAxes,
                    ha="right",
                    va="center",
                    fontsize=9,
                )
            ax.set_title(title)
            ax.set_xlabel("latency, from the app's ask to its answer (ms)")
            ax.legend(loc="lower right", title="strategy")
        clear_ax.set_ylabel("fraction of requests at most this slow")
        clear_ax.set_ylim(0, 1.01)
        clear_ax.set_xlim(left=0)
        return fig


# -- 5. auth-server load --------------------------------------------------------------


def fig_auth_load(load: pd.DataFrame) -> Figure:
    """Refresh calls held by the auth server over time, logins together vs spread.

    ``load`` is ``sim.figures.auth_load_data()``.
    """
    with style():
        fig = Figure(figsize=(8, 5.5), layout="constrained")
        panels = [name for name in ("together", "spread") if name in set(load["logins"])]
        axes = fig.subplots(len(panels), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        capacity = int(load["auth_capacity"].iloc[0])
        looks = _strategies(load)  # over both panels, so a label looks the same in each
        titles = {
            "together": "Users log in together: their tokens expire together",
            "spread": "Logins spread out: tokens expire at different times",
        }
        for ax, logins in zip(axes, panels, strict=True):
            rows = load[load["logins"] == logins]
            for strategy, look in looks.items():
                mine = rows[rows["strategy"] == strategy]
                if mine.empty:
                    continue
                mine = mine.sort_values("time_s")
                step = float(mine["time_s"].iloc[1] - mine["time_s"].iloc[0])
                edges = np.append(mine["time_s"].to_numpy(), mine["time_s"].iloc[-1] + step)
                ax.stairs(mine["peak_in_flight"], edges, **_line_style(look), lw=1.5)
            ax.axhline(capacity, color="black", lw=0.9, linestyle="--", zorder=0)
            ax.text(
                0.005,
                capacity,
                f"{capacity} auth worker{'s' if capacity != 1 else ''}: calls above it queue",
                transform=ax.get_yaxis_transform(),
                ha="left",
                va="bottom",
                fontsize=8,
            )
            ax.set_title(titles.get(logins, logins), loc="left")
            ax.set_ylabel(f"refresh calls held at once\n(most in each {step:g} s)")
            ax.set_ylim(bottom=0)
        axes[-1].legend(title="strategy", loc="upper left")
        axes[-1].set_xlabel("time since the first login (s)")
        axes[-1].set_xlim(0, float(load["time_s"].max()) + step)
        return fig


# -- 6. sensitivity to the access-token lifetime --------------------------------------


def fig_ttl_sensitivity(table: pd.DataFrame) -> Figure:
    """Refresh cost and expiry latency against the access-token lifetime, with 95 % bands.

    ``table`` is ``sim.figures.ttl_sensitivity_data()``.
    """
    looks = _strategies(table)
    # strategies often coincide (every one meets the same expiries): the first is drawn widest, at the bottom
    under = {name: len(looks) - 1 - i for i, name in enumerate(looks)}  # how many are drawn on top of each
    with style():
        fig = Figure(figsize=(10, 4.2), layout="constrained")
        axes = fig.subplots(1, 3, sharex=True)
        panels = (
            ("refresh_per_1000_requests", "refresh calls per 1000 requests", "Refresh cost"),
            ("expiry_share_pct", "requests that met an expiry (%)", "How often users wait"),
            ("expiry_latency_p95_ms", "p95 latency of those requests (ms)", "How long they wait"),
        )
        for ax, (column, label, title) in zip(axes, panels, strict=True):
            for z, (strategy, look) in enumerate(looks.items()):
                rows = table[table["strategy"] == strategy].sort_values("access_ttl_s")
                mean, half = rows[column], rows[f"{column}_ci"]
                line = _line_style(look) | {"lw": 1.6 + 1.1 * under[strategy], "zorder": 2 + z}
                ax.fill_between(rows["access_ttl_s"], mean - half, mean + half, color=line["color"], alpha=0.18, lw=0)
                ax.plot(rows["access_ttl_s"], mean, marker=look["marker"], markersize=5 + 2 * under[strategy], **line)
            ax.set_xscale("log", base=2)
            _log2_axis(ax.xaxis, table["access_ttl_s"])
            ax.set_xlabel("access-token lifetime (s, log scale)")
            ax.set_ylabel(label)
            ax.set_title(title)
            ax.set_ylim(bottom=0)
        reps = int(table["replications"].iloc[0])
        title = f"Mean over {reps} seeds, shaded: 95 % confidence interval"
        if {"duration_s", "measured_from_s"} <= set(table.columns):
            first = table.iloc[0]
            measured = (first["duration_s"] - first["measured_from_s"]) / first["access_ttl_s"]
            title += f"; each lifetime T measured over {measured:g} T, after a warm-up of one T"
        fig.suptitle(title, fontsize=10)
        axes[-1].legend(title="strategy", loc="lower left")
        return fig

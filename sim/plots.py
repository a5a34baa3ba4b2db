"""Drawing the figures: data in, ``matplotlib.figure.Figure`` out.

Every function here is ``fig_<name>(data) -> Figure`` and does no
simulation: it draws the DataFrame that ``sim.figures.<name>_data()``
returns (or the same columns read back from ``figures/<name>.csv``). So a
notebook can draw a figure from its own runs, and ``python -m sim figures``
draws the committed ones with the very same code. Two have no file in
``figures/`` because they draw whatever a notebook ran: ``fig_sweep`` (a
metric against a swept parameter) and ``fig_in_flight`` (one run's
``auth_load``).

One palette, everywhere: each strategy keeps its colour, line style and
marker in every figure (``STRATEGY_COLORS``, from the colour-blind-safe
Okabe-Ito set). Figures are made with ``matplotlib.figure.Figure``, not
``pyplot``, so nothing is left open in a global figure list; in a notebook
the returned figure displays itself. Each function resets matplotlib's style
to one fixed look (``STYLE``) while it draws, so the result does not depend
on the caller's settings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
    NullLocator,
    ScalarFormatter,
)

from .config import STRATEGY_NAMES

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any
# common colour-vision deficiency.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
STRATEGY_COLORS = {
    "naive": OKABE_ITO["vermillion"],
    "locked": OKABE_ITO["blue"],
    "queued": OKABE_ITO["bluish_green"],
}
# locked and queued often coincide; queued is dashed so both stay visible.
STRATEGY_LINESTYLES = {"naive": "-", "locked": "-", "queued": (0, (4, 2))}
STRATEGY_MARKERS = {"naive": "o", "locked": "s", "queued": "^"}
STRATEGY_LABELS = {
    "naive": "naive: every 401 refreshes",
    "locked": "locked: one refresh at a time",
    "queued": "queued: locked + hold new requests",
}

# The sequence diagram's message kinds (strategy colours are kept for strategies).
MESSAGE_COLORS = {
    "call": OKABE_ITO["black"],
    "401": OKABE_ITO["orange"],
    "200": OKABE_ITO["sky_blue"],
    "refresh": OKABE_ITO["reddish_purple"],
}

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "figure.dpi": 120,
}


@contextmanager
def style() -> Iterator[None]:
    """Matplotlib's defaults plus ``STYLE``, for the duration of a ``with``."""
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(STYLE)
        yield


def _strategies(data: pd.DataFrame) -> list[str]:
    """The strategies in ``data``, in the usual order."""
    present = set(data["strategy"])
    return [name for name in STRATEGY_NAMES if name in present]


def _line_style(strategy: str) -> dict:
    return {
        "color": STRATEGY_COLORS[strategy],
        "linestyle": STRATEGY_LINESTYLES[strategy],
        "label": STRATEGY_LABELS[strategy],
    }


def _log2_axis(axis, values) -> None:
    """A log-2 axis ticked at exactly ``values``, labelled as plain numbers."""
    axis.set_major_locator(FixedLocator(sorted(set(values))))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(ScalarFormatter())


# -- 1. sequence diagram -------------------------------------------------------


def fig_sequence_diagram(events: pd.DataFrame) -> Figure:
    """One burst drawn call by call, one panel per strategy, time running down.

    ``events`` is ``sim.figures.sequence_diagram_data()``: rows of kind
    ``api``, ``refresh`` and ``stored`` with times in ms.
    """
    with style():
        strategies = _strategies(events)
        requests = int(events.loc[events["kind"] == "api", "request"].max())
        fig = Figure(figsize=(1 + 4.5 * len(strategies), 6.8), layout="constrained")
        axes = fig.subplots(1, len(strategies), sharey=True, squeeze=False)[0]
        end_ms = float(events["received_ms"].max())
        for ax, strategy in zip(axes, strategies, strict=True):
            _draw_sequence(ax, events[events["strategy"] == strategy], requests, end_ms)
        axes[0].set_ylabel("time since the burst's first request (ms)")
        handles, labels = zip(*_sequence_legend(), strict=True)
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=3,
            columnspacing=1.5,
        )
        return fig


def _sequence_lanes(requests: int) -> dict[str, float]:
    lanes = {"api": 0.0}
    for i in range(1, requests + 1):
        lanes[f"request {i}"] = 1.0 + (i - 1) * 0.4
    lanes["store"] = lanes[f"request {requests}"] + 0.9
    lanes["auth"] = lanes["store"] + 1.1
    return lanes


def _arrow(ax: Axes, start, end, color: str, answer: bool = False) -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": color,
            "lw": 1.3,
            "linestyle": (0, (4, 2)) if answer else "-",
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 11,
        },
    )


def _activation(ax: Axes, x: float, start_ms: float, end_ms: float) -> None:
    """A server working on a call: a box on its lane from arrival to answer."""
    rect = Rectangle((x - 0.06, start_ms), 0.12, end_ms - start_ms, facecolor="white", edgecolor="0.4", lw=0.7)
    ax.add_patch(rect).set_zorder(3)


def _draw_sequence(ax: Axes, events: pd.DataFrame, requests: int, end_ms: float) -> None:
    """One strategy's panel: lanes, calls, waits and the token store."""
    lanes = _sequence_lanes(requests)
    top_ms, bottom_ms = -35.0, end_ms + 45.0
    ax.set_ylim(bottom_ms, top_ms)
    ax.set_xlim(-0.45, lanes["auth"] + 0.45)
    ax.grid(False, axis="x")
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.tick_params(axis="x", bottom=False, labelbottom=False)
    ax.yaxis.set_major_locator(FixedLocator(np.arange(0, bottom_ms, 50)))
    for x in lanes.values():
        ax.plot([x, x], [top_ms, bottom_ms], color="0.75", lw=0.9, zorder=0)
    headers = {
        "api": "API",
        "store": "token\nstore",
        "auth": "auth\nserver",
        **{f"request {i}": f"#{i}" for i in range(1, requests + 1)},
    }
    for name, text in headers.items():
        ax.text(lanes[name], top_ms, text, ha="center", va="bottom", fontsize=9)
    middle = (lanes["request 1"] + lanes[f"request {requests}"]) / 2
    ax.text(middle, top_ms - 22, "requests", ha="center", va="bottom", fontsize=9)

    api = events[events["kind"] == "api"]
    refreshes = events[events["kind"] == "refresh"]
    stored = events[events["kind"] == "stored"]

    # each request's life, from the app's ask to its final answer
    for request, calls in api.groupby("request"):
        x = lanes[f"request {int(request)}"]
        calls = calls.sort_values("sent_ms")
        start = calls["created_ms"].min() if "created_ms" in calls else calls["sent_ms"].min()
        end = calls["received_ms"].max()
        ax.add_patch(Rectangle((x - 0.05, start), 0.1, end - start, color="0.9", zorder=1))
        ax.text(x, end + 6, f"{end:.0f}", ha="center", va="top", fontsize=8)
        waits = [(start, calls["sent_ms"].iloc[0])]  # held before it was sent (queued)
        if not (refreshes["request"] == request).any():  # it did not refresh itself: it waited
            waits += zip(calls["received_ms"].iloc[:-1], calls["sent_ms"].iloc[1:], strict=True)
        for held_from, held_to in waits:
            if held_to > held_from:
                ax.plot([x, x], [held_from, held_to], color=MESSAGE_COLORS["refresh"], lw=2.2, ls=":", zorder=2)
        if waits[0][1] > waits[0][0]:  # held before it was sent at all (queued)
            ax.text(x + 0.06, waits[0][0], "held", rotation=90, ha="left", va="top", fontsize=7.5, color="0.25")

    # a late 401: sent with the old token, answered after the new one was stored
    first_stored_ms = stored["received_ms"].min() if len(stored) else np.inf
    for _, call in api.iterrows():
        x = lanes[f"request {int(call['request'])}"]
        if call["status"] == 401 and call["received_ms"] > first_stored_ms:
            ax.text(x + 0.06, call["received_ms"], "late\n401", ha="left", va="center", fontsize=7.5, color="0.25")
        _arrow(ax, (x, call["sent_ms"]), (lanes["api"], call["arrived_ms"]), MESSAGE_COLORS["call"])
        ax.text(x - 0.03, call["sent_ms"] - 2, call["token"], ha="right", va="bottom", fontsize=8)
        _activation(ax, lanes["api"], call["arrived_ms"], call["served_ms"])
        status = str(int(call["status"]))
        _arrow(
            ax,
            (lanes["api"], call["served_ms"]),
            (x, call["received_ms"]),
            MESSAGE_COLORS.get(status, "0.5"),
            answer=True,
        )

    for _, call in refreshes.iterrows():
        request = int(call["request"])
        x = lanes["store"] if request < 0 else lanes[f"request {request}"]
        _arrow(ax, (x, call["sent_ms"]), (lanes["auth"], call["arrived_ms"]), MESSAGE_COLORS["refresh"])
        _activation(ax, lanes["auth"], call["arrived_ms"], call["served_ms"])
        _arrow(
            ax,
            (lanes["auth"], call["served_ms"]),
            (lanes["store"], call["received_ms"]),
            MESSAGE_COLORS["refresh"],
            answer=True,
        )

    # the token store: which access token the tab holds
    first_token = api.sort_values("sent_ms")["token"].iloc[0]
    ax.text(
        lanes["store"] + 0.08,
        0,
        f"holds {first_token}\n(expired)",
        ha="left",
        va="top",
        fontsize=8,
        color="0.3",
    )
    for _, event in stored.iterrows():
        ax.plot(lanes["store"], event["received_ms"], "D", color="black", ms=5, zorder=4)
        ax.text(
            lanes["store"] - 0.1,
            event["received_ms"],
            f"{event['issued']}",
            ha="right",
            va="center",
            fontsize=8,
        )

    strategy = events["strategy"].iloc[0]
    n_refresh = len(refreshes)
    ax.set_title(
        f"{strategy}\n{n_refresh} refresh call{'s' if n_refresh != 1 else ''}, "
        f"{len(stored)} token{'s' if len(stored) != 1 else ''} stored",
        color=STRATEGY_COLORS.get(strategy, "black"),
        fontweight="bold",
        pad=34,
    )


def _sequence_legend() -> list:
    def arrow(color, dashed=False):
        return Line2D([], [], color=color, lw=1.3, linestyle=(0, (4, 2)) if dashed else "-", marker=">", markersize=5)

    return [
        (arrow(MESSAGE_COLORS["call"]), "API call, labelled with the token it carries"),
        (arrow(MESSAGE_COLORS["401"], True), "401: token expired"),
        (arrow(MESSAGE_COLORS["200"], True), "200: data"),
        (arrow(MESSAGE_COLORS["refresh"]), "POST /refresh-token"),
        (arrow(MESSAGE_COLORS["refresh"], True), "new access token, stored"),
        (
            Line2D([], [], color=MESSAGE_COLORS["refresh"], lw=2.2, linestyle=":"),
            "request waits for the shared refresh",
        ),
        (
            Rectangle((0, 0), 1, 1, color="0.9"),
            "a request's life; below it, when it ended (ms)",
        ),
        (
            Line2D([], [], color="black", marker="D", linestyle="", ms=5),
            "token store gets a new access token",
        ),
    ]


# -- 2. refresh storm --------------------------------------------------------------


def fig_refresh_storm(storm: pd.DataFrame) -> Figure:
    """Refresh calls and slowest request of one burst against its size.

    ``storm`` is ``sim.figures.refresh_storm_data()``.
    """
    with style():
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        calls_ax, slow_ax = fig.subplots(1, 2)
        for strategy in _strategies(storm):
            rows = storm[storm["strategy"] == strategy].sort_values("concurrency")
            marker = {"marker": STRATEGY_MARKERS[strategy], "markersize": 6}
            if strategy == "queued":
                marker["markerfacecolor"] = "white"
            calls_ax.plot(rows["concurrency"], rows["refresh_calls"], **_line_style(strategy), **marker)
            slow_ax.plot(rows["concurrency"], rows["slowest_request_ms"], **_line_style(strategy), **marker)
        sizes = storm["concurrency"]
        for ax in (calls_ax, slow_ax):
            ax.set_xscale("log", base=2)
            _log2_axis(ax.xaxis, sizes)
            ax.set_xlabel("requests fired at once after the token expired")
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
        for strategy in _strategies(timeline):
            rows = timeline[timeline["strategy"] == strategy].sort_values("bin_start_s")
            edges = np.append(rows["bin_start_s"].to_numpy(), rows["bin_start_s"].iloc[-1] + bin_s)
            ax.stairs(rows["refresh_calls"], edges, **_line_style(strategy), lw=1.8)
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
    """
    with style():
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        clear_ax, expiry_ax = fig.subplots(1, 2, sharex=True, sharey=True)
        panels = (
            (clear_ax, False, "Requests that met no expiry"),
            (expiry_ax, True, "Requests that met an expiry\n(got a 401 or waited for a refresh)"),
        )
        for ax, met, title in panels:
            for strategy in _strategies(quantiles):
                rows = quantiles[(quantiles["strategy"] == strategy) & (quantiles["met_expiry"] == met)]
                rows = rows.sort_values("fraction")
                n = int(rows["requests"].iloc[0])
                style_ = _line_style(strategy) | {"label": f"{strategy} ({n:,} requests)"}
                ax.plot(rows["latency_ms"], rows["fraction"], **style_)
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
        titles = {
            "together": "Users log in together: their tokens expire together",
            "spread": "Logins spread out: tokens expire at different times",
        }
        for ax, logins in zip(axes, panels, strict=True):
            rows = load[load["logins"] == logins]
            for strategy in _strategies(rows):
                mine = rows[rows["strategy"] == strategy].sort_values("time_s")
                step = float(mine["time_s"].iloc[1] - mine["time_s"].iloc[0])
                edges = np.append(mine["time_s"].to_numpy(), mine["time_s"].iloc[-1] + step)
                ax.stairs(mine["peak_in_flight"], edges, **_line_style(strategy), lw=1.5)
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
    with style():
        fig = Figure(figsize=(10, 4.2), layout="constrained")
        axes = fig.subplots(1, 3, sharex=True)
        panels = (
            ("refresh_per_1000_requests", "refresh calls per 1000 requests", "Refresh cost"),
            ("expiry_share_pct", "requests that met an expiry (%)", "How often users wait"),
            ("expiry_latency_p95_ms", "p95 latency of those requests (ms)", "How long they wait"),
        )
        for ax, (column, label, title) in zip(axes, panels, strict=True):
            for strategy in _strategies(table):
                rows = table[table["strategy"] == strategy].sort_values("access_ttl_s")
                mean, half = rows[column], rows[f"{column}_ci"]
                line = _line_style(strategy)
                ax.fill_between(rows["access_ttl_s"], mean - half, mean + half, color=line["color"], alpha=0.18, lw=0)
                ax.plot(rows["access_ttl_s"], mean, marker=STRATEGY_MARKERS[strategy], markersize=5, **line)
            ax.set_xscale("log", base=2)
            _log2_axis(ax.xaxis, table["access_ttl_s"])
            ax.set_xlabel("access-token lifetime (s)")
            ax.set_ylabel(label)
            ax.set_title(title)
            ax.set_ylim(bottom=0)
        reps = int(table["replications"].iloc[0])
        fig.suptitle(f"Mean over {reps} seeds, shaded: 95 % confidence interval", fontsize=10)
        axes[-1].legend(title="strategy", loc="lower left")
        return fig


# -- one run's auth-server load, as recorded -------------------------------------------


def fig_in_flight(
    loads: Mapping[str, pd.DataFrame],
    capacity: int | None = None,
    *,
    unit: str = "ms",
    origin_s: float | None = None,
    title: str | None = None,
) -> Figure:
    """Refresh calls held by the auth server over time: one run's step function per strategy.

    ``loads`` maps a strategy to the ``auth_load`` of its run (``time_s``,
    and ``in_flight`` from then on until the next row), e.g.
    ``{r.strategy: r.auth_load for r in sim.compare(...)}``. Time is counted
    in ``unit`` (``"ms"`` or ``"s"``) from ``origin_s``, by default the
    moment the first refresh call arrived; the plot spans from there to the
    last change. ``capacity``, the auth workers, is drawn as a dashed line:
    calls above it wait in the auth server's queue. Made for one burst; over
    a long run the steps blur, and ``fig_auth_load`` (the most held in each
    window) reads better.
    """
    if unit not in ("ms", "s"):
        raise ValueError(f"unit = {unit!r}: must be ms or s")
    scale = 1000.0 if unit == "ms" else 1.0
    with style():
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        ax = fig.subplots()
        busy = [load.loc[load["in_flight"] > 0, "time_s"] for load in loads.values()]
        first_s = min((float(t.min()) for t in busy if len(t)), default=0.0)
        start_s = first_s if origin_s is None else origin_s
        last = max(float(load["time_s"].max()) for load in loads.values()) - start_s
        pad = 0.08 * last if last > 0 else 1.0 / scale
        left, right = min(0.0, (first_s - start_s) * scale) - pad * scale, (last + pad) * scale
        known = [name for name in STRATEGY_NAMES if name in loads]
        peak = 0
        for name in known + [name for name in loads if name not in known]:
            load = loads[name].sort_values("time_s")
            times = (load["time_s"].to_numpy(float) - start_s) * scale
            values = load["in_flight"].to_numpy(int)
            inside = times > left
            carried = values[~inside][-1] if (~inside).any() else 0
            edges = np.concatenate([[left], times[inside], [right]])
            heights = np.concatenate([[carried], values[inside]])
            line = _line_style(name) if name in STRATEGY_COLORS else {"label": name, "color": "0.3"}
            peak = max(peak, int(values.max()))
            line["label"] = f"{line['label']} (peak {int(values.max())})"
            ax.stairs(heights, edges, lw=1.8, baseline=None, **line)
        if capacity:
            ax.axhline(
                capacity,
                color="black",
                lw=0.9,
                linestyle="--",
                zorder=0,
                label=f"{capacity} auth worker{'s' if capacity != 1 else ''}: calls above the line wait in a queue",
            )
        ax.set_xlim(left, right)
        top = max(peak, capacity or 0) * 1.12 + 0.5
        ax.set_ylim(-0.02 * top, top)  # a little below 0, so lines at 0 stay visible
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if origin_s is None:
            ax.set_xlabel(f"time since the first refresh call arrived ({unit})")
        elif origin_s == 0:
            ax.set_xlabel(f"simulated time ({unit})")
        else:
            ax.set_xlabel(f"time since t = {origin_s:g} s ({unit})")
        ax.set_ylabel("refresh calls held by the auth server\n(queued or being served)")
        if title:
            ax.set_title(title, loc="left")
        ax.legend(title="strategy", loc="best")
        return fig


# -- any sweep: a metric against a parameter ----------------------------------------------

# Unit suffixes of column names, as axis labels write them (longest first).
_UNIT_SUFFIXES = {"_per_s": "per s", "_pct": "%", "_ms": "ms", "_s": "s"}


def column_label(column: str) -> str:
    """An axis label from a column name: ``expiry_latency_p95_s`` -> ``expiry latency p95 (s)``."""
    for suffix, unit in _UNIT_SUFFIXES.items():
        if column.endswith(suffix) and len(column) > len(suffix):
            return f"{column[: -len(suffix)].replace('_', ' ')} ({unit})"
    return column.replace("_", " ")


def fig_sweep(
    table: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    log_x: bool = False,
    log_y: bool = False,
    reference: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """A metric against a swept parameter, one line per strategy; several metrics, one panel each.

    ``table`` has one row per (``x`` value, ``strategy``), like rows of
    ``sim.summary_table`` with the parameter added, or ``sim.confidence_table``
    per parameter value. A column ``<y>_ci`` beside a metric (the half-width
    of its 95 % confidence interval) is drawn as a band around its line.
    ``labels`` gives axis labels by column, units included; by default a
    column's name is used, a unit suffix (``_s``, ``_ms``, ``_pct``,
    ``_per_s``) written as ``(s)``. ``reference`` maps a metric to a column
    drawn as a dotted black line in its panel (one value per ``x``, e.g. a
    formula to compare with). The x axis is ticked at the swept values.
    """
    metrics = [y] if isinstance(y, str) else list(y)
    labels = dict(labels or {})
    reference = dict(reference or {})

    def label(column: str) -> str:
        return labels.get(column, column_label(column))

    with style():
        fig = Figure(figsize=(max(6.5, 1.2 + 3.6 * len(metrics)), 4.3), layout="constrained")
        axes = fig.subplots(1, len(metrics), sharex=True, squeeze=False)[0]
        handles: dict[str, object] = {}
        for ax, metric in zip(axes, metrics, strict=True):
            for strategy in _strategies(table):
                rows = table[table["strategy"] == strategy].sort_values(x)
                line = _line_style(strategy)
                if f"{metric}_ci" in rows:
                    mean, half = rows[metric], rows[f"{metric}_ci"]
                    ax.fill_between(rows[x], mean - half, mean + half, color=line["color"], alpha=0.18, lw=0)
                    handles["95 % confidence interval"] = Rectangle((0, 0), 1, 1, color="0.5", alpha=0.3)
                marker = {"marker": STRATEGY_MARKERS[strategy], "markersize": 5}
                if strategy == "queued":
                    marker["markerfacecolor"] = "white"
                (drawn,) = ax.plot(rows[x], rows[metric], **line, **marker)
                handles.setdefault(line["label"], drawn)
            if metric in reference:
                ref = table.drop_duplicates(x).sort_values(x)
                (drawn,) = ax.plot(ref[x], ref[reference[metric]], color="black", lw=1.2, linestyle=":", zorder=3)
                handles.setdefault(label(reference[metric]), drawn)
            ax.set_xlabel(label(x))
            ax.set_ylabel(label(metric))
            _sweep_ylim(ax, table, metric, reference.get(metric), log_y)
        if log_x:
            axes[0].set_xscale("log")
        values = sorted(set(table[x]))
        if len(values) <= 12:
            axes[0].xaxis.set_major_locator(FixedLocator(values))
            axes[0].xaxis.set_minor_locator(NullLocator())
            axes[0].xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        if title:
            fig.suptitle(title, fontsize=11)
        strategies = [text for text in handles if text.split(":")[0] in STRATEGY_NAMES]
        ordered = strategies + [text for text in handles if text not in strategies]
        fig.legend(
            [handles[text] for text in ordered],
            ordered,
            loc="outside lower center",
            ncols=min(len(ordered), 3),
            title="strategy" if ordered == strategies else None,
        )
        return fig


def _sweep_ylim(ax: Axes, table: pd.DataFrame, metric: str, reference: str | None, log: bool) -> None:
    """Room above every line, band and reference; from 0 unless log or negative; plain log ticks."""
    shown = [table[metric]]
    if f"{metric}_ci" in table:
        shown += [table[metric] - table[f"{metric}_ci"], table[metric] + table[f"{metric}_ci"]]
    if reference:
        shown.append(table[reference])
    values = pd.concat(shown).dropna()
    low, high = float(values.min()), float(values.max())
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 3, 5)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        if low > 0:
            ax.set_ylim(low / 1.3, high * 1.3)
    elif low >= 0:
        ax.set_ylim(0, high * 1.08 if high > 0 else 1)

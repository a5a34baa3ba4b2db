"""The sequence diagram: one burst drawn call by call, one panel per strategy."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator

from .theme import MESSAGE_COLORS, _strategies, style

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
        for ax, (strategy, look) in zip(axes, strategies.items(), strict=True):
            _draw_sequence(ax, events[events["strategy"] == strategy], requests, end_ms, look["color"])
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


def lane_axes(ax: Axes, lanes: dict[str, float], headers: dict[str, str], top_ms: float, bottom_ms: float) -> None:
    """An empty sequence panel: time running down, a grey lane per participant, each headed by its name."""
    ax.set_ylim(bottom_ms, top_ms)
    ax.set_xlim(-0.45, max(lanes.values()) + 0.45)
    ax.grid(False, axis="x")
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.tick_params(axis="x", bottom=False, labelbottom=False)
    ax.yaxis.set_major_locator(FixedLocator(np.arange(0, bottom_ms, 50)))
    for x in lanes.values():
        ax.plot([x, x], [top_ms, bottom_ms], color="0.75", lw=0.9, zorder=0)
    for name, text in headers.items():
        ax.text(lanes[name], top_ms, text, ha="center", va="bottom", fontsize=9)


def legend_arrow(color: str, dashed: bool = False) -> Line2D:
    """A legend entry for a message: a call (solid) or an answer (dashed)."""
    return Line2D([], [], color=color, lw=1.3, linestyle=(0, (4, 2)) if dashed else "-", marker=">", markersize=5)


def _activation(ax: Axes, x: float, start_ms: float, end_ms: float) -> None:
    """A server working on a call: a box on its lane from arrival to answer."""
    rect = Rectangle((x - 0.06, start_ms), 0.12, end_ms - start_ms, facecolor="white", edgecolor="0.4", lw=0.7)
    ax.add_patch(rect).set_zorder(3)


def _draw_sequence(ax: Axes, events: pd.DataFrame, requests: int, end_ms: float, color: str) -> None:
    """One strategy's panel: lanes, calls, waits and the token store; its title in the strategy's ``color``."""
    lanes = _sequence_lanes(requests)
    top_ms, bottom_ms = -35.0, end_ms + 45.0
    headers = {
        "api": "API",
        "store": "token\nstore",
        "auth": "auth\nserver",
        **{f"request {i}": f"#{i}" for i in range(1, requests + 1)},
    }
    lane_axes(ax, lanes, headers, top_ms, bottom_ms)
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
        color=color,
        fontweight="bold",
        pad=34,
    )


def _sequence_legend() -> list:
    arrow = legend_arrow
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

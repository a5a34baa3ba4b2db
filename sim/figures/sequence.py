"""The sequence diagram: one tab's burst, drawn call by call from the recorded calls.

One tab fires a few requests just after its access token died. Every call
the run recorded (to the API, to the auth server) becomes an arrow at its
simulated times, one panel per strategy, time running down: naive's four
refresh calls beside locked's one. ``sequence_diagram_data`` runs the burst
and returns its rows (``sequence_rows`` makes them from any run, as the
playground does); ``fig_sequence_diagram`` draws them. The lane helpers
(``lane_axes``, ``legend_arrow``) are shared with the tab race
(``sim.figures.token_reuse``).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator

from .. import Capacities, Latencies, Observer, Scenario, TokenPolicy, Workload, run
from ..records import CallRecord, TokenEvent
from .spec import FigureSpec
from .theme import MESSAGE_COLORS, _strategies, style

# The sequence diagram's legs are round numbers so the times read off easily:
# a round trip of 100 ms, the API rejects a token in 10 ms and serves in 50 ms,
# the auth server answers in 20 ms.
DIAGRAM_LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)


def sequence_diagram_data(
    requests: int = 4,
    gap_ms: float = 20.0,
    strategies: tuple[str, ...] = ("naive", "locked"),
    latencies: Latencies = DIAGRAM_LATENCIES,
    auth_capacity: int = 0,
) -> pd.DataFrame:
    """Every call and token-store change of one tab's burst, per strategy.

    A trace workload: one user opens the app at 0 (its first request logs it
    in; access tokens live 60 s) and at 61 s, one second after the token
    died, fires ``requests`` requests ``gap_ms`` apart, so the arrows can be
    told apart. Only the burst is kept; times are in ms since its first
    request. The legs take ``latencies`` (``DIAGRAM_LATENCIES``), and the
    auth server has ``auth_capacity`` workers (0: as many as it is sent).

    One row per event: ``kind`` is ``api`` (a call to the API), ``refresh``
    (POST /refresh-token) or ``stored`` (the tab's token store got a new
    access token). ``request`` numbers the burst's requests from 1; -1 is a
    call no single request owns (the single-flight refresh). ``created_ms`` is
    when the app asked for the call's request (earlier than ``sent_ms`` if
    ``queued`` held it). ``token`` is the access token presented, ``issued``
    the one handed out (or stored). For ``stored`` rows only ``received_ms``
    (when) and ``issued`` are set.
    """
    burst_s = 61.0
    times = [0.0] + [burst_s + i * gap_ms / 1000 for i in range(requests)]
    frames = []
    with tempfile.TemporaryDirectory() as folder:
        trace = Path(folder) / "burst.csv"
        trace.write_text("time_s,user\n" + "".join(f"{t:.3f},tab\n" for t in times))
        base = Scenario(
            tokens=TokenPolicy(access_ttl_s=60),
            latencies=latencies,
            capacities=Capacities(auth_capacity=auth_capacity),
            workload=Workload(kind="trace", arrivals=str(trace)),
            record_calls=True,
            name="sequence-diagram",
        )
        for strategy in strategies:
            result = run(base.with_(strategy=strategy))
            frames.append(sequence_rows(result, strategy, burst_s))
    return pd.concat(frames, ignore_index=True)


def sequence_rows(result, strategy: str, burst_s: float, tabs: bool = False) -> pd.DataFrame:
    """``sequence_diagram_data``'s rows of one run, from ``burst_s``; with a ``tab`` column (1, 2, ...)
    if ``tabs``, for a burst from several tabs (``sim.playground``)."""
    created_s = result.requests.set_index("request")["created_s"]
    return _rows(result.calls, created_s, result.token_events, strategy, burst_s, tabs)


class SequenceWatch(Observer):
    """Watches a run for its sequence diagram: every call the servers answered (API calls too, with
    ``record_calls``), when each request was made, and each token stored; ``rows()`` gives the same rows
    as ``sequence_rows`` of the run's result (``sim.playground`` draws its diagram from one)."""

    def __init__(self) -> None:
        self.calls: list[CallRecord] = []
        self.created_s: dict[int, float] = {}
        self.stored: list[TokenEvent] = []

    def call_served(self, record: CallRecord) -> None:
        self.calls.append(record)

    def request_made(self, request: int, session: int, time_s: float) -> None:
        self.created_s[request] = time_s

    def tokens_changed(self, event: TokenEvent) -> None:
        self.stored.append(event)

    def rows(self, strategy: str, burst_s: float, tabs: bool = False) -> pd.DataFrame:
        calls = pd.DataFrame(self.calls, columns=CallRecord._fields)
        events = pd.DataFrame(self.stored, columns=TokenEvent._fields)
        return _rows(calls, pd.Series(self.created_s, dtype=float), events, strategy, burst_s, tabs)


def _rows(
    all_calls: pd.DataFrame, created_s: pd.Series, events: pd.DataFrame, strategy: str, burst_s: float, tabs: bool
) -> pd.DataFrame:
    """The diagram's rows: each call from ``burst_s`` on and each token stored, times in ms from it."""
    calls = all_calls[all_calls["sent_s"] >= burst_s]
    first = calls.loc[calls["endpoint"] == "resource", "request"].min()  # NaN: the burst sent nothing
    rows = pd.DataFrame(
        {
            "strategy": strategy,
            "kind": np.where(calls["endpoint"] == "resource", "api", calls["endpoint"]),
            "request": np.where(calls["request"] >= 0, calls["request"] - first + 1, -1),
            "created_ms": (calls["request"].map(created_s) - burst_s) * 1000,
            **{f"{leg}_ms": (calls[f"{leg}_s"] - burst_s) * 1000 for leg in ("sent", "arrived", "served", "received")},
            "status": calls["status"],
            "token": calls["token"].where(calls["endpoint"] == "resource", ""),
            "issued": calls["issued"],
        }
    )
    stored = events[(events["time_s"] >= burst_s) & (events["event"] == "stored")]
    store_rows = pd.DataFrame(
        {
            "strategy": strategy,
            "kind": "stored",
            "request": -1,
            "received_ms": (stored["time_s"] - burst_s) * 1000,
            "issued": stored["access"],
            "token": "",
        }
    )
    if tabs:
        first_tab = int(all_calls["session"].min())  # the login's: one user, tabs numbered from 1
        rows["tab"] = calls["session"].to_numpy() - first_tab + 1
        store_rows["tab"] = stored["session"].to_numpy() - first_tab + 1
    frame = pd.concat([rows, store_rows], ignore_index=True)
    return frame.sort_values(["received_ms", "kind", "request"], kind="stable", ignore_index=True)


def burst_calls_and_changes(result, burst_s: float, lane: str, lane_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every call of ``result`` sent from ``burst_s`` on, and every token stored or logout from then, times
    in ms from ``burst_s``, each in the lane ``lane_of(session)`` names (column ``lane``): the rows the
    two-lane diagrams (``tab_race``, ``fig_bff_sequence``) draw. A call's ``kind`` is ``api``, ``refresh``
    or ``login``; a change's ``stored`` or ``logout``."""
    calls = result.calls[result.calls["sent_s"] >= burst_s]
    made = pd.DataFrame(
        {
            "kind": np.where(calls["endpoint"] == "resource", "api", calls["endpoint"]),
            lane: lane_of(calls["session"]),
            **{f"{leg}_ms": (calls[f"{leg}_s"] - burst_s) * 1000 for leg in ("sent", "arrived", "served", "received")},
            "status": calls["status"],
            "outcome": calls["outcome"],
            "token": calls["token"],
            "issued": calls["issued"],
            "issued_refresh": calls["issued_refresh"],
        }
    )
    events = result.token_events
    changes = events[(events["time_s"] >= burst_s) & events["event"].isin(["stored", "logout"])]
    changed = pd.DataFrame(
        {
            "kind": changes["event"],
            lane: lane_of(changes["session"]),
            "received_ms": (changes["time_s"] - burst_s) * 1000,
            "issued": changes["access"],
        }
    )
    return made, changed


# -- the drawing -------------------------------------------------------------------------------------

LABEL_PT = 9  # every label on the diagram, at notebook width and in figures/ alike
MS_PER_INCH = 150  # the time axis: 150 ms of simulated time per inch
PANEL_WIDTH_IN = 5.0  # two panels side by side fit a notebook (about 1250 px at 120 dpi)
ROOMY_REQUESTS = 8  # up to this many request lanes fit a panel that wide; each one more widens it
LANE_IN = 0.45  # ... by this much (half a lane unit)
LATE = "late\n401"  # the mark beside a 401 answered after the new token was stored
HELD = "held"  # the mark beside a request that queued held before sending it
SHARED = "shared\nrefresh"  # the label on the tab's one refresh that every 401 waits for (single-flight)
EARLY = "refresh\nbefore use"  # the label on a refresh no 401 started: the client's own, before sending (proactive)
HELD_APART_MS = 25  # held marks closer in time than this on neighbouring lanes would overlap: only the last is labelled
# a label drawn over arrows: a white patch behind it keeps it readable where arrows cross
ON_ARROWS = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}
# a token's name (a1, a3, ...) in a small badge, so it never reads as part of a neighbouring note
TOKEN = {"boxstyle": "round,pad=0.12", "facecolor": "0.95", "edgecolor": "0.6", "linewidth": 0.6}


def fig_sequence_diagram(events: pd.DataFrame) -> Figure:
    """One burst drawn call by call, one panel per strategy, time running down.

    ``events`` is ``sim.figures.sequence_diagram_data()``: rows of kind
    ``api``, ``refresh`` and ``stored`` with times in ms.

    At most two panels a row, so the figure keeps a notebook's width: two
    strategies side by side with the legend below them; three as the first
    alone with the legend beside it, and the other two (the pair a notebook
    compares) side by side below. All panels share one time axis.
    """
    with style():
        strategies = _strategies(events)
        requests = int(events.loc[events["kind"] == "api", "request"].max())
        end_ms = float(events["received_ms"].max())
        n = len(strategies)
        legend_beside = n % 2 == 1 and n > 1  # an odd panel out: the legend fills the empty slot
        if legend_beside:
            rows, slots = 1 + (n - 1) // 2, [(0, 0)] + [(1 + i // 2, i % 2) for i in range(n - 1)]
        else:
            rows, slots = math.ceil(n / 2), [(i // 2, i % 2) for i in range(n)]
        columns = min(n, 2)
        panel_height_in = 1.4 + (end_ms + 80) / MS_PER_INCH
        panel_width_in = PANEL_WIDTH_IN + LANE_IN * max(0, requests - ROOMY_REQUESTS)
        fig = Figure(
            figsize=(0.5 + panel_width_in * columns, rows * panel_height_in + (0 if legend_beside else 1.1)),
            layout="constrained",
        )
        grid = fig.add_gridspec(rows, columns)
        axes: list[Axes] = []
        for row, column in slots:
            axes.append(fig.add_subplot(grid[row, column], sharey=axes[0] if axes else None))
        marks: set[str] = set()
        for ax, (strategy, look), (_, column) in zip(axes, strategies.items(), slots, strict=True):
            marks |= _draw_sequence(ax, events[events["strategy"] == strategy], requests, end_ms, look["color"])
            if column == 0:
                ax.set_ylabel("time since the burst's first request (ms)")
            else:
                ax.tick_params(axis="y", labelleft=False)
        handles, labels = zip(*_sequence_legend(marks), strict=True)
        if legend_beside:
            slot = fig.add_subplot(grid[0, 1])
            slot.axis("off")
            slot.legend(handles, labels, loc="center left", borderaxespad=0)
        else:
            fig.legend(handles, labels, loc="outside lower center", ncols=columns, columnspacing=1.5)
        return fig


def _sequence_lanes(requests: int) -> dict[str, float]:
    lanes = {"api": 0.0}
    for i in range(1, requests + 1):
        lanes[f"request {i}"] = 1.0 + (i - 1) * 0.5
    lanes["store"] = lanes[f"request {requests}"] + 1.0
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


def _trigger(api: pd.DataFrame, refresh: pd.Series) -> int | None:
    """The request whose 401 started a refresh no request owns (the tab's shared one), if any did."""
    if "tab" in api:  # a burst from several tabs: each tab's refresh is started by one of its own requests
        api = api[api["tab"] == refresh["tab"]]
    rejected = api[(api["status"] == 401) & np.isclose(api["received_ms"], refresh["sent_ms"])]
    return int(rejected["request"].min()) if len(rejected) else None


def _request_groups(events: pd.DataFrame) -> list[tuple[str, int, int]]:
    """The headers above the request lanes: "requests" over all of them, or "tab N" over each tab's."""
    api = events[events["kind"] == "api"]
    if "tab" not in api or api["tab"].nunique() == 1:
        return [("requests", 1, int(api["request"].max()))]
    spans = api.groupby("tab")["request"].agg(["min", "max"])
    return [(f"tab {int(tab)}", int(span["min"]), int(span["max"])) for tab, span in spans.iterrows()]


def _draw_sequence(ax: Axes, events: pd.DataFrame, requests: int, end_ms: float, color: str) -> set[str]:
    """One strategy's panel: lanes, calls, waits and the token store; its title in the strategy's ``color``.

    Returns the marks it drew that only some bursts have (``LATE``, ``HELD``, ``SHARED``), for the legend.
    """
    marks: set[str] = set()
    lanes = _sequence_lanes(requests)
    top_ms, bottom_ms = -35.0, end_ms + 45.0
    headers = {
        "api": "API",
        "store": "token\nstore",
        "auth": "auth\nserver",
        **{f"request {i}": f"#{i}" for i in range(1, requests + 1)},
    }
    lane_axes(ax, lanes, headers, top_ms, bottom_ms)
    for group, first, last in _request_groups(events):
        middle = (lanes[f"request {first}"] + lanes[f"request {last}"]) / 2
        ax.text(middle, top_ms - 22, group, ha="center", va="bottom", fontsize=LABEL_PT)

    api = events[events["kind"] == "api"]
    refreshes = events[events["kind"] == "refresh"]
    stored = events[events["kind"] == "stored"]
    purple = MESSAGE_COLORS["refresh"]

    # each request's life, from the app's ask to its final answer
    asked_ms = api.groupby("request")["created_ms" if "created_ms" in api else "sent_ms"].min()
    for request, calls in api.groupby("request"):
        x = lanes[f"request {int(request)}"]
        calls = calls.sort_values("sent_ms")
        start = asked_ms[request]
        end = calls["received_ms"].max()
        ax.add_patch(Rectangle((x - 0.05, start), 0.1, end - start, color="0.9", zorder=1))
        ax.text(x, end + 6, f"{end:.0f}", ha="center", va="top", fontsize=LABEL_PT, bbox=ON_ARROWS, zorder=5)
        waits = [(start, calls["sent_ms"].iloc[0])]  # held before it was sent (queued)
        if not (refreshes["request"] == request).any():  # it did not refresh itself: it waited
            waits += zip(calls["received_ms"].iloc[:-1], calls["sent_ms"].iloc[1:], strict=True)
        for held_from, held_to in waits:
            if held_to > held_from:
                ax.plot([x, x], [held_from, held_to], color=purple, lw=2.2, ls=":", zorder=2)
        if waits[0][1] > waits[0][0]:  # held before it was sent at all (queued)
            marks.add(HELD)
            neighbour_ms = asked_ms.get(request + 1, np.inf)  # its held label would cover this one's
            if not abs(neighbour_ms - waits[0][0]) < HELD_APART_MS:
                ax.text(x + 0.07, waits[0][0], HELD, ha="left", va="top", fontsize=LABEL_PT, color=purple, zorder=6)

    # a late 401: sent with the old token, answered after the new one was stored
    first_stored_ms = stored["received_ms"].min() if len(stored) else np.inf
    for _, call in api.iterrows():
        x = lanes[f"request {int(call['request'])}"]
        _arrow(ax, (x, call["sent_ms"]), (lanes["api"], call["arrived_ms"]), MESSAGE_COLORS["call"])
        _activation(ax, lanes["api"], call["arrived_ms"], call["served_ms"])
        status = str(int(call["status"]))
        _arrow(ax, (lanes["api"], call["served_ms"]), (x, call["received_ms"]), MESSAGE_COLORS.get(status, "0.5"), True)
        # the token it carries: above the arrow, just left of where it leaves the lane
        ax.text(
            x - 0.08, call["sent_ms"] - 4, call["token"], ha="right", va="bottom", fontsize=LABEL_PT,
            bbox=TOKEN, zorder=5,
        )  # fmt: skip
        if call["status"] == 401 and call["received_ms"] > first_stored_ms:
            marks.add(LATE)
            at = call["received_ms"]
            ax.plot(x, at, "o", ms=7, mfc="none", mec=MESSAGE_COLORS["401"], mew=1.6, zorder=6)
            # below right of the mark, apart from the token above left; above right where the next
            # request's token label (above left of its lane) would meet it there
            sends = api.loc[api["request"] == call["request"] + 1, "sent_ms"]
            below = not ((sends > at) & (sends < at + 55)).any()
            ax.text(
                x + 0.09, at + 4 if below else at - 4, LATE, ha="left", va="top" if below else "bottom",
                fontsize=LABEL_PT, color="0.15", linespacing=1.0, bbox=ON_ARROWS, zorder=5,
            )  # fmt: skip

    # refresh calls: a request's own (naive) leaves its lane; the tab's shared one leaves the lane of the
    # request whose 401 started it, labelled "shared"
    for _, call in refreshes.iterrows():
        request = int(call["request"])
        trigger = _trigger(api, call) if request < 0 else request
        x = lanes["store"] if trigger is None else lanes[f"request {trigger}"]
        _arrow(ax, (x, call["sent_ms"]), (lanes["auth"], call["arrived_ms"]), purple)
        if request < 0:  # labelled above the arrow, halfway between the store's lane and the auth server's
            label = SHARED if trigger is not None else EARLY  # no 401 started it: the client refreshed first
            marks.add(label)
            label_x = (lanes["store"] + lanes["auth"]) / 2
            slope = (call["arrived_ms"] - call["sent_ms"]) / (lanes["auth"] - x)
            ax.text(
                label_x, call["sent_ms"] + slope * (label_x - x) - 4, label, ha="center", va="bottom",
                fontsize=LABEL_PT, color=purple, linespacing=1.0, bbox=ON_ARROWS, zorder=5,
            )  # fmt: skip
        _activation(ax, lanes["auth"], call["arrived_ms"], call["served_ms"])
        _arrow(ax, (lanes["auth"], call["served_ms"]), (lanes["store"], call["received_ms"]), purple, answer=True)

    # the token store: which access token the tab holds when the burst starts (a timer may have renewed it);
    # not said when the tab refreshed before its first call (its new tokens are the diamonds)
    first_call = api.sort_values("sent_ms").iloc[0]
    if not (refreshes["sent_ms"] < first_call["sent_ms"]).any():
        expired = "\n(expired)" if first_call["status"] == 401 else ""
        ax.text(
            lanes["store"] + 0.08, 0, f"holds {first_call['token']}{expired}", ha="left", va="top",
            fontsize=LABEL_PT, color="0.3",
        )  # fmt: skip
    last_label_ms = -np.inf
    for when, token in zip(stored["received_ms"], stored["issued"], strict=True):
        ax.plot(lanes["store"], when, "D", color="black", ms=5, zorder=4)
        label_ms = max(when, last_label_ms + 18)  # stored close together: each label below the one before
        ax.text(
            lanes["store"] - 0.12, label_ms, token, ha="right", va="center", fontsize=LABEL_PT, bbox=TOKEN, zorder=5
        )
        last_label_ms = label_ms

    strategy = events["strategy"].iloc[0]
    n_refresh = len(refreshes)
    ax.set_title(
        f"{strategy}\n{n_refresh} refresh call{'s' if n_refresh != 1 else ''}, "
        f"{len(stored)} token{'s' if len(stored) != 1 else ''} stored",
        color=color,
        fontweight="bold",
        pad=34,
    )
    return marks


def _sequence_legend(marks: set[str]) -> list:
    """The legend's entries; the late 401 and the held request only where a panel shows one."""
    arrow = legend_arrow
    purple = MESSAGE_COLORS["refresh"]
    refresh = (
        "; shared: the tab's one refresh,\nstarted by the first 401, drawn from its lane" if SHARED in marks else ""
    )
    if EARLY in marks:
        refresh += "\n(before use: the client's own, before it sends;\ndrawn from the token store)"
    waits = "request waits for the shared refresh" + ("\n(held: before it is sent)" if HELD in marks else "")
    entries = [
        (arrow(MESSAGE_COLORS["call"]), "API call, labelled with the token it carries"),
        (arrow(MESSAGE_COLORS["401"], True), "401: token expired"),
        (arrow(MESSAGE_COLORS["200"], True), "200: data"),
        (arrow(purple), "POST /refresh-token" + refresh),
        (arrow(purple, True), "new access token, into the token store"),
        (Line2D([], [], color=purple, lw=2.2, linestyle=":"), waits),
        (Rectangle((0, 0), 1, 1, color="0.9"), "a request's life; below it, when it ended (ms)"),
        (Line2D([], [], color="black", marker="D", linestyle="", ms=5), "token store gets a new access token"),
    ]
    if LATE in marks:
        late = Line2D([], [], marker="o", ms=7, mfc="none", mec=MESSAGE_COLORS["401"], mew=1.6, linestyle="")
        entries.insert(2, (late, "late 401: answered after the new token was stored"))
    return entries


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "sequence_diagram",
        "One burst, call by call",
        "One tab fires four requests 20 ms apart, one second after its access token died, drawn from "
        "the recorded calls. naive sends four refresh calls and stores four new tokens; locked sends "
        "one while the other requests wait for it, and all four retry together.",
        sequence_diagram_data,
        fig_sequence_diagram,
        ("02-two-tokens", "04-single-flight-lock", "05-queue-and-replay"),
    ),
)

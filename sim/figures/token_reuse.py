"""Refresh-token rotation with reuse detection: users logged out, and two tabs racing for one token.

An auth server that rotates refresh tokens takes a used one presented again
as theft and revokes the login. Two tabs of one user that refresh at once
present the same token: the second is "reused". ``rotation_logouts`` counts
the users this logs out against the tabs they have open and the server's
grace window (``ROTATION``: a morning after a deploy); ``tab_race`` draws
the race itself, call by call, as the sequence diagram does.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MultipleLocator

from .. import Capacities, Latencies, RefreshTokenPolicy, Scenario, TokenPolicy, Workload, run
from ..sweep import Sweep
from .runs import swept
from .sequence import DIAGRAM_LATENCIES, _activation, _arrow, burst_calls_and_changes, lane_axes, legend_arrow
from .spec import FigureSpec
from .theme import MESSAGE_COLORS, _log2_axis, _strategies, style

# -- rotation: users logged out, against tabs and grace windows ------------------------------------

# A morning after a deploy: users who log in together (so their tokens die together)
# with several tabs open, an auth server that rotates refresh tokens and treats a
# used one as theft, two workers at 150 ms, a round trip of 150 ms.
ROTATION = Scenario(
    tokens=TokenPolicy(access_ttl_s=300),
    refresh_tokens=RefreshTokenPolicy(rotation=True, reuse_detection=True),
    latencies=Latencies(rtt_s=0.15, auth_service_s=0.15, service_distribution="exponential"),
    capacities=Capacities(auth_capacity=2),
    workload=Workload(kind="steady", users=20, concurrency=2, page_rate_per_s=0.1, duration_s=3600, synchronized=True),
    name="rotation-tabs",
)
# The presets, and locked with a lock across tabs: (preset, policy fields set over it).
ROTATION_CLIENTS: tuple[tuple[str, dict], ...] = (
    ("naive", {}),
    ("locked", {}),
    ("queued", {}),
    ("locked", {"cross_tab_lock": True}),
)


ROTATION_SEEDS = 3  # arrivals drawn three ways: each point is a mean, its bar the range


def rotation_logouts_data(
    tabs: tuple[int, ...] = (1, 2, 4, 8),
    grace_s: tuple[float, ...] = (0.0, 1.0, 5.0, 30.0),
    scenario: Scenario = ROTATION,
    seeds: int = ROTATION_SEEDS,
) -> pd.DataFrame:
    """The share of users logged out within the hour, against tabs and grace window, per client and seed.

    ``ROTATION``: 20 users log in together, each with ``tabs`` tabs loading
    a page of 2 requests every ~10 s, for an hour; no one logs in again, so
    ``logged_out_pct`` is the share of users a reuse detection (or anything
    else) sent to the login page at least once. Each of ``seeds`` seeds
    (``replication``) gives every client, tab count and grace window the
    same arrivals; twenty users make one seed's share move in steps of 5 %,
    so the figure draws the mean and the range.
    """
    return _rotation_logouts(tuple(tabs), tuple(grace_s), scenario, seeds).copy()


@lru_cache(maxsize=4)  # remembered within a process: the runs are deterministic
def _rotation_logouts(
    tabs: tuple[int, ...], grace_s: tuple[float, ...], scenario: Scenario, seeds: int
) -> pd.DataFrame:
    clients = {}
    for preset, fields in ROTATION_CLIENTS:  # each under its own label: locked+cross_tab_lock=true
        clients[scenario.with_(strategy=preset, **fields).strategy] = {"strategy": preset, **fields}
    the_sweep = Sweep("rotation-logouts", scenario, {"tabs": tabs, "grace_s": grace_s}, clients, replications=seeds)
    runs = swept(the_sweep, executor="processes")
    users = scenario.workload.users
    return pd.DataFrame(
        {
            "strategy": runs["strategy"],
            "tabs": runs["tabs"],
            "grace_s": runs["grace_s"],
            "replication": runs["replication"],
            "users": users,
            "logouts": runs["logouts"],
            "logged_out_pct": 100 * runs["logouts"] / users,
            "reuse_detected": runs["reuse_detected"],
            "refresh_calls": runs["refresh_calls"],
            "requests_failed": runs["requests_failed"],
        }
    )


# A client of the figure that is no preset, named in words (its label is the preset and the change).
ROTATION_LABELS = {"locked+cross_tab_lock=true": "locked + a lock across tabs: one refresh at a time per user"}


def fig_rotation_logouts(data: pd.DataFrame) -> Figure:
    """The share of users logged out within the hour against the tabs they have open, one panel
    per grace window, one line per client through the mean over the seeds, each point's bar the range
    (nudged sideways so coinciding lines stay visible).

    ``data`` is ``sim.figures.rotation_logouts_data()``.
    """
    with style():
        graces = sorted(data["grace_s"].unique())
        clients = _strategies(data)
        seeds = data["replication"].nunique() if "replication" in data else 1
        fig = Figure(figsize=(2.6 * len(graces) + 1.2, 4.4), layout="constrained")
        axes = fig.subplots(1, len(graces), sharey=True, squeeze=False)[0]
        # clients often coincide (at 0 %, or locked and queued): each is nudged sideways a little
        dodge = {client: 2 ** (0.07 * (i - (len(clients) - 1) / 2)) for i, client in enumerate(clients)}
        for ax, grace in zip(axes, graces, strict=True):
            rows = data[data["grace_s"] == grace]
            for client, look in clients.items():
                share = rows[rows["strategy"] == client].groupby("tabs")["logged_out_pct"]
                mean, low, high = share.mean(), share.min(), share.max()
                ax.errorbar(
                    mean.index * dodge[client], mean, yerr=[mean - low, high - mean], color=look["color"],
                    linestyle=look["linestyle"], marker=look["marker"], markersize=5, capsize=2, elinewidth=1,
                    label=ROTATION_LABELS.get(client, look["label"]),
                )  # fmt: skip
            ax.set_xscale("log", base=2)
            _log2_axis(ax.xaxis, data["tabs"])
            ax.set_xlabel("tabs open per user (doubling)")
            ax.set_title("no grace window" if grace == 0 else f"grace window {grace:g} s")
            ax.set_ylim(-4, 104)
            ax.yaxis.set_major_locator(MultipleLocator(25))
        axes[0].set_ylabel("users logged out within the hour (%)")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=2)
        users = int(data["users"].iloc[0])
        fig.suptitle(
            f"Rotation with reuse detection: {users} users log in together, tokens of 5 min, a used refresh token "
            f"presented again revokes the login\neach point the mean of {seeds} seeds, its bar their range",
            fontsize=10,
        )
        return fig


# -- two tabs racing under rotation ----------------------------------------------------------------

# One user, two tabs in localStorage, a token of 60 s; at 61 s each tab sends one request.
TAB_RACE_CASES: tuple[tuple[str, dict], ...] = (
    ("per-tab lock (locked)", {}),
    ("lock across tabs", {"cross_tab_lock": True}),
    ("grace window of 1 s", {"grace_s": 1.0}),
)


def tab_race_data() -> pd.DataFrame:
    """Every call and token-store change when two tabs meet a dead token at once, under rotation.

    ``locked`` in each tab, the diagram's round-number latencies, access
    tokens of 60 s, rotation with reuse detection; at 61 s each of the two
    tabs sends one request. Three cases (``case``): as is, with a lock
    across tabs, and with a grace window of 1 s. Times in ms since 61 s.

    One row per event: ``kind`` is ``api`` (a call to the API), ``refresh``
    (POST /refresh-token), ``stored`` (localStorage got a new access token)
    or ``logout``; ``tab`` is 1 or 2 (the tab that made it). ``token`` is
    the token presented (the access token to the API, the refresh token to
    the auth server), ``issued`` the access token handed out or stored,
    ``issued_refresh`` the refresh token handed out; ``outcome`` is the
    server's verdict (``valid``, ``expired``, ``reused``, ``grace``, ...).
    For ``stored`` and ``logout`` rows only ``received_ms`` (when) is set.
    """
    burst_s = 61.0
    base = Scenario(
        tokens=TokenPolicy(access_ttl_s=60),
        refresh_tokens=RefreshTokenPolicy(rotation=True, reuse_detection=True),
        latencies=DIAGRAM_LATENCIES,
        workload=Workload(kind="burst", tabs=2, concurrency=1, at_s=burst_s),
        record_calls=True,
        name="tab-race",
    )
    frames = []
    for case, fields in TAB_RACE_CASES:
        result = run(base.with_(strategy="locked", **fields))
        rows, store_rows = burst_calls_and_changes(result, burst_s, "tab", lambda session: session + 1)
        rows.insert(0, "case", case)
        store_rows.insert(0, "case", case)
        # in the order things happened: calls as answered, then the store changes they made
        frames.append(pd.concat([rows, store_rows], ignore_index=True).sort_values("received_ms", kind="stable"))
    return pd.concat(frames, ignore_index=True).fillna({"token": "", "issued_refresh": "", "outcome": ""})


LANES = {"api": 0.0, "tab 1": 1.0, "tab 2": 1.8, "store": 2.8, "auth": 3.9}
REFRESH_ANSWER = {"valid": "200", "grace": "200", "reuse_allowed": "200"}


def fig_tab_race(events: pd.DataFrame) -> Figure:
    """Two tabs meet a dead access token at once under rotation, one panel per case, time running down.

    ``events`` is ``sim.figures.tab_race_data()``. Each refresh call is
    labelled with the refresh token it presents, each answer with what it
    brings (a new refresh token) or why it is refused.
    """
    with style():
        cases = list(dict.fromkeys(events["case"]))
        fig = Figure(figsize=(4.6 * len(cases) + 0.6, 6.4), layout="constrained")
        axes = fig.subplots(1, len(cases), sharey=True, squeeze=False)[0]
        end_ms = float(events["received_ms"].max())
        for ax, case in zip(axes, cases, strict=True):
            _draw_race(ax, events[events["case"] == case], case, end_ms)
        axes[0].set_ylabel("time since both tabs sent a request (ms)")
        handles, labels = zip(*_race_legend(), strict=True)
        fig.legend(handles, labels, loc="outside lower center", ncols=3, columnspacing=1.5)
        return fig


def _draw_race(ax, events: pd.DataFrame, case: str, end_ms: float) -> None:
    top_ms, bottom_ms = -30.0, end_ms + 40.0
    headers = {"api": "API", "tab 1": "tab 1", "tab 2": "tab 2", "store": "local-\nStorage", "auth": "auth\nserver"}
    lane_axes(ax, LANES, headers, top_ms, bottom_ms)

    for _, call in events[events["kind"] == "api"].iterrows():
        x = LANES[f"tab {int(call['tab'])}"]
        _arrow(ax, (x, call["sent_ms"]), (LANES["api"], call["arrived_ms"]), MESSAGE_COLORS["call"])
        ax.text(x - 0.04, call["sent_ms"] - 2, call["token"], ha="right", va="bottom", fontsize=8)
        _activation(ax, LANES["api"], call["arrived_ms"], call["served_ms"])
        status = str(int(call["status"]))
        _arrow(ax, (LANES["api"], call["served_ms"]), (x, call["received_ms"]), MESSAGE_COLORS[status], answer=True)

    refreshes = events[events["kind"] == "refresh"].reset_index(drop=True)
    api = events[events["kind"] == "api"]
    for tab, calls in api.groupby("tab"):  # a tab that sent no refresh between a 401 and its retry waited
        x, calls = LANES[f"tab {int(tab)}"], calls.sort_values("sent_ms")
        if not (refreshes["tab"] == tab).any():
            for waited_from, waited_to in zip(calls["received_ms"].iloc[:-1], calls["sent_ms"].iloc[1:], strict=True):
                ax.plot([x, x], [waited_from, waited_to], color=MESSAGE_COLORS["refresh"], lw=2.2, ls=":", zorder=2)
    for index, call in refreshes.iterrows():
        x = LANES[f"tab {int(call['tab'])}"]
        lift = 12 * index  # answers at the same moment: labels one below the other
        _arrow(ax, (x, call["sent_ms"]), (LANES["auth"], call["arrived_ms"]), MESSAGE_COLORS["refresh"])
        ax.text(
            x + 0.05, call["sent_ms"] - 3, call["token"], ha="left", va="bottom", fontsize=8,
            color=MESSAGE_COLORS["refresh"], fontweight="bold",
        )  # fmt: skip
        _activation(ax, LANES["auth"], call["arrived_ms"], call["served_ms"])
        accepted = call["outcome"] in REFRESH_ANSWER
        color = MESSAGE_COLORS["refresh"] if accepted else MESSAGE_COLORS["401"]
        _arrow(ax, (LANES["auth"], call["served_ms"]), (x, call["received_ms"]), color, answer=True)
        answer = f"{call['issued']} + {call['issued_refresh']}" if accepted else "401"
        if call["outcome"] not in ("valid",):
            answer += f" ({call['outcome']})"
        ax.text(
            LANES["auth"] + 0.08, call["served_ms"] + 4 + lift, answer, ha="left", va="top", fontsize=8,
            color="black" if accepted else MESSAGE_COLORS["401"],
        )  # fmt: skip

    stored = events[events["kind"] == "stored"]
    for when, tokens in stored.groupby("received_ms")["issued"]:  # two stores at one moment: one label
        ax.plot(LANES["store"], when, "D", color="black", ms=5, zorder=4)
        ax.text(LANES["store"] - 0.1, when, ", then ".join(tokens), ha="right", va="center", fontsize=8)
    for _, event in events[events["kind"] == "logout"].iterrows():  # beside the store, at the same time
        ax.plot(LANES["store"] + 0.28, event["received_ms"], "X", color=MESSAGE_COLORS["401"], ms=9, zorder=4)
        ax.text(
            LANES["store"] + 0.28, event["received_ms"] + 12, "logout:\nboth tabs", ha="center", va="top",
            fontsize=8, color=MESSAGE_COLORS["401"],
        )  # fmt: skip

    n_refresh, logged_out = len(refreshes), (events["kind"] == "logout").any()
    ax.set_title(
        f"{case}\n{n_refresh} refresh call{'s' if n_refresh != 1 else ''}, "
        + ("the user is logged out" if logged_out else "the user stays logged in"),
        color=MESSAGE_COLORS["401"] if logged_out else "black",
        fontweight="bold",
        pad=28,
    )


def _race_legend() -> list:
    arrow = legend_arrow
    return [
        (arrow(MESSAGE_COLORS["call"]), "API call, labelled with its access token"),
        (arrow(MESSAGE_COLORS["401"], True), "401 (expired token, or a refresh refused)"),
        (arrow(MESSAGE_COLORS["200"], True), "200: data"),
        (arrow(MESSAGE_COLORS["refresh"]), "POST /refresh-token, labelled with its refresh token"),
        (arrow(MESSAGE_COLORS["refresh"], True), "new access + refresh token (rotation)"),
        (Line2D([], [], color=MESSAGE_COLORS["refresh"], lw=2.2, linestyle=":"), "a tab waits for the other's refresh"),
        (Line2D([], [], color="black", marker="D", linestyle="", ms=5), "localStorage gets a new access token"),
        (
            Line2D([], [], color=MESSAGE_COLORS["401"], marker="X", linestyle="", ms=8),
            "reuse detected: the login is revoked",
        ),
    ]


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "rotation_logouts",
        "Rotation: users logged out by reuse detection",
        "The share of 20 users logged out within an hour when the auth server rotates refresh tokens and "
        "takes a used one presented again as theft, against the tabs each user has open, without and with a "
        "grace window (one seed). Without one, naive logs everyone out and locked and queued lose more users "
        "the more tabs they have (each tab refreshes on its own); a lock across tabs loses none. A grace "
        "window longer than the race saves locked and queued; naive's storm can still outrun it.",
        rotation_logouts_data,
        fig_rotation_logouts,
        ("08-rotation-and-tabs",),
    ),
    FigureSpec(
        "tab_race",
        "Two tabs racing for one refresh token",
        "Two tabs of one user meet an expired access token at the same moment, under rotation with reuse "
        "detection: each refreshes with r2, the server rotates it for the first and takes the second as "
        "theft, and the user is logged out. With a lock across tabs the second tab waits, finds the new "
        "token in localStorage and sends nothing; with a grace window of 1 s the second refresh is allowed.",
        tab_race_data,
        fig_tab_race,
        ("08-rotation-and-tabs",),
    ),
)

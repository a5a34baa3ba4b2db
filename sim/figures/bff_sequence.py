"""A backend-for-frontend's race, call by call: browser, load balancer, instances, session store, servers.

Two requests of one session leave the browser at once, just after the
access token died; the load balancer sends each to its own BFF instance,
and each instance reads the session, calls the API, gets a 401 and
refreshes. ``bff_sequence_rows`` turns any BFF run with ``record_calls``
into the rows of such a diagram, and ``fig_bff_sequence`` draws them, one
panel per case, time running down, as ``tab_race`` draws two tabs. There is
no file in ``figures/``: notebook 12 draws the runs it makes.

The model counts a request's trip to the BFF and back, and the session's
read from the store, before the instance starts on it (``sim/config/deployment.py``):
the diagram draws that time on the request's arrow, and the answer's arrow
back to the browser takes none.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .sequence import ON_ARROWS, _activation, _arrow, burst_calls_and_changes, lane_axes, legend_arrow
from .theme import MESSAGE_COLORS, style

INSTANCE_NAMES = "ABCDEFGH"  # the lanes' names; a diagram of more instances than this would not be readable
LANES = {"browser": 0.0, "balancer": 0.85, "A": 1.7, "B": 2.5, "store": 3.45, "auth": 4.35, "api": 5.25}
HEADERS = {
    "browser": "browser",
    "balancer": "load\nbalancer",
    "A": "instance\nA",
    "B": "instance\nB",
    "store": "session\nstore",
    "auth": "auth\nserver",
    "api": "API",
}
ACCEPTED = ("valid", "grace", "reuse_allowed")  # a refresh answered 200
FONT_PT = 8


def _trip_s(result) -> float:
    """What each request spends before its instance starts on it: the trip to the BFF and back, and the
    session's read (``before_s`` of the scenario's ``bff`` part)."""
    return result.scenario.bff.before_s


def bff_sequence_rows(result, case: str, burst_s: float) -> pd.DataFrame:
    """One BFF run from ``burst_s`` on, as the rows ``fig_bff_sequence`` draws; times in ms from ``burst_s``.

    ``result`` is a ``sim.run`` of a scenario with ``tier = "bff"`` and
    ``record_calls=True`` (the API calls are drawn too). One row per event,
    each with the ``case`` it belongs to: ``kind`` is ``request`` (the browser
    sends it; ``received_ms`` is when its instance starts on it), ``answer``
    (the browser gets the final answer; ``outcome`` is why the request ended),
    ``api`` or ``refresh`` (a call an instance made; ``token`` the token it
    presents, ``issued`` and ``issued_refresh`` what it got, ``outcome`` the
    server's verdict), ``stored`` (the session store gets a new access token)
    or ``logout`` (the session ended). ``instance`` is 0, 1, ... (A, B, ...);
    ``request`` numbers the requests from 1 (-1: a call no single request owns).
    """
    if not result.scenario.record_calls:
        raise ValueError("bff_sequence_rows needs a run with record_calls=True: it draws the API calls too")
    first_session = int(result.calls["session"].min())  # the login's: one user, its instances numbered from 0
    requests = result.requests[result.requests["created_s"] >= burst_s].sort_values("request")
    number = {request: i + 1 for i, request in enumerate(requests["request"])}
    trip_ms = 1000 * _trip_s(result)
    created_ms = (requests["created_s"] - burst_s) * 1000
    sent = pd.DataFrame(
        {
            "kind": "request",
            "request": requests["request"].map(number),
            "instance": requests["session"] - first_session,
            "sent_ms": created_ms,
            "received_ms": created_ms + trip_ms,
        }
    )
    answered = pd.DataFrame(
        {
            "kind": "answer",
            "request": requests["request"].map(number),
            "instance": requests["session"] - first_session,
            "sent_ms": (requests["finished_s"] - burst_s) * 1000,
            "received_ms": (requests["finished_s"] - burst_s) * 1000,
            "outcome": requests["reason"],
        }
    )
    made, store = burst_calls_and_changes(result, burst_s, "instance", lambda session: session - first_session)
    made.insert(1, "request", result.calls.loc[made.index, "request"].map(number).fillna(-1).astype(int))
    store.insert(1, "request", -1)
    rows = pd.concat([sent, made, store, answered], ignore_index=True).sort_values("received_ms", kind="stable")
    rows.insert(0, "case", case)
    return rows.fillna({"token": "", "issued": "", "issued_refresh": "", "outcome": ""}).reset_index(drop=True)


def fig_bff_sequence(events: pd.DataFrame) -> Figure:
    """Each case's burst through a BFF, one panel per case side by side, time running down.

    ``events`` is ``bff_sequence_rows`` of one or more runs (concatenated),
    each under its own ``case``; two panels fit a notebook's width.
    """
    with style():
        cases = list(dict.fromkeys(events["case"]))
        end_ms = float(events[["sent_ms", "received_ms"]].max().max())
        fig = Figure(figsize=(5.1 * len(cases) + 0.6, 1.9 + (end_ms + 90) / 95), layout="constrained")
        axes = fig.subplots(1, len(cases), sharey=True, squeeze=False)[0]
        for ax, case in zip(axes, cases, strict=True):
            _draw_case(ax, events[events["case"] == case], case, end_ms)
        axes[0].set_ylabel("time since the browser sent its requests (ms)")
        handles, labels = zip(*_legend(), strict=True)
        fig.legend(handles, labels, loc="outside lower center", ncols=2, columnspacing=1.5)
        return fig


def _lane(instance: int) -> float:
    return LANES[INSTANCE_NAMES[int(instance)]]


def _draw_case(ax: Axes, events: pd.DataFrame, case: str, end_ms: float) -> None:
    top_ms, bottom_ms = -30.0, end_ms + 45.0
    lane_axes(ax, LANES, HEADERS, top_ms, bottom_ms)
    browser, balancer = LANES["browser"], LANES["balancer"]
    purple, orange = MESSAGE_COLORS["refresh"], MESSAGE_COLORS["401"]

    # the browser's requests, through the load balancer to an instance
    for _, request in events[events["kind"] == "request"].iterrows():
        x = _lane(request["instance"])
        start, end = (browser, request["sent_ms"]), (x, request["received_ms"])
        _arrow(ax, start, end, MESSAGE_COLORS["call"])
        share = (balancer - browser) / (x - browser)  # where the arrow crosses the balancer's lane
        at_balancer = request["sent_ms"] + (request["received_ms"] - request["sent_ms"]) * share
        ax.plot(balancer, at_balancer, "o", ms=4.5, mfc="white", mec="0.3", zorder=4)
        ax.text(x - 0.06, request["received_ms"] + 3, f"#{int(request['request'])}", ha="right", va="top",
                fontsize=FONT_PT, color="0.2")  # fmt: skip

    # the instances' calls to the API
    api = events[events["kind"] == "api"]
    for _, call in api.iterrows():
        x = _lane(call["instance"])
        _arrow(ax, (x, call["sent_ms"]), (LANES["api"], call["arrived_ms"]), MESSAGE_COLORS["call"])
        ax.text(x + 0.05, call["sent_ms"] - 2, call["token"], ha="left", va="bottom", fontsize=FONT_PT)
        _activation(ax, LANES["api"], call["arrived_ms"], call["served_ms"])
        status = str(int(call["status"]))
        _arrow(ax, (LANES["api"], call["served_ms"]), (x, call["received_ms"]), MESSAGE_COLORS[status], answer=True)

    # the instances' refresh calls to the auth server
    refreshes = events[events["kind"] == "refresh"].reset_index(drop=True)
    for index, call in refreshes.iterrows():
        x = _lane(call["instance"])
        _arrow(ax, (x, call["sent_ms"]), (LANES["auth"], call["arrived_ms"]), purple)
        ax.text(x + 0.05, call["sent_ms"] + 3, call["token"], ha="left", va="top", fontsize=FONT_PT, color=purple,
                fontweight="bold")  # fmt: skip
        _activation(ax, LANES["auth"], call["arrived_ms"], call["served_ms"])
        accepted = call["outcome"] in ACCEPTED
        _arrow(ax, (LANES["auth"], call["served_ms"]), (x, call["received_ms"]), purple if accepted else orange, True)
        said = f"{call['issued']} + {call['issued_refresh']}" if accepted else "401"
        if call["outcome"] != "valid":
            said += f" ({call['outcome']})"
        ax.text(LANES["auth"] + 0.08, call["served_ms"] - 14 + 13 * index, said, ha="left", va="bottom",
                fontsize=FONT_PT, color="black" if accepted else orange)  # fmt: skip

    # an instance that got a 401 and sent no refresh before its next call waited (for the lock, or its
    # process's shared refresh)
    for instance, calls in api.groupby("instance"):
        mine = refreshes[refreshes["instance"] == instance]
        calls = calls.sort_values("sent_ms")
        for waited_from, waited_to in zip(calls["received_ms"].iloc[:-1], calls["sent_ms"].iloc[1:], strict=True):
            if not ((mine["sent_ms"] >= waited_from) & (mine["sent_ms"] <= waited_to)).any():
                x = _lane(instance)
                ax.plot([x, x], [waited_from, waited_to], color=purple, lw=2.2, ls=":", zorder=2)

    # what the instances wrote to the session store
    store = LANES["store"]
    for _, event in events[events["kind"].isin(["stored", "logout"])].iterrows():
        x, when = _lane(event["instance"]), event["received_ms"]
        ax.plot([x, store], [when, when], color="0.55", lw=0.9, zorder=1)
        if event["kind"] == "stored":
            ax.plot(store, when, "D", color="black", ms=5, zorder=4)
            ax.text(store - 0.08, when - 3, event["issued"], ha="right", va="bottom", fontsize=FONT_PT)
        else:  # beside the store's lane, so a token stored at the same moment stays visible
            ax.plot(store + 0.25, when, "X", color=orange, ms=9, zorder=4)
            ax.text(store + 0.25, when + 9, "session\nended", ha="center", va="top", fontsize=FONT_PT, color=orange,
                    bbox=ON_ARROWS, zorder=5)  # fmt: skip

    # the answers the browser gets
    for _, answer in events[events["kind"] == "answer"].iterrows():
        x, when = _lane(answer["instance"]), answer["received_ms"]
        ok = answer["outcome"] == "ok"
        color = MESSAGE_COLORS["200"] if ok else orange
        _arrow(ax, (x, when), (browser, when), color, answer=True)
        said = "data" if ok else answer["outcome"].replace("_", " ")
        ax.text(browser + 0.05, when + 3, f"#{int(answer['request'])}: {said}\n{when:.0f} ms", ha="left", va="top",
                fontsize=FONT_PT, color="black" if ok else orange, linespacing=1.0)  # fmt: skip

    lost = (events["kind"] == "logout").any()
    n = len(refreshes)
    ax.set_title(
        f"{case}\n{n} refresh call{'s' if n != 1 else ''}, the session is {'lost' if lost else 'kept'}",
        color=orange if lost else "black",
        fontweight="bold",
        pad=28,
    )


def _legend() -> list:
    arrow = legend_arrow
    return [
        (arrow(MESSAGE_COLORS["call"]), "request with the session cookie, through the load balancer (o);\n"
                                        "drawn over its trip there and back and the session's read"),
        (arrow(MESSAGE_COLORS["call"]), "API call, labelled with the access token the instance attaches"),
        (arrow(MESSAGE_COLORS["200"], True), "200: data (to the instance, then to the browser)"),
        (arrow(MESSAGE_COLORS["401"], True), "401 (expired token, refresh refused), or a request that failed"),
        (arrow(MESSAGE_COLORS["refresh"]), "refresh call, labelled with the refresh token it presents"),
        (arrow(MESSAGE_COLORS["refresh"], True), "new access + refresh token (rotation)"),
        (Line2D([], [], color=MESSAGE_COLORS["refresh"], lw=2.2, linestyle=":"),
         "an instance waits: for the lock, or a refresh in flight"),
        (Line2D([], [], color="black", marker="D", linestyle="", ms=5), "the session store gets the new tokens"),
        (Line2D([], [], color=MESSAGE_COLORS["401"], marker="X", linestyle="", ms=8),
         "reuse detected: the login is revoked, the session ended"),
    ]  # fmt: skip

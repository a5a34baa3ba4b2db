"""The refresh storm animated: one burst, naive beside locked, call by call as the simulation ran it.

Each panel is one strategy, with three places left to right: the tab (its
requests, one slot each, and its token store), the API, and the auth server.
Every recorded call is a dot that moves along its leg at the simulated times:
from ``sent_ms`` to ``arrived_ms`` it flies out, until ``served_ms`` it waits
at the server, and until ``received_ms`` its answer flies back. At the auth
server the calls it holds stack up: as many as it has workers inside its box,
the rest in a queue above it, in the order they arrived.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.animation import Animation, FuncAnimation, PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch
from PIL import Image

from .. import Latencies
from .sequence import ON_ARROWS, sequence_diagram_data
from .spec import FigureSpec
from .theme import MESSAGE_COLORS, _strategies, style

# The animated storm's legs: the diagram's, but the auth server takes 50 ms a
# refresh (and has two workers), so naive's refresh calls queue there.
ANIMATION_LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.05)
ANIMATION_AUTH_CAPACITY = 2


def sequence_animation_data() -> pd.DataFrame:
    """``sequence_diagram_data`` for the animated storm: a bigger burst, a busier auth server.

    The same trace as the diagram (one tab logs in at 0 with access tokens of
    60 s, and at 61 s fires its burst), but the burst is 8 requests 5 ms
    apart, naive beside locked, and the auth server has
    ``ANIMATION_AUTH_CAPACITY`` (2) workers taking 50 ms a refresh
    (``ANIMATION_LATENCIES``: round trip 100 ms, the API rejects in 10 ms and
    serves in 50 ms). Fixed service times, no randomness. The rows are the
    diagram's, with one more column, ``auth_capacity``.
    """
    events = sequence_diagram_data(
        requests=8,
        gap_ms=5.0,
        strategies=("naive", "locked"),
        latencies=ANIMATION_LATENCIES,
        auth_capacity=ANIMATION_AUTH_CAPACITY,
    )
    return events.assign(auth_capacity=ANIMATION_AUTH_CAPACITY)


FPS = 12.5  # frames a second: PillowWriter shows each for int(1000 / FPS) = 80 ms, exactly
MS_PER_FRAME = 8.0  # simulated ms a frame moves on: the burst's 565 ms play in about 6 s
HOLD_S = 2.0  # the last frame stays this long, so the final counts can be read
DPI = 100  # 11 x 6.4 inches: 1100 x 640 px
LABEL_PT = 10  # every label; the counters and the clock a little larger
COUNTER_PT = 11
DOT_PT = 8  # a call's dot, in points

# Where things are in a panel (data coordinates, 0 to 10 each way, no axes drawn).
SLOT_X, SLOTS_TOP, SLOTS_BOTTOM = 1.35, 8.5, 2.75  # the tab's request slots, #1 at the top
STORE = (1.35, 1.3)  # the tab's token store: a new access token goes into it, the shared refresh leaves it
API_BOX = (3.9, 7.0, 2.4, 1.8)  # x, y, width, height
AUTH_BOX = (7.6, 1.6, 1.8, 1.0)
QUEUE_STEP = 0.5  # the auth server's queue, one dot above the other

WHITE = "white"


def frame_times(events: pd.DataFrame) -> np.ndarray:
    """The simulated time (ms since the burst) each frame shows.

    Every ``MS_PER_FRAME`` ms from the burst's first request until its last
    answer is in, then that last moment again for ``HOLD_S`` seconds.
    """
    end_ms = float(events["received_ms"].max())
    playing = np.arange(int(np.ceil(end_ms / MS_PER_FRAME)) + 1) * MS_PER_FRAME
    return np.concatenate([playing, np.full(round(HOLD_S * FPS), playing[-1])])


def fig_sequence_animation(events: pd.DataFrame) -> FuncAnimation:
    """The burst of ``sim.figures.sequence_animation_data()`` as an animation, one panel per strategy.

    Returns a ``FuncAnimation`` on a ``Figure`` of its own (no pyplot); save
    it with ``save_gif`` (written by Pillow, no ffmpeg needed) or show
    it in a notebook with ``.to_jshtml()``. One frame every ``MS_PER_FRAME``
    simulated ms, ``FPS`` frames a second (``frame_times``).
    """
    with style():
        strategies = _strategies(events)
        requests = int(events.loc[events["kind"] == "api", "request"].max())
        fig = Figure(figsize=(11, 6.4), dpi=DPI)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.74, bottom=0.15, wspace=0.06)
        axes = fig.subplots(1, len(strategies), squeeze=False)[0]
        panels = [
            _Panel(ax, events[events["strategy"] == strategy], requests, look)
            for ax, (strategy, look) in zip(axes, strategies.items(), strict=True)
        ]
        fig.suptitle(f"The refresh storm: {requests} requests meet an expired token", fontsize=15, y=0.985)
        clock = fig.text(0.5, 0.905, "", ha="center", va="center", fontsize=COUNTER_PT + 1)
        fig.text(0.5, 0.135, _caption(events), ha="center", va="top", fontsize=LABEL_PT, color="0.3")
        handles, labels = zip(*_legend(), strict=True)
        fig.legend(handles, labels, loc="lower center", ncols=3, fontsize=LABEL_PT, columnspacing=2.0)

        def update(t_ms: float) -> list:
            clock.set_text(f"t = {t_ms:.0f} ms after the burst")
            return [clock, *(artist for panel in panels for artist in panel.show(t_ms))]

        return FuncAnimation(fig, update, frames=list(frame_times(events)), interval=1000 / FPS, blit=False)


def save_gif(animation: Animation, path) -> None:
    """Save ``animation`` as an animated GIF, ``FPS`` frames a second, byte-identical from one run to the next.

    Pillow writes no date or software stamp into a GIF, so the bytes depend
    on the frames alone, and matplotlib draws the same frames each time.
    """
    with style():  # the frames are drawn now, in the figures' look
        animation.save(path, writer=_OnePaletteWriter(fps=FPS))


class _OnePaletteWriter(PillowWriter):
    """``PillowWriter`` with one palette for every frame: the 255 colours drawn most.

    Left to itself, Pillow picks each frame's colours from that frame alone and
    averages them, so white comes out grey and a colour drifts from frame to
    frame (the legend's orange turns red on the last one); and its conversion
    to a given palette matches colours only roughly. Here the palette is the
    255 exact colours that cover most pixels over all frames (ties broken by
    the colour itself, so the choice is the same each run), and each pixel
    takes the nearest of them, its own colour where it is one. The 256th
    index stays free: Pillow makes it transparent and paints with it the
    pixels a frame leaves unchanged, which keeps the file small.
    """

    def finish(self) -> None:
        frames = [np.asarray(frame.convert("RGB")).astype(np.uint32) for frame in self._frames]
        frames = [frame[..., 0] << 16 | frame[..., 1] << 8 | frame[..., 2] for frame in frames]  # 0xRRGGBB
        counts: dict[int, int] = {}
        for frame in frames:
            codes, frequency = np.unique(frame, return_counts=True)
            for code, count in zip(codes.tolist(), frequency.tolist(), strict=True):
                counts[code] = counts.get(code, 0) + count
        codes = np.array(sorted(counts), dtype=np.uint32)
        palette = np.array(sorted(counts, key=lambda code: (-counts[code], code))[:255], dtype=np.uint32)
        distance = ((_rgb(codes)[:, None, :] - _rgb(palette)[None, :, :]) ** 2).sum(axis=-1)
        nearest = distance.argmin(axis=1).astype(np.uint8)
        images = []
        for frame in frames:
            image = Image.fromarray(nearest[np.searchsorted(codes, frame)], mode="P")
            image.putpalette(_rgb(palette).astype(np.uint8).tobytes())
            images.append(image)
        images[0].save(self.outfile, save_all=True, append_images=images[1:], duration=int(1000 / self.fps), loop=0)


def _rgb(codes: np.ndarray) -> np.ndarray:
    """Colours given as 0xRRGGBB numbers, as rows of red, green and blue."""
    return np.stack([codes >> 16, codes >> 8 & 255, codes & 255], axis=-1).astype(int)


def _caption(events: pd.DataFrame) -> str:
    """The scenario in one line, read off the data."""
    api = events[events["kind"] == "api"]
    first = api.sort_values("sent_ms").drop_duplicates("request")
    gap_ms = float(np.diff(first["created_ms"]).min()) if len(first) > 1 else 0.0
    refresh = events[events["kind"] == "refresh"]
    service_ms = float((refresh["served_ms"] - refresh["arrived_ms"]).min())
    workers = int(events["auth_capacity"].iloc[0])
    return (
        f"One tab fires {len(first)} requests {gap_ms:g} ms apart with an expired access token; "
        f"the auth server has {workers} workers and takes {service_ms:g} ms a refresh."
    )


def _legend() -> list[tuple[Line2D, str]]:
    """What the dots and squares mean, in the order a three-column legend reads row by row."""
    purple = MESSAGE_COLORS["refresh"]
    request = Line2D([], [], marker="s", linestyle="", markersize=DOT_PT + 1, mfc=MESSAGE_COLORS["200"], mec="0.3")
    return [
        (_dot(MESSAGE_COLORS["call"]), "API call"),
        (_dot(purple), "POST /refresh-token"),
        (_dot(MESSAGE_COLORS["401"]), "401: token expired"),
        (_dot(purple, "D"), "new access token"),
        (_dot(MESSAGE_COLORS["200"]), "200: data"),
        (request, "a request of the tab, coloured by its last answer"),
    ]


def _dot(color: str, marker: str = "o") -> Line2D:
    return Line2D([], [], color=color, marker=marker, linestyle="", markersize=DOT_PT, markeredgecolor="white")


class _Panel:
    """One strategy's panel: the places drawn once, the dots and counters moved by ``show``."""

    def __init__(self, ax: Axes, events: pd.DataFrame, requests: int, look: dict) -> None:
        self.requests = requests
        self.workers = int(events["auth_capacity"].iloc[0])
        self.api = events[events["kind"] == "api"].reset_index(drop=True)
        self.refresh = events[events["kind"] == "refresh"].reset_index(drop=True)
        self.stored = events[events["kind"] == "stored"].sort_values("received_ms")
        self.first_token = str(self.api.sort_values("sent_ms")["token"].iloc[0])
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 10)
        ax.axis("off")
        ax.set_title(look["label"], color=look["color"], fontweight="bold", fontsize=12, pad=58)
        self.slots = {k: (SLOT_X, _slot_y(k, requests)) for k in range(1, requests + 1)}
        self.cells = _api_cells(requests)
        x, y, width, height = AUTH_BOX
        self.auth_door = (x, y + height / 2)
        step = width / (self.workers + 1)
        self.worker_cells = [(x + step * (i + 1), y + height / 2) for i in range(self.workers)]
        self.queue_x = x + width / 2
        self._draw_places(ax)
        # where each call leaves from and goes to: a request's own slot; the tab's shared refresh, its store
        self.api_from = np.array([self.slots[int(k)] for k in self.api["request"]])
        self.api_to = np.array([self.cells[int(k)] for k in self.api["request"]])
        self.refresh_from = np.array([self.slots.get(int(k), STORE) for k in self.refresh["request"]]).reshape(-1, 2)
        for start, end in [*zip(self.api_from, self.api_to, strict=True)] + [
            (start, self.auth_door) for start in self.refresh_from
        ]:
            ax.plot(*zip(start, end, strict=True), color="0.88", lw=0.8, zorder=0)
        dots = {"markersize": DOT_PT, "linestyle": "", "markeredgecolor": "white", "markeredgewidth": 0.6}
        purple = MESSAGE_COLORS["refresh"]
        self.calls = ax.plot([], [], "o", color=MESSAGE_COLORS["call"], zorder=4, **dots)[0]
        self.answers = {
            status: ax.plot([], [], "o", color=MESSAGE_COLORS[str(status)], zorder=5, **dots)[0]
            for status in (401, 200)
        }
        self.refreshes = ax.plot([], [], "o", color=purple, zorder=4, **dots)[0]
        self.tokens = ax.plot([], [], "D", color=purple, zorder=5, **{**dots, "markersize": DOT_PT - 1})[0]
        slot_xy = np.array(list(self.slots.values()))
        self.slot_marks = ax.scatter(*slot_xy.T, s=110, marker="s", facecolors=WHITE, edgecolors="0.3", zorder=3)
        self.store_token = ax.text(*STORE, "", ha="center", va="center", fontsize=LABEL_PT, zorder=3)
        self.store_note = ax.text(  # over the shared refresh's leg, on a white patch
            STORE[0] + 0.55, STORE[1], "", ha="left", va="center", fontsize=LABEL_PT, bbox=ON_ARROWS, zorder=3
        )
        self.queue_text = ax.text(
            self.queue_x + 0.4, AUTH_BOX[1] + AUTH_BOX[3] + 0.45, "", ha="left", va="center",
            fontsize=LABEL_PT, color=purple,
        )  # fmt: skip
        self.counters = ax.text(
            0.5, 1.01, "", ha="center", va="bottom", fontsize=COUNTER_PT, linespacing=1.5, transform=ax.transAxes
        )
        # how many calls the auth server holds just after each arrival: its pile at its highest
        arrivals = self.refresh["arrived_ms"].to_numpy(float)
        self.pile_after = [(at, int(_between(self.refresh, "arrived_ms", "served_ms", at).sum())) for at in arrivals]

    def _draw_places(self, ax: Axes) -> None:
        """The tab with its slots and store, the API, the auth server with its workers: drawn once."""
        for k, (x, y) in self.slots.items():
            ax.text(x - 0.3, y, f"#{k}", ha="right", va="center", fontsize=LABEL_PT)
        ax.text(SLOT_X - 0.45, SLOTS_TOP + 0.75, "tab", ha="center", va="center", fontsize=LABEL_PT + 1)
        box = {"boxstyle": "round,pad=0.02,rounding_size=0.15", "facecolor": "0.97", "edgecolor": "0.55", "lw": 1}
        ax.add_patch(FancyBboxPatch((STORE[0] - 0.4, STORE[1] - 0.35), 0.8, 0.7, **box))
        ax.text(STORE[0], STORE[1] - 0.6, "token store", ha="center", va="top", fontsize=LABEL_PT)
        x, y, width, height = API_BOX
        ax.add_patch(FancyBboxPatch((x, y), width, height, **box))
        ax.text(x + width / 2, y + height + 0.3, "API", ha="center", va="bottom", fontsize=LABEL_PT + 1)
        x, y, width, height = AUTH_BOX
        ax.add_patch(FancyBboxPatch((x, y), width, height, **box))
        for cx, cy in self.worker_cells:
            ax.plot(cx, cy, "o", ms=DOT_PT + 5, mfc="none", mec="0.6", mew=0.8, zorder=1)
        workers = f"{self.workers} worker{'s' if self.workers != 1 else ''}"
        ax.text(x + width / 2, y - 0.25, f"auth server\n{workers}", ha="center", va="top", fontsize=LABEL_PT + 1)

    def show(self, t_ms: float) -> list:
        """Move every dot and counter to ``t_ms``; return what changed."""
        api, refresh = self.api, self.refresh
        flying = _between(api, "sent_ms", "arrived_ms", t_ms)
        held = _between(api, "arrived_ms", "served_ms", t_ms)
        calls = np.vstack([_along(api, self.api_from, self.api_to, "sent_ms", "arrived_ms", t_ms)[flying],
                           self.api_to[held]])  # fmt: skip
        self.calls.set_data(*calls.T)
        back = _between(api, "served_ms", "received_ms", t_ms)
        answer_at = _along(api, self.api_to, self.api_from, "served_ms", "received_ms", t_ms)
        for status, line in self.answers.items():
            line.set_data(*answer_at[back & (api["status"] == status)].T)

        door = np.tile(self.auth_door, (len(refresh), 1))
        flying = _between(refresh, "sent_ms", "arrived_ms", t_ms)
        out = _along(refresh, self.refresh_from, door, "sent_ms", "arrived_ms", t_ms)[flying]
        held = refresh[_between(refresh, "arrived_ms", "served_ms", t_ms)].sort_values(["arrived_ms", "request"])
        pile = [self._pile_place(i) for i in range(len(held))]
        self.refreshes.set_data(*np.vstack([out, np.array(pile).reshape(-1, 2)]).T)
        back = _between(refresh, "served_ms", "received_ms", t_ms)
        self.tokens.set_data(*_along(refresh, door, self.refresh_from, "served_ms", "received_ms", t_ms)[back].T)
        queued = max(len(held) - self.workers, 0)
        self.queue_text.set_text(f"{queued} waiting" if queued else "")

        answered = api[api["received_ms"] <= t_ms].sort_values("received_ms").drop_duplicates("request", keep="last")
        last = answered.set_index("request")["status"]
        self.slot_marks.set_facecolors(
            [MESSAGE_COLORS[str(int(last[k]))] if k in last.index else WHITE for k in self.slots]
        )
        stored = self.stored[self.stored["received_ms"] <= t_ms]
        self.store_token.set_text(stored["issued"].iloc[-1] if len(stored) else self.first_token)
        self.store_note.set_text(f"new tokens stored: {len(stored)}" if len(stored) else "expired")
        done = int((answered["status"] == 200).sum())
        most = max([count for at, count in self.pile_after if at <= t_ms], default=0)
        sent = int((refresh["sent_ms"] <= t_ms).sum())
        finished = f", all by {answered['received_ms'].max():.0f} ms" if done == self.requests else ""
        self.counters.set_text(
            f"refresh calls sent: {sent}\n"
            f"most at the auth server at once: {most}\n"
            f"requests done: {done}/{self.requests}{finished}"
        )
        return [self.calls, *self.answers.values(), self.refreshes, self.tokens, self.slot_marks,
                self.store_token, self.store_note, self.queue_text, self.counters]  # fmt: skip

    def _pile_place(self, i: int) -> tuple[float, float]:
        """Where the auth server's ``i``-th held call (by arrival) sits: a worker, else the queue above."""
        if i < self.workers:
            return self.worker_cells[i]
        return (self.queue_x, AUTH_BOX[1] + AUTH_BOX[3] + QUEUE_STEP * (i - self.workers + 0.8))


def _slot_y(k: int, requests: int) -> float:
    return SLOTS_TOP - (k - 1) * (SLOTS_TOP - SLOTS_BOTTOM) / max(requests - 1, 1)


def _api_cells(requests: int) -> dict[int, tuple[float, float]]:
    """A place in the API's box for each request's call: the API serves them all at once."""
    x, y, width, height = API_BOX
    columns = int(np.ceil(requests / 2))
    rows = int(np.ceil(requests / columns))
    return {
        k: (x + width * ((k - 1) % columns + 0.5) / columns, y + height * (rows - (k - 1) // columns - 0.5) / rows)
        for k in range(1, requests + 1)
    }


def _between(calls: pd.DataFrame, start: str, end: str, t_ms: float) -> np.ndarray:
    return ((calls[start] <= t_ms) & (t_ms < calls[end])).to_numpy()


def _along(calls: pd.DataFrame, start, end, t0: str, t1: str, t_ms: float) -> np.ndarray:
    """Each call's place on its leg from ``start`` to ``end`` at ``t_ms``, the leg taking ``t0`` to ``t1``."""
    span = (calls[t1] - calls[t0]).to_numpy(float)
    share = np.clip((t_ms - calls[t0].to_numpy(float)) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    start, end = np.asarray(start, float).reshape(-1, 2), np.asarray(end, float).reshape(-1, 2)
    return start + share[:, None] * (end - start)


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "sequence_animation",
        "The refresh storm, animated",
        "One tab fires eight requests 5 ms apart with an expired access token, against an auth server with "
        "2 workers that takes 50 ms a refresh: each recorded call is a dot flying at its simulated times. "
        "naive sends eight refresh calls, which pile up at the auth server (eight held at once, six waiting), "
        "and its last request is done at 565 ms; locked sends one, and all eight are done at 410 ms.",
        sequence_animation_data,
        fig_sequence_animation,
        (),
        suffix="gif",
    ),
)

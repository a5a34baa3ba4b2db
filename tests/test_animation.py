"""The animated refresh storm: its data is the storm, call by call, and its GIF is animated and reproducible.

- ``sequence_animation_data()`` holds the exact burst: eight requests, eight refresh calls for naive
  piling up at a two-worker auth server, one for locked, every request ending with a 200.
- The animation plays the burst to its last answer and then holds, and its final frame shows the counts.
- The GIF is animated, keeps its colours exact from frame to frame, is byte-identical when saved twice,
  and ``figures/sequence_animation.gif`` (built by another process) is what a fresh build gives.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image, ImageSequence

from sim import figures
from sim.figures import animation

COMMITTED = Path(__file__).resolve().parent.parent / "figures" / "sequence_animation.gif"
REQUESTS, WORKERS = 8, figures.ANIMATION_AUTH_CAPACITY


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return figures.sequence_animation_data()


@pytest.fixture(scope="module")
def built(events, tmp_path_factory) -> tuple[Path, FuncAnimation]:
    """The animation saved once (about ten seconds: every frame is drawn), and the animation itself."""
    path = tmp_path_factory.mktemp("animation") / "sequence_animation.gif"
    storm = figures.fig_sequence_animation(events)
    figures.save_gif(storm, path)
    return path, storm


def pile(refresh: pd.DataFrame) -> list[int]:
    """The refresh calls the auth server holds (queued or served) just after each arrival."""
    return [int(((refresh["arrived_ms"] <= at) & (at < refresh["served_ms"])).sum()) for at in refresh["arrived_ms"]]


# -- the data -----------------------------------------------------------------------


def test_naive_refreshes_once_per_request_and_locked_once(events):
    refresh = events[events["kind"] == "refresh"]
    assert refresh.groupby("strategy").size().to_dict() == {"naive": REQUESTS, "locked": 1}
    assert sorted(refresh.loc[refresh["strategy"] == "naive", "request"]) == list(range(1, REQUESTS + 1))
    assert list(refresh.loc[refresh["strategy"] == "locked", "request"]) == [-1]  # the tab's shared refresh
    stored = events[events["kind"] == "stored"]
    assert stored.groupby("strategy").size().to_dict() == {"naive": REQUESTS, "locked": 1}


def test_every_request_meets_one_401_and_ends_with_a_200(events):
    api = events[events["kind"] == "api"].sort_values("received_ms")
    for strategy in ("naive", "locked"):
        mine = api[api["strategy"] == strategy]
        assert list(mine.groupby("request")["status"].agg(list)) == [[401, 200]] * REQUESTS, strategy


def test_naive_piles_up_at_the_auth_server_and_locked_does_not(events):
    refresh = events[events["kind"] == "refresh"]
    naive = refresh[refresh["strategy"] == "naive"]
    assert max(pile(naive)) == REQUESTS > WORKERS  # all eight held at once: two served, six waiting
    assert max(pile(refresh[refresh["strategy"] == "locked"])) == 1
    # two workers of 50 ms: served in pairs, so the last request is done 155 ms after locked's
    assert sorted(naive["served_ms"]) == pytest.approx([210, 215, 260, 265, 310, 315, 360, 365])
    assert events.groupby("strategy")["received_ms"].max().to_dict() == pytest.approx({"naive": 565, "locked": 410})
    assert (events["auth_capacity"] == WORKERS).all()


# -- the animation --------------------------------------------------------------------


def test_frames_play_the_burst_to_its_last_answer_then_hold(events):
    times = animation.frame_times(events)
    hold = round(animation.HOLD_S * animation.FPS)
    playing = times[:-hold]
    assert playing[0] == 0 and np.all(np.diff(playing) == animation.MS_PER_FRAME)
    assert playing[-2] < 565 <= playing[-1]  # the last frame shows every answer in
    assert np.all(times[-hold:] == playing[-1])
    assert len(times) == 72 + 25


def test_the_gif_is_animated_for_the_burst_and_the_pause(events, built):
    path, _ = built
    with Image.open(path) as gif:
        assert gif.is_animated and gif.n_frames > 1
        assert gif.size == (1100, 640)
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(gif)]
    frame_ms = int(1000 / animation.FPS)
    # identical frames are written once, for as long as they last: the whole still adds up
    assert sum(durations) == len(animation.frame_times(events)) * frame_ms
    assert durations[-1] >= animation.HOLD_S * 1000  # the pause on the final counts
    assert path.stat().st_size < 1_500_000


def test_the_final_frame_shows_the_counts(built):
    _, storm = built
    counters = {
        ax.get_title(): text.get_text()
        for ax in storm._fig.axes  # the animation's figure, as matplotlib keeps it
        for text in ax.texts
        if text.get_text().startswith("refresh calls sent")
    }
    assert counters == {
        figures.STRATEGY_LABELS["naive"]: "refresh calls sent: 8\nmost at the auth server at once: 8\n"
        "requests done: 8/8, all by 565 ms",
        figures.STRATEGY_LABELS["locked"]: "refresh calls sent: 1\nmost at the auth server at once: 1\n"
        "requests done: 8/8, all by 410 ms",
    }


def test_colours_stay_exact_from_frame_to_frame(built):
    """One palette for all frames: the background is white and the 401's orange is the theme's, first to last."""
    path, _ = built
    orange = tuple(round(255 * c) for c in to_rgb(figures.MESSAGE_COLORS["401"]))
    with Image.open(path) as gif:
        for frame in (0, gif.n_frames - 1):
            gif.seek(frame)
            rgb = gif.convert("RGB")
            assert rgb.getpixel((2, 2)) == (255, 255, 255)
            assert orange in {color for _, color in rgb.getcolors(1 << 16)}  # the legend's dot


def test_saved_twice_byte_identical(tmp_path):
    """Two saves of a small animation through the same writer give the same bytes."""
    fig = Figure(figsize=(2, 1), dpi=50)
    ax = fig.add_axes((0, 0, 1, 1))
    dot = ax.plot([0], [0], "o", color=figures.MESSAGE_COLORS["refresh"])[0]
    ax.set_xlim(-1, 5)

    def move(x: float) -> list:
        dot.set_data([x], [0])
        return [dot]

    steps = FuncAnimation(fig, move, frames=[0, 1, 2, 3, 3, 3])
    first, second = tmp_path / "first.gif", tmp_path / "second.gif"
    figures.save_gif(steps, first)
    figures.save_gif(steps, second)
    assert first.read_bytes() == second.read_bytes()
    with Image.open(first) as gif:
        assert gif.n_frames == 4  # the three identical last frames written once


def test_committed_gif_is_a_fresh_build(built):
    assert COMMITTED.exists(), f"{COMMITTED} is missing: run python -m sim figures --only sequence_animation"
    assert built[0].read_bytes() == COMMITTED.read_bytes(), (
        "figures/sequence_animation.gif differs from a fresh build: "
        "run python -m sim figures --out figures --only sequence_animation"
    )

"""Internet scale on paper: ten million users' refresh calls over a day, from the capacity model."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from ..capacity import CapacitySettings, capacity
from ..palette import OKABE_ITO
from ..scenario import Scenario
from .spec import FigureSpec
from .theme import strategy_style, style

CAPACITY_USERS = 10_000_000
# A day of the article's numbers (15 min access tokens, a page of 5 requests every 20 s, 30 ms a refresh),
# after a deploy that dropped every session at midnight: everyone logs in again at once.
CAPACITY_DAY = Scenario(name="a day after a deploy").with_(
    kind="steady", users=CAPACITY_USERS, duration_s=86_400.0, synchronized=True
)
# (label, the client's fields): the article's interceptor, one refresh at a time per tab, and the same
# refreshing on use 60 s before expiry with up to 5 min of jitter more.
CAPACITY_CLIENTS: tuple[tuple[str, dict], ...] = (
    ("naive", {"client": "naive"}),
    ("locked", {"client": "locked"}),
    (
        "locked, on use 1 to 6 min early",
        {"client": "locked", "proactive": "on-use", "margin_s": 60, "margin_jitter_s": 300},
    ),
)
# the jittered client in a colour of its own (its preset's blue is locked's, drawn beside it)
CAPACITY_LOOKS = {"locked, on use 1 to 6 min early": {"color": OKABE_ITO["reddish_purple"]}}
CAPACITY_SETTINGS = CapacitySettings(target_p95_wait_s=0.1, step_s=1.0, peak_bin_s=10.0)
FLOOR_PER_S = 1000.0  # the day's log scale starts here


def capacity_data() -> pd.DataFrame:
    """What the figure draws, per client: ``panel = "day"`` rows, one per token lifetime (``time_h``
    its start), with its busiest and quietest 10 s (``refresh_per_s``, ``quietest_per_s``, calls a
    second); ``panel = "hour"`` rows, every 10 s of the first hour. Beside every row the client's
    answers: ``mean_per_s``, ``peak_per_s``, ``workers_needed`` (p95 wait over the day at or under the
    target) and ``workers_for_peak`` (the same in the busiest second)."""
    return _capacity().copy()


@lru_cache(maxsize=1)
def _capacity() -> pd.DataFrame:
    frames = []
    lifetime_s = CAPACITY_DAY.tokens.access_ttl_s
    for label, fields in CAPACITY_CLIENTS:
        result = capacity(CAPACITY_DAY.with_(fields), CAPACITY_SETTINGS)
        answers = result.answers
        per_s = pd.Series(result.peak_bins() / CAPACITY_SETTINGS.peak_bin_s, index=result.peak_bins_start_s())
        windows = per_s.groupby(per_s.index // lifetime_s * lifetime_s)
        day = pd.DataFrame({"panel": "day", "time_h": windows.max().index / 3600, "refresh_per_s": windows.max(),
                            "quietest_per_s": windows.min()})  # fmt: skip
        early = per_s[per_s.index < 3600]
        hour = pd.DataFrame({"panel": "hour", "time_h": early.index / 3600, "refresh_per_s": early})
        both = pd.concat([day, hour], ignore_index=True)
        both.insert(0, "client", label)
        frames.append(
            both.assign(
                mean_per_s=answers["mean_refresh_per_s"],
                peak_per_s=answers["peak_refresh_per_s"],
                workers_needed=answers["workers_needed"],
                workers_for_peak=answers["workers_for_peak"],
                service_s=result.scenario.latencies.auth_service_s,
                target_p95_wait_s=CAPACITY_SETTINGS.target_p95_wait_s,
            )
        )
    return pd.concat(frames, ignore_index=True)


def fig_capacity(data: pd.DataFrame) -> Figure:
    """The day (left: the busiest and quietest 10 s of each token lifetime, log scale) and its first
    hour (right: every 10 s), one colour per client; the dotted lines are what the workers each client
    needs can serve (p95 wait within the target over the day).

    ``data`` is ``sim.figures.capacity_data()``.
    """
    with style():
        fig = Figure(figsize=(10.5, 4.8), layout="constrained")
        day, hour = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
        clients = list(dict.fromkeys(data["client"]))
        lifetime_h = CAPACITY_DAY.tokens.access_ttl_s / 3600
        for index, name in enumerate(clients):
            rows = data[data["client"] == name]
            look = {**strategy_style(name, index), **CAPACITY_LOOKS.get(name, {})}
            first = rows.iloc[0]
            label = (
                f"{look['label']}: peak {first['peak_per_s'] / first['mean_per_s']:.0f}× the mean; "
                f"{first['workers_needed']:,.0f} workers ({first['workers_for_peak']:,.0f} for the busiest second)"
            )
            windows = rows[rows["panel"] == "day"]
            middle_h = windows["time_h"] + lifetime_h / 2
            quietest = windows["quietest_per_s"].clip(lower=FLOOR_PER_S)
            day.fill_between(middle_h, quietest, windows["refresh_per_s"], color=look["color"], alpha=0.18, lw=0)
            day.plot(middle_h, windows["refresh_per_s"], color=look["color"], linestyle=look["linestyle"],
                     lw=1.4, label=label)  # fmt: skip
            day.axhline(first["workers_needed"] / first["service_s"], color=look["color"], linestyle=":", lw=1.1)
            early = rows[rows["panel"] == "hour"]
            hour.plot(early["time_h"] * 60, early["refresh_per_s"], color=look["color"], linestyle=look["linestyle"],
                      lw=1.2)  # fmt: skip
        day.set_yscale("log")
        day.set_ylim(FLOOR_PER_S, data["refresh_per_s"].max() * 3)
        day.set_xlim(0, 24)
        day.xaxis.set_major_locator(MultipleLocator(3))
        day.set_xlabel("hours after everyone logged in again")
        day.set_ylabel("refresh calls per second (over 10 s; log scale)")
        day.set_title("each 15 min: the busiest 10 s (line) down to the quietest", loc="left", fontsize=10)
        hour.set_xlim(0, 60)
        hour.xaxis.set_major_locator(MultipleLocator(15))
        hour.set_xlabel("minutes after everyone logged in again")
        hour.set_ylabel("refresh calls per second (mean over 10 s)")
        hour.set_title("the first hour, every 10 s", loc="left", fontsize=10)
        hour.yaxis.set_major_formatter(_thousands)
        target = data["target_p95_wait_s"].iloc[0]
        served = f"{data['service_s'].iloc[0] * 1000:g} ms a refresh"
        fig.legend(loc="outside lower center", ncols=1, fontsize=8.5, title_fontsize=8.5,
                   title=f"workers: the fewest for a p95 refresh wait of {target:g} s over the day "
                   f"(dotted: the calls they serve a second, {served})")  # fmt: skip
        fig.suptitle(
            f"{CAPACITY_USERS:,} users log in again at once (a deploy dropped every session): 15 min tokens, "
            "a page of 5 requests every 20 s",
            fontsize=10,
        )
        return fig


def fig_capacity_waves(data: pd.DataFrame, title: str = "") -> Figure:
    """The capacity model's refresh calls a second against one simulation's, per bin: ``data`` is
    ``sim.capacity.check.against_run(scenario)`` (no file in ``figures/``; notebook 13)."""
    with style():
        fig = Figure(figsize=(9.5, 3.4), layout="constrained")
        ax = fig.subplots()
        minutes = data["time_s"] / 60
        ax.step(minutes, data["simulation_per_s"], where="post", color="0.55", lw=1.0, label="one simulation run")
        ax.step(minutes, data["model_per_s"], where="post", color=OKABE_ITO["blue"], lw=1.6,
                label="capacity model (computed)")  # fmt: skip
        ax.set_xlim(0, minutes.max() + (minutes.iloc[1] - minutes.iloc[0] if len(minutes) > 1 else 0))
        ax.set_ylim(bottom=0)
        ax.set_xlabel("minutes after the first login")
        ax.set_ylabel("refresh calls per second\n(mean over the bin)")
        ax.set_title(title, loc="left", fontsize=10)
        ax.legend(loc="upper right")
        return fig


def _thousands(value: float, _: int) -> str:
    return f"{value / 1e6:g}M" if value >= 1e6 else f"{value / 1e3:g}k" if value else "0"


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "capacity",
        "Ten million users on paper",
        "Refresh calls reaching the auth server over a day when 10 million users log in again at once, from "
        "the capacity model (sim.capacity, computed, not simulated), for the article's interceptor, single "
        "flight, and single flight refreshing on use 1 to 6 min early at random. The first wave comes one "
        "lifetime and a page wait after the login; each later one is wider and lower as the page waits add "
        "up; jitter flattens them within hours. The naive client needs five times the workers for the same "
        "users: five 401s, five refreshes.",
        capacity_data,
        fig_capacity,
        ("13-capacity-at-scale",),
    ),
)

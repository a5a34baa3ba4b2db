"""The model beside the article's real stack: each case's real min-max against the model's value.

The real numbers are the committed runs of ``reality/`` (``reality/results.json``: the article's
Express server, its interceptors in real Chromium tabs); the model's come from running the same
cases now (``sim.reality.comparison``), so a model change that drifts from the real stack shows here.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

from ..palette import OKABE_ITO
from ..reality import LATENCY_TOLERANCE, METRICS, RESULTS, STRATEGIES, comparison
from .spec import FigureSpec
from .theme import strategy_styles, style

TITLES = {
    "refresh_calls": "refresh calls",
    "refresh_rejected": "refreshes rejected",
    "families_revoked": "token families revoked",
    "logged_out": "user logged out (0/1)",
    "answered": "requests answered",
    "p50_ms": "median latency (ms)",
    "p95_ms": "p95 latency (ms)",
}


def _label(strategy: str) -> str:
    """A harness strategy by the lab's client it runs as, and its own name where that is not all of it:
    ``locked+weblock`` (a Web Lock across tabs), ``locked+worker`` (the refresh in a SharedWorker)."""
    base = STRATEGIES[strategy]["strategy"]
    return base if strategy == base else f"{base}+{strategy}"


def model_vs_real_data() -> pd.DataFrame:
    """``sim.reality.comparison`` of the committed real runs: one row per case and metric, with its strategy."""
    return _model_vs_real().copy()


@lru_cache(maxsize=1)
def _model_vs_real() -> pd.DataFrame:  # remembered within a process: the runs are deterministic
    table = comparison(json.loads(RESULTS.read_text()))
    strategy = table["case"].str.split("/").str[0].map(_label)
    return table.assign(strategy=strategy)[["strategy", *table.columns]]


def fig_model_vs_real(data: pd.DataFrame) -> Figure:
    """One panel per metric: the model's value across, the real runs' min-max as a bar at it; on the
    diagonal means the model agrees. A case the model gets wrong is circled in vermillion.

    ``data`` is ``sim.figures.model_vs_real_data()``.
    """
    looks = strategy_styles(data["strategy"])
    with style():
        fig = Figure(figsize=(13.5, 6.6), layout="constrained")
        axes = fig.subplots(2, 4).ravel()
        for ax, metric in zip(axes, METRICS, strict=False):
            rows = data[data["metric"] == metric].dropna(subset=["model"])
            latency = metric.endswith("_ms")
            top = float(max(rows["real_max"].max(), rows["model"].max(), 1.0)) * 1.08
            # counts from a little below 0, so a bar at 0 clears the axis
            low = -0.05 * top if not latency else float(min(rows["real_min"].min(), rows["model"].min())) * 0.8
            line = np.geomspace(low, top, 50) if latency else np.linspace(low, top, 50)
            ax.plot(line, line, color="0.4", linewidth=0.8, zorder=1)
            if latency:  # the tolerance the issue allows: within 15 % of the real range
                ax.fill_between(line, line * (1 - LATENCY_TOLERANCE), line * (1 + LATENCY_TOLERANCE),
                                color="0.88", zorder=0, label=f"±{LATENCY_TOLERANCE:.0%}")  # fmt: skip
            for name, look in looks.items():
                mine = rows[rows["strategy"] == name]
                ax.vlines(mine["model"], mine["real_min"], mine["real_max"], color=look["color"], linewidth=2.2,
                          zorder=2)  # fmt: skip
                ax.scatter(mine["model"], (mine["real_min"] + mine["real_max"]) / 2, color=look["color"],
                           marker=look["marker"], s=16, zorder=3, label=look["label"])  # fmt: skip
            wrong = rows[~rows["inside"]]
            ax.scatter(wrong["model"], (wrong["real_min"] + wrong["real_max"]) / 2, s=110, facecolors="none",
                       edgecolors=OKABE_ITO["vermillion"], linewidths=1.5, zorder=4,
                       label="model outside the real range")  # fmt: skip
            if latency:  # 100 ms to 2.5 s: on log axes the short cases do not pile up in a corner
                ticks = [tick for tick in (100, 200, 500, 1000, 2000, 5000) if low <= tick <= top]
                ax.set_xscale("log")
                ax.set_yscale("log")
                for axis in (ax.xaxis, ax.yaxis):
                    axis.set_major_locator(FixedLocator(ticks))
                    axis.set_major_formatter(FixedFormatter([str(tick) for tick in ticks]))
                    axis.set_minor_locator(NullLocator())
            ax.set_xlim(low, top)
            ax.set_ylim(low, top)
            ax.set_title(f"{TITLES[metric]}: {len(wrong)} of {len(rows)} outside", fontsize=10)
            ax.set_xlabel("model")
            ax.set_ylabel("real (min-max of runs)")
        legend_ax = axes[-1]
        legend_ax.axis("off")
        handles, labels = axes[METRICS.index("p95_ms")].get_legend_handles_labels()
        legend_ax.legend(handles, labels, loc="center", title="strategy in the real tabs", fontsize=9)
        cases = data["case"].nunique()
        fig.suptitle(
            f"The model beside the article's real stack, {cases} cases (reality/results.json): bars are the real runs' "
            "min-max, placed at the model's value for the same case",
            fontsize=10,
        )
    return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "model_vs_real",
        "The model beside the real stack",
        "Every case of reality/results.json (the article's Express server and its interceptors in real Chromium "
        "tabs, 3 repetitions each) run by the model too (python -m sim.reality): for each metric, the real runs' "
        "min-max as a bar at the model's value. On the diagonal the model agrees; circled cases are outside the "
        "real range (latency: outside it by more than 15 %).",
        model_vs_real_data,
        fig_model_vs_real,
        (),
    ),
)

"""Which library, in which situation: the architect's decision matrix as heatmaps.

Every client library preset, as its source behaves, in five situations
against one server (``sim.matrix``: a burst after expiry, tabs under
rotation, a morning rush, an outage, a fast clock); each cell green to red.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from ..matrix import CELLS, library_matrix, matrix_tables
from ..palette import OKABE_ITO
from ..presets import BFF_NAMES
from .spec import FigureSpec
from .theme import style


def library_matrix_data(server: str = "article") -> pd.DataFrame:
    """``sim.matrix.library_matrix``: every library preset in every situation, against ``server``."""
    return _library_matrix(server).copy()


@lru_cache(maxsize=4)
def _library_matrix(server: str) -> pd.DataFrame:  # remembered within a process: the runs are deterministic
    return library_matrix(server=server)


# Green is fine, amber costs something, red loses users or requests.
GOOD_TO_BAD = LinearSegmentedColormap.from_list("good_to_bad", ["#dff0e0", "#fbe3a8", OKABE_ITO["vermillion"]], N=256)
TITLES = {
    "refresh_per_user": "refresh calls per user\n(1 per expiry is ideal)",
    "requests_failed": "failed requests\n(% of all requests)",
    "logouts": "logouts\n(% of users)",
    "latency_p95_ms": "p95 latency of requests that met\nan expiry (ms; -: none did)",
}
SHARE_OF = {"requests_failed": "requests", "logouts": "users"}  # the cells shown as a share of a total


def _badness(cell: str, values: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """0 (as good as it gets) to 1 (bad) for each cell, on the scale that matters for that cell."""
    if cell == "refresh_per_user":  # 1 is ideal, 2 doubles the auth load, 5 is a storm
        return (np.log2(values.clip(lower=1.0)) / np.log2(5)).clip(upper=1.0)
    if cell in SHARE_OF:
        share = _share(cell, values, data)
        return (share.where(share == 0, 0.35 + share.clip(upper=0.5) * 1.3)).clip(upper=1.0)
    best = values.min(axis=0)  # latency: how much slower than the best library in that situation
    return ((values / best - 1) / 2).clip(lower=0, upper=1.0).fillna(0.0)  # none met an expiry: nothing to feel


def _share(cell: str, values: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """``values`` as a share (0 to 1) of the total the cell counts from (requests, or users)."""
    total = data.pivot(index="library", columns="situation", values=SHARE_OF[cell]).loc[values.index, values.columns]
    return values / total


def _text(cell: str, value: float) -> str:
    """A cell's number as printed: a share in percent, a count of refreshes, or milliseconds."""
    if np.isnan(value):  # no request met an expiry
        return "-"
    if cell == "refresh_per_user":
        return f"{value:.2g}" if value < 10 else f"{value:.0f}"
    if cell == "latency_p95_ms":
        return f"{value:.0f}"
    percent = 100 * value
    if percent == 0:
        return "0"
    return f"{percent:.2g}%" if percent < 1 else f"{percent:.0f}%"


def fig_library_matrix(data: pd.DataFrame) -> Figure:
    """Four heatmaps, one per cell kind (refresh calls per user, failed requests, logouts, p95 latency):
    libraries down, situations across, each cell's number written in it.

    ``data`` is ``sim.figures.library_matrix_data()`` (``sim.matrix.library_matrix``).
    """
    tables = matrix_tables(data)
    libraries = list(next(iter(tables.values())).index)
    situations = list(next(iter(tables.values())).columns)
    bffs = [index for index, name in enumerate(libraries) if name in BFF_NAMES]
    first_bff = bffs[0] if bffs else None
    with style():
        fig = Figure(figsize=(13.5, 1.6 + 0.36 * len(libraries)), layout="constrained")
        axes = fig.subplots(1, len(CELLS), sharey=True)
        for ax, (cell, values) in zip(axes, tables.items(), strict=True):
            values = values.astype(float)
            bad = _badness(cell, values, data)
            shown = _share(cell, values, data) if cell in SHARE_OF else values
            image = ax.imshow(bad.to_numpy(dtype=float), cmap=GOOD_TO_BAD, vmin=0, vmax=1, aspect="auto")
            for row, library in enumerate(libraries):
                for col, name in enumerate(situations):
                    ax.text(col, row, _text(cell, float(shown.loc[library, name])), ha="center", va="center",
                            fontsize=8, color="white" if bad.loc[library, name] > 0.8 else "black")  # fmt: skip
            ax.set_xticks(range(len(situations)), situations, rotation=0, fontsize=9)
            ax.set_yticks(range(len(libraries)), libraries, fontsize=9)
            ax.set_title(TITLES[cell], fontsize=10)
            ax.grid(False)
            ax.tick_params(length=0)
            ax.xaxis.tick_top()
            for side in ax.spines.values():
                side.set_visible(False)
            if first_bff is not None:  # the BFF token managers below a line
                ax.axhline(first_bff - 0.5, color="black", lw=1.2)
        key = fig.colorbar(image, ax=axes, location="bottom", shrink=0.5, aspect=40, pad=0.02)
        key.set_ticks([0.0, 0.5, 1.0], labels=["fine", "costs something", "bad"])
        key.ax.tick_params(labelsize=8)
        key.set_label(
            "colour: each cell on its own scale. refreshes: 1 per expiry is fine, 5 or more a storm; failures and "
            "logouts: any is amber, 50% or more red; latency: against the best library in that situation, 3x is red",
            fontsize=8,
        )
        server = data["server"].iloc[0]
        fig.suptitle(
            f"Each client library, and below the line each BFF token manager on 2 round-robin instances, in five "
            f"situations against the {server} auth server's defaults\n(python -m sim libraries; the situations: "
            "README, or sim.matrix.SITUATIONS)\nauthkit-session and Duende keep the session when a refresh is "
            "rejected: their lost sessions show as failed requests, not logouts (figures/bff.png counts them)",
            fontsize=10,
        )
    return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "library_matrix",
        "Which library, in which situation",
        "The architect's decision matrix (python -m sim libraries): each client library preset, as its source "
        "behaves, in five situations against the article's server: a burst of 50 after expiry, 3 tabs under "
        "rotation, a morning rush of 500 users on 4 auth workers, a 60 s auth outage, clocks 2 min fast; below a line "
        "the BFF token managers on 2 round-robin instances. Cells: "
        "refresh calls per user, failed requests, logouts, p95 latency; green is fine, red loses requests or users.",
        library_matrix_data,
        fig_library_matrix,
        ("11-choosing-a-library",),
    ),
)

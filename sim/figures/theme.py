"""One look for every figure: matplotlib settings, message colours, and each strategy's style.

A strategy's colour, line style, marker and legend label come from the
registry of named clients (``sim.presets.CLIENTS``), so a strategy looks the same in every
figure and a new preset needs no change here. Any other strategy label (a
preset with a policy field set otherwise, e.g. ``locked+max_retries=3``)
gets a fallback style from ``strategy_style``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import matplotlib as mpl
import pandas as pd
from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

from ..palette import OKABE_ITO
from ..presets import CLIENTS

# The named clients that have a look of their own (the strategies).
PRESETS = {name: named for name, named in CLIENTS.items() if named.look is not None}
STRATEGY_COLORS = {name: preset.look.color for name, preset in PRESETS.items()}
# locked and queued often coincide; queued is dashed so both stay visible.
STRATEGY_LINESTYLES = {name: preset.look.linestyle for name, preset in PRESETS.items()}
STRATEGY_MARKERS = {name: preset.look.marker for name, preset in PRESETS.items()}
STRATEGY_LABELS = {name: preset.legend for name, preset in PRESETS.items()}

# Labels that are not presets, in the order a figure meets them, take the next
# of these: a dotted or dash-dotted line and a marker no preset uses. A label
# ``<preset>+...`` keeps its preset's colour; any other cycles through greys.
FALLBACK_LINESTYLES = (":", "-.", (0, (1, 1, 1, 1, 5, 1)), (0, (5, 1, 1, 1, 1, 1, 1, 1)))
FALLBACK_MARKERS = ("D", "v", "P", "X", "*", "<", ">", "p", "h")
FALLBACK_GREYS = ("0.2", "0.45", "0.65")

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


def strategy_order(names: Iterable[str]) -> list[str]:
    """Each label once: the presets in the registry's order, then any other label in order of first appearance."""
    seen = list(dict.fromkeys(names))
    return [name for name in PRESETS if name in seen] + [name for name in seen if name not in PRESETS]


def strategy_style(name: str, index: int = 0) -> dict:
    """How a strategy label is drawn: ``color``, ``linestyle``, ``marker`` and legend ``label``.

    A preset is drawn as the registry says. Any other label gets a fallback:
    its preset's colour if it reads ``<preset>+...`` (else a grey), and the
    ``index``-th dotted or dash-dotted line style and marker no preset uses,
    ``index`` being its place among the figure's non-preset labels (so each
    one there looks different); its legend label is the label itself.
    """
    if name in PRESETS:
        look = PRESETS[name].look
        return {"color": look.color, "linestyle": look.linestyle, "marker": look.marker, "label": PRESETS[name].legend}
    base = name.split("+", 1)[0]
    return {
        "color": PRESETS[base].look.color if base in PRESETS else FALLBACK_GREYS[index % len(FALLBACK_GREYS)],
        "linestyle": FALLBACK_LINESTYLES[index % len(FALLBACK_LINESTYLES)],
        "marker": FALLBACK_MARKERS[index % len(FALLBACK_MARKERS)],
        "label": name,
    }


def strategy_styles(names: Iterable[str]) -> dict[str, dict]:
    """``strategy_style`` of each label in ``names``, in ``strategy_order``: what a figure draws, in order."""
    order = strategy_order(names)
    others = [name for name in order if name not in PRESETS]
    return {name: strategy_style(name, others.index(name) if name in others else 0) for name in order}


def _strategies(data: pd.DataFrame) -> dict[str, dict]:
    """The strategies in ``data``, in the usual order, each with its ``strategy_style``."""
    return strategy_styles(data["strategy"])


def _line_style(look: dict) -> dict:
    """The keywords a line takes from a ``strategy_style``: colour, line style, legend label."""
    return {
        "color": look["color"],
        "linestyle": look["linestyle"],
        "label": look["label"],
    }


def _log2_axis(axis, values) -> None:
    """A log-2 axis ticked at exactly ``values``, labelled as plain numbers."""
    axis.set_major_locator(FixedLocator(sorted(set(values))))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(ScalarFormatter())

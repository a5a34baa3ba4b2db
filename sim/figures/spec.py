"""What a figure is: a name, what it shows, the data function that runs it and the drawing that draws it.

Each family of figures declares its ``FigureSpec`` entries beside its data
and drawing functions (``FIGURES`` in each module); ``sim.figures.registry``
collects them in the order ``figures/README.md`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.animation import Animation
from matplotlib.figure import Figure


@dataclass(frozen=True)
class FigureSpec:
    """One figure: its file name, what it shows, how it is made, who uses it.

    ``suffix`` is the file's: ``png`` for a figure, ``gif`` for an animation.
    ``notebooks`` may be empty: the figure is then shown in the README or a
    page of ``docs/`` (and so on the site) only. ``options`` are keyword arguments the
    drawing function takes beside the data (the axes of a general drawing
    such as ``fig_sweep_heatmap``); ``figure(data)`` draws with them.
    """

    name: str
    title: str
    shows: str
    data: Callable[[], pd.DataFrame]
    draw: Callable[..., Figure | Animation]
    notebooks: tuple[str, ...]
    suffix: str = "png"
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def file(self) -> str:
        """The drawing's file name in ``figures/``: ``<name>.png`` or ``<name>.gif``."""
        return f"{self.name}.{self.suffix}"

    def figure(self, data: pd.DataFrame) -> Figure | Animation:
        """The drawing of ``data``, as ``figures/`` has it."""
        return self.draw(data, **self.options)

"""Drawing the figures: data in, ``matplotlib.figure.Figure`` out.

Every function here is ``fig_<name>(data) -> Figure`` (one,
``fig_sequence_animation``, returns an ``Animation``) and does no
simulation: it draws the DataFrame that ``sim.figures.<name>_data()``
returns (or the same columns read back from ``figures/<name>.csv``). So a
notebook can draw a figure from its own runs, and ``python -m sim figures``
draws the committed ones with the very same code. Two have no file in
``figures/`` because they draw whatever a notebook ran: ``fig_sweep`` (a
metric against a swept parameter) and ``fig_in_flight`` (one run's
``auth_load``).

One file per family of figures, all re-exported here:

- ``style``: the fixed look (``STYLE``, ``style()``), the sequence diagram's
  ``MESSAGE_COLORS`` and each strategy's style (``strategy_style``);
- ``sequence``: ``fig_sequence_diagram``;
- ``animation``: ``fig_sequence_animation`` (the burst as an animation) and
  ``save_gif`` (an animated GIF written by Pillow, byte-identical each run);
- ``comparison``: ``fig_refresh_storm``, ``fig_refresh_timeline``,
  ``fig_latency_cdf``, ``fig_auth_load``, ``fig_ttl_sensitivity``;
- ``sweep``: ``fig_sweep``, ``fig_sweep_heatmap`` (a sweep's surface), ``fig_in_flight`` and
  ``column_label``;
- ``rotation``: ``fig_rotation_logouts``, ``fig_tab_race``;
- ``proactive``: ``fig_herd``, ``fig_clock_skew``, and ``fig_xfetch`` (drawn
  from the closed form ``xfetch_curve``, no simulation);
- ``outages``: ``fig_outage_backlog``, ``fig_outage_recovery``,
  ``fig_backoff_policies``, ``fig_connection_limit``;
- ``libraries``: ``fig_library_matrix`` (the decision matrix as heatmaps).

One palette, everywhere: each strategy keeps its colour, line style and
marker in every figure (``STRATEGY_COLORS``, from the colour-blind-safe
Okabe-Ito set in ``sim.palette``), as the preset registry
(``sim.config.PRESETS``) gives them. A strategy label that is no preset, such
as ``locked+max_retries=3``, is drawn after the presets with a fallback
style: its preset's colour, a dotted line and a marker of its own. Figures
are made with ``matplotlib.figure.Figure``, not ``pyplot``, so nothing is
left open in a global figure list; in a notebook the returned figure
displays itself. Each function resets matplotlib's style to one fixed look
(``STYLE``) while it draws, so the result does not depend on the caller's
settings.
"""

from ..palette import OKABE_ITO
from .animation import fig_sequence_animation, save_gif
from .comparison import fig_auth_load, fig_latency_cdf, fig_refresh_storm, fig_refresh_timeline, fig_ttl_sensitivity
from .libraries import fig_library_matrix
from .outages import fig_backoff_policies, fig_connection_limit, fig_outage_backlog, fig_outage_recovery
from .proactive import fig_clock_skew, fig_herd, fig_xfetch, xfetch_curve
from .rotation import fig_rotation_logouts, fig_tab_race
from .sequence import fig_sequence_diagram
from .sweep import column_label, fig_in_flight, fig_sweep, fig_sweep_heatmap
from .theme import (
    MESSAGE_COLORS,
    STRATEGY_COLORS,
    STRATEGY_LABELS,
    STRATEGY_LINESTYLES,
    STRATEGY_MARKERS,
    STYLE,
    strategy_order,
    strategy_style,
    strategy_styles,
    style,
)

__all__ = [
    "fig_sweep_heatmap",
    "fig_library_matrix",
    "fig_backoff_policies",
    "fig_connection_limit",
    "fig_outage_backlog",
    "fig_outage_recovery",
    "fig_clock_skew",
    "fig_herd",
    "fig_xfetch",
    "xfetch_curve",
    "fig_rotation_logouts",
    "fig_tab_race",
    "MESSAGE_COLORS",
    "OKABE_ITO",
    "STRATEGY_COLORS",
    "STRATEGY_LABELS",
    "STRATEGY_LINESTYLES",
    "STRATEGY_MARKERS",
    "STYLE",
    "column_label",
    "fig_auth_load",
    "fig_in_flight",
    "fig_latency_cdf",
    "fig_refresh_storm",
    "fig_refresh_timeline",
    "fig_sequence_animation",
    "fig_sequence_diagram",
    "fig_sweep",
    "fig_ttl_sensitivity",
    "save_gif",
    "strategy_order",
    "strategy_style",
    "strategy_styles",
    "style",
]

"""Every figure of the project, each family in one module: its scenarios, its data, its drawings.

A figure is two functions and an entry:

- a data function ``<name>_data() -> DataFrame`` that runs the simulation
  with fixed seeds and returns exactly the numbers the figure shows (the
  morning-rush figures also take ``scenario=``, and ``<name>_of(results)``
  makes the same table from runs a notebook already has);
- a drawing function ``fig_<name>(data) -> Figure`` that runs no simulation
  at all (``fig_sequence_animation`` returns an ``Animation``), so a notebook
  can draw its own runs, or ``figures/<name>.csv`` read back, with the very
  same code;
- a ``FigureSpec`` in its family's ``FIGURES`` saying what the figure shows
  and which notebook uses it.

The families, one module each, the scenarios they run spelled out beside
the functions that run them:

- ``sequence``: one tab's burst call by call (``sequence_diagram``,
  ``sequence_rows`` for any run);
- ``animation``: the same storm played out (``sequence_animation``, and
  ``save_gif``, an animated GIF byte-identical each run);
- ``storm``: the refresh storm and what it costs (``refresh_storm``,
  ``refresh_timeline``, ``latency_cdf``, ``auth_load``, ``ttl_sensitivity``);
- ``token_reuse``: rotation with reuse detection (``rotation_logouts``,
  ``tab_race``);
- ``bff_sequence``: a backend-for-frontend's race call by call, from the
  browser through the load balancer to two instances (``fig_bff_sequence``
  of ``bff_sequence_rows`` of any BFF run; no file in ``figures/``);
- ``early_refresh``: refreshing before expiry (``herd``, ``clock_skew``,
  and ``fig_xfetch`` from the closed form ``xfetch_curve``);
- ``outages``: ``outage_backlog``, ``outage_recovery``, ``backoff_policies``,
  ``connection_limit``;
- ``library_choice``: the decision matrix (``library_matrix``);
- ``backend``: the backend-for-frontend beside the single-page app
  (``bff``, from ``scenarios/bff.toml``);
- ``capacity``: ten million users' refresh calls over a day, from the
  capacity model (``capacity``, computed by ``sim.capacity``, not simulated), and
  ``fig_capacity_waves``, the model beside one run (no file in ``figures/``; notebook 13);
- ``real_stack``: the model beside the article's real stack, case by case
  (``model_vs_real``, from the committed ``reality/results.json``);
- ``sweeps``: a sweep's surface (``sweep_heatmap``), and two drawings of
  whatever a notebook ran, with no file in ``figures/``: ``fig_sweep`` (a
  metric against a swept parameter) and ``fig_in_flight`` (one run's
  ``auth_load``).

``theme`` holds the one look every drawing shares: each strategy keeps its
colour, line style and marker in every figure (``strategy_style``, from the
registry of named clients ``sim.CLIENTS``), and each drawing resets matplotlib to one
fixed style while it draws, so the result does not depend on the caller's
settings. Figures are ``matplotlib.figure.Figure``, not ``pyplot``, so
nothing is left open in a global figure list.

``registry.FIGURES`` collects the families' entries in a fixed order, and
``build.build_all(out_dir)`` (``python -m sim figures``) writes each
``<name>.png`` (``.gif``), its data ``<name>.csv`` and an index
``README.md``. Sizes are modest on purpose (at most a hundred users but for
the herd, minutes of simulated time, five replications).
"""

from ..palette import OKABE_ITO
from .animation import (
    ANIMATION_AUTH_CAPACITY,
    ANIMATION_LATENCIES,
    fig_sequence_animation,
    save_gif,
    sequence_animation_data,
)
from .backend import BFF_FILE, BFF_FIXES, bff_data, fig_bff
from .bff_sequence import bff_sequence_rows, fig_bff_sequence
from .build import CSV_FLOAT_FORMAT, NO_NOTEBOOK, PNG_DPI, build_all, csv_text, read_csv_text, readme_text, save_figure
from .capacity import CAPACITY_CLIENTS, CAPACITY_DAY, capacity_data, fig_capacity, fig_capacity_waves
from .early_refresh import (
    HERD_BIN_S,
    HERD_FILE,
    SKEW,
    SKEW_CLIENTS,
    SKEW_OFFSETS_S,
    clock_skew_data,
    fig_clock_skew,
    fig_herd,
    fig_xfetch,
    herd_data,
    xfetch_curve,
)
from .library_choice import fig_library_matrix, library_matrix_data
from .outages import (
    BACKOFF_POLICIES,
    CONNECTIONS,
    CONTENTION,
    OUTAGE_CLIENTS,
    OUTAGE_FILE,
    OUTAGE_START_S,
    backoff_policies_data,
    connection_limit_data,
    fig_backoff_policies,
    fig_connection_limit,
    fig_outage_backlog,
    fig_outage_recovery,
    outage_backlog_data,
    outage_recovery_data,
)
from .real_stack import fig_model_vs_real, model_vs_real_data
from .registry import FIGURES
from .sequence import DIAGRAM_LATENCIES, SequenceWatch, fig_sequence_diagram, sequence_diagram_data, sequence_rows
from .spec import FigureSpec
from .storm import (
    CDF_LEVELS,
    RUSH,
    SENSITIVITY,
    auth_load_data,
    auth_load_of,
    fig_auth_load,
    fig_latency_cdf,
    fig_refresh_storm,
    fig_refresh_timeline,
    fig_ttl_sensitivity,
    latency_cdf_data,
    latency_cdf_of,
    refresh_storm_data,
    refresh_timeline_data,
    refresh_timeline_of,
    ttl_sensitivity_data,
)
from .sweeps import (
    ARCHITECT_SWEEP,
    SWEEP_METRICS,
    column_label,
    fig_in_flight,
    fig_sweep,
    fig_sweep_heatmap,
    sweep_heatmap_data,
)
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
from .token_reuse import (
    ROTATION,
    ROTATION_CLIENTS,
    ROTATION_LABELS,
    TAB_RACE_CASES,
    fig_rotation_logouts,
    fig_tab_race,
    rotation_logouts_data,
    tab_race_data,
)

__all__ = [
    "ANIMATION_AUTH_CAPACITY",
    "ANIMATION_LATENCIES",
    "ARCHITECT_SWEEP",
    "BACKOFF_POLICIES",
    "BFF_FILE",
    "BFF_FIXES",
    "CAPACITY_CLIENTS",
    "CAPACITY_DAY",
    "CDF_LEVELS",
    "CONNECTIONS",
    "CONTENTION",
    "CSV_FLOAT_FORMAT",
    "DIAGRAM_LATENCIES",
    "FIGURES",
    "HERD_BIN_S",
    "HERD_FILE",
    "MESSAGE_COLORS",
    "NO_NOTEBOOK",
    "OKABE_ITO",
    "OUTAGE_CLIENTS",
    "OUTAGE_FILE",
    "OUTAGE_START_S",
    "PNG_DPI",
    "ROTATION",
    "ROTATION_CLIENTS",
    "ROTATION_LABELS",
    "RUSH",
    "SENSITIVITY",
    "SKEW",
    "SKEW_CLIENTS",
    "SKEW_OFFSETS_S",
    "STRATEGY_COLORS",
    "STRATEGY_LABELS",
    "STRATEGY_LINESTYLES",
    "STRATEGY_MARKERS",
    "STYLE",
    "SWEEP_METRICS",
    "TAB_RACE_CASES",
    "FigureSpec",
    "SequenceWatch",
    "auth_load_data",
    "auth_load_of",
    "backoff_policies_data",
    "bff_data",
    "bff_sequence_rows",
    "build_all",
    "capacity_data",
    "clock_skew_data",
    "column_label",
    "connection_limit_data",
    "csv_text",
    "fig_auth_load",
    "fig_backoff_policies",
    "fig_bff",
    "fig_bff_sequence",
    "fig_capacity",
    "fig_capacity_waves",
    "fig_clock_skew",
    "fig_connection_limit",
    "fig_herd",
    "fig_in_flight",
    "fig_latency_cdf",
    "fig_library_matrix",
    "fig_model_vs_real",
    "fig_outage_backlog",
    "fig_outage_recovery",
    "fig_refresh_storm",
    "fig_refresh_timeline",
    "fig_rotation_logouts",
    "fig_sequence_animation",
    "fig_sequence_diagram",
    "fig_sweep",
    "fig_sweep_heatmap",
    "fig_tab_race",
    "fig_ttl_sensitivity",
    "fig_xfetch",
    "herd_data",
    "latency_cdf_data",
    "latency_cdf_of",
    "library_matrix_data",
    "model_vs_real_data",
    "outage_backlog_data",
    "outage_recovery_data",
    "read_csv_text",
    "readme_text",
    "refresh_storm_data",
    "refresh_timeline_data",
    "refresh_timeline_of",
    "rotation_logouts_data",
    "save_figure",
    "save_gif",
    "sequence_animation_data",
    "sequence_diagram_data",
    "sequence_rows",
    "strategy_order",
    "strategy_style",
    "strategy_styles",
    "style",
    "sweep_heatmap_data",
    "tab_race_data",
    "ttl_sensitivity_data",
    "xfetch_curve",
]

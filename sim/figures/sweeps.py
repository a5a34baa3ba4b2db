"""Figures of sweeps and of whatever a notebook ran: a metric against a swept parameter, a sweep's
surface as heatmaps, and one run's auth-server load.

``sweep_heatmap`` is the one with a file in ``figures/``:
``scenarios/sweeps/architect.toml`` run afresh, drawn by ``fig_sweep_heatmap``.
``fig_sweep`` and ``fig_in_flight`` draw what a notebook ran (a metric
against a parameter, one line per strategy; one run's ``auth_load``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
    NullLocator,
)

from ..scenario_file import SCENARIOS_DIR
from ..sweep import sweep
from .spec import FigureSpec
from .theme import STRATEGY_LABELS, _line_style, _strategies, strategy_styles, style

# -- one run's auth-server load, as recorded -------------------------------------------


def fig_in_flight(
    loads: Mapping[str, pd.DataFrame],
    capacity: int | None = None,
    *,
    unit: str = "ms",
    origin_s: float | None = None,
    title: str | None = None,
) -> Figure:
    """Refresh calls held by the auth server over time: one run's step function per strategy.

    ``loads`` maps a strategy to the ``auth_load`` of its run (``time_s``,
    and ``in_flight`` from then on until the next row), e.g.
    ``{r.strategy: r.auth_load for r in sim.compare(...)}``. Time is counted
    in ``unit`` (``"ms"`` or ``"s"``) from ``origin_s``, by default the
    moment the first refresh call arrived; the plot spans from there to the
    last change. ``capacity``, the auth workers, is drawn as a dashed line:
    calls above it wait in the auth server's queue. Made for one burst; over
    a long run the steps blur, and ``fig_auth_load`` (the most held in each
    window) reads better.
    """
    if unit not in ("ms", "s"):
        raise ValueError(f"unit = {unit!r}: must be ms or s")
    scale = 1000.0 if unit == "ms" else 1.0
    with style():
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        ax = fig.subplots()
        busy = [load.loc[load["in_flight"] > 0, "time_s"] for load in loads.values()]
        first_s = min((float(t.min()) for t in busy if len(t)), default=0.0)
        start_s = first_s if origin_s is None else origin_s
        last = max(float(load["time_s"].max()) for load in loads.values()) - start_s
        pad = 0.08 * last if last > 0 else 1.0 / scale
        left, right = min(0.0, (first_s - start_s) * scale) - pad * scale, (last + pad) * scale
        peak = 0
        for name, look in strategy_styles(loads).items():
            load = loads[name].sort_values("time_s")
            times = (load["time_s"].to_numpy(float) - start_s) * scale
            values = load["in_flight"].to_numpy(int)
            inside = times > left
            carried = values[~inside][-1] if (~inside).any() else 0
            edges = np.concatenate([[left], times[inside], [right]])
            heights = np.concatenate([[carried], values[inside]])
            line = _line_style(look)
            peak = max(peak, int(values.max()))
            line["label"] = f"{line['label']} (peak {int(values.max())})"
            ax.stairs(heights, edges, lw=1.8, baseline=None, **line)
        if capacity:
            ax.axhline(
                capacity,
                color="black",
                lw=0.9,
                linestyle="--",
                zorder=0,
                label=f"{capacity} auth worker{'s' if capacity != 1 else ''}: calls above the line wait in a queue",
            )
        ax.set_xlim(left, right)
        top = max(peak, capacity or 0) * 1.12 + 0.5
        ax.set_ylim(-0.02 * top, top)  # a little below 0, so lines at 0 stay visible
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if origin_s is None:
            ax.set_xlabel(f"time since the first refresh call arrived ({unit})")
        elif origin_s == 0:
            ax.set_xlabel(f"simulated time ({unit})")
        else:
            ax.set_xlabel(f"time since t = {origin_s:g} s ({unit})")
        ax.set_ylabel("refresh calls held by the auth server\n(queued or being served)")
        if title:
            ax.set_title(title, loc="left")
        ax.legend(title="strategy", loc="best")
        return fig


# -- any sweep: a metric against a parameter ----------------------------------------------

# Unit suffixes of column names, as axis labels write them (longest first).
_UNIT_SUFFIXES = {"_per_s": "per s", "_pct": "%", "_ms": "ms", "_s": "s"}


def column_label(column: str) -> str:
    """An axis label from a column name: ``expiry_latency_p95_s`` -> ``expiry latency p95 (s)``."""
    for suffix, unit in _UNIT_SUFFIXES.items():
        if column.endswith(suffix) and len(column) > len(suffix):
            return f"{column[: -len(suffix)].replace('_', ' ')} ({unit})"
    return column.replace("_", " ")


def fig_sweep(
    table: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    log_x: bool = False,
    log_y: bool = False,
    reference: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """A metric against a swept parameter, one line per strategy; several metrics, one panel each.

    ``table`` has one row per (``x`` value, ``strategy``), like rows of
    ``sim.summary_table`` with the parameter added, or ``sim.confidence_table``
    per parameter value. A column ``<y>_ci`` beside a metric (the half-width
    of its 95 % confidence interval) is drawn as a band around its line.
    ``labels`` gives axis labels by column, units included; by default a
    column's name is used, a unit suffix (``_s``, ``_ms``, ``_pct``,
    ``_per_s``) written as ``(s)``. ``reference`` maps a metric to a column
    drawn as a dotted black line in its panel (one value per ``x``, e.g. a
    formula to compare with). The x axis is ticked at the swept values.
    """
    metrics = [y] if isinstance(y, str) else list(y)
    labels = dict(labels or {})
    reference = dict(reference or {})

    def label(column: str) -> str:
        return labels.get(column, column_label(column))

    with style():
        fig = Figure(figsize=(max(6.5, 1.2 + 3.6 * len(metrics)), 4.3), layout="constrained")
        axes = fig.subplots(1, len(metrics), sharex=True, squeeze=False)[0]
        handles: dict[str, object] = {}
        looks = _strategies(table)
        for ax, metric in zip(axes, metrics, strict=True):
            for strategy, look in looks.items():
                rows = table[table["strategy"] == strategy].sort_values(x)
                line = _line_style(look)
                if f"{metric}_ci" in rows:
                    mean, half = rows[metric], rows[f"{metric}_ci"]
                    ax.fill_between(rows[x], mean - half, mean + half, color=line["color"], alpha=0.18, lw=0)
                    handles["95 % confidence interval"] = Rectangle((0, 0), 1, 1, color="0.5", alpha=0.3)
                marker = {"marker": look["marker"], "markersize": 5}
                if strategy == "queued":
                    marker["markerfacecolor"] = "white"
                (drawn,) = ax.plot(rows[x], rows[metric], **line, **marker)
                handles.setdefault(line["label"], drawn)
            if metric in reference:
                ref = table.drop_duplicates(x).sort_values(x)
                (drawn,) = ax.plot(ref[x], ref[reference[metric]], color="black", lw=1.2, linestyle=":", zorder=3)
                handles.setdefault(label(reference[metric]), drawn)
            ax.set_xlabel(label(x) + (" (log scale)" if log_x else ""))
            ax.set_ylabel(label(metric) + (" (log scale)" if log_y else ""))
            _sweep_ylim(ax, table, metric, reference.get(metric), log_y)
        if log_x:
            axes[0].set_xscale("log")
        values = sorted(set(table[x]))
        if len(values) <= 12:
            axes[0].xaxis.set_major_locator(FixedLocator(values))
            axes[0].xaxis.set_minor_locator(NullLocator())
            axes[0].xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        if title:
            fig.suptitle(title, fontsize=11)
        drawn_labels = {look["label"] for look in looks.values()}
        strategies = [text for text in handles if text in drawn_labels]
        ordered = strategies + [text for text in handles if text not in strategies]
        fig.legend(
            [handles[text] for text in ordered],
            ordered,
            loc="outside lower center",
            ncols=min(len(ordered), 3 if set(looks) <= set(STRATEGY_LABELS) else 2),  # other labels run long
            title="strategy" if ordered == strategies else None,
        )
        return fig


def _sweep_ylim(ax: Axes, table: pd.DataFrame, metric: str, reference: str | None, log: bool) -> None:
    """Room above every line, band and reference; from 0 unless log or negative; plain log ticks."""
    shown = [table[metric]]
    if f"{metric}_ci" in table:
        shown += [table[metric] - table[f"{metric}_ci"], table[metric] + table[f"{metric}_ci"]]
    if reference:
        shown.append(table[reference])
    values = pd.concat(shown).dropna()
    low, high = float(values.min()), float(values.max())
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 3, 5)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        if low > 0:
            ax.set_ylim(low / 1.3, high * 1.3)
    elif low >= 0:
        ax.set_ylim(0, high * 1.08 if high > 0 else 1)


# -- a sweep's surface: a metric over two parameters, one panel per strategy ---------------


ARCHITECT_SWEEP = SCENARIOS_DIR / "sweeps" / "architect.toml"
SWEEP_METRICS = ("refresh_amplification", "latency_p99_s")


def sweep_heatmap_data(path: Path | str = ARCHITECT_SWEEP) -> pd.DataFrame:
    """``scenarios/sweeps/architect.toml`` run afresh (not from a sweep cache): per point and strategy,
    the mean and 95 % half-width of refresh amplification and p99 latency over 5 seeds."""
    return _sweep_points(str(path)).copy()


@lru_cache(maxsize=2)
def _sweep_points(path: str) -> pd.DataFrame:  # remembered within a process, as the morning rush's runs are
    result = sweep(path, executor="processes", cache=False, progress=False)
    columns = [*result.sweep.parameters, "strategy", *(f"{m}{s}" for m in SWEEP_METRICS for s in ("", "_ci"))]
    return result.points[columns]


def fig_sweep_heatmap(
    points: pd.DataFrame,
    x: str,
    y: str,
    metrics: str | Sequence[str] = ("refresh_amplification", "latency_p99_s"),
    *,
    by: str = "strategy",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Heatmaps of ``metrics`` (one row each) over ``x`` x ``y``, one column per value of ``by``.

    ``points`` is a sweep's per-point table (``SweepResult.points``: the mean of each metric and its
    ``_ci``, the 95 % half-width), or any table with one row per (x, y, by). Each cell shows the
    mean, and the half-width under it when there is one; a row of panels shares one colour scale,
    so strategies compare at a glance (darker is more), logarithmic when the metric spans a factor of 4 or more.
    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    labels = dict(labels or {})
    groups = [name for name in _strategies(points) if name in set(points[by])] if by == "strategy" else sorted(
        set(points[by])
    )  # fmt: skip
    xs, ys = sorted(set(points[x])), sorted(set(points[y]))
    with style():
        fig = Figure(figsize=(1.2 + 3.3 * len(groups), 0.6 + 2.9 * len(metrics)), layout="constrained")
        axes = fig.subplots(len(metrics), len(groups), squeeze=False)
        for row, metric in zip(axes, metrics, strict=True):
            low, high = float(points[metric].min()), float(points[metric].max())
            # a metric spanning a factor of 4 or more (refreshes per expiry: 1 to 8) on a log scale, so that the
            # largest cell does not wash out the others; a narrower one on a linear scale
            norm = LogNorm(low, high) if low > 0 and high >= 4 * low else Normalize(low, high)
            for ax, group in zip(row, groups, strict=True):
                mine = points[points[by] == group]
                grid = mine.pivot_table(index=y, columns=x, values=metric).reindex(index=ys, columns=xs)
                image = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", norm=norm, origin="lower", aspect="auto")
                half = (
                    mine.pivot_table(index=y, columns=x, values=f"{metric}_ci").reindex(index=ys, columns=xs)
                    if f"{metric}_ci" in mine
                    else None
                )
                for i, y_value in enumerate(ys):
                    for j, x_value in enumerate(xs):
                        value = grid.loc[y_value, x_value]
                        text = f"{value:.3g}" + (f"\n± {half.loc[y_value, x_value]:.2g}" if half is not None else "")
                        dark = high > low and norm(value) > 0.6
                        ax.text(j, i, text, ha="center", va="center", fontsize=7.5, color="white" if dark else "black")
                ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
                ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
                ax.set_xlabel(labels.get(x, column_label(x)))
                ax.set_ylabel(labels.get(y, column_label(y)))
                ax.set_title(f"{STRATEGY_LABELS.get(group, group)}\n{labels.get(metric, column_label(metric))}",
                             fontsize=9)  # fmt: skip
                ax.grid(False)
            label = labels.get(metric, column_label(metric))
            bar = fig.colorbar(image, ax=list(row), shrink=0.85, label=label)
            if isinstance(norm, LogNorm):  # plain numbers at 1, 2, 4, ... rather than 2 x 10^0
                bar.set_label(f"{label} (log scale)")
                bar.ax.yaxis.set_major_locator(LogLocator(base=2))
                bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
                bar.ax.yaxis.set_minor_formatter(NullFormatter())
        if title:
            fig.suptitle(title, fontsize=10)
    return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "sweep_heatmap",
        "A sweep's surface: concurrency x access lifetime",
        "scenarios/sweeps/architect.toml (240 runs: python -m sim sweep): refresh calls per expiry and p99 latency "
        "over the calls a page fires at once and the access lifetime, one column per strategy, mean of 5 seeds "
        "with its 95 % half-width. naive's amplification grows with the page; a lock keeps it at 1.",
        sweep_heatmap_data,
        fig_sweep_heatmap,
        ("07-sensitivity",),
        options={
            "x": "concurrency",
            "y": "access_ttl_s",
            "metrics": SWEEP_METRICS,
            "labels": {
                "concurrency": "API calls a page fires at once",
                "access_ttl_s": "access-token lifetime (s)",
                "refresh_amplification": "refresh calls per expiry",
                "latency_p99_s": "p99 latency (s)",
            },
            "title": "scenarios/sweeps/architect.toml: 100 users, 2 auth workers, 30 min; mean of 5 seeds ± 95 % "
            "half-width",
        },
    ),
)

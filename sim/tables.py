"""The tables the command line prints: metrics down, clients across.

Each column is one client (a preset, plus any policy field set otherwise);
its first rows are the policy fields it resolved to, the rest its metrics.
Counts print as whole numbers, times and ratios with three decimals; over
replications each cell is ``mean ± half-width`` of a 95 % confidence
interval, counts with one decimal (a mean of counts is seldom whole).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .client import Client
from .client.composition import flat_defaults, value_text
from .metrics import CLIENT_KEYS
from .parts import flat_fields

TABLE_ROWS = (
    "requests", "requests_ok", "requests_failed", "refresh_calls", "refresh_calls_ok", "refresh_calls_rejected",
    "refresh_attempts", "refresh_timeouts", "rate_limited", "proactive_refreshes", "reuse_detected",
    "families_revoked", "refresh_amplification", "unauthorized_responses", "expired_on_arrival", "logouts",
    "latency_p50_s", "latency_p95_s", "latency_p99_s", "latency_max_s",
    "expiry_requests", "expiry_latency_p95_s", "clear_latency_p95_s", "refresh_latency_p99_s",
    "auth_peak_in_flight", "refresh_peak_per_s", "auth_load_peak_to_mean", "recovery_s", "store_ops",
    "store_peak_per_s", "sim_time_s", "wall_time_s",
)  # fmt: skip
# rows whose values are counts: no decimals for one run
COUNT_ROWS = {
    "requests", "requests_ok", "requests_failed", "refresh_calls", "refresh_calls_ok", "refresh_calls_rejected",
    "proactive_refreshes", "reuse_detected", "families_revoked", "unauthorized_responses", "expired_on_arrival",
    "logouts", "expiry_requests", "auth_peak_in_flight", "refresh_peak_per_s", "refresh_attempts",
    "refresh_timeouts", "rate_limited", "store_ops", "store_peak_per_s",
}  # fmt: skip
REPLICATED_ROWS = tuple(key for key in TABLE_ROWS if key != "wall_time_s")


def policy_rows(table: pd.DataFrame) -> list[str]:
    """The client's flat keys to show: every one some client reads (a mode's parameter only if some
    client has that mode), but the quiet ones (timeouts, what happens when a refresh fails, ...) only if
    some client sets them otherwise than the article."""
    defaults = flat_defaults()
    quiet = {f.name for f in flat_fields(Client) if f.metadata.get("quiet")}
    rows = []
    for name in CLIENT_KEYS:
        values = [value for value in table[name] if not _missing(value)]
        if not values or (name in quiet and all(value == defaults[name] for value in values)):
            continue
        rows.append(name)
    return rows


def _missing(value: Any) -> bool:
    """A key the client does not read: ``None`` (``NaN`` once replications are grouped)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def metric_rows(table: pd.DataFrame) -> list[str]:
    """The metrics to show: all, but those only faults make (timeouts, 429s, recovery) only when some
    column has one, the session store's only when some client is a BFF, and the refresh
    tries only when they differ from the calls the server saw."""
    hidden = {
        key for key in ("refresh_timeouts", "rate_limited", "store_ops", "store_peak_per_s") if (table[key] == 0).all()
    }
    if table["recovery_s"].isna().all():
        hidden.add("recovery_s")
    if (table["refresh_attempts"] == table["refresh_calls"]).all():
        hidden.add("refresh_attempts")
    return [key for key in TABLE_ROWS if key not in hidden]


def format_table(table: pd.DataFrame) -> str:
    """One run per column (``summary_table``'s rows)."""

    def cell(value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool | str | tuple):
            return value_text(value)
        if isinstance(value, float):
            return "-" if math.isnan(value) else f"{value:,.3f}"
        return f"{value:,}"

    rows = [*policy_rows(table), *metric_rows(table)]
    shown = pd.DataFrame({row["strategy"]: [cell(row[key]) for key in rows] for _, row in table.iterrows()})
    shown.index = rows
    return shown.to_string()


def format_confidence_table(table: pd.DataFrame) -> str:
    """One client per column, each metric ``mean ± half-width`` over its replications."""

    def cell(key: str, mean: float, half: float) -> str:
        if math.isnan(mean):
            return "-"
        digits = 1 if key in COUNT_ROWS else 3
        if math.isnan(half):
            return f"{mean:,.{digits}f}"
        if key in COUNT_ROWS and half == 0 and mean.is_integer():  # every seed gave the same count
            return f"{mean:,.0f} ± 0"
        return f"{mean:,.{digits}f} ± {half:,.{digits}f}"

    policy, metrics = policy_rows(table), [key for key in metric_rows(table) if key in REPLICATED_ROWS]
    shown = pd.DataFrame(
        {
            row["strategy"]: ["-" if _missing(row[name]) else value_text(row[name]) for name in policy]
            + [cell(key, row[key], row[f"{key}_ci"]) for key in metrics]
            for _, row in table.iterrows()
        }
    )
    shown.index = [*policy, *metrics]
    return shown.to_string()

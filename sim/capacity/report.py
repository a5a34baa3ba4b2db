"""The model's answers as a table: one column per client, one row per answer, units in the row's name."""

from __future__ import annotations

import math

import pandas as pd

from .model import Capacity

# answer key -> (row label, format)
ANSWER_ROWS = {
    "users": ("users", "{:,.0f}"),
    "logins": ("logins", "{}"),
    "holders": ("token holders (browsers, or tabs with their own)", "{:,.0f}"),
    "calls_per_expiry": ("refresh calls per expiry (measured)", "{:.2f}"),
    "mean_cycle_s": ("mean refresh cycle, s", "{:,.1f}"),
    "steady_refresh_per_s": ("steady refresh rate, calls/s", "{:,.1f}"),
    "mean_refresh_per_s": ("mean refresh rate over the run, calls/s", "{:,.1f}"),
    "peak_refresh_per_s": ("peak refresh rate (busiest bin), calls/s", "{:,.1f}"),
    "peak_to_mean": ("peak / mean", "{:.2f}"),
    "workers": ("auth workers", "{}"),
    "utilisation_mean": ("utilisation, mean", "{:.1%}"),
    "utilisation_peak": ("utilisation, busiest second (logins too)", "{:.1%}"),
    "p95_wait_s": ("p95 refresh wait, s", "{:.3f}"),
    "backlog_peak": ("most calls waiting beyond the workers (fluid)", "{:,.0f}"),
    "drain_s": ("time for that backlog to clear, s", "{:,.0f}"),
    "workers_needed": ("workers for the target p95 wait over the run", "{:,.0f}"),
    "workers_for_peak": ("workers for the target p95 wait in the busiest second", "{:,.0f}"),
}


def answers_table(results: list[Capacity]) -> pd.DataFrame:
    """Rows: the answers (``ANSWER_ROWS``); columns: the clients, as printed."""
    columns = {}
    for result in results:
        answers = result.answers
        columns[answers["client"]] = [_cell(key, answers.get(key), fmt) for key, (_, fmt) in ANSWER_ROWS.items()]
    return pd.DataFrame(columns, index=[label for label, _ in ANSWER_ROWS.values()])


def _cell(key: str, value: object, fmt: str) -> str:
    if value is None:
        return "unbounded" if key == "workers" else "-"
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "never (saturated)"
    return fmt.format(value)


def format_answers(results: list[Capacity]) -> str:
    """The header line (scenario, duration, target) and the table."""
    first = results[0]
    scenario, settings = first.scenario, first.settings
    workload = scenario.workload
    head = (
        f"capacity model: {scenario.name}, {workload.users:,} users x {workload.tabs} tab(s), a page every "
        f"{1 / workload.page_rate_per_s:,.0f} s per tab ({workload.concurrency} requests), access token "
        f"{scenario.tokens.access_ttl_s:,} s, {workload.duration_s:,.0f} s; target p95 refresh wait "
        f"{settings.target_p95_wait_s:g} s, busiest bin {settings.peak_bin_s:g} s"
    )
    notes = [f"beyond the model, {r.answers['client']}: {r.answers['beyond_the_model']}" for r in results
             if r.answers.get("beyond_the_model")]  # fmt: skip
    return "\n".join([head, answers_table(results).to_string(), *notes])

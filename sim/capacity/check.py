"""The capacity model against the simulation, on the same inputs.

For each population size, client and login shape, the model is computed and
the simulation run on one scenario, and three numbers compared: the mean
refresh rate (calls reaching the auth server before the workload ends,
over its duration), the peak of 10-second bins (the model's *expected*
busiest bin, chance included, against the run's busiest), and the p95
refresh wait (a refresh call's time between reaching the auth server and a
worker picking it up). With few users one run is a noisy measure of both
(a thousand users' p95 wait moves by 15 % from seed to seed, ten
thousand users' by 10 %): up to a thousand users the simulation runs 8
seeds, up to ten thousand 3, and the busiest bin is their mean, the p95
that of all their calls together.

The auth server is a slow one (0.5 s a call, exponential), with the fewest
workers that keep the model's busiest 10-second bin of refreshes at 90 %
utilisation or less: busy enough that calls wait, not so busy that the
queue is saturated, where the model gives a backlog and not a steady p95
(and the simulation's waits depend on how the queue feeds back into the
timing of the next wave, which the model leaves out).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario import Scenario
from .model import capacity
from .settings import CapacitySettings

CHECK_CLIENTS = {
    "naive": {"client": "naive"},
    "locked": {"client": "locked"},
    "proactive+jitter": {"client": "locked", "proactive": "on-use", "margin_s": 60.0, "margin_jitter_s": 60.0},
}
CHECK_LOGINS = ("uniform", "synchronized")
CHECK_BASE = {
    "kind": "steady", "access_ttl_s": 300, "duration_s": 1200.0, "page_rate_per_s": 0.01, "concurrency": 3,
    "auth_service_s": 0.5, "service_distribution": "exponential",
}  # fmt: skip
BUSIEST = 0.9  # the workers keep the busiest bin at this utilisation or less
TOLERANCE = {"mean": 0.02, "peak": 0.10, "p95": 0.15}
SEEDS = {1_000: 8, 10_000: 3}  # with few users, several seeds (fewer than 1,000: 8; more than 10,000: 1)


@dataclass(frozen=True)
class Case:
    users: int
    client: str
    logins: str

    def scenario(self, seed: int = 1) -> Scenario:
        return Scenario(name="capacity check").with_(
            CHECK_BASE, **CHECK_CLIENTS[self.client], users=self.users, synchronized=self.logins == "synchronized",
            seed=seed,
        )  # fmt: skip


def cases(users: Iterable[int]) -> list[Case]:
    return [Case(n, client, logins) for n in users for client in CHECK_CLIENTS for logins in CHECK_LOGINS]


def check_case(case: Case, seeds: int | None = None) -> dict:
    """One row of the comparison: the model's numbers, the simulation's, and whether each is within tolerance."""
    from ..experiment import run  # noqa: PLC0415

    settings = CapacitySettings()
    probe = capacity(case.scenario(), settings)
    peak_load = float(probe.peak_bins().max()) / settings.peak_bin_s * CHECK_BASE["auth_service_s"]
    workers = max(1, math.ceil(peak_load / BUSIEST))
    model = capacity(case.scenario().with_(auth_capacity=workers), settings).answers
    seeds = seeds or next((n for most, n in SEEDS.items() if case.users <= most), 1)
    means, peaks, waits = [], [], []
    for seed in range(1, seeds + 1):
        result = run(case.scenario(seed).with_(auth_capacity=workers))
        refreshes = result.refreshes
        arrived = refreshes["arrived_s"].to_numpy(float)
        inside = arrived < CHECK_BASE["duration_s"]
        means.append(inside.sum() / CHECK_BASE["duration_s"])
        peaks.append(np.bincount(np.floor(arrived[inside] / settings.peak_bin_s).astype(np.int64)).max())
        waits.append((refreshes["started_s"] - refreshes["arrived_s"]).to_numpy(float))
    sim_p95 = float(np.quantile(np.concatenate(waits), 0.95))
    row = {
        "users": case.users, "client": case.client, "logins": case.logins, "workers": workers, "seeds": seeds,
        "mean_model": model["mean_refresh_per_s"], "mean_sim": float(np.mean(means)),
        "peak_model": model["peak_bin_calls"], "peak_sim": float(np.mean(peaks)),
        "p95_model": model["p95_wait_s"], "p95_sim": sim_p95,
        "utilisation_peak": model["utilisation_peak"],
    }  # fmt: skip
    for name, share in TOLERANCE.items():
        row[f"{name}_error"] = _relative(row[f"{name}_model"], row[f"{name}_sim"])
        row[f"{name}_ok"] = bool(abs(row[f"{name}_error"]) <= share)
    return row


def _relative(model: float, sim: float) -> float:
    if sim == 0:
        return 0.0 if model == 0 else math.inf
    return (model - sim) / sim


def cross_check(
    users: Iterable[int], seeds: int | None = None, each: Callable[[dict], None] | None = None
) -> pd.DataFrame:
    """Every case at every population size: one row each (``each(row)`` as each is done)."""
    rows = []
    for case in cases(users):
        rows.append(check_case(case, seeds))
        if each:
            each(rows[-1])
    return pd.DataFrame(rows)


def format_check(table: pd.DataFrame) -> str:
    """The comparison as a table: model / simulation and the relative difference, a mark past tolerance."""
    return "\n".join([CHECK_HEADER, *(check_line(row) for row in table.to_dict("records")), check_footer()])


CHECK_HEADER = (
    f"{'users':>7} {'client':<17}{'logins':<13}{'workers':>7}  {'mean refresh/s':<26}{'peak of 10 s':<24}p95 wait (s)"
)


def check_line(row: dict) -> str:
    """One case: model / simulation and their difference for each of the three numbers."""
    cells = [_cell(row, name, fmt) for name, fmt in (("mean", "{:.2f}"), ("peak", "{:.0f}"), ("p95", "{:.3f}"))]
    return (
        f"{row['users']:>7,} {row['client']:<17}{row['logins']:<13}{row['workers']:>7}  "
        f"{cells[0]:<26}{cells[1]:<24}{cells[2]}"
    )


def check_footer() -> str:
    tolerances = ", ".join(f"{name} {share:.0%}" for name, share in TOLERANCE.items())
    return f"model / simulation, difference; ! past tolerance ({tolerances})"


def _cell(row: dict, name: str, fmt: str) -> str:
    """``model / simulation +difference``, and `` !`` past tolerance."""
    mark = "" if row[f"{name}_ok"] else " !"
    model, sim = fmt.format(row[f"{name}_model"]), fmt.format(row[f"{name}_sim"])
    return f"{model} / {sim} {row[f'{name}_error']:+.1%}{mark}"


def against_run(scenario: Scenario, settings: CapacitySettings | None = None) -> pd.DataFrame:
    """The model's refresh calls a second beside one run's, per peak bin (``time_s``: the bin's start):
    columns ``model_per_s`` and ``simulation_per_s``."""
    from ..experiment import run  # noqa: PLC0415

    settings = settings or CapacitySettings()
    model = capacity(scenario, settings)
    bins = model.peak_bins()
    arrived = run(scenario).refreshes["arrived_s"].to_numpy(float)
    counts = np.bincount(np.floor(arrived / settings.peak_bin_s).astype(np.int64), minlength=len(bins))[: len(bins)]
    return pd.DataFrame(
        {
            "time_s": model.peak_bins_start_s(),
            "model_per_s": bins / settings.peak_bin_s,
            "simulation_per_s": counts / settings.peak_bin_s,
        }
    )

"""The capacity model, put together: a population's refresh load over time and what it needs.

``capacity(scenario)`` takes a steady workload (users, tabs, pages, a
client, token lifetimes, the auth server's workers and service time) and
computes, without simulating anyone:

- the refresh calls reaching the auth server over time, from the logins
  and one holder's refresh cycle (``waves.py``, ``cycle.py``), times the
  calls each expiry costs the client (``amplification.py``, measured on
  the simulation's own client in a small run);
- the answers an architect asks for: mean and peak refresh rate and their
  ratio, the workers' utilisation, the p95 refresh wait, the backlog and
  its drain time if a peak is more than the workers can take, and the
  workers needed for a target p95 wait (``queue.py``).

The cost does not depend on the number of users: every array is over time
steps, and users only scale them. A population the model cannot describe
is refused, pointing to the simulation (``refuse_undescribable``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..arrivals import login_window_s
from ..extras import scipy_stats
from ..fields import ConfigError
from ..scenario import Scenario
from . import queue, waves
from .amplification import Amplification, amplification
from .cycle import Cycle, refresh_cycle
from .settings import CapacitySettings

QUEUE_STEP_S = 1.0  # the queue sees the load in steps of this long (each its own steady state)
SIM = "use the simulation (python -m sim run) for it"


@dataclass(frozen=True)
class Capacity:
    """The model's answer for one scenario: the load over time (``time_s``, ``refresh_per_s``,
    ``login_per_s``, on the model's steps) and the headline numbers (``answers``)."""

    scenario: Scenario
    settings: CapacitySettings
    cycle: Cycle
    amplification: Amplification
    time_s: np.ndarray
    refresh_per_s: np.ndarray
    login_per_s: np.ndarray
    answers: dict[str, Any] = field(default_factory=dict)

    def peak_bins(self) -> np.ndarray:
        """Refresh calls in each bin of ``peak_bin_s`` (the expected count)."""
        dt = self.settings.step_s
        return waves.binned(self.refresh_per_s * dt, dt, self.settings.peak_bin_s)

    def peak_bins_start_s(self) -> np.ndarray:
        """Where each of ``peak_bins`` starts, s."""
        return np.arange(len(self.peak_bins())) * self.settings.peak_bin_s


def capacity(scenario: Scenario, settings: CapacitySettings | None = None) -> Capacity:
    """The capacity model of ``scenario`` (see the module docstring)."""
    settings = settings or CapacitySettings()
    refuse_undescribable(scenario, settings)
    dt = settings.step_s
    workload, latencies = scenario.workload, scenario.latencies
    steps = int(round(workload.duration_s / dt))
    if steps > 20_000_000:
        raise ConfigError("duration_s", workload.duration_s, f"is over 20,000,000 steps of {dt:g} s: raise step_s")
    cycle = refresh_cycle(scenario, dt)
    amp = amplification(scenario)
    holders = workload.users * cycle.holders_per_user
    shape = login_shape(scenario, settings)
    arriving = waves.logins(shape, login_window_s(workload, scenario.tokens), latencies.rtt_s / 2, dt)
    login_calls = _padded(arriving, steps) * holders
    issued = _issued(login_calls, scenario, dt) / holders
    refreshes = waves.renewals(issued, cycle.pmf, steps) * holders * amp.calls_per_expiry
    result = Capacity(scenario, settings, cycle, amp, np.arange(steps) * dt, refreshes / dt, login_calls / dt)
    result.answers.update(_answers(result, shape))
    return result


def login_shape(scenario: Scenario, settings: CapacitySettings) -> str:
    if settings.logins is not None:
        return settings.logins
    return "synchronized" if scenario.workload.synchronized else "uniform"


def refuse_undescribable(scenario: Scenario, settings: CapacitySettings) -> None:
    """A ``ConfigError`` for a population the model cannot describe, saying why and where to go instead."""
    workload, client = scenario.workload, scenario.client
    if workload.kind != "steady":
        what = "a trace replays each user's own times" if workload.kind == "trace" else "a burst is one moment"
        raise ConfigError("workload", workload.kind, f"the capacity model needs the steady workload ({what}): {SIM}")
    for one in dataclasses.fields(scenario.faults):
        value = getattr(scenario.faults, one.name)
        if value != one.default:
            shown = [":".join(f"{part:g}" if isinstance(part, float) else str(part) for part in v) for v in value] \
                if isinstance(value, tuple) else value  # fmt: skip
            raise ConfigError(one.name, shown, f"faults set off retries and overload that feed on themselves: {SIM}")
    if scenario.clocks.skewed:
        raise ConfigError("clock_offset_s", scenario.clocks.clock_offset_s, f"the model takes clocks as right: {SIM}")
    if client.tier.bff:
        raise ConfigError("tier", "bff", f"a BFF's instances and session store are not in the model: {SIM}")
    if scenario.browser.limited:
        raise ConfigError("max_connections", scenario.browser.max_connections,
                          f"the browser's limits are not in the model: {SIM}")  # fmt: skip
    if workload.pages_from_s:
        raise ConfigError("pages_from_s", workload.pages_from_s, f"the model's users load pages from login: {SIM}")
    if workload.relogin_after_s is not None:
        raise ConfigError("relogin_after_s", workload.relogin_after_s, f"logouts are not in the model: {SIM}")
    if client.flat().get("xfetch_beta"):
        raise ConfigError("xfetch_beta", client.flat()["xfetch_beta"], f"XFetch is not in the model: {SIM}")
    if scenario.capacities.api_capacity:
        raise ConfigError("api_capacity", scenario.capacities.api_capacity,
                          f"the API's queue (it delays the 401s) is not in the model: {SIM}")  # fmt: skip
    if scenario.capacities.event_loop:
        raise ConfigError("auth_cpu_s", scenario.capacities.auth_cpu_s, f"one event loop is not in the model: {SIM}")
    if settings.logins == "synchronized" and workload.login_window_s is not None:
        raise ConfigError("logins", "synchronized", "logs everyone in at 0: give no login_window_s")


def _padded(values: np.ndarray, steps: int) -> np.ndarray:
    out = np.zeros(steps)
    out[: min(steps, len(values))] = values[:steps]
    return out


def _issued(login_calls: np.ndarray, scenario: Scenario, dt: float) -> np.ndarray:
    """When the logins' tokens are issued: when a worker picks each login up (the fluid queue's output)."""
    workers = scenario.capacities.auth_capacity
    if not workers:
        return login_calls
    waiting = queue.fluid_backlog(login_calls, workers / scenario.latencies.auth_service_s * dt, dt).waiting
    before = np.concatenate([[0.0], waiting[:-1]])
    return login_calls + before - waiting


def _answers(result: Capacity, shape: str) -> dict[str, Any]:
    scenario, settings, amp = result.scenario, result.settings, result.amplification
    workload, latencies = scenario.workload, scenario.latencies
    dt = settings.step_s
    duration_s = workload.duration_s
    calls = result.refresh_per_s * dt
    logins = result.login_per_s * dt
    mean = float(calls.sum() / duration_s)
    bins = result.peak_bins()
    peak = float(bins.max() / settings.peak_bin_s) if len(bins) else 0.0
    holders = workload.users * result.cycle.holders_per_user
    steady = holders * amp.calls_per_expiry / result.cycle.mean_s
    per_step = max(1, round(QUEUE_STEP_S / dt))
    q_calls, q_logins = waves.binned(calls, dt, per_step * dt), waves.binned(logins, dt, per_step * dt)
    q_dt = per_step * dt
    exponential = latencies.service_distribution == "exponential"
    sizing = (latencies.auth_service_s, exponential, q_dt, amp.batch_pmf, settings.target_p95_wait_s)
    needed = queue.workers_needed(q_calls, q_logins, *sizing) if calls.sum() and latencies.auth_service_s else 0
    busiest = int(np.argmax(q_calls)) if len(q_calls) else 0
    at_peak = queue.workers_needed(
        q_calls[busiest : busiest + 1], q_logins[busiest : busiest + 1], *sizing, steady=True
    ) if needed else 0  # fmt: skip
    answers: dict[str, Any] = {
        "client": scenario.strategy,
        "users": workload.users,
        "logins": shape,
        "holders": holders,
        "calls_per_expiry": amp.calls_per_expiry,
        "mean_cycle_s": result.cycle.mean_s,
        "mean_refresh_per_s": mean,
        "steady_refresh_per_s": steady,
        "peak_refresh_per_s": peak,
        "peak_to_mean": peak / mean if mean else math.nan,
        "peak_bin_calls": expected_peak(bins, amp),
        "workers": scenario.capacities.auth_capacity or None,
        "utilisation_mean": math.nan,
        "utilisation_peak": math.nan,
        "p95_wait_s": 0.0,
        "backlog_peak": 0.0,
        "drain_s": 0.0,
        "target_p95_wait_s": settings.target_p95_wait_s,
        "workers_needed": needed,
        "workers_for_peak": at_peak,
        "beyond_the_model": "",
    }
    workers = scenario.capacities.auth_capacity
    if workers and latencies.auth_service_s > 0:
        server = queue.Server(workers, latencies.auth_service_s, exponential)
        load = (q_calls + q_logins) / q_dt * latencies.auth_service_s / workers
        backlog = queue.fluid_backlog(q_calls + q_logins, server.per_s * q_dt, q_dt)
        answers.update(
            utilisation_mean=float((mean + logins.sum() / duration_s) * latencies.auth_service_s / workers),
            utilisation_peak=float(load.max()),
            p95_wait_s=queue.p95_wait_s(q_calls, q_logins, server, q_dt, amp.batch_pmf) if calls.sum() else 0.0,
            backlog_peak=backlog.peak,
            drain_s=backlog.drain_s,
        )
        answers["beyond_the_model"] = _beyond(scenario, max(answers["p95_wait_s"], backlog.peak / server.per_s))
    return answers


def _beyond(scenario: Scenario, longest_wait_s: float) -> str:
    """Why the answers no longer hold, if they don't: calls that wait past the client's refresh timeout
    are tried again, and the tries are load the model does not count (overload that feeds itself)."""
    timeout_s = scenario.client.flat().get("refresh_timeout_s") or 0.0
    if timeout_s and longest_wait_s >= timeout_s:
        return (
            f"calls wait up to {longest_wait_s:,.1f} s, past the client's refresh timeout of {timeout_s:g} s: its "
            f"retries and logouts are load and losses the model leaves out; {SIM}"
        )
    return ""


def expected_peak(bins: np.ndarray, amp: Amplification) -> float:
    """The expected most calls in one bin, counting the chance in arrivals: each bin's count is
    (nearly) a compound Poisson variable, its variance the mean times E[X^2]/E[X] for batch sizes X.

    The fluid peak is the most calls *expected* in a bin; with few users the busiest of many bins is
    busier than that by chance, and this is what a run's busiest bin should be near."""
    stats = scipy_stats("model", "capacity", "the capacity model")

    if not len(bins) or bins.max() <= 0:
        return 0.0
    batch = np.asarray(amp.batch_pmf)
    sizes = np.arange(len(batch))
    index = float(np.dot(sizes**2, batch) / np.dot(sizes, batch))
    top = float(bins.max())
    near = bins[bins + 8 * np.sqrt(bins * index) >= top]
    # bins of nearly the same mean taken together (a flat day is thousands of equal bins): Phi^k
    step = 0.02 * math.sqrt(max(float(near.min()), 1.0) * index)
    means, counts = np.unique(np.round(near / step) * step, return_counts=True)
    spread = np.sqrt(np.maximum(means, 1e-12) * index)
    x = np.linspace(max(top - 1, 0.0), top + 8 * float(spread.max()) + 1, 2001)
    below = (stats.norm.logcdf((x[:, None] - means[None, :]) / spread[None, :]) * counts).sum(axis=1)
    return float(x[0] + np.trapezoid(1 - np.exp(below), x))

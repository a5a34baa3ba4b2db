"""From records to numbers: every metric is computed after the run.

Per-event values (a request's latency, a refresh call) are rows of a
DataFrame. Time-weighted values (how many calls the auth server holds over
time) are step functions built from the call records' arrival and answer
times. Nothing here touches the simulation.

The summary's keys, and what they mean:

=========================  ===================================================
``strategy``               the named client, plus any field set otherwise
``single_flight`` ...      the client's flat values: each part's mode and the
                           parameters it reads (``max_retries``,
                           ``late_401_check``, ``storage``, ...); ``None``
                           for a parameter its mode does not read
``requests``               requests the app made
``requests_ok``            ... that ended with a 200
``requests_failed``        ... that did not (``unauthorized``, ``logged_out``, or
                           ``failed``: no answer in time, a 5xx, or a refresh
                           whose tries ran out while the session was kept)
``refresh_calls``          POST /refresh-token calls sent
``refresh_calls_ok``       ... answered 200
``refresh_calls_rejected`` ... answered 401
``refresh_attempts``       refresh tries the clients made, retries included
                           (a try abandoned in the browser's queue never
                           reaches the server: it counts here only)
``refresh_timeouts``       ... that got no answer: timed out, reset by a silent
                           outage, or lost on the way back
``rate_limited``           refresh calls the auth server's rate limit turned
                           away (429)
``proactive_refreshes``    refreshes a client started before any 401 asked for
                           one (its margin, timer or background refresh), each
                           of one try or more; counted even if every try timed
                           out in the browser's line (no call reached the server)
``reuse_detected``         invalidated refresh tokens presented again outside
                           any allowance, with reuse detection on
``families_revoked``       logins whose refresh tokens were all revoked for it
``unauthorized_responses`` 401s the API sent back
``expired_on_arrival``     ... of them for an access token that had expired
                           by the time the API checked it
``logouts``                users sent to the login page by a failed refresh
``latency_pNN_s``          percentiles of successful requests' latency
                           (from the app's ask to its final answer)
``refresh_latency_p99_s``  p99 of refresh calls' round trips (sent to
                           answered), queue at the auth server included
``auth_peak_in_flight``    most refresh calls the auth server held at once
                           (arrived, not yet answered; logins not counted)
``refresh_peak_per_s``     most refresh calls that reached the auth server
                           in one second (whole seconds of the clock)
``auth_load_peak_to_mean`` that peak over the mean per second, from the
                           first refresh to the last: 1 is perfectly even
                           load; a herd that refreshes together is far above
``recovery_s``             seconds from the end of the last fault window
                           (outage or brownout) until the auth server's
                           backlog (refresh calls arrived, not yet answered;
                           5 s means) is first back at or below its peak
                           before the first fault, after its highest point in
                           the minute after the window; NaN (``null`` in JSON)
                           if it is not back before a steady workload ends (or
                           the records end), or if there was no fault
``refresh_amplification``  refresh calls per expired access token that set
                           off at least one refresh (1.0 is ideal)
``expiry_requests``        requests that met an expiry (got a 401, or waited
                           for a refresh)
``expiry_latency_p95_s``   p95 latency of those; ``clear_latency_p95_s`` of
                           the others
``store_ops``              a BFF's operations on its session store: each
                           request's read, the lock's tries and deletes,
                           each login's and refresh's write (0 without one)
``store_peak_per_s``       most of them in one second (whole seconds)
=========================  ===================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .client import Client
from .client.composition import flat_keys
from .extras import scipy_stats

CLIENT_KEYS = flat_keys()  # the client's flat keys, as the summary gives them
SUMMARY_KEYS = (
    "strategy", *CLIENT_KEYS, "requests", "requests_ok", "requests_failed", "refresh_calls", "refresh_calls_ok",
    "refresh_calls_rejected", "refresh_attempts", "refresh_timeouts", "rate_limited", "proactive_refreshes",
    "reuse_detected", "families_revoked", "unauthorized_responses", "expired_on_arrival", "logouts",
    "latency_p50_s", "latency_p95_s", "latency_p99_s", "latency_max_s", "refresh_latency_p99_s",
    "auth_peak_in_flight", "refresh_peak_per_s", "auth_load_peak_to_mean", "recovery_s", "refresh_amplification",
    "expiry_requests", "expiry_latency_p95_s", "clear_latency_p95_s", "store_ops", "store_peak_per_s", "sim_time_s",
    "wall_time_s", "seed",
)  # fmt: skip


def met_expiry(requests: pd.DataFrame) -> pd.Series:
    """Requests that met an expiry: got a 401, or waited for a refresh."""
    return (requests["unauthorized"] > 0) | (requests["held_s"] > 0)


def with_latency(requests: pd.DataFrame) -> pd.DataFrame:
    """Add ``latency_s`` and ``met_expiry`` columns to a requests frame."""
    return requests.assign(latency_s=requests["finished_s"] - requests["created_s"], met_expiry=met_expiry(requests))


def in_flight(calls: pd.DataFrame) -> pd.DataFrame:
    """Calls held by a server over time, from their ``arrived_s`` and ``served_s``.

    One row per change: ``time_s`` and ``in_flight`` from then on. At equal
    times an answer counts before an arrival (they did not overlap).
    """
    times = np.concatenate([calls["served_s"].to_numpy(float), calls["arrived_s"].to_numpy(float)])
    steps = np.concatenate([-np.ones(len(calls), dtype=int), np.ones(len(calls), dtype=int)])
    order = np.lexsort((steps, times))
    counts = np.cumsum(steps[order])
    frame = pd.DataFrame({"time_s": times[order], "in_flight": counts})
    frame = frame.groupby("time_s", as_index=False).last()
    return pd.concat([pd.DataFrame({"time_s": [0.0], "in_flight": [0]}), frame], ignore_index=True)


def refresh_amplification(refreshes: pd.DataFrame) -> float:
    """Refresh calls per expired access token that set off any refresh."""
    episodes = refreshes.drop_duplicates(["session", "trigger"]).shape[0]
    return len(refreshes) / episodes if episodes else math.nan


def refresh_load_per_second(refreshes: pd.DataFrame) -> tuple[int, float]:
    """The most refresh calls reaching the auth server in one whole second, and the mean per second from the
    first one's second to the last one's (seconds with none included); (0, NaN) for no refreshes.

    The window starts at the first refresh, not at 0: the logins of a run
    are no refreshes, and the quiet first lifetime would only dilute the mean.
    Counted per second that has any, not second by second: two refreshes a
    fault window of 1e9 s apart cost two counts, not an array of 1e9.
    """
    seconds = np.floor(refreshes["arrived_s"].to_numpy(float)).astype(np.int64)
    if not len(seconds):
        return 0, math.nan
    peak = int(np.unique(seconds, return_counts=True)[1].max())
    return peak, len(seconds) / float(seconds.max() - seconds.min() + 1)


def binned_mean(steps: pd.DataFrame, bin_s: float, end_s: float) -> tuple[np.ndarray, np.ndarray]:
    """The time-weighted mean of a step function (``in_flight``'s frame) over bins of ``bin_s`` from 0
    to ``end_s``: (the bins' starts, the means)."""
    edges = np.arange(0.0, end_s + bin_s, bin_s)
    return edges[:-1], np.diff(_integral_at(steps, edges)) / bin_s


def bin_means(steps: pd.DataFrame, bin_s: float, bins: np.ndarray) -> np.ndarray:
    """``binned_mean``'s means of the bins numbered ``bins`` only (bin k runs from k * bin_s): the same
    numbers, without the bins in between (a fault window ending at 1e9 s is 2e8 bins)."""
    return (_integral_at(steps, (bins + 1) * bin_s) - _integral_at(steps, bins * bin_s)) / bin_s


def _integral_at(steps: pd.DataFrame, at_s: np.ndarray) -> np.ndarray:
    """The integral of a step function from 0 to each of ``at_s``: exact, as it is piecewise linear."""
    times, counts = steps["time_s"].to_numpy(float), steps["in_flight"].to_numpy(float)
    integral = np.concatenate([[0.0], np.cumsum(counts[:-1] * np.diff(times))])
    at = np.interp(at_s, times, integral)
    beyond = at_s > times[-1]
    at[beyond] = integral[-1] + counts[-1] * (at_s[beyond] - times[-1])
    return at


RECOVERY_BIN_S = 5.0  # the backlog is compared as its average over bins this long
RECOVERY_HORIZON_S = 60.0  # the retries a fault sets off arrive within this long of its end


def recovery_s(refreshes: pd.DataFrame, windows: list[tuple[float, float]], workload_end_s: float) -> float:
    """How long after the last fault window the auth server's backlog took to come back.

    The backlog is the refresh calls the server holds (``in_flight``),
    averaged over 5 s bins so that a moment's noise does not count. Its
    level before the faults is the highest bin before the first window
    opened. After the last window ends, the backlog may climb (the retries
    arrive) before it falls: the answer is the time from the window's end to
    the first bin, after the backlog's highest bin in the minute after the
    window (later peaks are the ordinary ups and downs of load), that is
    back at or below the level (0 if it never rose above it). NaN if it is not
    back before a steady workload ends (or the records end), or if there
    was no fault window.

    Only the bins that can matter are averaged: after the last record the backlog stays as it was, so a
    window that ends long after the run's last event costs no more than one that ends with it.
    """
    if not windows or refreshes.empty:
        return math.nan
    bin_s = RECOVERY_BIN_S
    first_start = min(start for start, _ in windows)
    fault_end = max(end for _, end in windows)
    backlog = in_flight(refreshes)
    last_s = float(backlog["time_s"].iloc[-1])
    tail = float(backlog["in_flight"].iloc[-1])  # the backlog from the last record on
    end_s = max(last_s, fault_end) + bin_s
    count = math.ceil((end_s + bin_s) / bin_s) - 1  # binned_mean's bins from 0 to end_s
    settled = math.floor(last_s / bin_s) + 1  # bins from here on hold ``tail`` throughout
    before = np.arange(min(count, settled, max(0, math.floor(first_start / bin_s))))
    before = before[(before + 1) * bin_s <= first_start]
    level = float(bin_means(backlog, bin_s, before).max()) if len(before) else 0.0
    if settled < count and (settled + 1) * bin_s <= first_start:
        level = max(level, tail)
    after = np.arange(math.ceil(fault_end / bin_s), count)
    after = after[(after * bin_s >= fault_end) & (after * bin_s < fault_end + RECOVERY_HORIZON_S)]
    if not len(after):
        return math.nan
    average = bin_means(backlog, bin_s, after)
    peak = int(after[int(np.argmax(average))])
    if average.max() <= level:
        return 0.0
    later = np.arange(peak + 1, min(count, settled + 1))  # a bin past the records is past them: NaN anyway
    back = later[bin_means(backlog, bin_s, later) <= level]
    if not len(back) or back[0] * bin_s > min(workload_end_s, last_s):
        return math.nan
    return float(back[0] * bin_s - fault_end)


def quantiles(values: np.ndarray, levels: tuple[float, ...]) -> list[float]:
    """The ``levels`` quantiles of ``values`` (linear between order statistics, as pandas
    and numpy default to), or NaN for no values."""
    if not len(values):
        return [math.nan] * len(levels)
    return [float(q) for q in np.quantile(values, levels)]


def summarize(
    requests: pd.DataFrame | Mapping[str, np.ndarray],
    calls: pd.DataFrame,
    *,
    strategy: str,
    client: Client,
    logouts: int,
    reuse_detected: int = 0,
    families_revoked: int = 0,
    proactive_refreshes: int = 0,
    expired_on_arrival: int = 0,
    refresh_attempts: int | None = None,
    refresh_timeouts: int = 0,
    rate_limited: int = 0,
    fault_windows: list[tuple[float, float]] | None = None,
    store_times: np.ndarray | None = None,
    workload_end_s: float = math.inf,
    sim_time_s: float,
    wall_time_s: float,
    seed: int,
) -> dict:
    """The headline numbers of one run (see the module docstring for each key).

    ``requests`` is a requests frame, or its columns as arrays
    (``Recorder.request_columns``).
    """
    latency = np.asarray(requests["finished_s"]) - np.asarray(requests["created_s"])
    ok = np.asarray(requests["reason"] == "ok")
    met = np.asarray(met_expiry(requests))
    latency_ok = latency[ok]
    p50, p95, p99 = quantiles(latency_ok, (0.50, 0.95, 0.99))
    refreshes = calls[calls["endpoint"] == "refresh"]
    peak_per_s, mean_per_s = refresh_load_per_second(refreshes)
    flat = client.flat()
    summary = {
        "strategy": strategy,
        **{name: flat.get(name) for name in CLIENT_KEYS},
        "requests": len(latency),
        "requests_ok": int(ok.sum()),
        "requests_failed": int(len(ok) - ok.sum()),
        "refresh_calls": len(refreshes),
        "refresh_calls_ok": int((refreshes["status"] == 200).sum()),
        "refresh_calls_rejected": int((refreshes["status"] == 401).sum()),
        "refresh_attempts": len(refreshes) if refresh_attempts is None else refresh_attempts,
        "refresh_timeouts": refresh_timeouts,
        "rate_limited": rate_limited,
        "proactive_refreshes": proactive_refreshes,
        "reuse_detected": reuse_detected,
        "families_revoked": families_revoked,
        "unauthorized_responses": int(np.asarray(requests["unauthorized"]).sum()),
        "expired_on_arrival": expired_on_arrival,
        "logouts": logouts,
        "latency_p50_s": p50,
        "latency_p95_s": p95,
        "latency_p99_s": p99,
        "latency_max_s": float(latency_ok.max()) if len(latency_ok) else math.nan,
        "refresh_latency_p99_s": quantiles((refreshes["received_s"] - refreshes["sent_s"]).to_numpy(float), (0.99,))[0],
        "auth_peak_in_flight": int(in_flight(refreshes)["in_flight"].max()),
        "refresh_peak_per_s": peak_per_s,
        "auth_load_peak_to_mean": peak_per_s / mean_per_s,
        "recovery_s": recovery_s(refreshes, fault_windows or [], workload_end_s),
        "refresh_amplification": refresh_amplification(refreshes),
        "expiry_requests": int(met.sum()),
        "expiry_latency_p95_s": quantiles(latency[ok & met], (0.95,))[0],
        "clear_latency_p95_s": quantiles(latency[ok & ~met], (0.95,))[0],
        "store_ops": 0 if store_times is None else len(store_times),
        "store_peak_per_s": peak_per_second(store_times),
        "sim_time_s": sim_time_s,
        "wall_time_s": wall_time_s,
        "seed": seed,
    }
    assert tuple(summary) == SUMMARY_KEYS
    return summary


def peak_per_second(times: np.ndarray | None) -> int:
    """Most events in one whole second of the clock (0 for none)."""
    if times is None or not len(times):
        return 0
    return int(np.unique(np.floor(np.asarray(times)).astype(np.int64), return_counts=True)[1].max())


REPORTED_DIGITS = 9  # significant digits of a reported float: every digit a table shows, none of the float noise


def json_ready(summary: dict) -> dict:
    """The summary with NaN (no such requests) or an infinity as ``None``, so it is valid JSON, and every other
    float to ``REPORTED_DIGITS`` significant digits (``322.00000000000273`` is 322.0: the sum of float times
    carries noise in its last digits that no table shows and no reader wants)."""
    return {key: reported(value) for key, value in summary.items()}


def reported(value: Any) -> Any:
    """A value as reported: a float rounded to ``REPORTED_DIGITS`` significant digits, NaN and infinities None."""
    if isinstance(value, float):
        return float(f"{value:.{REPORTED_DIGITS}g}") if math.isfinite(value) else None
    return value


def mean_ci(values: pd.Series, confidence: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of a t confidence interval over replications (scipy's t quantile: scipy is in
    requirements.txt, not in the light install of requirements-sim.txt, which one run does not need)."""
    values = values.dropna()
    n = len(values)
    if n < 2:
        return float(values.mean()) if n else math.nan, math.nan
    stats = scipy_stats("replications", n, "a confidence interval over replications")
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / math.sqrt(n)
    return float(values.mean()), float(half)

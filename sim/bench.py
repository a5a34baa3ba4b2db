"""How fast is the model, next to SimPy doing nothing but wait?

The reference workload is a steady one with about a million requests: many
users, real JWTs, every request recorded, the summary computed. Its floor
is bare SimPy on *the same arrivals* (same users, same seeds, same page
times), where each request is one ``env.timeout`` of the nominal latency
and nothing else: no tokens, no servers, no records. The ratio of the two
rates says what the model's machinery costs on top of the event loop.

A second floor is printed beside it: each request a SimPy process that
waits one timeout. Any model with a process per request pays that much:
a process's start and end are events too, so the happy path of a request
here is three events (start, one wait for the whole round trip, end)
against the first floor's one, and the first ratio cannot pass about 1/3
whatever the rest costs. The second ratio says what the refresh logic,
tokens and records cost beyond "a request is a process".

The targets (issue #2): ratio >= 0.35, peak RSS < 300 MB, and the million
requests well under a minute. This is a command, not a timed test: shared
machines are noisy, so quote the figures from one run, side by side.
"""

from __future__ import annotations

import resource
import sys
import time

import simpy

from . import workload as workloads
from .config import Scenario, Workload
from .experiment import run

TARGET_RATIO = 0.35
TARGET_RSS_MB = 300


def reference_scenario(requests: int = 1_000_000) -> Scenario:
    """Steady traffic: 1000 users, a page every 10 s each with 5 parallel calls.

    ``duration_s`` is chosen so the expected number of requests is about
    ``requests``; logins are spread over the first 900 s, so every user
    meets one or two access-token expiries.
    """
    users, page_rate, concurrency = 1000, 0.1, 5
    mean_login_s = 450.0
    duration_s = requests / (users * page_rate * concurrency) + mean_login_s
    workload = Workload(
        kind="steady", users=users, concurrency=concurrency, page_rate_per_s=page_rate, duration_s=duration_s
    )
    return Scenario(workload=workload, name="benchmark").with_(strategy="queued")


def floor(scenario: Scenario, as_process: bool = False) -> tuple[int, float]:
    """Bare SimPy on the same arrivals: each request one ``env.timeout``
    (inside a process of its own if ``as_process``). Returns (requests, wall s)."""
    started = time.perf_counter()
    env = simpy.Environment()
    latency = scenario.latencies.rtt_s + scenario.latencies.api_service_s
    count = 0

    login_s = scenario.latencies.rtt_s + scenario.latencies.auth_service_s

    def login(user: int):
        yield env.timeout(login_s)  # as long as the model's login, so the pages fall at the same times

    def request():
        yield env.timeout(latency)

    def arrive(user: int) -> None:
        nonlocal count
        count += 1
        if as_process:
            env.process(request())
        else:
            env.timeout(latency)

    workloads.start(env, scenario.workload, scenario.tokens, scenario.seed, login, arrive)
    env.run()
    return count, time.perf_counter() - started


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_benchmark(requests: int = 1_000_000) -> dict:
    scenario = reference_scenario(requests)
    floor_requests, floor_s = floor(scenario)
    process_requests, process_s = floor(scenario, as_process=True)
    started = time.perf_counter()
    result = run(scenario)
    summary = result.summary  # metrics on: the frames and the summary are part of the cost
    model_s = time.perf_counter() - started
    model_rate = summary["requests"] / model_s
    floor_rate = floor_requests / floor_s
    return {
        "requests": summary["requests"],
        "refresh_calls": summary["refresh_calls"],
        "model_wall_s": round(model_s, 2),
        "model_requests_per_s": round(model_rate),
        "floor_requests": floor_requests,
        "floor_wall_s": round(floor_s, 2),
        "floor_requests_per_s": round(floor_rate),
        "ratio": round(model_rate / floor_rate, 3),
        "process_floor_wall_s": round(process_s, 2),
        "process_floor_requests_per_s": round(process_requests / process_s),
        "ratio_to_process_floor": round(model_rate / (process_requests / process_s), 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "target_ratio": TARGET_RATIO,
        "target_peak_rss_mb": TARGET_RSS_MB,
    }


def format_report(report: dict) -> str:
    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    under_minute = report["model_wall_s"] < 60
    return "\n".join(
        [
            f"model:         {report['requests']:>9,} requests in {report['model_wall_s']:6.2f} s = "
            f"{report['model_requests_per_s']:>8,} requests/s ({report['refresh_calls']:,} refreshes; "
            f"{verdict(under_minute)} 'well under a minute')",
            f"floor:         {report['floor_requests']:>9,} requests in {report['floor_wall_s']:6.2f} s = "
            f"{report['floor_requests_per_s']:>8,} requests/s (each request one env.timeout, no process)",
            f"process floor: {report['floor_requests']:>9,} requests in {report['process_floor_wall_s']:6.2f} s = "
            f"{report['process_floor_requests_per_s']:>8,} requests/s (each request a process waiting one timeout)",
            f"ratio to floor:         {report['ratio']:.3f} ({verdict(report['ratio'] >= TARGET_RATIO)} "
            f"the target >= {TARGET_RATIO})",
            f"ratio to process floor: {report['ratio_to_process_floor']:.3f} "
            f"({verdict(report['ratio_to_process_floor'] >= TARGET_RATIO)} the target >= {TARGET_RATIO})",
            f"peak RSS: {report['peak_rss_mb']} MB ({verdict(report['peak_rss_mb'] < TARGET_RSS_MB)} "
            f"the target < {TARGET_RSS_MB} MB)",
        ]
    )

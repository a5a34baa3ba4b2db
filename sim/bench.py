"""How fast is the model, next to SimPy doing nothing but wait?

Two reference workloads of about a million requests each: many users, real
JWTs, every request recorded, the summary computed. One has an unbounded
API (no queue), the other an API of 64 workers (a ``simpy.Resource``).
Each has a floor: bare SimPy on *the same arrivals* (same users, seeds and
page times) doing only what the model's cheapest request must do, and
nothing else (no tokens, no records):

- no queue: each request one ``env.timeout`` of its round trip;
- 64 workers: each request half a round trip, the same ``simpy.Resource``
  (request, service, release), half a round trip back, all on callbacks.

The ratio of the rates says what the model costs on top of the event loop.
A third line, each request a SimPy process waiting one timeout, shows what
"every request is a process" alone costs: three events (start, wait, end)
where the model's request that waits for nothing has one.

A fourth workload sends the same traffic from 10,000 sessions through a
backend-for-frontend (``bff_scenario``): 4 instances, the lock in the
session store, rotation with reuse detection. Its rate is set beside the
unbounded API's model (no floor of its own: the trip to the BFF is one more
event per request; and ten times the users make ten times the logins and
refreshes), and its time beside the pre-flight estimate (``sim.estimate``),
which should cover it. It runs in a fresh process, so its peak RSS is its
own.

What keeps the first ratio from going higher: per request the model still
attaches and checks a real token (a dictionary lookup, after PyJWT checked
its signature once), draws a service time, runs one callback and appends
one record of four numbers; per run it signs and checks a JWT at every
login and refresh, and builds the summary from a million records. Each is
a handful of Python operations, against the floor's one ``env.timeout``;
going further would mean moving the model out of Python.

It also times the article's ``compare`` (what ``make compare`` runs) and
the default run behind every notebook slider (``sim.explore.SLIDERS``).
The targets: ratios >= 0.35, peak RSS < 300 MB for the million-request
workloads, every slider <= 0.5 s. The RSS target is read once both
workloads have run; the report also gives the peak at the very end (after
the parallel ``compare`` has unpickled its results and the sliders have
run) and what the imports alone take (pandas loads pyarrow, which the
sweeps' Parquet files need, whenever it is installed: about 65 MB).
This is a command, not a timed test: shared machines are noisy, so quote
the figures from one run, side by side.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import simpy

from . import arrivals
from .config import Workload
from .estimate import estimate
from .experiment import compare, run
from .pool import available_cpus, in_processes
from .scenario import Scenario

TARGET_RATIO = 0.35
TARGET_RSS_MB = 300
TARGET_SLIDER_S = 0.5
BOUNDED_API_WORKERS = 64
BFF_SESSIONS = 10_000
BFF_INSTANCES = 4


def reference_scenario(requests: int = 1_000_000, api_capacity: int = 0, users: int = 1000) -> Scenario:
    """Steady traffic: 100 pages a second with 5 parallel calls each, from ``users`` users (1000: a page every
    10 s each).

    ``duration_s`` is chosen so the expected number of requests is about
    ``requests``, whatever the number of users; logins are spread over the
    first 900 s, so every user meets one or two access-token expiries.
    """
    pages_per_s, concurrency = 100, 5
    mean_login_s = 450.0
    duration_s = requests / (pages_per_s * concurrency) + mean_login_s
    workload = Workload(
        kind="steady", users=users, concurrency=concurrency, page_rate_per_s=pages_per_s / users, duration_s=duration_s
    )
    return Scenario(workload=workload, name="benchmark").with_(strategy="queued", api_capacity=api_capacity)


def bff_scenario(requests: int = 1_000_000) -> Scenario:
    """The reference traffic from 10,000 sessions through a BFF: 4 instances behind a round-robin balancer, the
    lock in the session store, rotation and reuse detection at the auth server.

    Round-robin spreads a page's 5 calls over the 4 instances, so each expiry
    sends instances to the lock. The trips are small but not zero, as in a
    data centre (20 ms from the browser to the BFF and back, 1 ms to read the
    session from the store), as a deployment has.
    """
    return reference_scenario(requests, users=BFF_SESSIONS).with_(
        tier="bff", instances=BFF_INSTANCES, balancer="round-robin", bff_rtt_s=0.02, store_rtt_s=0.001,
        session_lock="distributed", rotation=True, reuse_detection=True,
    )  # fmt: skip


def floor(scenario: Scenario, as_process: bool = False) -> tuple[int, float]:
    """Bare SimPy on the scenario's arrivals, each request as cheap as it can be
    (inside a process of its own if ``as_process``). Returns (requests, wall s)."""
    started = time.perf_counter()
    env = simpy.Environment()
    latencies, capacity = scenario.latencies, scenario.capacities.api_capacity
    half_rtt_s, service_s = latencies.rtt_s / 2, latencies.api_service_s
    login_s = latencies.rtt_s + latencies.auth_service_s
    workers = simpy.Resource(env, capacity=capacity) if capacity else None
    count = 0

    def login(user: int):
        yield env.timeout(login_s)  # as long as the model's login, so the pages fall at the same times

    def as_a_process():
        yield env.timeout(half_rtt_s + service_s + half_rtt_s)

    def through_workers(_: simpy.Event) -> None:  # the call has arrived: queue, work, release, go back
        worker = workers.request()

        def work(_: simpy.Event) -> None:
            def done(_: simpy.Event) -> None:
                workers.release(worker)
                env.timeout(half_rtt_s)

            env.timeout(service_s).callbacks.append(done)

        worker.callbacks.append(work)

    def arrive(user: int, tab: int) -> None:
        nonlocal count
        count += 1
        if as_process:
            env.process(as_a_process())
        elif workers is None:
            env.timeout(half_rtt_s + service_s + half_rtt_s)
        else:
            env.timeout(half_rtt_s).callbacks.append(through_workers)

    arrivals.start(env, scenario.workload, scenario.tokens, scenario.seed, login, arrive)
    env.run()
    return count, time.perf_counter() - started


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = work()
    return value, time.perf_counter() - started


def model_against_floor(scenario: Scenario) -> dict:
    """One reference workload: the model (summary included) and its floor, in one process."""
    floor_requests, floor_s = floor(scenario)
    summary, model_s = timed(lambda: run(scenario).summary)  # the frames and summary are part of the cost
    model_rate, floor_rate = summary["requests"] / model_s, floor_requests / floor_s
    return {
        "api_capacity": scenario.capacities.api_capacity,
        "requests": summary["requests"],
        "refresh_calls": summary["refresh_calls"],
        "model_wall_s": round(model_s, 2),
        "model_requests_per_s": round(model_rate),
        "floor_requests": floor_requests,
        "floor_wall_s": round(floor_s, 2),
        "floor_requests_per_s": round(floor_rate),
        "ratio": round(model_rate / floor_rate, 3),
    }


def model_alone(scenario: Scenario) -> dict:
    """One workload's model run and summary, and the peak RSS of the process it ran in."""
    summary, model_s = timed(lambda: run(scenario).summary)
    return {
        "requests": summary["requests"],
        "refresh_calls": summary["refresh_calls"],
        "reuse_detected": summary["reuse_detected"],
        "logouts": summary["logouts"],
        "model_wall_s": round(model_s, 2),
        "model_requests_per_s": round(summary["requests"] / model_s),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def in_a_fresh_process(work: Callable[[Scenario], dict], scenario: Scenario) -> dict:
    """``work(scenario)`` in a new interpreter, so the peak RSS it reads is its own: a forked child's
    high-water mark starts at its parent's."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(work, (scenario,))


def bff_beside_spa(scenario: Scenario, spa_users: int, spa_requests_per_s: float) -> dict:
    """The BFF workload in a process of its own, its rate against the SPA's, its time against its estimate."""
    part = in_a_fresh_process(model_alone, scenario)
    work = estimate(scenario)
    return {
        **part,
        "sessions": scenario.workload.users,
        "instances": BFF_INSTANCES,
        "spa_users": spa_users,
        "ratio_to_spa": round(part["model_requests_per_s"] / spa_requests_per_s, 3),
        "estimate_s": round(work.seconds, 1),
        "estimate_mb": round(work.memory_mb, 1),
    }


CAPACITY_USERS = (10_000_000, 100_000_000)
TARGET_CAPACITY_S = 1.0


def capacity_at_scale(_: object = None) -> dict:
    """The capacity model for a day of 10 and 100 million users (the figure's mass re-login, each of its
    clients), in a process of its own: each client's small simulation first (once per client and
    workload, then cached), then the model alone, timed; and the process's peak RSS."""
    from .capacity import capacity  # noqa: PLC0415
    from .figures.capacity import CAPACITY_CLIENTS, CAPACITY_DAY, CAPACITY_SETTINGS  # noqa: PLC0415

    probes, seconds = [], {users: [] for users in CAPACITY_USERS}
    for _, fields in CAPACITY_CLIENTS:
        day = CAPACITY_DAY.with_(fields)
        probes.append(timed(lambda day=day: capacity(day.with_(users=1000), CAPACITY_SETTINGS))[1])
        for users in CAPACITY_USERS:
            seconds[users].append(timed(lambda d=day, n=users: capacity(d.with_(users=n), CAPACITY_SETTINGS))[1])
    return {
        "clients": len(CAPACITY_CLIENTS),
        "day_s": CAPACITY_DAY.workload.duration_s,
        "first_call_s": round(max(probes), 2),
        "model_s": {str(users): round(max(times), 3) for users, times in seconds.items()},
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def capacity_lines(part: dict) -> list[str]:
    ten, hundred = (part["model_s"][str(users)] for users in CAPACITY_USERS)
    verdict = "meets" if ten < TARGET_CAPACITY_S else "MISSES"
    return [
        f"capacity model, a day ({part['day_s']:,.0f} s) of a mass re-login, {part['clients']} clients: "
        f"{CAPACITY_USERS[0]:,} users in {ten:.2f} s at most ({verdict} < {TARGET_CAPACITY_S:g} s), "
        f"{CAPACITY_USERS[1]:,} in {hundred:.2f} s; peak RSS {part['peak_rss_mb']} MB (a process of its own); "
        f"before that, once per client: its small simulation and a first model, {part['first_call_s']:.2f} s at most",
    ]


def run_benchmark(requests: int = 1_000_000) -> dict:
    from .explore import ARTICLE_FILE, SLIDERS  # noqa: PLC0415  (loads the figures module)
    from .scenario_file import load_scenario  # noqa: PLC0415

    imports_mb = peak_rss_mb()
    spa = reference_scenario(requests)
    unbounded = model_against_floor(spa)
    process_requests, process_s = floor(spa, as_process=True)
    unbounded["process_floor_wall_s"] = round(process_s, 2)
    unbounded["process_floor_requests_per_s"] = round(process_requests / process_s)
    bounded = model_against_floor(reference_scenario(requests, api_capacity=BOUNDED_API_WORKERS))
    workloads_mb = peak_rss_mb()  # the target's reading: the million-request workloads, floors and all
    bff = bff_beside_spa(bff_scenario(requests), spa.workload.users, unbounded["model_requests_per_s"])
    at_scale = in_a_fresh_process(capacity_at_scale, None)
    article, strategies = load_scenario(ARTICLE_FILE)
    _, compare_s = timed(lambda: compare(article, strategies, jobs=1))
    _, compare_parallel_s = timed(lambda: compare(article, strategies, jobs=0))
    sliders = {}
    for name, slider in SLIDERS.items():
        slider()  # the notebook ran it once already: a slider's move is the second run
        sliders[name] = round(timed(slider)[1], 3)
    return {
        "unbounded_api": unbounded,
        "bounded_api": bounded,
        "bff": bff,
        "capacity": at_scale,
        "article_compare_wall_s": round(compare_s, 2),
        "article_compare_parallel_wall_s": round(compare_parallel_s, 2),
        "cpus": available_cpus(),
        "slider_default_run_s": sliders,
        "imports_rss_mb": round(imports_mb, 1),
        "peak_rss_mb": round(workloads_mb, 1),
        "end_rss_mb": round(peak_rss_mb(), 1),
        "targets": {
            "ratio": TARGET_RATIO,
            "peak_rss_mb": TARGET_RSS_MB,
            "slider_s": TARGET_SLIDER_S,
            "capacity_s": TARGET_CAPACITY_S,
        },  # fmt: skip
    }


def format_report(report: dict) -> str:
    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    def pair(name: str, part: dict, floor_text: str) -> list[str]:
        per_request_us = 1e6 * (part["model_wall_s"] / part["requests"] - part["floor_wall_s"] / part["floor_requests"])
        return [
            f"{name}:",
            f"  model: {part['requests']:>9,} requests in {part['model_wall_s']:6.2f} s = "
            f"{part['model_requests_per_s']:>8,} requests/s ({part['refresh_calls']:,} refreshes)",
            f"  floor: {part['floor_requests']:>9,} requests in {part['floor_wall_s']:6.2f} s = "
            f"{part['floor_requests_per_s']:>8,} requests/s ({floor_text})",
            f"  ratio to floor: {part['ratio']:.3f} ({verdict(part['ratio'] >= TARGET_RATIO)} the target >= "
            f"{TARGET_RATIO}); the model costs {per_request_us:.1f} us a request more than its floor",
        ]

    unbounded, bounded = report["unbounded_api"], report["bounded_api"]
    process_ratio = unbounded["model_requests_per_s"] / unbounded["process_floor_requests_per_s"]
    lines = [
        *pair("unbounded API", unbounded, "each request one env.timeout"),
        f"  process floor: {unbounded['floor_requests']:>9,} requests in {unbounded['process_floor_wall_s']:6.2f} s "
        f"= {unbounded['process_floor_requests_per_s']:>8,} requests/s (each request a process waiting one timeout; "
        f"the model is {process_ratio:.2f}x as fast)",
        *pair(
            f"API with {bounded['api_capacity']} workers",
            bounded,
            "each request two trips and the same simpy.Resource, on callbacks",
        ),
        *bff_lines(report["bff"]),
        *capacity_lines(report["capacity"]),
        f"make compare's runs (article scenario, 3 presets): {report['article_compare_wall_s']:.2f} s one after "
        f"another, {report['article_compare_parallel_wall_s']:.2f} s in processes at once ({report['cpus']} CPUs)",
        "default run behind each notebook slider:",
    ]
    for name, seconds in report["slider_default_run_s"].items():
        lines.append(f"  {name:26} {seconds:6.3f} s ({verdict(seconds <= TARGET_SLIDER_S)} <= {TARGET_SLIDER_S} s)")
    lines.append(
        f"peak RSS of the million-request workloads: {report['peak_rss_mb']} MB "
        f"({verdict(report['peak_rss_mb'] < TARGET_RSS_MB)} the target < {TARGET_RSS_MB} MB; "
        f"{report['imports_rss_mb']} MB of it the imports); at the end of the benchmark: {report['end_rss_mb']} MB"
    )
    return "\n".join(lines)


def bff_lines(bff: dict) -> list[str]:
    within = "yes" if bff["model_wall_s"] <= bff["estimate_s"] else "NO"
    return [
        f"BFF, {bff['sessions']:,} sessions on {bff['instances']} instances (round-robin, the lock in the session "
        "store, rotation and reuse detection):",
        f"  model: {bff['requests']:>9,} requests in {bff['model_wall_s']:6.2f} s = "
        f"{bff['model_requests_per_s']:>8,} requests/s ({bff['refresh_calls']:,} refreshes, "
        f"{bff['reuse_detected']:,} reuses, {bff['logouts']:,} logouts)",
        f"  {bff['ratio_to_spa']:.2f}x the rate of the unbounded API's model (its {bff['spa_users']:,} users' tabs "
        f"hold their tokens); peak RSS {bff['peak_rss_mb']} MB (in a process of its own)",
        f"  pre-flight estimate: {bff['estimate_s']:.1f} s and {bff['estimate_mb']:.0f} MB; the run took "
        f"{bff['model_wall_s']:.2f} s: within the estimate: {within}",
    ]


# -- sweeps: the process pool on every core, and the Dask path -----------------------------------------

SWEEP_BENCH_RUNS = 24


def sweep_benchmark(runs: int = SWEEP_BENCH_RUNS) -> dict:
    """Time one sweep of ``runs`` equal runs: a process pool of 1 and of 2 workers, and a Dask LocalCluster
    of 2 worker processes (its start-up timed apart). Every path makes the same runs (checked)."""
    from .sweep import Sweep, _dask, summary_row  # noqa: PLC0415

    base = Scenario(workload=Workload(kind="steady", users=60, concurrency=4, page_rate_per_s=0.1, duration_s=900))
    # one point, seeds 1..runs (the sweep sets the seeds itself: replications)
    the_sweep = Sweep("bench", base.with_(access_ttl_s=120), {}, ("locked",), replications=runs)
    scenarios = [scenario for _, scenario in the_sweep.plan()]

    def timed_path(execute: Callable[[], list[dict]]) -> tuple[float, list]:
        start = time.perf_counter()
        rows = execute()
        return time.perf_counter() - start, [row["refresh_calls"] for row in rows]

    def on_dask(client: Any) -> list[dict]:
        rows: dict[int, dict] = {}
        _dask(summary_row, scenarios, list(range(len(scenarios))), rows.__setitem__, client=client)
        return [rows[index] for index in range(len(scenarios))]

    # the sweep's processes executor, on a real pool of 1 and of 2 (sim.pool.in_processes: a pool even of one)
    one_s, one = timed_path(lambda: in_processes(summary_row, scenarios, workers=1))
    two_s, two = timed_path(lambda: in_processes(summary_row, scenarios, workers=2))
    from dask.distributed import Client, LocalCluster  # noqa: PLC0415

    start = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.submit(summary_row, scenarios[0], pure=False).result()  # the workers have imported sim
    startup_s = time.perf_counter() - start
    try:
        dask_s, dask_rows = timed_path(lambda: on_dask(client))
    finally:
        client.close()
        cluster.close()
    return {
        "runs": runs,
        "same_runs": one == two == dask_rows,
        "pool_1_s": one_s,
        "pool_2_s": two_s,
        "speedup": one_s / two_s,
        "dask_2_s": dask_s,
        "dask_startup_s": startup_s,
        "dask_overhead": dask_s / two_s,
        "cpus": os.cpu_count(),
    }


SWEEP_SPEEDUP_TARGET = 1.7


def format_sweep_report(report: dict) -> str:
    met = "meets" if report["speedup"] >= SWEEP_SPEEDUP_TARGET else "MISSES"
    return "\n".join(
        [
            f"sweep of {report['runs']} runs (locked, 60 users for 15 min each), on {report['cpus']} CPUs:",
            f"  process pool, 1 worker:   {report['pool_1_s']:6.2f} s",
            f"  process pool, 2 workers:  {report['pool_2_s']:6.2f} s  speed-up {report['speedup']:.2f}x "
            f"({met} the target >= {SWEEP_SPEEDUP_TARGET}x)",
            f"  Dask LocalCluster, 2 worker processes: {report['dask_2_s']:6.2f} s "
            f"({report['dask_2_s'] / report['pool_2_s']:.2f}x the pool's time; starting the cluster took "
            f"{report['dask_startup_s']:.2f} s more)",
            f"  every path made the same runs: {'yes' if report['same_runs'] else 'NO'}",
        ]
    )

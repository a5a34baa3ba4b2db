"""The model beside the real stack: each case of ``reality/results.json`` run in the model.

``reality/run.py`` runs the article's server (Node, Express, jsonwebtoken) and its interceptor in
real Chromium tabs, and records what each repetition saw. Here each case becomes a scenario of the
same shape (one user, the case's tabs each firing its requests at once with an expired access token,
the server's waits as service times, Chromium's six connections per origin) and the model's numbers
are set beside the real minimum and maximum::

    .venv/bin/python -m sim.reality            # the table, from the committed results
    .venv/bin/python -m sim.reality --fit      # the per-call costs that fit the results best
    make reality                               # run the real stack first, then the table

Each run also writes ``reality/comparison.csv`` beside the results; ``tests/test_reality.py``
fails when the model's numbers for the committed cases drift from it.

A model value outside the real range is marked ``<<``. Where the two differ is what issue 21 of the
lab's tracker is about; the table says where the model stands today.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .experiment import run
from .metrics import quantiles
from .scenario import Scenario

RESULTS = Path(__file__).resolve().parent.parent / "reality" / "results.json"
PYTHON_RESULTS = RESULTS.with_name("python_clients.json")  # reality/python_clients.py: Authlib, requests-oauthlib
STORAGE = RESULTS.with_name("storage.json")  # reality/storage_probe.py: localStorage seen across tabs
HANDOFFS = RESULTS.with_name("handoffs.json")  # reality/run.py --matrix weblock --repetitions 8: the lock's handoffs
CHROMIUM_CONNECTIONS_PER_ORIGIN = (
    6  # HTTP/1.1: Chromium's per-origin socket pool (net/socket/client_socket_pool_manager.cc)
)
LOCALHOST_RTT_S = 0.002  # one round trip on 127.0.0.1 through Chromium and Node, about
# What each call costs the article's Node process (its one event loop) and the tab (its main thread),
# fitted to the committed runs' latencies by ``fit()``: `.venv/bin/python -m sim.reality --fit`.
FITTED_COSTS = {"api_cpu_s": 0.006, "auth_cpu_s": 0.006, "client_cost_s": 0.006}
COST_GRID = {  # the values fit() tries for each cost, s: every combination (280 runs of the matrix)
    "api_cpu_s": (0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008),
    "auth_cpu_s": (0.002, 0.003, 0.004, 0.006, 0.008, 0.01, 0.012, 0.015),
    "client_cost_s": (0.002, 0.004, 0.006, 0.008, 0.01),
}
LATENCY_TOLERANCE = 0.15  # the issue's: the model within 15 % of the real range
STRATEGIES = {  # the interceptors of reality/client/interceptors.js, as the lab's clients
    "naive": {"strategy": "naive"},
    "locked": {"strategy": "locked"},
    "weblock": {"strategy": "locked", "cross_tab_lock": True},
    "worker": {"strategy": "locked", "refresh_in": "shared-worker"},  # the refresh in one SharedWorker
}
METRICS = ("refresh_calls", "refresh_rejected", "families_revoked", "logged_out", "answered", "p50_ms", "p95_ms")


def scenario_for(case: dict, costs: dict | None = None) -> Scenario:
    """The model's scenario for one real case, with the per-call costs ``costs`` (the fitted ones
    unless given)."""
    return Scenario().with_(
        costs if costs is not None else FITTED_COSTS,
        kind="burst",
        tabs=case["tabs"],
        concurrency=case["requests_per_tab"],
        rotation=case["rotation"],
        reuse_detection=case["rotation"],
        rtt_s=LOCALHOST_RTT_S,
        api_service_s=case["api_wait_ms"] / 1000,
        api_401_service_s=0.0,  # the server's check answers 401 before the resource's work
        auth_service_s=case["auth_wait_ms"] / 1000,
        max_connections=CHROMIUM_CONNECTIONS_PER_ORIGIN,
        on_logout="stay",  # the harness's tab counts the logout and stays on its page (reality/client/tab.js)
        tab_sync="measured",  # each tab its own copy of localStorage, as Chromium (reality/storage_probe.py)
        **STRATEGIES[case["strategy"]],
    )


def _percentile_ms(latencies_s: list[float], q: float) -> float:
    return quantiles(np.asarray(latencies_s, dtype=float), (q / 100,))[0] * 1000


def real_counts(repetition: dict) -> dict:
    """One real repetition's numbers."""
    server, records = repetition["server"], [r for tab in repetition["tabs"] for r in tab["records"]]
    answered = [(r["ended_ms"] - r["created_ms"]) / 1000 for r in records if r["status"] == 200]
    return {
        "refresh_calls": server["refresh_calls"],
        "refresh_rejected": server["refresh_rejected"],
        "families_revoked": server["families_revoked"],
        "logged_out": int(any(tab["logouts"] for tab in repetition["tabs"])),
        "answered": len(answered),
        "p50_ms": _percentile_ms(answered, 50),
        "p95_ms": _percentile_ms(answered, 95),
    }


def real_runs(results: dict | None = None) -> pd.DataFrame:
    """Every real repetition's numbers, one row each: the case's name, its fields and ``real_counts``
    (the committed runs unless ``results`` is given)."""
    results = results if results is not None else json.loads(RESULTS.read_text())
    return pd.DataFrame(
        {"case": entry["name"], **entry["case"], "run": run, **real_counts(repetition)}
        for entry in results["cases"]
        for run, repetition in enumerate(entry["runs"], start=1)
    )


def model_counts(case: dict, costs: dict | None = None, seeds: range = range(1, 2)) -> dict:
    """The model's numbers for one case: over ``seeds`` (as many as the real repetitions, in
    ``comparison``), the median of each (the tabs' delays are drawn, so a run can differ)."""
    counts = []
    for seed in seeds:
        result = run(scenario_for(case, costs).with_(seed=seed))
        summary, frame = result.summary, result.requests
        latencies = list(frame.loc[frame["reason"] == "ok", "latency_s"])
        counts.append({
            "refresh_calls": summary["refresh_calls"],
            "refresh_rejected": summary["refresh_calls_rejected"],
            "families_revoked": summary["families_revoked"],
            "logged_out": int(summary["logouts"] > 0),
            "answered": len(latencies),
            "p50_ms": _percentile_ms(latencies, 50),
            "p95_ms": _percentile_ms(latencies, 95),
        })  # fmt: skip
    return pd.DataFrame(counts).median().to_dict()


def _beside(name: str, real: pd.DataFrame, model: dict, metrics: tuple[str, ...]) -> list[dict]:
    """One case's rows: for each metric the real runs' minimum and maximum, the model's value, and
    whether it is inside (latency, ``_ms``: within 15 % of the range, the issue's tolerance)."""
    rows = []
    for metric in metrics:
        low, high, value = real[metric].min(), real[metric].max(), model[metric]
        if not metric.endswith("_ms"):
            inside = bool(low <= value <= high)
        elif math.isnan(value):  # no request answered: inside if none was in the real runs either
            inside = bool(real[metric].isna().all())
        else:
            inside = bool(low * (1 - LATENCY_TOLERANCE) <= value <= high * (1 + LATENCY_TOLERANCE))
        rows.append({"case": name, "metric": metric, "real_min": low, "real_max": high, "model": value,
                     "inside": inside})  # fmt: skip
    return rows


def comparison(
    results: dict, costs: dict | None = None, metrics: tuple[str, ...] = METRICS, seeds: int | None = None
) -> pd.DataFrame:
    """One row per case and metric: the real minimum and maximum, the model (its median over as many
    seeds as the case has repetitions, or ``seeds``), and whether it is inside."""
    rows = []
    for entry in results["cases"]:
        real = pd.DataFrame([real_counts(repetition) for repetition in entry["runs"]])
        model = model_counts(entry["case"], costs, range(1, 1 + (seeds or len(entry["runs"]))))
        rows += _beside(entry["name"], real, model, metrics)
    return pd.DataFrame(rows)


def handoffs(*results: dict, seeds: int = 100) -> pd.DataFrame:
    """The Web Lock's handoffs, real and modelled: over the ``weblock`` cases with two tabs or more,
    by rotation, how many runs sent a second refresh (a tab read the old tokens under the lock) and
    how many lost the family, in every real run of ``results`` (the matrix's, and
    ``reality/handoffs.json``'s more repetitions of the same cases) and over ``seeds`` seeds of each
    case in the model."""
    real, cases = [], {}
    for entry in (entry for result in results for entry in result["cases"]):
        case = entry["case"]
        if case["strategy"] == "weblock" and case["tabs"] >= 2:
            cases[entry["name"]] = case
            real += [(case["rotation"], real_counts(repetition)) for repetition in entry["runs"]]
    model = [
        (case["rotation"], model_counts(case, seeds=range(seed, seed + 1)))
        for case in cases.values()
        for seed in range(1, seeds + 1)
    ]
    rows = [
        {"source": source, "rotation": rotation, "second_refresh": outcome["refresh_calls"] > 1,
         "family_lost": outcome["families_revoked"] > 0}
        for source, outcomes in (("real", real), ("model", model))
        for rotation, outcome in outcomes
    ]  # fmt: skip
    table = pd.DataFrame(rows).groupby(["rotation", "source"])
    return pd.DataFrame({"runs": table.size(), "second_refresh": table["second_refresh"].sum(),
                         "family_lost": table["family_lost"].sum()})  # fmt: skip


def fit(results: dict, grid: dict[str, tuple[float, ...]] = COST_GRID) -> dict:
    """The per-call costs, among every combination of ``grid``, that bring the model closest to the
    real runs: fewest values outside the real range (counts and latency, 15 % tolerance on latency),
    then the least mean distance of the latency percentiles (in log ratio) from the middle of their
    range, over every case but the SharedWorker's. The whole grid, not a descent: the count of values
    outside moves in steps, and a descent one cost at a time stops short of the best."""

    def score(costs: dict) -> tuple[int, float]:
        table = comparison(results, costs, seeds=1)  # one seed: the costs move latency, not the rare handoffs
        latency = table[table["metric"].str.endswith("_ms")].dropna(subset=["model"])
        middle = (latency["real_min"] + latency["real_max"]) / 2
        return int((~table["inside"]).sum()), float(np.abs(np.log(latency["model"] / middle)).mean())

    # the SharedWorker's cases are left out, as they were when FITTED_COSTS was found (the model had
    # no worker then); taking them in is a refit
    results = {**results, "cases": [case for case in results["cases"] if case["case"]["strategy"] != "worker"]}
    names = list(grid)
    tries = [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]
    return min(tries, key=score)


PYTHON_METRICS = ("refresh_calls", "refresh_rejected", "families_revoked", "answered")


def python_scenario_for(case: dict, costs: dict | None = None) -> Scenario:
    """The model's scenario for one Python-client case: the library's preset, its threads as one tab's
    burst (a session shared by threads is the model's tab), on the event-loop server; no browser."""
    costs = costs if costs is not None else FITTED_COSTS
    return Scenario().with_(
        {name: costs[name] for name in ("api_cpu_s", "auth_cpu_s")},
        strategy=case["library"],
        kind="burst",
        tabs=1,
        concurrency=case["threads"],
        rotation=case["rotation"],
        reuse_detection=case["rotation"],
        rtt_s=LOCALHOST_RTT_S,
        api_service_s=case["api_wait_ms"] / 1000,
        api_401_service_s=0.0,
        auth_service_s=case["auth_wait_ms"] / 1000,
    )


def python_comparison(results: dict | None = None) -> pd.DataFrame:
    """Each Python-client case's real min-max (reality/python_clients.json unless ``results``) beside
    the library preset's numbers in the model, as ``comparison`` has them."""
    results = results if results is not None else json.loads(PYTHON_RESULTS.read_text())
    rows = []
    for entry in results["cases"]:
        real = pd.DataFrame(
            {
                "refresh_calls": repetition["server"]["refresh_calls"],
                "refresh_rejected": repetition["server"]["refresh_rejected"],
                "families_revoked": repetition["server"]["families_revoked"],
                "answered": sum(request["status"] == 200 for request in repetition["requests"]),
            }
            for repetition in entry["runs"]
        )
        summary = run(python_scenario_for(entry["case"])).summary
        model = {
            "refresh_calls": summary["refresh_calls"],
            "refresh_rejected": summary["refresh_calls_rejected"],
            "families_revoked": summary["families_revoked"],
            "answered": summary["requests_ok"],
        }
        rows += _beside(entry["name"], real, model, PYTHON_METRICS)
    return pd.DataFrame(rows)


def server_times(results: dict) -> pd.DataFrame:
    """What each call cost inside the real server beyond its fixed wait, ms, from the stats endpoint's
    per-call times (arrival to answer): the median and 90th percentile by endpoint and status, with the
    number of calls. (Under a burst this includes the time a call waited for the loop.)"""
    rows = []
    for entry in results["cases"]:
        case = entry["case"]
        waits = {"/login": case["auth_wait_ms"], "/refresh-token": case["auth_wait_ms"]}
        for repetition in entry["runs"]:
            for call in repetition["server"]["calls"]:
                endpoint, status = call["endpoint"], call["status"]
                wait = waits.get(endpoint, case["api_wait_ms"] if status == 200 else 0)
                rows.append({"endpoint": endpoint, "status": status,
                             "ms": call["answered_ms"] - call["arrived_ms"] - wait})  # fmt: skip
    calls = pd.DataFrame(rows).groupby(["endpoint", "status"])["ms"]
    return pd.DataFrame({"calls": calls.size(), "median_ms": calls.median(), "p90_ms": calls.quantile(0.9)})


def storage_visibility(path: Path = STORAGE) -> dict:
    """What ``reality/storage_probe.py`` measured: how late a tab sees another tab's ``localStorage``
    write (ms: median, 90th and 99th percentile, maximum), and how often a tab that takes the Web Lock
    right after another tab wrote under it reads the old value."""
    probe = json.loads(path.read_text())
    delays = np.asarray(probe["delay"]["delays_ms"], dtype=float)
    p50, p90, p99 = quantiles(delays, (0.5, 0.9, 0.99))
    handoff = probe["handoff"]
    return {
        "writes_seen": f"{len(delays)} of {probe['delay']['written']}",
        "delay_p50_ms": p50,
        "delay_p90_ms": p90,
        "delay_p99_ms": p99,
        "delay_max_ms": float(delays.max()),
        "old_value_under_lock": f"{handoff['old_value_read']} of {handoff['tries']}",
    }


def fix_costs(runs: pd.DataFrame | None = None, fixes: tuple[str, ...] = ("weblock", "worker")) -> pd.DataFrame:
    """The cross-tab fixes side by side in the real tabs: per tabs and requests a tab, the median over
    repetitions (with and without rotation) of p50 and p95 latency, ms."""
    runs = runs if runs is not None else real_runs()
    chosen = runs[runs["strategy"].isin(fixes)]
    latency = chosen.groupby(["tabs", "requests_per_tab", "strategy"])[["p50_ms", "p95_ms"]].median()
    return latency.unstack("strategy")


def format_table(table: pd.DataFrame) -> str:
    """Cases down, metrics across: ``model (real min-max)``, ``<<`` where the model is outside."""

    def cell(row: pd.Series) -> str:
        number = "{:.0f}".format
        real = (
            number(row.real_min) if row.real_min == row.real_max else f"{number(row.real_min)}-{number(row.real_max)}"
        )
        return f"{number(row.model)} ({real}){'' if row.inside else ' <<'}"

    wide = table.assign(cell=table.apply(cell, axis=1)).pivot(index="case", columns="metric", values="cell")
    wide = wide[list(dict.fromkeys(table["metric"]))].loc[list(dict.fromkeys(table["case"]))]
    outside = int((~table["inside"]).sum())
    tolerance = "; latency within 15 % of it counts as inside" if table["metric"].str.endswith("_ms").any() else ""
    return "\n".join(
        [wide.to_string(), f"{outside} of {len(table)} model values outside the real range (<<){tolerance}"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.reality", description="The model beside the real runs.")
    parser.add_argument("results", nargs="?", type=Path, default=RESULTS, help="the real runs (reality/results.json)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--fit", action="store_true", help="find the per-call costs that fit the runs best")
    how.add_argument("--no-costs", action="store_true", help="the model without per-call costs (what they buy)")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    if args.fit:  # print the costs that fit these runs best; FITTED_COSTS is where they are kept
        costs = fit(results)
        print(
            "fitted per-call costs (FITTED_COSTS in sim/reality.py): "
            + ", ".join(f"{name} = {value:g}" for name, value in costs.items())
        )
        print(format_table(comparison(results, costs)))
        return 0
    if args.no_costs:  # the model with free servers and browser: printed, never written
        table = comparison(results, dict.fromkeys(FITTED_COSTS, 0.0))
        latency = table[table["metric"].str.endswith("_ms")]
        ratio = (latency["real_min"] + latency["real_max"]) / 2 / latency["model"]
        print(format_table(table))
        print(f"real latency / model's, the middle of the real range: {ratio.min():.1f} to {ratio.max():.1f} "
              f"(median {ratio.median():.1f})")  # fmt: skip
        return 0
    versions = results["versions"]
    print(
        f"model beside the real stack ({args.results.name}: "
        f"{len(results['cases'])} cases x {results['repetitions']} repetitions; "
        f"Chromium {versions['chromium']}, Node {versions['node']}, "
        + ", ".join(f"{name} {version}" for name, version in versions["packages"].items())
        + ")"
    )
    print("time in the real server beyond its fixed wait, ms (the stats endpoint's per-call times):")
    print(server_times(results).to_string(float_format="{:.0f}".format))
    if STORAGE.exists():  # what the model's tab_sync = "measured" draws from
        seen = storage_visibility()
        print(
            "another tab's localStorage write seen after, ms (reality/storage.json): "
            + ", ".join(
                f"{name.removeprefix('delay_').removesuffix('_ms')} {value:.1f}"
                for name, value in seen.items()
                if name.startswith("delay_")
            )
            + f"; read under the Web Lock after another tab wrote: the old value {seen['old_value_under_lock']}"
        )
    print()
    table = comparison(results)
    print(format_table(table))
    table.to_csv(args.results.with_name("comparison.csv"), index=False)  # what tests/test_reality.py holds
    runs = real_runs(results)
    rotated = runs[runs["rotation"] & runs["strategy"].isin(("weblock", "worker"))]
    print()
    print("the cross-tab fixes in the real tabs, median latency, ms (weblock: a Web Lock and a second look at")
    print("localStorage; worker: the refresh in one SharedWorker):")
    print(fix_costs(runs).to_string(float_format="{:.0f}".format))
    for fix, rows in rotated.groupby("strategy"):
        calls, lost = rows["refresh_calls"], int((rows["families_revoked"] > 0).sum())
        print(f"{fix} under rotation: {len(rows)} runs, refresh calls {calls.min()}-{calls.max()}, revoked in {lost}")
    print()
    more = [json.loads(HANDOFFS.read_text())] if HANDOFFS.exists() else []  # the same cases, more repetitions
    print("the Web Lock's handoffs, weblock with 2 or 4 tabs: runs with a second refresh and with the family lost,")
    print(f"real runs ({args.results.name}{' and ' + HANDOFFS.name if more else ''}) beside 100 seeds of each case")
    print("in the model (tab_sync = measured):")
    print(handoffs(results, *more).to_string())
    python_results = args.results.with_name(PYTHON_RESULTS.name)
    if python_results.exists():  # the Python clients, each beside its library preset
        clients = json.loads(python_results.read_text())
        print()
        print(
            "Python clients beside their library presets ("
            + ", ".join(f"{name} {number}" for name, number in clients["versions"].items())
            + f"; {clients['repetitions']} repetitions):"
        )
        table = python_comparison(clients)
        print(format_table(table))
        table.to_csv(python_results.with_name("python_comparison.csv"), index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

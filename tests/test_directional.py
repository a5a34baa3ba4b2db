"""Directional and closed-form checks: the model moves the right way, and
matches a formula where one exists."""

import math

import numpy as np
import pandas as pd
import pytest

from sim import Capacities, Latencies, Scenario, TokenPolicy, Workload, compare, run

STEADY = Scenario(
    tokens=TokenPolicy(access_ttl_s=20),
    latencies=Latencies(service_distribution="exponential"),
    workload=Workload(kind="steady", users=10, concurrency=4, page_rate_per_s=0.2, duration_s=300),
)
SEEDS = [1, 2, 3, 4, 5]


def summaries(scenario):
    return {result.strategy: result.summary for result in compare(scenario)}


@pytest.mark.parametrize("strategy", ["naive", "locked", "queued"])
def test_a_longer_access_lifetime_means_fewer_refreshes(strategy):
    counts = [run(STEADY.with_(strategy=strategy, access_ttl_s=ttl)).summary["refresh_calls"] for ttl in (10, 30, 120)]
    assert counts[0] > counts[1] > counts[2] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_single_flight_never_sends_more_refreshes_than_naive(seed):
    by = summaries(STEADY.with_(seed=seed))
    assert by["locked"]["refresh_calls"] <= by["naive"]["refresh_calls"]
    assert by["queued"]["refresh_calls"] <= by["naive"]["refresh_calls"]
    assert by["locked"]["refresh_calls"] < by["naive"]["refresh_calls"]  # concurrency 4 storms


@pytest.mark.parametrize("seed", SEEDS)
def test_queued_gets_no_more_401s_than_locked(seed):
    by = summaries(STEADY.with_(seed=seed, api_capacity=2))
    assert by["queued"]["unauthorized_responses"] <= by["locked"]["unauthorized_responses"]


@pytest.mark.parametrize("concurrency", [1, 3, 8])
def test_naive_burst_amplifies_by_the_concurrency(concurrency):
    by = summaries(Scenario(workload=Workload(kind="burst", concurrency=concurrency)))
    assert by["naive"]["refresh_amplification"] == concurrency
    assert by["naive"]["auth_peak_in_flight"] == concurrency
    assert by["locked"]["refresh_amplification"] == by["queued"]["refresh_amplification"] == 1


def test_steady_request_count_matches_the_poisson_rate():
    users, rate, concurrency, duration, ttl = 40, 0.5, 2, 400.0, 100
    latencies = Latencies(rtt_s=0.1, auth_service_s=0.02)
    scenario = Scenario(
        tokens=TokenPolicy(access_ttl_s=ttl),
        latencies=latencies,
        workload=Workload(
            kind="steady", users=users, concurrency=concurrency, page_rate_per_s=rate, duration_s=duration
        ),
    )
    # Each user logs in at U(0, ttl), ready rtt + auth later, then loads pages
    # as a Poisson process until the end: pages ~ Poisson(rate * window).
    window = duration - ttl / 2 - (latencies.rtt_s + latencies.auth_service_s)
    pages = users * rate * window
    pages_var = pages + users * rate**2 * ttl**2 / 12  # Poisson noise + spread of logins
    expected, sd = concurrency * pages, concurrency * math.sqrt(pages_var)

    count = run(scenario).summary["requests"]
    assert abs(count - expected) < 4 * sd


def test_one_api_worker_serves_a_burst_one_after_another():
    rtt, service, n = 0.1, 0.05, 5
    scenario = Scenario(
        latencies=Latencies(rtt_s=rtt, api_service_s=service),
        capacities=Capacities(api_capacity=1),
        workload=Workload(kind="burst", concurrency=n, at_s=5.0),  # token still valid
    )
    requests = run(scenario).requests

    assert list(requests["latency_s"]) == pytest.approx([rtt + k * service for k in range(1, n + 1)])
    assert requests["finished_s"].max() == pytest.approx(5.0 + rtt + n * service)


def test_the_same_seed_repeats_exactly():
    first, again = run(STEADY.with_(seed=7)), run(STEADY.with_(seed=7))
    pd.testing.assert_frame_equal(first.requests, again.requests)
    pd.testing.assert_frame_equal(first.calls, again.calls)


def test_another_seed_gives_other_arrivals():
    one, other = run(STEADY.with_(seed=7)), run(STEADY.with_(seed=8))
    assert not np.array_equal(one.requests["created_s"], other.requests["created_s"])


@pytest.mark.parametrize("seed", SEEDS)
def test_strategies_share_their_arrivals(seed):
    results = compare(STEADY.with_(seed=seed))
    assert [r.logouts for r in results] == [0, 0, 0]
    arrivals = [np.sort(r.requests["created_s"].to_numpy()) for r in results]
    for other in arrivals[1:]:
        np.testing.assert_array_equal(other, arrivals[0])
    assert len({r.summary["refresh_calls"] for r in results}) > 1  # the runs did differ


@pytest.mark.parametrize("synchronized", [False, True])
def test_the_preflight_estimate_is_the_expected_request_count(synchronized):
    """``estimate``'s closed form (pages from each login to the end, logins uniform) against a run."""
    from sim.estimate import estimate

    workload = Workload(
        kind="steady", users=300, concurrency=3, page_rate_per_s=0.1, duration_s=1500, synchronized=synchronized
    )
    scenario = Scenario(tokens=TokenPolicy(access_ttl_s=600), workload=workload)
    expected, made = estimate(scenario).requests, run(scenario).summary["requests"]
    assert abs(made - expected) < 0.03 * expected  # a few hundred requests on ~130 000

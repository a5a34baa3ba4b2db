"""Exact timelines of tiny deterministic scenarios, SimPy style.

One user, fixed service times chosen so each leg is visible in the times:
a round trip takes 0.1 s, the API rejects a token in 0.01 s and serves in
0.05 s, the auth server answers in 0.02 s. The access token lives 10 s, so
the default burst fires at 11 s, one second after it died.
"""

import pytest

from sim import ClientPolicy, Latencies, Scenario, TokenPolicy, Workload, run

RTT, API, REJECT, AUTH = 0.1, 0.05, 0.01, 0.02
LATENCIES = Latencies(rtt_s=RTT, api_service_s=API, api_401_service_s=REJECT, auth_service_s=AUTH)


def scenario(strategy, workload):
    return Scenario(
        tokens=TokenPolicy(access_ttl_s=10),
        latencies=LATENCIES,
        workload=workload,
        client=ClientPolicy(strategy=strategy),
        record_calls=True,
    )


def burst(strategy, concurrency=5):
    return run(scenario(strategy, Workload(kind="burst", concurrency=concurrency)))


def trace(strategy, tmp_path, times):
    """One user whose requests come at ``times`` (the first, at 0, logs them in)."""
    path = tmp_path / "arrivals.csv"
    path.write_text("time_s,user\n" + "".join(f"{t},alice\n" for t in times))
    return run(scenario(strategy, Workload(kind="trace", arrivals=str(path))))


def log(result, with_request=False):
    """(time the answer reached the client, endpoint, status[, request]) per call."""
    return [
        (round(c.received_s, 9), c.endpoint, c.status) + ((c.request,) if with_request else ())
        for c in result.records.calls
    ]


def test_naive_burst_sends_one_refresh_per_request():
    result = burst("naive")

    assert log(result) == (
        [(0.12, "login", 200)]
        + [(11.11, "resource", 401)] * 5
        + [(11.23, "refresh", 200)] * 5
        + [(11.38, "resource", 200)] * 5
    )
    assert sorted(result.refreshes["request"]) == [0, 1, 2, 3, 4]


def test_naive_latency_is_the_sum_of_its_legs():
    requests = burst("naive").requests

    legs = (RTT + REJECT) + (RTT + AUTH) + (RTT + API)
    assert list(requests["latency_s"]) == pytest.approx([legs] * 5)
    assert list(requests["held_s"]) == pytest.approx([RTT + AUTH] * 5)
    assert list(requests["reason"]) == ["ok"] * 5


def test_locked_burst_sends_exactly_one_refresh():
    result = burst("locked")

    assert log(result) == (
        [(0.12, "login", 200)]
        + [(11.11, "resource", 401)] * 5
        + [(11.23, "refresh", 200)]
        + [(11.38, "resource", 200)] * 5
    )
    assert list(result.requests["held_s"]) == pytest.approx([RTT + AUTH] * 5)


def test_queued_holds_a_request_that_arrives_during_the_refresh(tmp_path):
    # Request 1 gets its 401 at 11.11 and refreshes until 11.23; request 2 comes at 11.15.
    result = trace("queued", tmp_path, [0, 11, 11.15])

    held = result.requests.iloc[2]
    assert held["held_s"] == pytest.approx(11.23 - 11.15)
    assert (held["api_calls"], held["unauthorized"], held["reason"]) == (1, 0, "ok")
    assert held["finished_s"] == pytest.approx(11.23 + RTT + API)
    assert len(result.refreshes) == 1


def test_locked_sends_the_same_request_with_the_dead_token(tmp_path):
    result = trace("locked", tmp_path, [0, 11, 11.15])

    late = result.requests.iloc[2]
    assert (late["api_calls"], late["unauthorized"], late["reason"]) == (2, 1, "ok")
    assert len(result.refreshes) == 1


def test_locked_401_during_the_refresh_waits_for_it(tmp_path):
    # Request 2 leaves at 11.05 and its 401 arrives at 11.16, mid-refresh.
    result = trace("locked", tmp_path, [0, 11, 11.05])

    waiting = result.requests.iloc[2]
    assert waiting["held_s"] == pytest.approx(11.23 - 11.16)
    assert waiting["finished_s"] == pytest.approx(11.23 + RTT + API)
    assert len(result.refreshes) == 1


def test_locked_late_401_retries_without_a_new_refresh(tmp_path):
    # Request 2 leaves at 11.2 with the old token; its 401 arrives at 11.31,
    # after the refresh stored a new token at 11.23: it retries with that one.
    result = trace("locked", tmp_path, [0, 11, 11.2])

    assert log(result, with_request=True) == [
        (0.12, "login", 200, -1),
        (0.27, "resource", 200, 0),
        (11.11, "resource", 401, 1),
        (11.23, "refresh", 200, -1),
        (11.31, "resource", 401, 2),
        (11.38, "resource", 200, 1),
        (11.46, "resource", 200, 2),
    ]
    late = result.requests.iloc[2]
    assert (late["api_calls"], late["unauthorized"], late["held_s"]) == (2, 1, 0.0)

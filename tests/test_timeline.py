"""Exact timelines of tiny deterministic scenarios, SimPy style.

One user, fixed service times chosen so each leg is visible in the times:
a round trip takes 0.1 s, the API rejects a token in 0.01 s and serves in
0.05 s, the auth server answers in 0.02 s. The access token lives 10 s, so
the default burst fires at 11 s, one second after it died.
"""

import pytest

from sim import Latencies, Scenario, TokenPolicy, Workload, run

RTT, API, REJECT, AUTH = 0.1, 0.05, 0.01, 0.02
LATENCIES = Latencies(rtt_s=RTT, api_service_s=API, api_401_service_s=REJECT, auth_service_s=AUTH)


def scenario(strategy, workload):
    return Scenario(
        tokens=TokenPolicy(access_ttl_s=10),
        latencies=LATENCIES,
        workload=workload,
        client=strategy,
        record_calls=True,
    )


def burst(strategy, concurrency=5):
    return run(scenario(strategy, Workload(kind="burst", concurrency=concurrency)))


def trace(strategy, tmp_path, times, **policy):
    """One user whose requests come at ``times`` (the first, at 0, logs them in);
    ``policy`` sets fields over the preset."""
    path = tmp_path / "arrivals.csv"
    path.write_text("time_s,user\n" + "".join(f"{t},alice\n" for t in times))
    return run(scenario(strategy, Workload(kind="trace", arrivals=str(path))).with_(**policy))


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


# -- mixed policies: the presets' fields in other combinations -----------------


def test_single_flight_without_the_late_401_check_refreshes_again_for_a_late_401(tmp_path):
    """axios-auth-refresh's shape: one refresh at a time, but a 401 that comes back after the
    refresh ended (request 2, sent at 11.2 with the old token) starts a second one."""
    result = trace("locked", tmp_path, [0, 11, 11.2], late_401_check=False)

    assert log(result, with_request=True) == [
        (0.12, "login", 200, -1),
        (0.27, "resource", 200, 0),
        (11.11, "resource", 401, 1),
        (11.23, "refresh", 200, -1),
        (11.31, "resource", 401, 2),
        (11.38, "resource", 200, 1),
        (11.43, "refresh", 200, -1),  # the second refresh: 11.31 + RTT + AUTH
        (11.58, "resource", 200, 2),
    ]
    assert list(result.refreshes["trigger"]) == ["a1", "a1"]  # both set off by the same dead token
    assert result.summary["refresh_amplification"] == 2.0


def test_hold_without_single_flight_waits_for_the_refresh_a_request_sent(tmp_path):
    """naive's own refreshes, but a request made during one is held until it ends."""
    result = trace(
        "locked", tmp_path, [0, 11, 11.15], single_flight="none", late_401_check=False, hold_while_refreshing=True
    )

    held = result.requests.iloc[2]
    assert (held["api_calls"], held["unauthorized"], held["reason"]) == (1, 0, "ok")
    assert held["held_s"] == pytest.approx(11.23 - 11.15)
    assert list(result.refreshes["request"]) == [1]  # request 1's own refresh


def test_a_loop_guard_stops_a_client_that_retries_until_it_gets_through():
    """Tokens of 1 s and a round trip of 1 s: every new token is dead when the retry reaches the API.

    ``iat`` is the whole second of issue, so a token issued at 3.51 dies at 4.0 and the retry sent
    at 4.03 arrives at 4.53. The article's client gives up after one refresh; a client allowed
    three retries sends three refreshes and four API calls, then gives up too.
    """
    slow = Latencies(rtt_s=1.0, api_service_s=API, api_401_service_s=REJECT, auth_service_s=AUTH)
    base = Scenario(
        tokens=TokenPolicy(access_ttl_s=1),
        latencies=slow,
        workload=Workload(kind="burst", concurrency=1, at_s=2.0),
        record_calls=True,
    )
    once, thrice = run(base), run(base.with_(max_retries=3))

    assert log(once) == [(1.02, "login", 200), (3.01, "resource", 401), (4.03, "refresh", 200), (5.04, "resource", 401)]
    assert log(thrice)[1:] == [
        (3.01, "resource", 401), (4.03, "refresh", 200), (5.04, "resource", 401), (6.06, "refresh", 200),
        (7.07, "resource", 401), (8.09, "refresh", 200), (9.1, "resource", 401),
    ]  # fmt: skip
    for result, calls in ((once, 2), (thrice, 4)):
        request = result.requests.iloc[0]
        assert (request["reason"], request["api_calls"], request["unauthorized"]) == ("unauthorized", calls, calls)


def test_no_retries_means_a_401_is_final(tmp_path):
    result = trace("locked", tmp_path, [0, 11], max_retries=0)

    assert log(result) == [(0.12, "login", 200), (0.27, "resource", 200), (11.11, "resource", 401)]
    assert list(result.requests["reason"]) == ["ok", "unauthorized"]

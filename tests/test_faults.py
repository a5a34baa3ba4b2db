"""Outages, retries, timeouts and the browser's limits: exact timelines of tiny scenarios.

The legs of ``test_timeline``: a round trip of 0.1 s, the API rejects in
0.01 s and serves in 0.05 s, the auth server answers in 0.02 s. Access
tokens live 10 s, so a burst at 11 s meets a dead token: its 401 comes back
at 11.11 and the refresh goes out then. An outage answers 503 on arrival,
so a refresh that meets one is back 0.1 s after it left.
"""

import pytest

from sim import Faults, Latencies, Scenario, TokenPolicy, Workload, run

LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)
BURST = Scenario(
    tokens=TokenPolicy(access_ttl_s=10), latencies=LATENCIES, workload=Workload(kind="burst", concurrency=1),
    record_calls=True,
)  # fmt: skip


def refreshes_sent(result):
    return [round(call.sent_s, 3) for call in result.records.calls if call.endpoint == "refresh"]


def outage(until_s, mode="503", **client):
    """The burst during an outage from 10 s to ``until_s``, locked, with these client fields."""
    return run(BURST.with_(strategy="locked", auth_outages=f"10:{until_s}:{mode}", retries_exhausted="fail", **client))


# -- each retry policy, try by try (seed 1) ------------------------------------------


def test_no_retry_is_the_articles_one_try():
    result = outage(15)
    assert refreshes_sent(result) == [11.11]
    assert result.records.requests()[0].reason == "failed"  # the tries ran out; the session is kept
    assert run(BURST.with_(strategy="locked", auth_outages="10:15")).summary["logouts"] == 1  # the article's catch


def test_immediate_retries_go_back_to_back():
    assert refreshes_sent(outage(15, retry="immediate", max_tries=5)) == [11.11, 11.21, 11.31, 11.41, 11.51]


def test_fixed_retries_wait_the_base():
    result = outage(15, retry="fixed", retry_base_s=1, max_tries=5)
    assert refreshes_sent(result) == [11.11, 12.21, 13.31, 14.41, 15.51]  # the fifth comes after the outage
    assert result.records.requests()[0].reason == "ok"


def test_exponential_retries_double_the_wait():
    assert refreshes_sent(outage(15, retry="exponential", retry_base_s=1, max_tries=5)) == [11.11, 12.21, 14.31, 18.41]


def test_the_cap_bounds_an_exponential_wait():
    sent = refreshes_sent(outage(30, retry="exponential", retry_base_s=1, retry_cap_s=3, max_tries=6))
    assert sent == [11.11, 12.21, 14.31, 17.41, 20.51, 23.61]  # waits 1, 2, then 3, 3, 3


@pytest.mark.parametrize(
    ("retry", "sent"),
    [
        ("full-jitter", [11.11, 12.111, 12.308, 15.006, 22.171]),
        ("equal-jitter", [11.11, 12.16, 13.309, 16.708, 24.341]),
        ("decorrelated", [11.11, 14.011, 15.474, 18.578, 26.755]),
    ],
)
def test_jittered_retries_with_a_fixed_seed(retry, sent):
    assert refreshes_sent(outage(20, retry=retry, max_tries=6)) == sent


@pytest.mark.parametrize("retry", ["full-jitter", "equal-jitter", "decorrelated"])
def test_jittered_waits_stay_within_their_bounds(retry):
    sent = refreshes_sent(outage(60, retry=retry, retry_base_s=1, retry_cap_s=8, max_tries=12))
    waits = [later - (earlier + 0.1) for earlier, later in zip(sent, sent[1:], strict=False)]  # a try takes 0.1 s
    ceilings = [min(8, 2**n) for n in range(len(waits))]
    for n, (wait, ceiling) in enumerate(zip(waits, ceilings, strict=True)):
        low = ceiling / 2 if retry == "equal-jitter" else 1.0 if retry == "decorrelated" else 0.0
        high = 8 if retry == "decorrelated" else ceiling
        assert low - 1e-6 <= wait <= high + 1e-6, (n, wait)


def test_a_retry_budget_stops_retries_when_it_runs_dry():
    """A bucket of 2 retries refilled at 0.5 a second: after 1.1 s, 1.1 s and 1.1 s it has had 3.65."""
    result = run(
        BURST.with_(strategy="locked", auth_outages="10:15", retry="fixed", retry_base_s=1, max_tries=10,
                    retry_budget="0.5:2")
    )  # fmt: skip
    assert refreshes_sent(result) == [11.11, 12.21, 13.31, 14.41]  # the fourth retry finds no token
    assert result.summary["logouts"] == 1  # then the article's catch


def test_retry_after_is_a_floor_on_the_wait():
    """A rate limit of 1 a second with a burst of 1: of naive's two refreshes, one gets 429 and
    Retry-After: 1; an immediate retry waits that second."""
    result = run(
        BURST.with_(strategy="naive", concurrency=2, auth_rate_limit="1:1", retry="immediate", max_tries=3,
                    retry_after=True)
    )  # fmt: skip
    calls = [(round(c.sent_s, 3), c.status) for c in result.records.calls if c.endpoint == "refresh"]
    assert sorted(calls) == [(11.11, 200), (11.11, 429), (12.21, 200)]
    assert result.summary["rate_limited"] == 1


# -- timeouts, silent outages and lost answers ---------------------------------------


def test_a_silent_outage_resets_its_connections_when_it_ends():
    result = outage(15, "silent", retry="fixed", retry_base_s=1, max_tries=3)
    calls = [(round(c.sent_s, 3), round(c.received_s, 3), c.status, c.outcome) for c in result.records.calls
             if c.endpoint == "refresh"]  # fmt: skip
    assert calls == [(11.11, 15.05, 0, "reset"), (16.05, 16.17, 200, "valid")]


def test_a_timeout_gives_up_while_the_server_holds_the_call():
    result = outage(15, "silent", retry="fixed", retry_base_s=1, max_tries=3, refresh_timeout_s=2)
    assert refreshes_sent(result) == [11.11, 14.11, 16.05]  # gave up at 13.11, waited 1 s; reset at 15.05
    assert result.summary["refresh_timeouts"] == 2 and result.summary["refresh_attempts"] == 3


def test_an_api_timeout_fails_the_request_but_the_api_still_serves_it():
    result = run(BURST.with_(strategy="locked", at_s=5.0, api_service_s=1.0, api_timeout_s=0.5))
    (request,) = result.records.requests()
    assert (request.reason, round(request.finished_s - request.created_s, 9)) == ("failed", 0.5)
    (call,) = [c for c in result.records.calls if c.endpoint == "resource"]
    assert (call.status, round(call.received_s, 9)) == (200, 6.1)  # answered after the client left


def test_a_lost_answer_under_rotation_makes_the_retry_present_a_used_token():
    """The server rotated r2 for the first try; its answer never came; the retry presents r2 again."""
    result = run(
        BURST.with_(strategy="locked", rotation=True, reuse_detection=True, refresh_loss=1.0, retry="immediate",
                    max_tries=2)
    )  # fmt: skip
    tries = [(c.token, c.status, c.outcome) for c in result.records.calls if c.endpoint == "refresh"]
    assert tries == [("r2", 200, "lost"), ("r2", 401, "reused")]
    assert result.summary["logouts"] == 1


def test_a_grace_window_forgives_the_retry_after_a_lost_answer():
    """Half the answers lost (seed 6: the first one is): without a grace window the retry is taken
    for theft; with one of 30 s it gets the family's current tokens."""
    lossy = BURST.with_(strategy="locked", rotation=True, reuse_detection=True, refresh_loss=0.5, retry="immediate",
                        max_tries=3, seed=6)  # fmt: skip
    without = run(lossy)
    assert [c.outcome for c in without.records.calls if c.endpoint == "refresh"] == ["lost", "reused"]
    assert without.summary["logouts"] == 1
    graced = run(lossy.with_(grace_s=30.0))
    assert [c.outcome for c in graced.records.calls if c.endpoint == "refresh"][:2] == ["lost", "grace"]
    assert graced.summary["logouts"] == 0


# -- the browser's limits ---------------------------------------------------------------


def test_with_one_connection_the_refresh_waits_behind_an_api_call():
    result = run(BURST.with_(strategy="locked", concurrency=2, max_connections=1))
    calls = [(round(c.sent_s, 3), round(c.received_s, 3), c.endpoint, c.status) for c in result.records.calls]
    assert calls == [
        (0, 0.12, "login", 200),
        (11.0, 11.11, "resource", 401),
        (11.11, 11.22, "resource", 401),  # the second request waited for the first's connection
        (11.22, 11.34, "refresh", 200),  # and the refresh for the second's
        (11.34, 11.49, "resource", 200),
        (11.49, 11.64, "resource", 200),
    ]
    unlimited = run(BURST.with_(strategy="locked", concurrency=2))
    assert unlimited.requests["latency_s"].max() == pytest.approx(0.38)
    assert result.requests["latency_s"].max() == pytest.approx(0.64)


def test_each_call_costs_the_tab_its_time_one_at_a_time():
    result = run(BURST.with_(strategy="locked", concurrency=3, client_cost_s=0.01))
    api_sent = [round(c.sent_s, 3) for c in result.records.calls if c.endpoint == "resource" and c.status == 401]
    assert api_sent == [11.01, 11.02, 11.03]


def test_faults_windows_are_refused_when_malformed():
    from sim import ConfigError

    for bad in ("5", "10:5", "a:b", "1:2:down", "1:2:503:4"):
        with pytest.raises(ConfigError, match="auth_outages"):
            Faults(auth_outages=bad)


def test_an_outage_window_covers_its_start_but_not_its_end():
    """``START:END`` is the half-open window [START, END): a refresh arriving at END is served (issue 26:
    a window that also covered its end instant passed every test)."""
    from sim.config.faults import Outage, Refusal

    for mode in ("503", "silent"):
        window = Outage(10.0, 20.0, mode)
        assert isinstance(window.refusal(10.0), Refusal)
        assert isinstance(window.refusal(19.999), Refusal)
        assert window.refusal(20.0) is None
        assert window.refusal(9.999) is None

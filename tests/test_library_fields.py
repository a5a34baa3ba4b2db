"""Fields real libraries need beyond the article's three presets: a 401 during a shared refresh,
and users who come back to pages long after their login."""

import pytest

import sim
from sim import ConfigError, Scenario, Workload

BURST = Scenario(workload=Workload(kind="burst", concurrency=5))


def test_a_401_during_the_shared_refresh_reaches_the_app_when_the_interceptor_is_paused():
    # axios-auth-refresh with deduplicateRefresh: the first 401 starts the refresh; the other four
    # come back while it is in flight, find the interceptor skipped, and fail as 401s.
    result = sim.run(BURST.with_(strategy="queued", late_401_check=False, in_flight_401="fail"))
    reasons = result.requests.sort_values("request")["reason"].tolist()
    assert result.summary["refresh_calls"] == 1
    assert reasons.count("unauthorized") == 4 and reasons.count("ok") == 1
    assert result.summary["logouts"] == 0


def test_joining_is_the_default_and_loses_nobody():
    result = sim.run(BURST.with_(strategy="queued", late_401_check=False))
    assert result.scenario.client.single_flight.in_flight_401 == "join"
    assert result.summary["refresh_calls"] == 1 and result.summary["requests_failed"] == 0


def test_failing_in_flight_401s_needs_a_shared_refresh():
    with pytest.raises(ConfigError, match="in_flight_401 = .fail.: only single_flight = tab reads it"):
        BURST.with_(strategy="naive", in_flight_401="fail")


def test_pages_start_at_pages_from_s_and_nothing_before():
    workload = Workload(kind="steady", users=10, duration_s=1200, pages_from_s=800, login_window_s=60)
    result = sim.run(Scenario(workload=workload))
    assert result.requests["created_s"].min() >= 800
    assert result.summary["requests"] > 0


def test_pages_from_s_zero_changes_nothing():
    workload = Workload(kind="steady", users=5, duration_s=600)
    same = Workload(kind="steady", users=5, duration_s=600, pages_from_s=0.0)
    assert (
        sim.run(Scenario(workload=workload)).summary["requests"] == sim.run(Scenario(workload=same)).summary["requests"]
    )


@pytest.mark.parametrize(("value", "message"), [(-1, "pages_from_s = -1"), (700, "must be before duration_s = 600")])
def test_pages_from_s_is_checked(value, message):
    with pytest.raises(ConfigError, match=message):
        Workload(kind="steady", duration_s=600, pages_from_s=value)


@pytest.mark.parametrize(("rejected", "reasons", "logouts"), [("logout", "logged_out", 1), ("fail", "failed", 0)])
def test_a_rejected_refresh_logs_out_or_fails_the_requests_and_keeps_the_tokens(rejected, reasons, logouts):
    # naive under rotation with reuse detection: the first refresh rotates r1, the other four present
    # it again and are rejected (401). The article logs out; a library that raises fails them.
    scenario = BURST.with_(rotation=True, reuse_detection=True, refresh_rejected=rejected)
    result = sim.run(scenario)
    counts = result.requests["reason"].value_counts()
    assert result.summary["refresh_calls"] == 5 and result.summary["logouts"] == logouts
    assert counts.get(reasons, 0) == 4 and counts.get("ok", 0) == 1

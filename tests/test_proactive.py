"""Refreshing before expiry: exact timelines for each mode, the race with a 401, clock skew.

The legs are those of ``test_timeline``: a round trip of 0.1 s, the API
rejects in 0.01 s and serves in 0.05 s, the auth server answers in 0.02 s.
The access token lives 10 s: the login is answered at 0.12 with a token
whose ``exp`` is 10 (``iat`` is the second the login reached the server, 0).
"""

import math

import pytest

from sim import Latencies, RefreshTokenPolicy, Scenario, TokenPolicy, Workload, client_named, run
from sim.config import Clocks, Faults
from sim.tokens import TokenIssuer, unverified

LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)


def trace(tmp_path, times, strategy="locked", **changes):
    """One user whose requests come at ``times`` (the first, at 0, logs them in)."""
    path = tmp_path / "arrivals.csv"
    path.write_text("time_s,user\n" + "".join(f"{t},alice\n" for t in times))
    scenario = Scenario(
        tokens=TokenPolicy(access_ttl_s=10),
        latencies=LATENCIES,
        workload=Workload(kind="trace", arrivals=str(path)),
        client=strategy,
        record_calls=True,
    )
    return run(scenario.with_(**changes))


def log(result):
    """(time the answer reached the client, endpoint, status, token presented) per call."""
    return [(round(c.received_s, 9), c.endpoint, c.status, c.token) for c in result.records.calls]


def test_on_use_refreshes_before_sending_once_the_margin_is_reached(tmp_path):
    result = trace(tmp_path, [0, 6, 8], proactive="on-use", margin_s=3)

    assert log(result) == [
        (0.12, "login", 200, ""),
        (0.27, "resource", 200, "a1"),  # the first request, sent as soon as the login is done
        (6.15, "resource", 200, "a1"),  # 4 s left: more than the margin, sent as it is
        (8.12, "refresh", 200, "r2"),  # 2 s left: refreshed first...
        (8.27, "resource", 200, "a3"),  # ... and sent with the new token
    ]
    assert result.requests["held_s"].round(9).tolist() == [0.0, 0.0, 0.12]
    assert result.summary["proactive_refreshes"] == 1
    assert result.summary["unauthorized_responses"] == 0


def test_timer_refreshes_at_the_first_tick_past_the_margin_and_stops_when_the_app_closes(tmp_path):
    result = trace(tmp_path, [0, 9], proactive="timer", margin_s=3, timer_tick_s=1)

    assert log(result) == [
        (0.12, "login", 200, ""),
        (0.27, "resource", 200, "a1"),
        (7.24, "refresh", 200, "r2"),  # ticks at 0.12 + k s; the first at or past exp - 3 = 7 is 7.12
        (9.15, "resource", 200, "a3"),  # the request never waited: the token was new already
    ]
    # The next token is due at 14.12, after the app closed at the last request (9 s): no more refreshes.
    assert result.summary["proactive_refreshes"] == 1
    assert result.requests["held_s"].tolist() == [0.0, 0.0]


def test_background_sends_with_the_current_token_while_it_refreshes(tmp_path):
    result = trace(tmp_path, [0, 8, 10.5, 10.5], proactive="background", margin_s=3, max_retries=0)

    assert log(result) == [
        (0.12, "login", 200, ""),
        (0.27, "resource", 200, "a1"),
        (8.12, "refresh", 200, "r2"),  # past the margin: a refresh starts at 8...
        (8.15, "resource", 200, "a1"),  # ... and the request goes at once with the old token, still good
        (10.65, "resource", 200, "a3"),
        (10.65, "resource", 200, "a3"),
    ]
    assert result.requests["held_s"].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_background_waits_for_a_token_it_believes_dead(tmp_path):
    result = trace(tmp_path, [0, 10.5, 10.5], proactive="background", margin_s=3)

    assert log(result) == [
        (0.12, "login", 200, ""),
        (0.27, "resource", 200, "a1"),
        (10.62, "refresh", 200, "r2"),  # one refresh (single-flight) for both requests
        (10.77, "resource", 200, "a3"),
        (10.77, "resource", 200, "a3"),
    ]
    assert result.requests["held_s"].round(9).tolist() == [0.0, 0.12, 0.12]
    assert result.summary["expired_on_arrival"] == 0


# -- a proactive refresh racing a 401 ------------------------------------------
#
# Margin 0 and a 1 s tick: the timer fires at 10.12, just after the token died
# at 10. A request sent at 10.1 with the dead token gets its 401 back at 10.21,
# while the timer's refresh (sent 10.12) is still out until 10.24. (The app
# stays open until a last request at 12.)

RACE = dict(proactive="timer", margin_s=0, timer_tick_s=1)


def test_with_single_flight_the_401_joins_the_timers_refresh(tmp_path):
    result = trace(tmp_path, [0, 10.1, 12], "locked", **RACE)

    assert log(result) == [
        (0.12, "login", 200, ""),
        (0.27, "resource", 200, "a1"),
        (10.21, "resource", 401, "a1"),
        (10.24, "refresh", 200, "r2"),  # the timer's: the 401 waits for it instead of sending another
        (10.39, "resource", 200, "a3"),
        (12.15, "resource", 200, "a3"),
    ]
    assert result.summary["refresh_calls"] == result.summary["proactive_refreshes"] == 1


def test_without_single_flight_the_401_sends_a_second_refresh(tmp_path):
    result = trace(tmp_path, [0, 10.1, 12], "naive", **RACE)

    assert log(result) == [
        (0.12, "login", 200, ""),
        (0.27, "resource", 200, "a1"),
        (10.21, "resource", 401, "a1"),
        (10.24, "refresh", 200, "r2"),  # the timer's
        (10.33, "refresh", 200, "r2"),  # the 401's own, sent at 10.21 with the same refresh token
        (10.48, "resource", 200, "a4"),
        (12.15, "resource", 200, "a4"),
    ]
    assert result.summary["refresh_calls"] == 2 and result.summary["proactive_refreshes"] == 1


def test_without_single_flight_the_race_under_rotation_logs_the_user_out(tmp_path):
    """axios #10701: the timer's refresh rotated r2 away; the 401's refresh presents r2 again."""
    rotation = RefreshTokenPolicy(rotation=True, reuse_detection=True)
    result = trace(tmp_path, [0, 10.1, 12], "naive", refresh_tokens=rotation, **RACE)

    refreshes = result.refreshes
    assert refreshes[["token", "status", "outcome"]].values.tolist() == [
        ["r2", 200, "valid"],
        ["r2", 401, "reused"],
    ]
    assert result.summary["logouts"] == 1
    assert result.records.requests()[-1].reason == "logged_out"  # the request at 12 finds the login page
    assert trace(tmp_path, [0, 10.1, 12], "locked", refresh_tokens=rotation, **RACE).summary["logouts"] == 0


# -- clock skew ------------------------------------------------------------------


def test_a_clock_ahead_by_more_than_lifetime_minus_margin_refreshes_on_every_tick(tmp_path):
    skewed = dict(proactive="timer", margin_s=3, timer_tick_s=1, clock_offset_s=8)
    result = trace(tmp_path, [0, 5], **skewed)

    # By a clock 8 s fast, every new token (10 s) has 2 s left: less than the margin, due at once.
    # The timer's first tick is one after login (0.12 + 1), then every tick until the app closes at 5 s.
    assert result.refreshes["received_s"].round(9).tolist() == [1.24, 2.24, 3.24, 4.24]
    assert result.summary["proactive_refreshes"] == 4


@pytest.mark.parametrize("fix", [{"expiry_from": "expires_in"}, {"skew_estimation": True}])
def test_expires_in_or_skew_estimation_ends_the_loop(tmp_path, fix):
    skewed = dict(proactive="timer", margin_s=3, timer_tick_s=1, clock_offset_s=8)
    result = trace(tmp_path, [0, 5], **skewed, **fix)

    assert result.summary["refresh_calls"] == 0


def test_a_clock_behind_refreshes_too_late_and_meets_401s(tmp_path):
    result = trace(tmp_path, [0, 10.5], proactive="on-use", margin_s=3, clock_offset_s=-5)

    # By a clock 5 s slow the token still has 4.5 s at 10.5: sent as it is, and refused.
    assert log(result)[2:] == [
        (10.61, "resource", 401, "a1"),
        (10.73, "refresh", 200, "r2"),
        (10.88, "resource", 200, "a3"),
    ]
    assert result.summary["expired_on_arrival"] == 1 and result.summary["proactive_refreshes"] == 0


def test_skew_estimation_reads_the_offset_from_iat_and_the_round_trips_midpoint(tmp_path):
    """keycloak-js: timeSkew = floor(midpoint of the round trip, local) - iat."""
    result = trace(tmp_path, [0], proactive="on-use", skew_estimation=True, clock_offset_s=-90.7)
    assert result.summary["requests_ok"] == 1  # (the estimate itself is checked on the clock below)

    import simpy  # noqa: PLC0415

    from sim.client import Clock, OnUse  # noqa: PLC0415

    env = simpy.Environment()
    issuer = TokenIssuer(10, 100)
    token = issuer.issue("access", "alice", 0.05)  # iat: the second the call reached the server
    clock = Clock(env, -90.7, OnUse(skew_estimation=True), rng=None)
    env.run(until=0.12)
    expires_at, _ = clock.learned(token, 10, sent_s=0.0)
    assert clock.skew_s == -91  # floor(0.06 - 90.7) - 0
    assert expires_at == unverified(token).exp - 91


# -- answers no refresh can fix ----------------------------------------------------


@pytest.mark.parametrize("max_retries", [0, 1, 3, 100])
def test_a_401_no_refresh_fixes_costs_a_refresh_per_allowed_retry(tmp_path, max_retries):
    result = trace(tmp_path, [0], "locked", unfixable_401_rate=1.0, max_retries=max_retries)

    assert result.summary["refresh_calls"] == max_retries  # 100 stands for a client with no loop guard
    (request,) = result.records.requests()
    assert (request.reason, request.api_calls, request.unauthorized) == (
        "unauthorized",
        1 + max_retries,
        1 + max_retries,
    )
    assert set(result.calls.query("endpoint == 'resource'")["outcome"]) == {"insufficient_scope"}


def test_the_unfixable_share_is_about_what_was_asked_for():
    scenario = Scenario(
        workload=Workload(kind="burst", users=200, concurrency=10, at_s=5.0), faults=Faults(unfixable_401_rate=0.1)
    )
    summary = run(scenario.with_(strategy="locked", max_retries=0)).summary
    assert 0.07 < 1 - summary["requests_ok"] / summary["requests"] < 0.13  # 2,000 requests, 10 % of them


# -- server-randomised lifetimes --------------------------------------------------


def test_access_lifetimes_spread_over_the_range_in_whole_seconds():
    import random  # noqa: PLC0415

    issuer = TokenIssuer(3600, 86400, access_ttl_spread_s=1800, rng=random.Random(1))
    lifetimes = [unverified(t).exp - unverified(t).iat for t in (issuer.issue("access", "u", 0) for _ in range(2000))]
    assert min(lifetimes) >= 3600 and max(lifetimes) <= 5400
    assert 4400 < sum(lifetimes) / len(lifetimes) < 4600  # 75 min on average, as Entra's
    refresh = issuer.issue("refresh", "u", 0)
    assert unverified(refresh).exp - unverified(refresh).iat == 86400  # refresh tokens keep theirs


def test_clocks_refuse_an_offset_out_of_range():
    from sim.config import ConfigError  # noqa: PLC0415

    with pytest.raises(ConfigError, match="clock_offset_s"):
        Clocks(clock_offset_s=float("nan"))
    with pytest.raises(ConfigError, match="clock_offset_sd_s"):
        Clocks(clock_offset_sd_s=-1)


# -- closed forms ------------------------------------------------------------------
#
# One request per page, pages a Poisson process of rate LAM per user, tokens of T s.
# A reactive client meets each expired token with the first request after it died:
# one such request per cycle of T + 1/LAM on average (memoryless gaps), so a share
# 1 / (LAM*T + 1) of requests meets an expired token. An on-use client with margin m
# refreshes with the first request after T - m: a share 1 / (LAM*(T - m) + 1) of
# requests waits for a refresh, and none meets an expired token.

T, LAM = 300, 0.05
LONG = Scenario(
    tokens=TokenPolicy(access_ttl_s=T),
    workload=Workload(kind="steady", users=20, concurrency=1, page_rate_per_s=LAM, duration_s=36_000.0),
)


def test_a_reactive_client_meets_one_expired_token_per_cycle():
    summary = run(LONG.with_(strategy="locked")).summary
    share = summary["expired_on_arrival"] / summary["requests"]
    assert share == pytest.approx(1 / (LAM * T + 1), rel=0.03)


@pytest.mark.parametrize("margin_s", [30, 60, 200])
def test_a_margin_buys_no_401s_for_more_refreshes(margin_s):
    result = run(LONG.with_(strategy="locked", proactive="on-use", margin_s=margin_s))
    summary, requests = result.summary, result.requests
    assert summary["expired_on_arrival"] == 0
    waited = (requests["held_s"] > 0).mean()
    assert waited == pytest.approx(1 / (LAM * (T - margin_s) + 1), rel=0.03)
    assert summary["refresh_calls"] / summary["requests"] == pytest.approx(waited, rel=0.01)


def xfetch_expected_refresh_s(due_tick_s: float, refresh_at_s: float, tick_s: float, scale_s: float) -> float:
    """When a timer with XFetch refreshes, on average: the tick ``j`` ticks before the first due
    one (``due_tick_s``) fires with chance exp(-x_j / scale) (x_j: how long before ``refresh_at_s``
    it comes), and the timer takes the earliest tick that fires."""
    expected, survive = 0.0, 1.0
    ticks = [due_tick_s - j * tick_s for j in range(200, 0, -1)]  # earliest first
    for tick in ticks:
        chance = math.exp(-(refresh_at_s - tick) / scale_s)
        expected += survive * chance * tick
        survive *= 1 - chance
    return expected + survive * due_tick_s


def test_xfetch_brings_the_timer_forward_by_what_its_formula_says():
    """2,000 users log in at 0 (the login takes delta = 0.12 s; the token dies at 100 s); each
    tab's timer ticks at 0.12 + k s. With beta = 50, each tick x s before 100 fires with chance
    exp(-x / 6 s)."""
    beta, users = 50, 2000
    scenario = Scenario(
        tokens=TokenPolicy(access_ttl_s=100),
        latencies=LATENCIES,
        workload=Workload(kind="burst", users=users, concurrency=1, at_s=101.0),
        client=client_named("locked", proactive="timer", margin_s=0, timer_tick_s=1, xfetch_beta=beta),
    )
    sent = run(scenario).refreshes["sent_s"]
    assert len(sent) == users
    expected = xfetch_expected_refresh_s(due_tick_s=100.12, refresh_at_s=100.0, tick_s=1.0, scale_s=0.12 * beta)
    assert sent.mean() == pytest.approx(expected, abs=4 * sent.std() / math.sqrt(users))
    assert expected < 100.12 - 3  # several seconds early on average, where no XFetch refreshes at 100.12

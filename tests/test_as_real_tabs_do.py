"""What real tabs showed (``reality/``, issue 21), as exact timelines of tiny scenarios.

The legs of ``test_rotation``: a round trip of 0.1 s, the API rejects in
0.01 s and serves in 0.05 s, the auth server answers in 0.02 s. Access
tokens live 10 s, so the burst at 11 s meets a dead one. The login hands out
``a1`` and ``r2``; the first refresh rotates ``r2`` into ``r4``. Reuse of a
rotated refresh token revokes the family and logs the user out.
"""

import pytest

from sim import ConfigError, Latencies, RefreshTokenPolicy, Scenario, TokenPolicy, Workload, run
from sim.client import Stay, Unload

LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)


def burst(strategy, concurrency, tabs=1, **changes):
    scenario = Scenario(
        tokens=TokenPolicy(access_ttl_s=10),
        refresh_tokens=RefreshTokenPolicy(rotation=True, reuse_detection=True),
        latencies=LATENCIES,
        workload=Workload(kind="burst", concurrency=concurrency, tabs=tabs),
        record_calls=True,
    )
    return run(scenario.with_(strategy=strategy, **changes))


def calls(result):
    """(sent, answered, endpoint, session, request, status, outcome, token presented) per call after the login."""
    return [
        (round(c.sent_s, 3), round(c.received_s, 3), c.endpoint, c.session, c.request, c.status, c.outcome, c.token)
        for c in result.records.calls
        if c.endpoint != "login"
    ]


# -- a call carries the token it was given when it was made ---------------------------------------


def test_a_refresh_waiting_for_a_connection_keeps_the_refresh_token_it_was_made_with():
    """One connection: the three 401s come back one after the other, and each makes its refresh
    call then, reading r2. The first leaves at 11.33 and rotates r2 into r4; the second leaves at
    11.45, when r4 is stored, but presents r2, as its body was written at 11.11: reuse, logout."""
    result = burst("naive", concurrency=3, max_connections=1)

    assert calls(result) == [
        (11.0, 11.11, "resource", 0, 0, 401, "expired", "a1"),
        (11.11, 11.22, "resource", 0, 1, 401, "expired", "a1"),
        (11.22, 11.33, "resource", 0, 2, 401, "expired", "a1"),
        (11.33, 11.45, "refresh", 0, 0, 200, "valid", "r2"),
        (11.45, 11.57, "refresh", 0, 1, 401, "reused", "r2"),  # r4 was stored at 11.45: too late for this call
    ]  # the article's page is left at 11.57: request 2's refresh and request 0's retry never go out
    assert list(result.requests["reason"]) == ["logged_out"] * 3


# -- a logout does not stop work already decided, on a page that stays ------------------------------


def test_on_a_page_that_stays_the_calls_already_made_go_out_and_a_new_token_still_serves():
    """The same burst, but the tab stays on its page at the logout (as the harness's tabs do, and an
    SPA's router): request 2's refresh goes out with r2 and is refused; request 0, which holds a3
    from its own refresh, retries with it after the logout and gets its 200 (the API checks the JWT
    only, as the article's does)."""
    result = burst("naive", concurrency=3, max_connections=1, on_logout="stay")

    assert calls(result)[3:] == [
        (11.33, 11.45, "refresh", 0, 0, 200, "valid", "r2"),
        (11.45, 11.57, "refresh", 0, 1, 401, "reused", "r2"),  # the logout
        (11.57, 11.69, "refresh", 0, 2, 401, "reused", "r2"),  # made at 11.33, before it
        (11.69, 11.84, "resource", 0, 0, 200, "valid", "a3"),  # the new token, after it
    ]
    assert list(result.requests["reason"]) == ["ok", "logged_out", "logged_out"]
    assert result.summary["logouts"] == 1


def test_a_tab_that_refreshed_before_another_tabs_logout_still_answers_its_requests():
    """Locked, two tabs of two requests, two connections: each tab sends one refresh with r2; tab
    0's rotates, tab 1's is reuse and logs the user out. Leaving the page loses tab 0's two
    requests too; staying, they retry with a3 and are answered."""
    left = burst("locked", concurrency=2, tabs=2, max_connections=2)
    stayed = burst("locked", concurrency=2, tabs=2, max_connections=2, on_logout="stay")

    refreshes = [
        (11.22, 11.34, "refresh", 0, -1, 200, "valid", "r2"),
        (11.22, 11.34, "refresh", 1, -1, 401, "reused", "r2"),
    ]
    assert calls(left)[4:] == refreshes
    assert calls(stayed)[4:] == refreshes + [
        (11.34, 11.49, "resource", 0, 0, 200, "valid", "a3"),
        (11.34, 11.49, "resource", 0, 1, 200, "valid", "a3"),
    ]
    assert list(left.requests["reason"]) == ["logged_out"] * 4
    assert list(stayed.requests["reason"]) == ["ok", "ok", "logged_out", "logged_out"]


def test_without_a_connection_limit_the_two_modes_agree():
    """Nothing waits in a line and every retry is decided before the logout lands: the mode only
    matters when work is still pending at the logout."""
    for strategy in ("naive", "locked", "queued"):
        left, stayed = burst(strategy, concurrency=4), burst(strategy, concurrency=4, on_logout="stay")
        assert calls(left) == calls(stayed), strategy


def test_an_empty_store_is_a_new_token_only_to_a_page_that_left():
    """The second look at the store (late-401 check, or under the cross-tab lock): after a logout the
    article's page gives up; a page that stays reads `stored && stored !== bearer` and refreshes."""
    assert Unload().replaced(None, "a1", logged_in=False)
    assert not Stay().replaced(None, "a1", logged_in=False)
    assert Stay().replaced("a3", "a1", logged_in=False) and not Stay().replaced("a1", "a1", logged_in=True)


def test_on_logout_refuses_a_mode_it_does_not_know():
    with pytest.raises(ConfigError, match="on_logout.*navigate.*unload.*stay"):
        Scenario().with_(on_logout="navigate")


# -- the article's server is one event loop -----------------------------------------------------------


def loop_burst(strategy, concurrency, **changes):
    """The burst with no rotation, a 401 that costs only its CPU, and a server that is one event loop:
    10 ms of CPU per API call, 20 ms per refresh."""
    scenario = Scenario(
        tokens=TokenPolicy(access_ttl_s=10),
        latencies=Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.0, auth_service_s=0.02),
        workload=Workload(kind="burst", concurrency=concurrency),
        record_calls=True,
    )
    return run(scenario.with_({"api_cpu_s": 0.01, "auth_cpu_s": 0.02, **changes}, strategy=strategy))


def test_calls_take_the_event_loop_one_at_a_time_and_wait_side_by_side():
    """Three 401s arrive together at 11.05 and take the loop one after the other (10 ms each); the
    first back starts the tab's one refresh: the loop for 20 ms, then its 20 ms wait. The three
    retries arrive together at 11.30, take the loop in turn, and then wait their 50 ms side by side,
    not one after the other."""
    result = loop_burst("locked", concurrency=3)
    timeline = [
        (c.endpoint, round(c.arrived_s, 3), round(c.started_s, 3), round(c.served_s, 3), round(c.received_s, 3))
        for c in result.records.calls
        if c.endpoint != "login"
    ]
    assert timeline == [
        ("resource", 11.05, 11.05, 11.06, 11.11),
        ("resource", 11.05, 11.06, 11.07, 11.12),
        ("resource", 11.05, 11.07, 11.08, 11.13),
        ("refresh", 11.16, 11.16, 11.2, 11.25),
        ("resource", 11.3, 11.3, 11.36, 11.41),
        ("resource", 11.3, 11.31, 11.37, 11.42),
        ("resource", 11.3, 11.32, 11.38, 11.43),
    ]
    assert list(result.requests["latency_s"].round(3)) == [0.41, 0.42, 0.43]


def test_the_loop_line_grows_by_one_cpu_per_call():
    """Closed form: n calls arriving at once on a loop of c seconds each are answered k*c apart;
    the last 401 of a burst of 20 leaves 20 * 10 ms after it arrived."""
    result = loop_burst("locked", concurrency=20)
    rejected = result.calls[(result.calls["endpoint"] == "resource") & (result.calls["status"] == 401)]
    assert list((rejected["served_s"] - rejected["arrived_s"]).round(3)) == [round(0.01 * k, 3) for k in range(1, 21)]
    no_loop = loop_burst("locked", concurrency=20, api_cpu_s=0.0, auth_cpu_s=0.0)
    assert (no_loop.calls["served_s"] - no_loop.calls["started_s"]).max() == pytest.approx(0.05)  # waits only


def test_cpu_fields_refuse_a_negative_time():
    for field in ("api_cpu_s", "auth_cpu_s"):
        with pytest.raises(ConfigError, match=field):
            Scenario().with_(**{field: -0.001})

"""A backend-for-frontend: two instances, one session, rotation with reuse detection, two concurrent requests
just after the access token died. Exact timelines.

The BFF's own round trips to the API and the auth server take 0.1 s (``rtt_s``), the API rejects in 0.01 s
and serves in 0.05 s, the auth server answers in 0.02 s. The login is answered at 0.12, so the access token
dies at 900.12; the browser's two requests leave at 901 and reach the instances at once (``bff_rtt_s`` 0).
"""

import pytest

import sim
from sim import Latencies, Scenario, Workload
from sim.fields import ConfigError

LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)
LOCK = {"session_lock": "distributed", "lock_acquire_s": 0.002, "lock_poll_s": 0.05}


def two_requests(client="naive", **fields):
    """Two requests of one session at 901 s, through a BFF of two instances (round-robin: one each)."""
    scenario = Scenario(latencies=LATENCIES, workload=Workload(kind="burst", concurrency=2, at_s=901.0),
                        record_calls=True)  # fmt: skip
    changes = {"tier": "bff", "instances": 2, "rotation": True, "reuse_detection": True, **fields}
    return sim.run(scenario.with_(client=client, **changes))


def refreshes(result):
    """(when the answer came back, status, instance, what the server made of it) per refresh call."""
    return [(round(c.received_s, 3), c.status, c.session, c.outcome) for c in result.records.calls
            if c.endpoint == "refresh"]  # fmt: skip


def endings(result):
    return result.requests.sort_values("request")["reason"].tolist()


def test_without_coordination_the_second_instance_presents_a_used_token_and_the_session_is_lost():
    result = two_requests()
    assert refreshes(result) == [(901.23, 200, 0, "valid"), (901.23, 401, 1, "reused")]
    assert result.summary["logouts"] == 1 and endings(result) == ["ok", "logged_out"]


def test_a_single_flight_per_process_does_not_reach_across_instances():
    # authkit-session after PR #33: one refresh promise per process. Round-robin sends the two requests to
    # two processes: two refreshes, a reuse, the session lost.
    result = two_requests(single_flight="tab")
    assert refreshes(result) == [(901.23, 200, 0, "valid"), (901.23, 401, 1, "reused")]
    assert result.summary["logouts"] == 1


def test_a_single_flight_per_process_is_enough_within_one_instance():
    # Sticky sessions send both requests to one process: its in-flight refresh is shared.
    result = two_requests(single_flight="tab", balancer="sticky")
    assert refreshes(result) == [(901.23, 200, 0, "valid")]
    assert result.summary["logouts"] == 0 and endings(result) == ["ok", "ok"]


def test_a_distributed_lock_keeps_the_session_with_one_refresh_and_costs_the_waiter_its_polls():
    # Both instances try SET NX at 901.11 + 0.002; the first holds it and refreshes (answered 901.232). The
    # second polls every 0.05 s + 0.002, holds it at 901.268, finds the new tokens in the store, and sends its
    # request again with them: its answer at 901.418 instead of 901.38.
    result = two_requests(**LOCK)
    assert refreshes(result) == [(901.232, 200, 0, "valid")]
    assert endings(result) == ["ok", "ok"] and result.summary["logouts"] == 0
    finished = result.requests.sort_values("request")["finished_s"].round(3).tolist()
    assert finished == [901.382, 901.418]


def test_a_holder_that_dies_mid_refresh_leaves_the_rotated_token_unstored_until_its_lease_runs_out():
    # The first holder's refresh reaches the server (the token rotates) and the instance dies before storing
    # the answer; its request fails. The key stays until the 5 s lease ends at 906.112; the second instance
    # then holds it, finds the old tokens, and presents the used refresh token: reuse, the session lost.
    result = two_requests(**LOCK, lock_holder_deaths=1, lease_ttl_s=5.0)
    assert refreshes(result) == [(901.232, 200, 0, "valid"), (906.276, 401, 1, "reused")]
    assert endings(result) == ["failed", "logged_out"] and result.summary["logouts"] == 1
    # A grace window longer than the lease accepts the late presentation.
    graced = two_requests(**LOCK, lock_holder_deaths=1, lease_ttl_s=5.0, grace_s=10.0)
    assert refreshes(graced) == [(901.232, 200, 0, "valid"), (906.276, 200, 1, "grace")]
    assert endings(graced) == ["failed", "ok"]


def test_a_grace_window_at_the_server_keeps_the_session_without_a_lock():
    result = two_requests(grace_s=30.0)
    assert refreshes(result) == [(901.23, 200, 0, "valid"), (901.23, 200, 1, "grace")]
    assert endings(result) == ["ok", "ok"] and result.summary["logouts"] == 0


def test_the_trip_to_the_bff_and_the_session_read_come_before_the_instance_handles_a_request():
    # 0.04 s to the BFF and back plus a 0.003 s read from the store: every leg after it moves by 0.043 s,
    # and the request's latency includes it.
    result = two_requests(balancer="sticky", single_flight="tab", bff_rtt_s=0.04, store_rtt_s=0.003)
    assert refreshes(result) == [(901.273, 200, 0, "valid")]
    assert result.requests["finished_s"].round(3).tolist() == [901.423, 901.423]


def test_the_session_store_counts_each_read_lock_try_delete_and_write():
    # Sticky, one process: the login's write, the two requests' reads, the refresh's write.
    assert two_requests(single_flight="tab", balancer="sticky").summary["store_ops"] == 4
    # The lock: besides those, both instances' SET NX at 901.11, the waiter's tries at 901.162 and 901.214 (the
    # key still held), the holder's DEL at 901.232, the waiter's SET NX at 901.266 and its DEL: all but the
    # login's write in second 901.
    locked = two_requests(**LOCK).summary
    assert locked["store_ops"] == 4 + 7 and locked["store_peak_per_s"] == 10


def test_a_store_of_one_connection_serves_one_operation_at_a_time():
    # The two reads (0.003 s each) queue for the one connection: the second request reaches its instance and
    # sends its API call 0.003 s after the first (unlimited: both at 901.003).
    def first_calls(**store):
        result = two_requests(balancer="sticky", single_flight="tab", store_rtt_s=0.003, **store)
        return sorted(round(c.sent_s, 3) for c in result.records.calls if c.server == "api" and c.sent_s < 901.05)

    assert first_calls() == [901.003, 901.003]
    assert first_calls(store_capacity=1) == [901.003, 901.006]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"session_lock": "distributed"}, "session_lock = 'distributed': needs tier = bff"),
        ({"tier": "bff", "cross_tab_lock": True}, "cross_tab_lock = True: with tier = bff only false"),
        ({"tier": "bff", "storage": "cookie"}, "storage = 'cookie': with tier = bff only local"),
        ({"tier": "bff", "instances": 0}, "instances = 0"),
        ({"tier": "bff", "balancer": "least-loaded"}, "balancer = 'least-loaded'"),
        ({"tier": "bff", "session_lock": "distributed", "lease_ttl_s": 0}, "lease_ttl_s = 0"),
        ({"tier": "bff", "session_lock": "distributed", "lock_holder_deaths": -1}, "lock_holder_deaths = -1"),
    ],
)
def test_a_bff_that_cannot_be_is_refused_with_one_line(fields, named):
    with pytest.raises(ConfigError) as caught:
        sim.Client().with_(**fields)
    assert str(caught.value).startswith(named)


def test_the_browser_connection_limit_is_refused_with_a_bff():
    with pytest.raises(ConfigError, match="max_connections = 6: limits the browser's own calls"):
        Scenario().with_(tier="bff", max_connections=6)


# -- a session sealed in the browser's cookie (session_in = cookie, sim/client/bff_session.py) ------------------


def requests_at(times, tmp_path, client="naive", latencies=LATENCIES, **fields):
    """One user's requests at ``times`` (a trace; the first, at 0, logs in: the access token dies at 900.12), one
    instance (sticky), one refresh in flight per process, rotation with reuse detection."""
    arrivals = tmp_path / "arrivals.csv"
    arrivals.write_text("time_s,user\n" + "".join(f"{time_s},0\n" for time_s in (0.0, *times)))
    scenario = Scenario(latencies=latencies, workload=Workload(kind="trace", arrivals=str(arrivals)), record_calls=True)
    changes = {"tier": "bff", "balancer": "sticky", "single_flight": "tab", "rotation": True,
               "reuse_detection": True, **fields}  # fmt: skip
    return sim.run(scenario.with_(client=client, **changes))


def cookie_sets(result):
    return result.token_events.query("event == 'cookie'")["time_s"].round(3).tolist()


def test_a_request_sent_before_the_new_cookie_arrived_presents_the_spent_refresh_token(tmp_path):
    # Two requests at 901 get their 401s at 901.11 and share one refresh (answered 901.23); both are answered at
    # 901.38, and those responses set the cookie. A third request left the browser at 901.3, before them, with
    # the old cookie. With a store it reads the new tokens (answered 901.45); with the cookie it gets its 401 at
    # 901.41 after the refresh in flight has ended, refreshes with the spent token, and the family is revoked.
    store = requests_at([901, 901, 901.3], tmp_path)
    assert refreshes(store) == [(901.23, 200, 0, "valid")] and endings(store) == ["ok"] * 4
    cookie = requests_at([901, 901, 901.3], tmp_path, session_in="cookie")
    assert refreshes(cookie) == [(901.23, 200, 0, "valid"), (901.53, 401, 0, "reused")]
    assert endings(cookie) == ["ok", "ok", "ok", "logged_out"] and cookie_sets(cookie) == [901.38, 901.38]
    assert cookie.summary["store_ops"] == 0  # no store: the session travels with each request


def test_a_refresh_that_ends_after_its_response_was_sent_is_lost_with_a_cookie(tmp_path):
    # background: the request at 850 (within the 60 s margin) goes out at once with the old token while the
    # refresh runs; the auth server takes 0.1 s, so the answer (850.2) comes after the response (850.15) and no
    # response carries it. The cookie keeps the rotated-out token, which the next request presents: reuse.
    slow_auth = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.1)
    background = {"proactive": "background", "margin_s": 60.0, "latencies": slow_auth}
    store = requests_at([850, 860], tmp_path, **background)
    assert refreshes(store) == [(850.2, 200, 0, "valid")] and store.summary["logouts"] == 0
    cookie = requests_at([850, 860], tmp_path, session_in="cookie", **background)
    assert refreshes(cookie) == [(850.2, 200, 0, "valid"), (860.2, 401, 0, "reused")]
    assert cookie_sets(cookie) == [] and cookie.summary["logouts"] == 1


def test_when_every_response_sets_the_cookie_the_last_to_arrive_wins(tmp_path):
    # background again, the auth server quick: the request at 850 refreshes beside its call (answered 850.12)
    # and its response sets the new session at 850.15. The request at 850.01 joined that refresh but went out with
    # the old session; its response (850.16) re-seals what it read, as Auth.js's does, and wins: the cookie
    # holds the spent token again. Setting the cookie only after a refresh (authkit-session, Duende) keeps it.
    background = {"session_in": "cookie", "proactive": "background", "margin_s": 60.0}
    only_refresh = requests_at([850, 850.01, 860], tmp_path, **background)
    assert refreshes(only_refresh) == [(850.12, 200, 0, "valid")] and cookie_sets(only_refresh) == [850.15]
    every = requests_at([850, 850.01, 860], tmp_path, cookie_set_by="every-response", **background)
    assert cookie_sets(every) == [0.27, 850.15, 850.16]
    assert refreshes(every) == [(850.12, 200, 0, "valid"), (860.12, 401, 0, "reused")]
    assert every.summary["logouts"] == 1


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"session_in": "cookie"}, "session_in = 'cookie': needs tier = bff"),
        ({"tier": "bff", "session_in": "cookie", "session_lock": "distributed"}, "session_lock = 'distributed': locks"),
        ({"tier": "bff", "session_in": "cookie", "proactive": "timer"}, "proactive = 'timer': with session_in"),
        ({"tier": "bff", "session_in": "cookie", "cookie_set_by": "never"}, "cookie_set_by = 'never'"),
        ({"tier": "bff", "cookie_set_by": "refresh"}, "cookie_set_by"),
    ],
)
def test_a_cookie_session_that_cannot_be_is_refused_with_one_line(fields, named):
    with pytest.raises(ConfigError) as caught:
        sim.Client().with_(**fields)
    assert str(caught.value).startswith(named)


def test_the_store_fields_are_refused_when_every_bff_keeps_its_sessions_in_a_cookie():
    from sim.scenario import refuse_unread_deployment

    cookie = Scenario().with_(tier="bff", session_in="cookie", store_rtt_s=0.002)
    with pytest.raises(ConfigError, match="store_rtt_s = 0.002: only a BFF with session_in = store reads it"):
        refuse_unread_deployment([cookie])
    refuse_unread_deployment([cookie, cookie.with_(session_in="store")])  # one BFF of the run reads it


# -- the named token managers, read from their source (sim/presets/bff.py) --------------------------------


@pytest.mark.parametrize("name", ["authkit-session-before-33", "authkit-session", "duende-token-management"])
def test_a_token_manager_without_a_shared_lock_refreshes_once_per_instance_and_the_loser_fails(name):
    # authkit-session before #33 has no shared promise (AuthKitCore.ts#L220-L226); after it, and Duende's
    # ConcurrentDictionary (UserTokenRequestSynchronization.cs#L15-L30), share one per process only. Two
    # instances: two refreshes, the second a reuse; the error is swallowed (AuthService.ts#L136-L137) or
    # logged (UserAccessTokenManagementService.cs#L147-L154): that request fails, nobody is logged out.
    result = two_requests(client=name)
    assert refreshes(result) == [(901.12, 200, 0, "valid"), (901.12, 401, 1, "reused")]
    assert endings(result) == ["ok", "failed"] and result.summary["logouts"] == 0


@pytest.mark.parametrize(("name", "calls"), [("authkit-session-before-33", 2), ("authkit-session", 1),
                                             ("duende-token-management", 1)])  # fmt: skip
def test_on_one_instance_the_per_process_single_flight_is_enough(name, calls):
    # Sticky sessions: both requests in one process. Before #33 each still refreshes by itself.
    result = two_requests(client=name, balancer="sticky")
    assert len(refreshes(result)) == calls
    assert endings(result) == (["ok", "ok"] if calls == 1 else ["ok", "failed"])


def test_oauth2_proxy_with_redis_refreshes_once_across_instances():
    # The Redis lock (pkg/sessions/redis/lock.go#L34-L35), polled every 10 ms (stored_session.go#L32), and the
    # reload under it (#L193-L214): the second instance finds the refreshed session and sends nothing.
    result = two_requests(client="oauth2-proxy-redis")
    assert refreshes(result) == [(901.121, 200, 0, "valid")]
    assert endings(result) == ["ok", "ok"]


def test_a_waiter_that_gives_up_on_the_lock_clears_the_session():
    # oauth2-proxy's 5 s: the holder dies at 901.11 and its 10 s lease outlives the wait, so the waiter, still
    # polling at 906.11 or just after, gives up and clears the session: one refresh, the user logged out.
    result = two_requests(**LOCK, lock_holder_deaths=1, lease_ttl_s=10.0, lock_wait_s=5.0)
    assert refreshes(result) == [(901.232, 200, 0, "valid")]
    assert endings(result) == ["failed", "logged_out"] and result.summary["logouts"] == 1
    logout = result.token_events.query("event == 'logout'")["time_s"].round(3).tolist()
    assert len(logout) == 1 and 906.11 <= logout[0] < 906.11 + 0.052


# -- what a BFF run costs, before it starts (sim/estimate.py) ----------------------------------------------


def test_the_preflight_estimate_counts_each_request_through_a_bff_at_its_factor():
    from sim.estimate import BFF_REQUEST_FACTOR, SECONDS_PER_REQUEST, estimate

    spa = Scenario(workload=Workload(kind="steady", users=10_000, duration_s=1200))
    bff = spa.with_(tier="bff", instances=4, session_lock="distributed", bff_rtt_s=0.02, store_rtt_s=0.001)
    browser, server = estimate(spa), estimate(bff)
    assert (server.requests, server.users) == (browser.requests, browser.users) and browser.bff_requests == 0
    dearer_s = (BFF_REQUEST_FACTOR - 1) * SECONDS_PER_REQUEST * browser.requests
    assert server.seconds == pytest.approx(browser.seconds + dearer_s) and dearer_s > 0
    # several runs (compare, replications) add up with each run's share of BFF requests kept
    assert (browser + server.times(3)).seconds == pytest.approx(browser.seconds + 3 * server.seconds)

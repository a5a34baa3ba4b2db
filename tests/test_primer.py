"""The primer's tiny model (sim/primer.py, notebooks/01): exact timelines, worked out by hand.

Round trip 0.1 s (0.05 each way), API answer 0.01 s, auth work 0.05 s, access token 10 s.
Login: sent 0, at the auth server 0.05, token made at 0.1 (dies at 10.1), back at 0.15.
A request at 12: at the API at 12.05, where the token is checked (dead: 401), answered at
12.06, back at 12.11; the refresh reaches the auth server at 12.16, is done at 12.21 (the
new token dies at 22.21), back at 12.26; the retry is answered 200 at 12.32, back at 12.37.
"""

from sim.explore import SLIDERS, primer_timeline
from sim.primer import run_primer, sleepers

LOGIN = [
    (0.0, "tab", "POST /login"),
    (0.1, "auth", "login: new token, dies at 10.1"),
    (0.15, "tab", "logged in"),
]


def test_one_request_meets_a_dead_token_refreshes_and_retries():
    assert run_primer() == [
        *LOGIN,
        (12.0, "r1", "GET /data"),
        (12.06, "api", "401 to r1: token died at 10.1"),
        (12.11, "r1", "got 401, refreshes"),
        (12.21, "auth", "refresh for r1: new token, dies at 22.21"),
        (12.26, "r1", "retries with the new token"),
        (12.32, "api", "200 to r1"),
        (12.37, "r1", "got 200"),
    ]


def test_a_request_checked_before_the_token_dies_gets_200_at_once():
    # sent at 10: at the API at 10.05 < 10.1, answered at 10.06
    assert run_primer(request_at_s=10.0)[3:] == [
        (10.0, "r1", "GET /data"),
        (10.06, "api", "200 to r1"),
        (10.11, "r1", "got 200"),
    ]


def test_a_request_sent_before_expiry_but_checked_after_gets_401():
    # sent at 10.08, before the token dies at 10.1, but checked on arrival at 10.13
    log = run_primer(request_at_s=10.08)
    assert log[4] == (10.14, "api", "401 to r1: token died at 10.1")


def test_single_flight_the_second_request_awaits_the_same_refresh():
    assert run_primer(requests=2) == [
        *LOGIN,
        (12.0, "r1", "GET /data"),
        (12.02, "r2", "GET /data"),
        (12.06, "api", "401 to r1: token died at 10.1"),
        (12.08, "api", "401 to r2: token died at 10.1"),
        (12.11, "r1", "got 401, refreshes"),
        (12.13, "r2", "got 401, awaits the refresh in flight"),
        (12.21, "auth", "refresh for r1: new token, dies at 22.21"),
        (12.26, "r1", "retries with the new token"),
        (12.26, "r2", "retries with the new token"),
        (12.32, "api", "200 to r1"),
        (12.32, "api", "200 to r2"),
        (12.37, "r1", "got 200"),
        (12.37, "r2", "got 200"),
    ]


def test_without_single_flight_one_auth_worker_makes_the_second_refresh_wait():
    # r2's refresh arrives at 12.18 while r1's holds the only worker (12.16 to 12.21)
    assert run_primer(requests=2, single_flight=False)[8:] == [
        (12.13, "r2", "got 401, refreshes"),
        (12.18, "auth", "refresh for r2: every worker busy, waits"),
        (12.21, "auth", "refresh for r1: new token, dies at 22.21"),
        (12.26, "r1", "retries with the new token"),
        (12.26, "auth", "refresh for r2: new token, dies at 22.26"),
        (12.31, "r2", "retries with the new token"),
        (12.32, "api", "200 to r1"),
        (12.37, "r1", "got 200"),
        (12.37, "api", "200 to r2"),
        (12.42, "r2", "got 200"),
    ]


def test_two_auth_workers_serve_both_refreshes_at_once():
    log = run_primer(requests=2, single_flight=False, auth_workers=2)
    assert not [entry for entry in log if "waits" in entry[2]]
    assert (12.23, "auth", "refresh for r2: new token, dies at 22.23") in log
    assert log[-1] == (12.39, "r2", "got 200")


def test_the_clock_jumps_seven_days_in_as_many_events_as_three_seconds():
    assert sleepers() == [
        (1.0, "sleeper 2", "wakes"),
        (1.0, "main", "the first woke"),
        (2.0, "sleeper 3", "wakes"),
        (3.0, "sleeper 1", "wakes"),
        (3.0, "main", "all woke"),
        (3.0, "env", "queue empty after 13 events"),
    ]
    week = 7 * 24 * 3600.0
    assert sleepers((week,))[-1] == (week, "env", "queue empty after 7 events")
    assert sleepers((1.0,))[-1] == (1.0, "env", "queue empty after 7 events")


def test_the_notebooks_slider_runs_the_primer_at_its_defaults():
    assert SLIDERS["01-simulate-with-simpy"] is primer_timeline
    assert primer_timeline() == run_primer()

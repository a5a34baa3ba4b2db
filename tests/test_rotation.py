"""Exact timelines under refresh-token rotation, with several tabs.

The legs of test_timeline: a round trip of 0.1 s, the API rejects in 0.01 s
and serves in 0.05 s, the auth server answers in 0.02 s. Access tokens live
10 s, so the burst at 11 s meets a dead one. The login hands out ``a1`` and
``r2``; a refresh at 11.16 (the auth server's clock) answers at 11.23.
"""

import pytest

from sim import Latencies, RefreshTokenPolicy, Scenario, TokenPolicy, Workload, run

LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)
THEFT_DETECTION = RefreshTokenPolicy(rotation=True, reuse_detection=True)


def burst(strategy, concurrency=4, tabs=1, refresh_tokens=THEFT_DETECTION, **changes):
    scenario = Scenario(
        tokens=TokenPolicy(access_ttl_s=10),
        refresh_tokens=refresh_tokens,
        latencies=LATENCIES,
        workload=Workload(kind="burst", concurrency=concurrency, tabs=tabs),
        record_calls=True,
    )
    return run(scenario.with_(strategy=strategy, **changes))


def refreshes(result):
    """(answer time, session, status, outcome, token presented, refresh token handed out) per refresh."""
    calls = result.refreshes
    return [
        (round(c.received_s, 9), c.session, c.status, c.outcome, c.token, c.issued_refresh) for c in calls.itertuples()
    ]


def test_naive_burst_under_rotation_logs_the_user_out():
    """N refreshes with the same token: the first rotates it, the other N-1 present a used
    token, which looks like theft: the family is revoked and the user logged out."""
    result = burst("naive", concurrency=4)

    assert refreshes(result) == [
        (11.23, 0, 200, "valid", "r2", "r4"),
        (11.23, 0, 401, "reused", "r2", ""),  # this one revokes the family
        (11.23, 0, 401, "reused", "r2", ""),
        (11.23, 0, 401, "reused", "r2", ""),
    ]
    summary = result.summary
    assert (summary["refresh_calls"], summary["refresh_calls_ok"], summary["refresh_calls_rejected"]) == (4, 1, 3)
    assert (summary["reuse_detected"], summary["families_revoked"], summary["logouts"]) == (3, 1, 1)
    assert list(result.requests["reason"]) == ["ok", "logged_out", "logged_out", "logged_out"]


def test_revoking_the_access_tokens_too_fails_the_one_that_got_through():
    """Okta's way: the family's access tokens die with it, so the first request's retry with
    the token it just got is refused too, and no refresh can fix that."""
    result = burst(
        "naive", refresh_tokens=RefreshTokenPolicy(rotation=True, reuse_detection=True, revoke_access_on_reuse=True)
    )

    retry = result.calls[(result.calls["endpoint"] == "resource") & (result.calls["request"] == 0)].iloc[-1]
    assert (retry["status"], retry["outcome"], retry["token"]) == (401, "revoked", "a3")
    assert list(result.requests["reason"]) == ["unauthorized", "logged_out", "logged_out", "logged_out"]


def test_locked_in_one_tab_sends_one_refresh_and_loses_nothing():
    result = burst("locked", concurrency=4)

    assert refreshes(result) == [(11.23, 0, 200, "valid", "r2", "r4")]
    assert result.summary["requests_failed"] == result.summary["logouts"] == 0


def test_two_tabs_locked_per_tab_race_and_log_the_user_out():
    """Each tab has its own lock in its own memory: both refresh with r2 at once."""
    result = burst("locked", concurrency=2, tabs=2)

    assert refreshes(result) == [(11.23, 0, 200, "valid", "r2", "r4"), (11.23, 1, 401, "reused", "r2", "")]
    assert result.summary["logouts"] == 1
    # tab 1's refresh brings a3 the moment tab 2's logs the user out: neither tab retries on the login page
    assert list(result.requests.groupby("session")["reason"].apply(list)) == [["logged_out"] * 2] * 2


def test_a_lock_across_tabs_lets_the_second_tab_take_the_first_ones_token():
    """Web Locks: the second tab waits for the first tab's refresh, looks at localStorage again,
    finds a new token there and sends no refresh."""
    result = burst("locked", concurrency=2, tabs=2, cross_tab_lock=True)

    assert refreshes(result) == [(11.23, 0, 200, "valid", "r2", "r4")]
    assert result.summary["logouts"] == result.summary["requests_failed"] == 0
    second_tab = result.requests[result.requests["session"] == 1]
    assert list(second_tab["finished_s"]) == pytest.approx([11.23 + 0.15] * 2)  # retried with a3 at once


def test_a_grace_window_longer_than_the_race_saves_the_login():
    """The second tab presents r2 0.0 s after its rotation: inside a 1 s grace window it gets a
    new access token and the family's current refresh token, r4."""
    grace = RefreshTokenPolicy(rotation=True, reuse_detection=True, grace_s=1.0)
    result = burst("locked", concurrency=2, tabs=2, refresh_tokens=grace)

    assert refreshes(result) == [(11.23, 0, 200, "valid", "r2", "r4"), (11.23, 1, 200, "grace", "r2", "r4")]
    assert result.summary["logouts"] == result.summary["reuse_detected"] == 0


def test_a_reuse_count_lets_a_token_be_presented_again():
    """Keycloak's max reuse of 1: r2 may be presented once more; the third time is reuse."""
    count = RefreshTokenPolicy(rotation=True, reuse_detection=True, reuse_count=1)
    result = burst("naive", concurrency=3, refresh_tokens=count)

    assert [row[2:4] for row in refreshes(result)] == [(200, "valid"), (200, "reuse_allowed"), (401, "reused")]


def test_in_cookie_storage_each_tab_refreshes_for_itself():
    """The access token lives in each tab's memory: the second tab cannot see the first one's
    new token, so with the lock it refreshes after it, with the cookie the first answer set
    (r4, not r2): two refreshes, no reuse, no logout."""
    result = burst("locked", concurrency=2, tabs=2, cross_tab_lock=True, storage="cookie")

    assert refreshes(result) == [
        (11.23, 0, 200, "valid", "r2", "r4"),
        (11.35, 1, 200, "valid", "r4", "r6"),
    ]
    assert result.summary["logouts"] == 0


def test_in_cookie_storage_a_new_tab_starts_without_an_access_token():
    """At 5 s the login's token is good, but only the first tab holds it: the second one's
    request goes out with none, gets a 401 and refreshes."""
    result = burst("locked", concurrency=1, tabs=2, storage="cookie", at_s=5.0)

    first_calls = result.calls[result.calls["endpoint"] == "resource"].groupby("session").first()
    assert list(first_calls["outcome"]) == ["valid", "missing"]
    assert refreshes(result) == [(5.23, 1, 200, "valid", "r2", "r4")]


def test_an_idle_login_expires():
    """An idle lifetime of 5 s: at 11.16 the login has been idle since 0.05, so the refresh is refused."""
    idle = RefreshTokenPolicy(refresh_idle_ttl_s=5)
    result = burst("locked", concurrency=1, refresh_tokens=idle)

    assert refreshes(result) == [(11.23, 0, 401, "idle_expired", "r2", "")]
    assert result.summary["logouts"] == 1


def test_without_rotation_nothing_changes():
    """Families without rotation (for idle expiry) keep the article's answers: one refresh token, used again."""
    plain = burst("naive", concurrency=3, refresh_tokens=RefreshTokenPolicy())
    idle = burst("naive", concurrency=3, refresh_tokens=RefreshTokenPolicy(refresh_idle_ttl_s=3600))

    assert refreshes(idle) == refreshes(plain) == [(11.23, 0, 200, "valid", "r2", "")] * 3


def traced(tmp_path, times, refresh_tokens, latencies=LATENCIES, brownout="6:6.2:1000"):
    """One user of the article's interceptor at ``times``, 5 s access tokens, a brownout that holds a
    refresh answer back (so it is stored late, after newer rotations)."""
    path = tmp_path / "arrivals.csv"
    path.write_text("time_s,user\n" + "".join(f"{t},u\n" for t in times))
    return run(
        Scenario(
            tokens=TokenPolicy(access_ttl_s=5),
            refresh_tokens=refresh_tokens,
            latencies=latencies,
            workload=Workload(kind="trace", arrivals=str(path)),
            record_calls=True,
        ).with_(auth_brownouts=[brownout])
    )


def test_a_grace_window_forgives_only_the_immediate_predecessor(tmp_path):
    """The refresh sent at 6.11 rotates r2 into r4, but the brownout holds its answer until 26.21;
    meanwhile r2 is forgiven once (grace), r4 rotates into r7, r7 into r9. The late answer stores r4,
    two rotations old, and presenting it at 27.16 is theft, grace window or not (Auth0's rule)."""
    result = traced(tmp_path, [0, 6, 6.5, 12, 18, 27], RefreshTokenPolicy(rotation=True, reuse_detection=True,
                                                                          grace_s=30.0))  # fmt: skip
    assert refreshes(result) == [
        (6.73, 0, 200, "grace", "r2", "r4"),
        (12.23, 0, 200, "valid", "r4", "r7"),
        (18.23, 0, 200, "valid", "r7", "r9"),
        (26.21, 0, 200, "valid", "r2", "r4"),
        (27.23, 0, 401, "reused", "r4", ""),
    ]
    summary = result.summary
    assert (summary["logouts"], summary["reuse_detected"], summary["families_revoked"]) == (1, 1, 1)
    assert list(result.requests["reason"]) == ["ok", "unauthorized", "ok", "ok", "ok", "logged_out"]


def test_a_grace_window_includes_its_last_instant(tmp_path):
    """r2 rotates at 6.4375 and comes back at 6.9375, exactly grace_s = 0.5 s later: still forgiven
    (times in powers of two, so the sums are exact)."""
    exact = Latencies(rtt_s=0.25, api_service_s=0.0625, api_401_service_s=0.0625, auth_service_s=0.125)
    result = traced(tmp_path, [0, 6, 6.5], RefreshTokenPolicy(rotation=True, reuse_detection=True, grace_s=0.5),
                    latencies=exact, brownout="6:6.45:100")  # fmt: skip
    assert refreshes(result) == [(7.1875, 0, 200, "grace", "r2", "r4"), (19.0625, 0, 200, "valid", "r2", "r4")]
    assert result.summary["logouts"] == 0
    assert list(result.requests["reason"]) == ["ok", "unauthorized", "ok"]


def test_the_grace_window_forgives_only_the_immediate_predecessor():
    """Auth0's rule: within grace_s of a rotation only the token it replaced is taken again; one rotated
    out earlier is reuse, grace window or not (issue 26: a grace taking any older token passed every test)."""
    from sim.servers.families import Families, Verdict

    families = Families(RefreshTokenPolicy(rotation=True, reuse_detection=True, grace_s=30.0))
    families.start("r0", "token-r0", "a0", now_s=0.0)
    family = families.family("r0")
    families.accepted("r0", 10.0)
    families.rotate(family, "r1", "token-r1", 10.0)
    families.accepted("r1", 11.0)
    families.rotate(family, "r2", "token-r2", 11.0)
    assert families.present("r1", 12.0) == Verdict.GRACE  # the immediate predecessor, 1 s after its rotation
    assert families.present("r0", 12.0) == Verdict.REUSED  # two rotations back: reuse, though within 30 s
    assert family.revoked

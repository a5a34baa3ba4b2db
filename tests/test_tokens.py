"""Tokens: real JWTs checked on the simulated clock, and what an expired
refresh token does to a session."""

import base64
import json

import jwt
import pytest

from sim import (
    SIM_EPOCH,
    Latencies,
    Scenario,
    TokenIssuer,
    TokenPolicy,
    TokenVerifier,
    Workload,
    run,
)
from sim.tokens import ACCESS_KEY

issuer = TokenIssuer(access_ttl_s=60, refresh_ttl_s=600)


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_fresh_access_token_is_valid():
    token = issuer.issue("access", "user-0", 10.3)
    verdict = TokenVerifier("access").check(token, 10.3)
    assert (verdict.ok, verdict.reason, verdict.claims["sub"]) == (True, "valid", "user-0")


def test_claims_are_present_and_times_are_whole_seconds():
    claims = claims_of(issuer.issue("refresh", "user-3", 10.7))
    assert set(claims) == {"sub", "typ", "iat", "exp", "jti"}
    assert (claims["sub"], claims["typ"]) == ("user-3", "refresh")
    assert type(claims["iat"]) is int and type(claims["exp"]) is int
    assert (claims["iat"], claims["exp"]) == (SIM_EPOCH + 10, SIM_EPOCH + 10 + 600)


def test_a_tampered_token_is_invalid():
    header, payload, signature = issuer.issue("access", "user-0", 0).split(".")
    forged = {**claims_of(f"{header}.{payload}.{signature}"), "sub": "admin"}
    tampered = f"{header}.{b64(forged)}.{signature}"
    assert TokenVerifier("access").check(tampered, 0).reason == "invalid"


def test_alg_none_is_refused():
    claims = claims_of(issuer.issue("access", "user-0", 0))
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert TokenVerifier("access").check(unsigned, 0).reason == "invalid"


def test_a_refresh_token_is_not_an_access_token():
    refresh = issuer.issue("refresh", "user-0", 0)
    assert TokenVerifier("access").check(refresh, 0).reason == "invalid"
    assert TokenVerifier("refresh").check(refresh, 0).ok


def test_typ_is_checked_even_with_the_right_key():
    claims = {**claims_of(issuer.issue("refresh", "user-0", 0)), "typ": "refresh"}
    token = jwt.encode(claims, ACCESS_KEY, algorithm="HS256")
    assert TokenVerifier("access").check(token, 0).reason == "wrong_type"


def test_no_token_is_missing():
    assert TokenVerifier("access").check(None, 0).reason == "missing"


@pytest.mark.parametrize("leeway_s", [0.0, 2.5])
def test_expiry_follows_the_sim_clock_with_leeway(leeway_s):
    token = issuer.issue("access", "user-0", 10.3)  # iat 10, exp 70
    verifier = TokenVerifier("access", leeway_s=leeway_s)
    assert verifier.check(token, 69.999 + leeway_s).ok
    assert verifier.check(token, 70.0 + leeway_s).reason == "expired"
    assert verifier.check(token, 0.0).ok  # the cached signature does not cache expiry


LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)


def expired_refresh(strategy, relogin_after_s=None):
    """A burst of 5 at 30 s, after the refresh token died at 20 s."""
    return run(
        Scenario(
            tokens=TokenPolicy(access_ttl_s=10, refresh_ttl_s=20),
            latencies=LATENCIES,
            workload=Workload(kind="burst", concurrency=5, at_s=30, relogin_after_s=relogin_after_s),
            client=strategy,
        )
    )


@pytest.mark.parametrize("strategy", ["naive", "locked", "queued"])
def test_an_expired_refresh_token_logs_the_user_out(strategy):
    result = expired_refresh(strategy)

    assert result.logouts == 1
    assert list(result.requests["reason"]) == ["logged_out"] * 5
    assert set(result.refreshes["outcome"]) == {"expired"}
    assert list(result.token_events["event"]) == ["login", "logout"]


@pytest.mark.parametrize("strategy", ["naive", "locked", "queued"])
def test_relogin_after_logs_the_user_in_again(strategy):
    result = expired_refresh(strategy, relogin_after_s=4.0)

    events = result.token_events
    assert list(events["event"]) == ["login", "logout", "login"]
    logout_s, relogin_s = events["time_s"].iloc[1], events["time_s"].iloc[2]
    assert relogin_s - logout_s == pytest.approx(4.0 + 0.1 + 0.02)
    assert result.logouts == 1

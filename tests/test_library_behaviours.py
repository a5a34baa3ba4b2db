"""Each library preset through an outage and across three tabs, as its source behaves: exact timelines.

One user, the timeline test's service times (a round trip 0.1 s, the API serves in 0.05 s and rejects
in 0.01 s, the auth server answers in 0.02 s) and the article's server (900 s access tokens). The login
is answered at 0.12, so the access token dies at 900.12.

- The outage: the auth server answers 503 from 800 to 1000 s; the user's requests come at 850 (the token
  still lives), 905 (it is dead, the server is down) and 1010 (the server is back).
- Three tabs: the server rotates refresh tokens and detects reuse; each tab sends one request at 901.

Each test names the lines of the library's source it follows (docs/libraries.md has them all).
"""

from pathlib import Path

import pytest

import sim
from sim import Latencies, Scenario, Workload
from sim.presets import LIBRARY_NAMES

LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)
OUTAGE = "800:1000"


def outage(library, tmp_path, times=(0, 850, 905, 1010), window=OUTAGE, **changes):
    """One tab whose requests come at ``times`` (the first logs in) while the auth server is down."""
    path = Path(tmp_path) / "arrivals.csv"
    path.write_text("time_s,user\n" + "".join(f"{t},alice\n" for t in times))
    scenario = Scenario(latencies=LATENCIES, workload=Workload(kind="trace", arrivals=str(path)), record_calls=True)
    return sim.run(scenario.with_(client=library, auth_outages=(window,), **changes))


def burst(library, tabs=1, concurrency=1, at_s=901.0, **changes):
    """``tabs`` tabs each sending ``concurrency`` requests at ``at_s``."""
    workload = Workload(kind="burst", tabs=tabs, concurrency=concurrency, at_s=at_s)
    return sim.run(Scenario(latencies=LATENCIES, workload=workload, record_calls=True).with_(client=library, **changes))


def three_tabs(library, **changes):
    return burst(library, tabs=3, rotation=True, reuse_detection=True, **changes)


def log(result, endpoints=("login", "refresh", "resource")):
    """(when the answer came back, endpoint, status, tab) per call, in order."""
    calls = result.records.calls
    return [(round(c.received_s, 3), c.endpoint, c.status, c.session) for c in calls if c.endpoint in endpoints]


def endings(result):
    return result.requests.sort_values("request")["reason"].tolist()


# -- outages ------------------------------------------------------------------------------------------


def test_the_article_logs_out_on_a_503_in_an_outage(tmp_path):
    # The article's catch sends the user to /login whatever the refresh failed with.
    result = outage("article", tmp_path)
    assert log(result)[1:] == [
        (0.27, "resource", 200, 0), (850.15, "resource", 200, 0),
        (905.11, "resource", 401, 0), (905.21, "refresh", 503, 0),
    ]  # fmt: skip
    assert endings(result) == ["ok", "ok", "logged_out", "logged_out"]


@pytest.mark.parametrize(
    "library",
    ["axios-auth-refresh-3", "axios-auth-refresh-3-paused", "axios-auth-refresh-5", "axios-auth-refresh-5-no-dedupe"],
)
def test_axios_auth_refresh_fails_the_request_and_refreshes_again_once_the_server_is_back(library, tmp_path):
    # refreshAuthCall rejects: `return refreshing.catch((error) => Promise.reject(error))` (3.x
    # src/index.ts#L65-L66, 5.x #L74-L75): the request fails, the tokens stay, the next 401 refreshes again.
    result = outage(library, tmp_path)
    assert log(result, ("refresh",)) == [(905.21, "refresh", 503, 0), (1010.23, "refresh", 200, 0)]
    assert endings(result) == ["ok", "ok", "failed", "ok"]


def test_auth0_spa_js_does_not_retry_a_503(tmp_path):
    # getTokenSilently inside the 60 s margin refreshes before sending (cache-manager.ts#L110-L113). A JSON
    # 503 is an answer, not a thrown fetch: it leaves the retry loop and is thrown (http.ts#L155-L178,
    # #L205-L247), so each request that needs a token fails after one call.
    result = outage("auth0-spa-js", tmp_path)
    assert log(result, ("refresh",)) == [
        (850.1, "refresh", 503, 0), (905.1, "refresh", 503, 0), (1010.12, "refresh", 200, 0),
    ]  # fmt: skip
    assert endings(result) == ["ok", "failed", "failed", "ok"]


def test_auth0_spa_js_retries_a_refresh_that_got_no_answer_at_once_three_times(tmp_path):
    # Only a fetch that throws (a network error, its 10 s timeout) is tried again, at once, three tries in
    # all (http.ts#L155-L182, constants.ts#L19): answers lost on the way back.
    result = outage("auth0-spa-js", tmp_path, times=(0, 850), window="2000:2001", refresh_loss=1.0)
    tries = result.calls[result.calls["endpoint"] == "refresh"]
    assert len(tries) == 3 and endings(result) == ["ok", "failed"]
    google = outage("google-auth", tmp_path, times=(0, 850), window="2000:2001", refresh_loss=1.0)
    assert (google.calls["endpoint"] == "refresh").sum() == 1  # google-auth: a TransportError leaves at once


def test_auth0_spa_js_gives_up_the_lock_after_5_seconds(tmp_path):
    # runWithLock(lockKey, 5000, ...) (Auth0Client.ts#L1009): the lock request is aborted after 5 s and a
    # TimeoutError reaches the app (lock.ts#L36-L50). Two tabs meet the expiry while a refresh takes 8 s:
    # the second tab's request fails at 5 s without sending anything; the first's succeeds.
    slow = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=8.0)
    result = burst("auth0-spa-js", tabs=2, at_s=1000.0, latencies=slow)
    assert log(result, ("refresh",)) == [(1008.1, "refresh", 200, 0)]
    requests = result.requests.sort_values("request")
    assert requests["reason"].tolist() == ["ok", "failed"]
    assert requests["finished_s"].iloc[1] == pytest.approx(1005.0)


def test_oidc_client_ts_stops_renewing_after_one_failure(tmp_path):
    # The expiring timer fires once (src/utils/Timer.ts#L54-L62: cancel(), then raise()); the failed
    # signinSilent raises an error event and arms nothing (SilentRenewService.ts#L86-L89); only a stored
    # user arms it again (UserManager.ts#L378-L379). The token dies, and every later API call gets a 401
    # the library never sees (max_retries = 0), even after the server is back.
    result = outage("oidc-client-ts", tmp_path)
    assert log(result)[1:] == [
        (0.27, "resource", 200, 0), (840.22, "refresh", 503, 0), (850.15, "resource", 200, 0),
        (905.11, "resource", 401, 0), (1010.11, "resource", 401, 0),
    ]  # fmt: skip
    assert endings(result) == ["ok", "ok", "unauthorized", "unauthorized"]
    # A timer that tried again at every tick (the model before) tries 33 times and is back with the server.
    again = outage("oidc-client-ts", tmp_path, timer_after_failure="next-tick")
    assert again.summary["refresh_calls"] == 33 and endings(again) == ["ok", "ok", "unauthorized", "ok"]


def test_angular_oauth2_oidc_stops_renewing_after_one_failure(tmp_path):
    # The token_expires timer at 0.75 of the lifetime (oauth-service.ts#L494-L500) fires into an outage;
    # the refresh's error is logged (#L266-L268) and only a new token arms a timer again (#L411-L417).
    result = outage("angular-oauth2-oidc", tmp_path, window="600:700")
    assert log(result, ("refresh",)) == [(675.22, "refresh", 503, 0)]
    assert endings(result) == ["ok", "ok", "unauthorized", "unauthorized"]


def test_msal_browser_fails_each_silent_call_in_an_outage(tmp_path):
    # acquireTokenSilent refreshes within 300 s of expiry (Constants.ts#L386-L387); NetworkManager sends one
    # POST and throws on failure (NetworkManager.ts#L51-L75): every call that needs a token fails.
    result = outage("msal-browser", tmp_path)
    assert log(result, ("refresh",)) == [
        (850.1, "refresh", 503, 0), (905.1, "refresh", 503, 0), (1010.12, "refresh", 200, 0),
    ]  # fmt: skip
    assert endings(result) == ["ok", "failed", "failed", "ok"]


@pytest.mark.parametrize("library", ["keycloak-js", "keycloak-js-30"])
def test_keycloak_js_keeps_its_tokens_after_a_5xx(library, tmp_path):
    # updateToken(5) (or 30): at 850 the token lives long enough; at 905 the refresh fails with a 503 and
    # only a 400 clears the tokens (keycloak.js#L1544-L1546), so the next call refreshes again.
    result = outage(library, tmp_path)
    assert log(result, ("refresh",)) == [(905.1, "refresh", 503, 0), (1010.12, "refresh", 200, 0)]
    assert endings(result) == ["ok", "ok", "failed", "ok"]


def test_authlib_async_waiters_refresh_again_one_after_another_after_a_failure():
    # async with self._token_refresh_lock: if self.token.is_expired(...): refresh (oauth2_client.py
    # #L136-L142). The first task's refresh fails; each waiter then takes the lock, finds the token still
    # expired and sends its own, in turn: a lock, not a shared result.
    result = burst("authlib-async", concurrency=3, at_s=905.0, auth_outages=(OUTAGE,))
    assert log(result, ("refresh",)) == [
        (905.1, "refresh", 503, 0), (905.2, "refresh", 503, 0), (905.3, "refresh", 503, 0),
    ]  # fmt: skip
    assert endings(result) == ["failed"] * 3
    sync = burst("authlib-sync", concurrency=3, at_s=905.0, auth_outages=(OUTAGE,))  # no lock: all at once
    assert log(sync, ("refresh",)) == [(905.1, "refresh", 503, 0)] * 3


@pytest.mark.parametrize(("library", "first"), [("authlib-sync", 850.1), ("requests-oauthlib", None)])
def test_a_python_client_raises_and_refreshes_again_on_the_next_call(library, first, tmp_path):
    # Authlib: 60 s leeway (oauth2_session.py#L103), `resp.raise_for_status()` on a 5xx (client.py
    # #L413-L423); requests-oauthlib: no margin (base.py#L215-L216), the error raised before self.token is
    # set. The request fails; the next one refreshes again.
    result = outage(library, tmp_path)
    failed_first = [] if first is None else [(first, "refresh", 503, 0)]
    assert log(result, ("refresh",)) == [*failed_first, (905.1, "refresh", 503, 0), (1010.12, "refresh", 200, 0)]
    assert endings(result) == ["ok", "failed" if first else "ok", "failed", "ok"]


def test_google_auth_retries_a_503_with_backoff(tmp_path):
    # _token_endpoint_request_no_throw retries 500/503/504/408/429 answers (_client.py#L85-L105,
    # #L190-L215) after 1 s, then 2 s (_exponential_backoff.py#L22-L32; its +-10 % jitter left out).
    result = outage("google-auth", tmp_path)
    assert log(result, ("refresh",)) == [
        (850.1, "refresh", 503, 0), (851.2, "refresh", 503, 0), (853.3, "refresh", 503, 0),
        (905.1, "refresh", 503, 0), (906.2, "refresh", 503, 0), (908.3, "refresh", 503, 0),
        (1010.12, "refresh", 200, 0),
    ]  # fmt: skip
    assert endings(result) == ["ok", "failed", "failed", "ok"]


def test_the_auth_js_guide_signs_the_user_in_again_after_one_failed_refresh(tmp_path):
    # The jwt callback's catch sets token.error = "RefreshTokenError" (refresh-token-rotation.mdx
    # #L117-L121) and the guide's page calls signIn() when it sees it (#L251-L252).
    result = outage("next-auth-guide", tmp_path)
    assert log(result, ("refresh",)) == [(905.1, "refresh", 503, 0)]
    assert endings(result) == ["ok", "ok", "logged_out", "logged_out"]


# -- three tabs, rotation with reuse detection ----------------------------------------------------------


def test_three_article_tabs_refresh_with_one_token_and_are_logged_out():
    result = three_tabs("article")
    assert log(result, ("refresh",)) == [(901.23, "refresh", 200, 0), (901.23, "refresh", 401, 1),
                                         (901.23, "refresh", 401, 2)]  # fmt: skip
    assert result.summary["reuse_detected"] == 2 and result.summary["logouts"] == 1


@pytest.mark.parametrize(
    "library",
    ["axios-auth-refresh-3", "axios-auth-refresh-3-paused", "axios-auth-refresh-5", "axios-auth-refresh-5-no-dedupe"],
)
def test_axios_auth_refresh_shares_a_refresh_per_instance_not_across_tabs(library):
    # cache.refreshCall lives in the instance (3.x utils.ts#L74-L87, 5.x #L88-L101): each tab's app sends
    # its own refresh with the refresh token in localStorage; the second and third are reuses.
    result = three_tabs(library)
    assert log(result, ("refresh",)) == [(901.23, "refresh", 200, 0), (901.23, "refresh", 401, 1),
                                         (901.23, "refresh", 401, 2)]  # fmt: skip
    assert result.summary["reuse_detected"] == 2 and endings(result) == ["logged_out"] * 3


def test_auth0_spa_js_refreshes_once_for_three_tabs_under_its_web_lock():
    # runWithLock, then a second look at the cache (Auth0Client.ts#L1002-L1023): the tabs after the first
    # find its tokens in localStorage and send nothing.
    result = three_tabs("auth0-spa-js")
    assert log(result, ("refresh",)) == [(901.12, "refresh", 200, 0)]
    assert endings(result) == ["ok"] * 3 and result.summary["reuse_detected"] == 0


@pytest.mark.parametrize("library", ["msal-browser", "keycloak-js", "keycloak-js-30"])
def test_tabs_that_keep_their_own_tokens_never_present_each_others(library):
    # MSAL: cacheLocation sessionStorage (Configuration.ts#L301-L303); keycloak-js: "Both access and refresh
    # token are stored in memory" (javascript-adapter.adoc#L137). Each tab logged in on its own, holds its
    # own refresh token and refreshes it: three refreshes, no reuse.
    result = three_tabs(library)
    assert log(result, ("login", "refresh")) == [
        (0.12, "login", 200, 0), (0.12, "login", 200, 1), (0.12, "login", 200, 2),
        (901.12, "refresh", 200, 0), (901.12, "refresh", 200, 1), (901.12, "refresh", 200, 2),
    ]  # fmt: skip
    assert endings(result) == ["ok"] * 3 and result.summary["reuse_detected"] == 0


@pytest.mark.parametrize(("library", "due_s"), [("oidc-client-ts", 840.12), ("angular-oauth2-oidc", 675.12)])
def test_timer_tabs_each_renew_their_own_login_on_their_own_timer(library, due_s):
    # oidc-client-ts: the user in sessionStorage (UserManagerSettings.ts#L226-L227), no storage-event
    # listener in src/; angular-oauth2-oidc: sessionStorage (factories.ts#L7-L10). Each tab's timer runs from
    # its own load: the first tab's at the due time, the others' within a tick of it.
    result = three_tabs(library)
    refreshes = log(result, ("refresh",))
    assert [(status, tab) for _, _, status, tab in refreshes] == [(200, 0), (200, 1), (200, 2)]
    tick_s = 5.0 if library == "oidc-client-ts" else 1.0
    assert all(due_s <= sent <= due_s + tick_s + 0.2 for sent, *_ in refreshes)
    assert endings(result) == ["ok"] * 3 and result.summary["reuse_detected"] == 0


def test_oidc_client_ts_tabs_sharing_a_store_still_renew_each_on_its_own_timer():
    # With userStore: localStorage the tabs share one user, but no tab listens for the others' writes (no
    # storage-event listener in src/; the timers are armed from each tab's own loads: UserManager.ts
    # #L145-L150): each tab's timer fires and renews with the refresh token stored then. Three refreshes, in
    # turn, none a reuse; a timer that followed the store would leave it at one.
    result = three_tabs("oidc-client-ts", storage="local")
    refreshes = log(result, ("refresh",))
    assert [(status, tab) for _, _, status, tab in refreshes] == [(200, 0), (200, 1), (200, 2)]
    assert result.summary["reuse_detected"] == 0 and endings(result) == ["ok"] * 3
    following = three_tabs("oidc-client-ts", storage="local", timer_follows_store=True)
    assert log(following, ("refresh",)) == [(840.24, "refresh", 200, 0)]


@pytest.mark.parametrize("library", ["authlib-async", "authlib-sync", "requests-oauthlib", "google-auth"])
def test_three_processes_sharing_a_token_store_race_and_the_losers_raise(library):
    # Each process's client object refreshes by itself (Authlib's lock is per instance: async_app.py#L88-L91);
    # under rotation the two late ones present a used token: the error is raised before self.token is set
    # (client.py#L413-L423; parameters.py#L447-L453; credentials.py#L406-L425), their requests fail and
    # the winner's token keeps the session.
    result = three_tabs(library)
    assert log(result, ("refresh",)) == [(901.12, "refresh", 200, 0), (901.12, "refresh", 401, 1),
                                         (901.12, "refresh", 401, 2)]  # fmt: skip
    assert endings(result) == ["ok", "failed", "failed"] and result.summary["logouts"] == 0


def test_the_auth_js_guide_races_and_signs_the_user_in_again():
    # "a race-condition might occur if multiple requests will try to refresh the token at the same time"
    # (refresh-token-rotation.mdx#L24-L27): three requests, three refreshes with the cookie's refresh token;
    # two are reuses, and the guide's page signs the user in again.
    result = three_tabs("next-auth-guide")
    assert log(result, ("refresh",)) == [(901.12, "refresh", 200, 0), (901.12, "refresh", 401, 1),
                                         (901.12, "refresh", 401, 2)]  # fmt: skip
    assert endings(result) == ["logged_out"] * 3 and result.summary["logouts"] == 1


# -- the server side and the clock -------------------------------------------------------------------


@pytest.mark.parametrize(("revoke", "ending"), [(True, "unauthorized"), (False, "ok")])
def test_ory_hydra_revokes_the_access_token_a_rotation_replaced(revoke, ending, tmp_path):
    # Strict rotation (grace 0, the default: persister_oauth2.go#L700-L704) deletes every access token of
    # the request (#L135-L137). An API call with the old, unexpired token that the API reaches after an
    # on-use refresh rotated gets a 401; auth0-spa-js never retries one (max_retries = 0).
    due_s = 0.12 + 3600 - 60  # Hydra's 3600 s tokens, auth0-spa-js's 60 s margin
    slow_api = Latencies(rtt_s=0.1, api_service_s=0.5, api_401_service_s=0.01, auth_service_s=0.02)
    times = (0, due_s - 0.3, due_s - 0.2, due_s + 0.01)
    result = outage("auth0-spa-js", tmp_path, times=times, window="9000:9001", server="ory-hydra", api_capacity=1,
                    latencies=slow_api, revoke_access_on_rotation=revoke)  # fmt: skip
    calls = result.calls.set_index("request")
    assert calls.loc[2, "outcome"] == ("revoked" if revoke else "valid")
    assert endings(result) == ["ok", "ok", ending, "ok"]


def test_msal_counts_expires_in_from_when_the_refresh_was_sent(tmp_path):
    # reqTimestamp is taken before the token request (RefreshTokenClient.ts#L75) and the expiry is
    # reqTimestamp + expires_in (ResponseHandler.ts#L488-L503). The login takes 10 s to answer: MSAL
    # believes the token due 300 s before 900 s after it *sent* the login, 10 s earlier than a client
    # counting from the answer.
    slow_auth = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=10.0)
    for expiry_from, refreshes in (("expires_in-from-send", 1), ("expires_in", 0)):
        result = outage("msal-browser", tmp_path, times=(0, 605), window="9000:9001", latencies=slow_auth,
                        expiry_from=expiry_from)  # fmt: skip
        assert result.summary["refresh_calls"] == refreshes, expiry_from


def test_every_library_has_an_outage_and_a_three_tab_timeline():
    outages = {
        "article", "axios-auth-refresh-3", "axios-auth-refresh-3-paused", "axios-auth-refresh-5",
        "axios-auth-refresh-5-no-dedupe", "auth0-spa-js", "oidc-client-ts", "angular-oauth2-oidc", "msal-browser",
        "keycloak-js", "keycloak-js-30", "authlib-async", "authlib-sync", "requests-oauthlib", "google-auth",
        "next-auth-guide",
    }  # fmt: skip
    three_tab_timelines = {
        "article", "axios-auth-refresh-3", "axios-auth-refresh-3-paused", "axios-auth-refresh-5",
        "axios-auth-refresh-5-no-dedupe", "auth0-spa-js", "msal-browser", "keycloak-js", "keycloak-js-30",
        "oidc-client-ts", "angular-oauth2-oidc", "authlib-async", "authlib-sync", "requests-oauthlib", "google-auth",
        "next-auth-guide",
    }  # fmt: skip
    assert outages == three_tab_timelines == set(LIBRARY_NAMES)

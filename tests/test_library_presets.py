"""Real libraries and auth servers as presets: the burst each library's source implies, the fields
each server sets, and a cited line behind every value.

The burst: one tab, 50 requests fired at once one second after the access token died (the article's
server: 900 s access tokens, no rotation; a refresh takes about 0.1 s). Each expectation is traced to
the library's source in a comment (the lines are in docs/libraries.md).
"""

import dataclasses
import re
from pathlib import Path

import pytest

import sim
from sim import Client, Scenario, Workload
from sim.client.composition import flat_defaults
from sim.config import RefreshTokenPolicy, TokenPolicy
from sim.presets import BFF_NAMES, LIBRARY_NAMES, SERVER_NAMES, SERVERS, named_client
from sim.presets.reference import _text, sources_markdown

BURST = Scenario(workload=Workload(kind="burst", concurrency=50))
CITATION = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{7,40}:\S+#L\d+(-L\d+)?$")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "libraries.md"


def burst(library: str, scenario: Scenario = BURST) -> sim.Result:
    return sim.run(scenario.with_(client=library))


def outcome(result: sim.Result) -> dict[str, int]:
    """Refresh calls, how the requests ended, and logouts."""
    counts = result.requests["reason"].value_counts()
    return {
        "refresh_calls": int(result.summary["refresh_calls"]),
        **{reason: int(counts.get(reason, 0)) for reason in ("ok", "unauthorized", "failed", "logged_out")},
        "logouts": int(result.summary["logouts"]),
    }


def everyone_ok(refresh_calls: int) -> dict[str, int]:
    return {"refresh_calls": refresh_calls, "ok": 50, "unauthorized": 0, "failed": 0, "logged_out": 0, "logouts": 0}


# -- the burst, library by library -------------------------------------------------------------------


def test_article_sends_a_refresh_per_401_and_loses_nobody_without_rotation():
    # The article's interceptor: every 401 posts its own /refresh-token (no single-flight), and its
    # server never rotates, so all fifty succeed and every request is retried once.
    result = burst("article")
    assert outcome(result) == everyone_ok(50)
    assert result.requests["api_calls"].sum() == 100


def test_axios_auth_refresh_3_shares_one_refresh_and_replays_every_request():
    # src/utils.ts#L74-L87: the first 401 creates cache.refreshCall, the other 49 get the same promise;
    # after it resolves every chain calls resendFailedRequest with the new token (index.ts#L65-L68).
    result = burst("axios-auth-refresh-3")
    assert outcome(result) == everyone_ok(1)
    assert result.requests["api_calls"].sum() == 100 and result.requests["unauthorized"].sum() == 50


@pytest.mark.parametrize("library", ["axios-auth-refresh-3-paused", "axios-auth-refresh-5"])
def test_a_paused_instance_fails_the_49_whose_401_arrives_while_its_refresh_is_in_flight(library):
    # 3.x pauseInstanceWhileRefreshing / 5.x deduplicateRefresh (the default): the first 401 pushes the
    # instance into skipInstances (index.ts#L55-L57 / #L64-L66); for the other 49 shouldInterceptError
    # is false (utils.ts#L66 / #L80) and the handler returns Promise.reject(error) (index.ts#L51-L53):
    # 49 401s reach the app, only the first request is replayed (5.x issue #307). The library never
    # logs out.
    result = burst(library)
    assert outcome(result) == {
        "refresh_calls": 1, "ok": 1, "unauthorized": 49, "failed": 0, "logged_out": 0, "logouts": 0,
    }  # fmt: skip
    by_id = result.requests.set_index("request")
    assert by_id.loc[0, "reason"] == "ok" and by_id.loc[0, "api_calls"] == 2  # the 401 that started it, replayed
    assert (by_id.drop(index=0)["api_calls"] == 1).all()  # the 49: one call, one 401, no retry
    assert result.requests["api_calls"].sum() == 51


def test_axios_auth_refresh_5_without_dedupe_still_shares_one_refresh():
    # deduplicateRefresh: false only stops the pause: utils.ts#L80 returns !false, every 401 is intercepted
    # and createRefreshCall hands all of them the one cache.refreshCall (utils.ts#L88-L101), whatever the
    # README says (#L170-L176). All 50 are replayed with the new token.
    result = burst("axios-auth-refresh-5-no-dedupe")
    assert outcome(result) == everyone_ok(1)
    assert result.requests["api_calls"].sum() == 100


def test_auth0_spa_js_refreshes_once_under_its_lock_and_sends_no_expired_token():
    # getTokenSilently before each call: the token is due since exp - 60 (cache-manager.ts#L110-L113),
    # all 50 queue on the Web Lock (Auth0Client.ts#L1002-L1023); the first holder refreshes and saves the
    # entry, the other 49 find it at their second cache check and send nothing. No request meets a 401.
    result = burst("auth0-spa-js")
    assert outcome(result) == everyone_ok(1)
    assert result.requests["unauthorized"].sum() == 0 and result.summary["proactive_refreshes"] == 1


def test_oidc_client_ts_renewed_on_its_timer_before_the_burst():
    # automaticSilentRenew: the expiring timer (60 s before expiry, checked on a 5 s setInterval:
    # AccessTokenEvents.ts#L33-L41, Timer.ts#L38-L39) called signinSilent at exp - 60, long before the
    # burst; the 50 go out with a fresh token. The one refresh is the timer's, not the burst's.
    result = burst("oidc-client-ts")
    assert outcome(result) == everyone_ok(1)
    refresh = result.calls[result.calls["endpoint"] == "refresh"]
    login_answered_s = result.calls.loc[result.calls["endpoint"] == "login", "received_s"].iloc[0]
    assert refresh["sent_s"].tolist() == [pytest.approx(login_answered_s + 900 - 60)]
    assert result.requests["api_calls"].sum() == 50 and result.requests["unauthorized"].sum() == 0


def test_msal_browser_dedupes_the_50_silent_calls_into_one_refresh():
    # acquireTokenSilent: inside the 300 s offset the cache lookup throws tokenRefreshRequired
    # (SilentFlowClient.ts#L147-L161); the first call stores its promise in activeSilentTokenRequests and
    # the other 49 await it (StandardController.ts#L1995-L2070). All 50 then send with the new token.
    result = burst("msal-browser")
    assert outcome(result) == everyone_ok(1)
    assert result.requests["unauthorized"].sum() == 0 and result.requests["api_calls"].sum() == 50


@pytest.mark.parametrize("library", ["keycloak-js", "keycloak-js-30"])
def test_keycloak_js_update_token_queues_the_50_behind_one_refresh(library):
    # updateToken() (or the guide's updateToken(30)) before each request: isTokenExpired(minValidity) is
    # true (keycloak.js#L1481-L1488), each call pushes onto #refreshQueue and only the one that finds
    # length === 1 fetches (L1523-L1540); the loop resolves all 50, which then send keycloak.token.
    result = burst(library)
    assert outcome(result) == everyone_ok(1)
    assert result.requests["unauthorized"].sum() == 0 and result.requests["api_calls"].sum() == 50


def test_authlib_async_lock_lets_one_task_refresh_and_the_rest_find_the_new_token():
    # AsyncOAuth2Client: task 1 takes _token_refresh_lock and refreshes (oauth2_client.py#L136-L142);
    # tasks 2-50 take it in turn, find self.token no longer expired and refresh nothing.
    result = burst("authlib-async")
    assert outcome(result) == everyone_ok(1)
    assert result.requests["unauthorized"].sum() == 0


def test_angular_oauth2_oidc_renewed_at_three_quarters_of_the_lifetime():
    # setupAutomaticSilentRefresh: the token_expires event fires at timeoutFactor 0.75 of the lifetime
    # (oauth-service.ts#L494-L500; auth.config.ts#L162-L167), checked here on a 1 s grid from the login:
    # 675 s after the login's answer, long before the burst. The 50 go out with the new token.
    result = burst("angular-oauth2-oidc")
    assert outcome(result) == everyone_ok(1)
    refresh = result.calls[result.calls["endpoint"] == "refresh"]
    login_answered_s = result.calls.loc[result.calls["endpoint"] == "login", "received_s"].iloc[0]
    assert refresh["sent_s"].tolist() == [pytest.approx(login_answered_s + 0.75 * 900)]
    assert result.requests["unauthorized"].sum() == 0


@pytest.mark.parametrize("library", ["authlib-sync", "requests-oauthlib", "google-auth", "next-auth-guide"])
def test_a_client_without_a_lock_refreshes_once_per_thread(library):
    # authlib-sync: ensure_active_token checks and refreshes with no lock (client.py#L300-L309);
    # requests-oauthlib: each thread catches TokenExpiredError and calls refresh_token
    # (oauth2_session.py#L532-L549); google-auth: _blocking_refresh is `if not self.valid:
    # self.refresh(request)` (credentials.py#L191-L193); the Auth.js guide: each request's jwt callback
    # finds Date.now() >= expires_at * 1000 and POSTs its own refresh (refresh-token-rotation.mdx#L77-L96,
    # which warns of the race at #L24-L27). All 50 see the expired token before any refresh
    # answers, so 50 refreshes; the article's server does not rotate, so all succeed and no 401 is met.
    result = burst(library)
    assert outcome(result) == everyone_ok(50)
    assert result.requests["unauthorized"].sum() == 0 and result.requests["api_calls"].sum() == 50


def test_every_library_has_a_burst_test():
    tested = {
        "article", "axios-auth-refresh-3", "axios-auth-refresh-3-paused", "axios-auth-refresh-5",
        "axios-auth-refresh-5-no-dedupe", "auth0-spa-js", "oidc-client-ts", "msal-browser", "keycloak-js",
        "keycloak-js-30", "angular-oauth2-oidc", "authlib-async", "authlib-sync", "requests-oauthlib", "google-auth",
        "next-auth-guide",
    }  # fmt: skip
    assert set(LIBRARY_NAMES) == tested
    assert LIBRARY_NAMES[0] == "article"


# -- servers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SERVER_NAMES)
def test_a_server_presets_fields_land_in_the_scenario(name):
    scenario = Scenario().with_(server=name)
    assert scenario.server == name
    assert (scenario.tokens, scenario.refresh_tokens) == (SERVERS[name].tokens, SERVERS[name].refresh_tokens)
    assert Scenario(server=name) == scenario  # the same when the scenario is made with it


def test_a_field_given_beside_a_server_overrides_it():
    scenario = Scenario().with_(server="okta", grace_s=0.0)
    assert scenario.refresh_tokens.grace_s == 0.0 and scenario.refresh_tokens.rotation


def _naive_burst_of_5(server: str) -> sim.Result:
    # Entra's access tokens live 60-90 min: fire after the longest has died, so every server's burst
    # meets an expired token.
    at_s = 3600 + 1800 + 1 if server == "entra" else None
    return sim.run(Scenario(workload=Workload(kind="burst", concurrency=5, at_s=at_s)).with_(server=server))


@pytest.mark.parametrize("server", ["auth0", "ory-hydra"])
def test_a_rotating_server_with_reuse_detection_logs_out_the_article_client(server):
    # Five 401s, five refreshes with the same token: the first rotates it, the other four present a used
    # token with no grace window, the family is revoked and the article's catch logs the tab out.
    result = _naive_burst_of_5(server)
    assert result.summary["refresh_calls"] == 5 and result.summary["reuse_detected"] == 4
    assert result.summary["logouts"] == 1 and result.summary["families_revoked"] == 1
    counts = result.requests["reason"].value_counts()
    assert counts["logged_out"] == 4
    # Hydra also revokes the family's access tokens (revoke_access_on_reuse): the winner's retry gets 401.
    assert counts.get("ok", 0) == (1 if server == "auth0" else 0)


def test_okta_grace_window_lets_the_racing_refreshes_through():
    # Okta rotates and detects reuse too, but its 30 s leeway accepts the predecessor: no logout.
    result = _naive_burst_of_5("okta")
    assert result.summary["logouts"] == 0 and result.summary["reuse_detected"] == 0
    assert result.summary["requests_ok"] == 5


def test_cognito_refuses_the_old_token_without_detecting_reuse():
    # Rotation without reuse detection: the four late refreshes are refused (401), no family is revoked,
    # and the article's catch still logs out on the refusal.
    result = _naive_burst_of_5("cognito")
    assert result.summary["refresh_calls_rejected"] == 4 and result.summary["reuse_detected"] == 0
    assert result.summary["families_revoked"] == 0 and result.summary["logouts"] == 1


@pytest.mark.parametrize("server", ["keycloak", "entra"])
def test_rotation_without_revocation_logs_nobody_out(server):
    # Keycloak (Revoke Refresh Token off) and Entra never invalidate an old refresh token: all five
    # refreshes succeed.
    result = _naive_burst_of_5(server)
    assert result.summary["refresh_calls"] == 5 and result.summary["refresh_calls_rejected"] == 0
    assert result.summary["logouts"] == 0 and result.summary["requests_ok"] == 5


# -- every value cited: one test per preset, reporting every bad citation it has -------------------


def citation_problems(sources) -> list[str]:
    """Each source that names no line at a commit (or, for documentation, does not say so)."""
    problems = []
    for source in sources:
        if source.where.startswith("https://"):  # a closed-source server's documentation: said so in the text
            if "documentation" not in source.says:
                problems.append(f"{source.where}: a documentation source must say (documentation)")
        elif not (CITATION.match(source.where) or source.where.startswith("the article")):
            problems.append(f"{source.where}: not owner/repo@commit:path#Lstart-Lend")
    return problems


@pytest.mark.parametrize("name", ["naive", *LIBRARY_NAMES[1:], *BFF_NAMES])
def test_every_value_of_a_named_client_is_cited(name):
    """Every flat value that differs from the article's interceptor has a source, every source's value
    is the client's, and every source names a line at a commit."""
    named = named_client(name)
    flat, article, defaults = named.client.flat(), Client().flat(), flat_defaults()
    cited = {source.field for source in named.sources}
    problems = citation_problems(named.sources)
    problems += [
        f"{field} = {_text(value)} has no source"
        for field, value in flat.items()
        if field != "name" and value != article.get(field, defaults.get(field)) and field not in cited
    ]
    problems += [
        f"{source.field}: cited {source.value!r}, the client has {_text(flat.get(source.field))!r}"
        for source in named.sources
        if source.field and source.value != _text(flat.get(source.field))
    ]
    if named.kind in ("library", "bff") and not named.left_out:
        problems.append("a library says what it leaves out")
    assert not problems, "\n".join([f"{name}:", *problems])


@pytest.mark.parametrize("name", SERVER_NAMES)
def test_every_value_of_a_named_server_is_cited(name):
    server = SERVERS[name]
    values = {**dataclasses.asdict(server.tokens), **dataclasses.asdict(server.refresh_tokens)}
    defaults = {**dataclasses.asdict(TokenPolicy()), **dataclasses.asdict(RefreshTokenPolicy())}
    cited = {source.field for source in server.sources}
    problems = citation_problems(server.sources)
    problems += [f"{field} = {value} has no source" for field, value in values.items()
                 if value != defaults[field] and field not in cited]  # fmt: skip
    problems += [
        f"{source.field}: cited {source.value!r}, the server has {_text(values.get(source.field))!r}"
        for source in server.sources
        if source.field and source.value != _text(values.get(source.field))
    ]
    if not (server.title and server.left_out):
        problems.append("a server has a title and says what it leaves out")
    assert not problems, "\n".join([f"{name}:", *problems])


def test_the_reference_page_is_up_to_date():
    assert DOCS.read_text() == sources_markdown(), (
        'docs/libraries.md is stale: regenerate with `.venv/bin/python -c "from sim.presets.reference import '
        "sources_markdown; print(sources_markdown(), end='')\" > docs/libraries.md`"
    )

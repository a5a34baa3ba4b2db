"""Real client libraries as named clients: "what will *my* stack do?"

Fifty requests leave one tab a second after its access token died. The
article's interceptor sends fifty refreshes. axios-auth-refresh 5 sends one,
and fails forty-nine of the requests (issue #307); MSAL.js and keycloak-js
send one and fail none; Authlib's sync client sends fifty, one per thread.
An architect does not pick ``locked`` or ``queued``; they pick one of these
libraries, with its defaults and its bugs, and an auth server with its
rotation rules. Each entry here is the ``Client`` composition that
reproduces what the library *does*, read from its source at a named commit,
not from its README. Every value carries the line it comes from
(``Source``), and what the parts cannot express is said in ``left_out``.
The servers live in ``auth_servers.py``; ``reference.py`` renders both as
the reference page ``docs/libraries.md``.

Server-side libraries (Authlib, requests-oauthlib, google-auth) have no
tabs: there the model's tab is one client object shared by a process's
threads or tasks, and the burst is fifty of them calling it at once.
"""

from __future__ import annotations

from ..client import Client, Exponential, Immediate, OnUse, PerTab, SessionStorage, TabLock, Timer, WebLock
from .citations import cited
from .named import NamedClient

_AXIOS3 = cited("Flyrell/axios-auth-refresh@c656c56")
_AXIOS5 = cited("Flyrell/axios-auth-refresh@985a91a")
_AUTH0 = cited("auth0/auth0-spa-js@dab666a")
_OIDC = cited("authts/oidc-client-ts@b82a6a0")
_MSAL = cited("AzureAD/microsoft-authentication-library-for-js@980f0b0")
_KEYCLOAK = cited("keycloak/keycloak-js@d86787d")
_AUTHLIB = cited("lepture/authlib@fe87a11")
_HTTPX = cited("encode/httpx@ae1b9f6")
_REQUESTS = cited("psf/requests@1f6589e")
_REQUESTS_OAUTHLIB = cited("requests/requests-oauthlib@f33dac3")
_OAUTHLIB = cited("oauthlib/oauthlib@40b0ab5")
_GOOGLE = cited("googleapis/google-auth-library-python@2ea24b0")
_NEXTAUTH = cited("nextauthjs/next-auth@a1a16a5")
_UNDICI = cited("nodejs/undici@7eb7c8e")
_ANGULAR = cited("manfredsteyer/angular-oauth2-oidc@7dd2756")

_MSAL_COMMON = "lib/msal-common/src/"
_MSAL_BROWSER = "lib/msal-browser/src/"
_HTTPX_CLIENT = "authlib/integrations/httpx_client/oauth2_client.py"
_REQUESTS_CLIENT = "authlib/integrations/requests_client/oauth2_session.py"
_AUTHJS_GUIDE = "docs/pages/guides/refresh-token-rotation.mdx"
_AO = "projects/lib/src/"

# What several presets cannot express, said once.
_RAISES = (
    "A refresh the server rejects raises to the caller and leaves the tokens as they were (refresh_rejected = "
    "fail): the request that needed it fails, the next one refreshes again with the same refresh token."
)

# -- axios-auth-refresh ------------------------------------------------------------------------------

_AXIOS3_SHARED = (
    _AXIOS3("single_flight", "tab", "src/utils.ts#L74-L87",
            "if (!cache.refreshCall) { cache.refreshCall = fn(error); … } return cache.refreshCall;"),
    _AXIOS3("hold_while_refreshing", "true", "src/utils.ts#L94-L106",
            "instance.interceptors.request.use((request) => { return cache.refreshCall.catch(() => { throw new "
            "axios.Cancel('Request call failed'); }).then(() => (options.onRetry ? options.onRetry(request) : "
            "request)); })"),
    _AXIOS3("hold_while_refreshing", "true", "src/index.ts#L62-L63",
            "createRequestQueueInterceptor(instance, cache, options); (on every intercepted 401, whatever the "
            "options)"),
    _AXIOS3("max_retries", "1", "src/utils.ts#L141-L144",
            "error.config.skipAuthRefresh = true; return instance(error.response.config);"),
    _AXIOS3("max_retries", "1", "src/utils.ts#L45-L47",
            "if (error.config?.skipAuthRefresh) { return false; }"),
    _AXIOS3("retries_exhausted", "fail", "src/index.ts#L65-L66",
            "return refreshing.catch((error) => Promise.reject(error))"),
    _AXIOS3("retries_exhausted", "fail", "src/utils.ts#L101-L103", "throw new axios.Cancel('Request call failed')"),
    _AXIOS3("", "", "src/index.ts#L65-L68",
            ".then(() => resendFailedRequest(…)).finally(() => unsetCache(instance, cache)); (the shared refresh "
            "ends when the first replay has answered)"),
    _AXIOS3("", "", "src/utils.ts#L117-L122", "cache.refreshCall = undefined;"),
)  # fmt: skip

_AXIOS_LEFT_OUT = (
    "The shared refresh (and, with the pause, the pause) lasts until the first replayed request has answered, not "
    "until the refresh has: unsetCache runs in a finally after resendFailedRequest ({index}), so a 401 that comes "
    "back in that extra window {window}; the model ends the shared refresh when the refresh answers (a proposed "
    "shared_until = first-replay). Every joined 401's finally calls unsetCache, so a slow replay from one round "
    "can clear a newer round's refresh and queue, and the next 401 starts a second refresh beside it (a proposed "
    "clear_on_any_replay; under rotation a reuse). The refresh is shared per axios instance, not per tab (#210, "
    "#286). The library never logs out: a failed refreshAuthCall rejects the request and cancels the held ones, and "
    "the preset keeps the article's logout on a rejected refresh token (refresh_rejected = logout), which is what "
    "an app's refreshAuthCall that clears the tokens does."
)

AXIOS_AUTH_REFRESH_3 = NamedClient(
    Client(name="axios-auth-refresh-3", single_flight=PerTab(), hold_while_refreshing=True, retries_exhausted="fail"),
    "library",
    "axios-auth-refresh 3.3.6, default (pauseInstanceWhileRefreshing: false)",
    (
        *_AXIOS3_SHARED,
        _AXIOS3("in_flight_401", "join", "src/utils.ts#L8-L11",
                "statusCodes: [401], pauseInstanceWhileRefreshing: false,"),
    ),
    _AXIOS_LEFT_OUT.format(index="src/index.ts#L65-L68", window="joins the resolved refresh and is replayed without "
                           "a new one"),
)  # fmt: skip

AXIOS_AUTH_REFRESH_3_PAUSED = NamedClient(
    Client(name="axios-auth-refresh-3-paused", single_flight=PerTab(in_flight_401="fail"), hold_while_refreshing=True,
           retries_exhausted="fail"),
    "library",
    "axios-auth-refresh 3.3.6, pauseInstanceWhileRefreshing: true",
    (
        *_AXIOS3_SHARED,
        _AXIOS3("in_flight_401", "fail", "src/index.ts#L55-L57",
                "if (options.pauseInstanceWhileRefreshing) { cache.skipInstances.push(instance); }"),
        _AXIOS3("in_flight_401", "fail", "src/utils.ts#L66",
                "return !options.pauseInstanceWhileRefreshing || !cache.skipInstances.includes(instance);"),
        _AXIOS3("in_flight_401", "fail", "src/index.ts#L51-L53",
                "if (!shouldInterceptError(…)) { return Promise.reject(error); }"),
    ),
    _AXIOS_LEFT_OUT.format(index="src/index.ts#L65-L68", window="is still rejected, so the failure window is longer "
                           "than the refresh")
    + " The pause is per instance: if the app's refreshAuthCall uses the same instance its own 401 is not "
    "intercepted either (the option's purpose; issues #90, #56).",
)  # fmt: skip

_AXIOS5_SHARED = (
    _AXIOS5("single_flight", "tab", "src/utils.ts#L88-L101",
            "if (!cache.refreshCall) { cache.refreshCall = fn(error); … } return cache.refreshCall;"),
    _AXIOS5("hold_while_refreshing", "true", "src/utils.ts#L108-L130",
            "return cache.refreshCall.catch(() => { throw new axios.CanceledError('Request call failed'); }).then(() "
            "=> { … return request; });"),
    _AXIOS5("hold_while_refreshing", "true", "src/index.ts#L71-L72",
            "createRequestQueueInterceptor(instance, cache, mergedOptions);"),
    _AXIOS5("max_retries", "1", "src/utils.ts#L165-L168",
            "error.config.skipAuthRefresh = true; return instance(error.config);"),
    _AXIOS5("max_retries", "1", "src/index.ts#L55-L62",
            "config.__authRefreshRetryCount = (…) + 1; if (config.__authRefreshRetryCount > mergedOptions.maxRetries) "
            "{ return Promise.reject(error); } (maxRetries: 3 is never reached: the replay skips the interceptor)"),
    _AXIOS5("retries_exhausted", "fail", "src/index.ts#L74-L75",
            "return refreshing.catch((error) => Promise.reject(error))"),
    _AXIOS5("retries_exhausted", "fail", "src/utils.ts#L116-L117",
            "throw new axios.CanceledError('Request call failed');"),
    _AXIOS5("", "", "src/index.ts#L74-L77",
            ".then(() => resendFailedRequest(…)).finally(() => unsetCache(instance, cache)); (the shared refresh "
            "ends when the first replay has answered)"),
    _AXIOS5("", "", "src/utils.ts#L141-L146", "cache.refreshCall = undefined;"),
)  # fmt: skip

AXIOS_AUTH_REFRESH_5 = NamedClient(
    Client(name="axios-auth-refresh-5", single_flight=PerTab(in_flight_401="fail"), hold_while_refreshing=True,
           retries_exhausted="fail"),
    "library",
    "axios-auth-refresh 5.0.2, deduplicateRefresh: true (the default)",
    (
        *_AXIOS5_SHARED,
        _AXIOS5("in_flight_401", "fail", "src/utils.ts#L8-L12", "deduplicateRefresh: true,"),
        _AXIOS5("in_flight_401", "fail", "src/index.ts#L64-L66",
                "if (mergedOptions.deduplicateRefresh && !cache.skipInstances.includes(instance)) { "
                "cache.skipInstances.push(instance); }"),
        _AXIOS5("in_flight_401", "fail", "src/utils.ts#L80",
                "return !options.deduplicateRefresh || !cache.skipInstances.includes(instance);"),
        _AXIOS5("in_flight_401", "fail", "src/index.ts#L51-L53", "return Promise.reject(error);"),
        _AXIOS5("", "", "src/__tests__/index.spec.ts#L406-L407",
                "createAuthRefresh(instance, () => Promise.resolve(), { onRetry, deduplicateRefresh: false }); (the "
                "library's own 'retrying all the requests' test turns the default off)"),
    ),
    _AXIOS_LEFT_OUT.format(index="src/index.ts#L74-L77", window="is still rejected, so the failure window is the "
                           "refresh plus one API round trip")
    + " Issue #307 (open) reports the failures: 'second 401 fails with an error; only first request retries'.",
)  # fmt: skip

AXIOS_AUTH_REFRESH_5_NO_DEDUPE = NamedClient(
    Client(name="axios-auth-refresh-5-no-dedupe", single_flight=PerTab(), hold_while_refreshing=True,
           retries_exhausted="fail"),
    "library",
    "axios-auth-refresh 5.0.2, deduplicateRefresh: false",
    (
        *_AXIOS5_SHARED,
        _AXIOS5("in_flight_401", "join", "src/utils.ts#L80",
                "return !options.deduplicateRefresh || !cache.skipInstances.includes(instance); (!false: every 401 "
                "is intercepted and awaits the one refreshCall)"),
        _AXIOS5("", "", "README.md#L170-L176",
                "If you need every failed request to independently trigger its own refresh cycle, you can disable it "
                "(the README; the code still shares one refresh, as #307 confirms)"),
    ),
    _AXIOS_LEFT_OUT.format(index="src/index.ts#L74-L77", window="joins the resolved refresh and is replayed without "
                           "a new one"),
)  # fmt: skip

# -- browser SDKs that refresh before sending ---------------------------------------------------------

AUTH0_SPA_JS = NamedClient(
    Client(name="auth0-spa-js", proactive=OnUse(margin_s=60.0, expiry_from="expires_in"),
           cross_tab_lock=WebLock(lock_timeout_s=5.0), max_retries=0, retry=Immediate(max_tries=3, retry_on="network"),
           refresh_timeout_s=10.0, retries_exhausted="fail"),
    "library",
    "auth0-spa-js 2.24.1, useRefreshTokens: true, cacheLocation: 'localstorage'",
    (
        _AUTH0("proactive", "on-use", "src/Auth0Client.ts#L983-L996",
               "// Check the cache before acquiring the lock … const entry = await this._getEntryFromCache({…}); if "
               "(entry) { return entry; }"),
        _AUTH0("margin_s", "60", "src/Auth0Client.ts#L1716-L1724",
               "60, // get a new token if within 60 seconds of expiring"),
        _AUTH0("margin_s", "60", "src/cache/cache-manager.ts#L110-L113",
               "if (wrappedEntry.expiresAt - expiryAdjustmentSeconds < nowSeconds) {"),
        _AUTH0("expiry_from", "expires_in", "src/cache/cache-manager.ts#L214-L221",
               "const expiresInTime = Math.floor(now / 1000) + entry.expires_in;"),
        _AUTH0("cross_tab_lock", "true", "src/Auth0Client.ts#L1002-L1023",
               "runWithLock(lockKey, 5000, async () => { // Check the cache a second time … if (entry) { return "
               "entry; }"),
        _AUTH0("cross_tab_lock", "true", "src/lock.ts#L29-L47",
               "return await navigator.locks.request(key, { mode: 'exclusive', signal: controller.signal }, …)"),
        _AUTH0("lock_timeout_s", "5", "src/Auth0Client.ts#L1009", "runWithLock(lockKey, 5000, async () => {"),
        _AUTH0("lock_timeout_s", "5", "src/lock.ts#L36-L50",
               "setTimeout(() => controller.abort(), timeout); … if (error?.name === 'AbortError') throw new "
               "TimeoutError();"),
        _AUTH0("lock_timeout_s", "5", "src/Auth0Client.ts#L1040-L1045",
               "(the TimeoutError is rethrown to the app: the request that asked for a token fails)"),
        _AUTH0("single_flight", "none", "src/Auth0Client.ts#L1008-L1027",
               "… : await this._getTokenFromIFrame(…) (no shared promise: each lock holder that still finds no token "
               "refreshes itself; singlePromise was removed in 4dab19b)"),
        _AUTH0("max_retries", "0", "src/Auth0Client.ts#L948-L970",
               "return result?.access_token (getTokenSilently hands the app a token; the SDK never sees the API's "
               "answer)"),
        _AUTH0("retry", "immediate", "src/http.ts#L155-L182",
               "for (let i = 0; i < DEFAULT_SILENT_TOKEN_RETRY_COUNT; i++) { try { response = await switchFetch(…); "
               "fetchError = null; break; } catch (e) { … fetchError = e; } }"),
        _AUTH0("max_tries", "3", "src/constants.ts#L19", "DEFAULT_SILENT_TOKEN_RETRY_COUNT = 3"),
        _AUTH0("retry_on", "network", "src/http.ts#L155-L178",
               "try { response = await switchFetch(…); fetchError = null; break; } catch (e) { fetchError = e; } (only "
               "a fetch that throws, a network error or the timeout, is tried again)"),
        _AUTH0("retry_on", "network", "src/http.ts#L205-L247",
               "if (!ok) { … throw new GenericError(error || 'request_error', errorMessage); } (a JSON 503 or 429 "
               "answer leaves the loop and is thrown)"),
        _AUTH0("refresh_timeout_s", "10", "src/constants.ts#L29", "DEFAULT_FETCH_TIMEOUT_MS = 10000"),
        _AUTH0("refresh_timeout_s", "10", "src/http.ts#L36-L43",
               "reject(new Error(\"Timeout when executing 'fetch'\"))"),
        _AUTH0("retries_exhausted", "fail", "src/http.ts#L180-L182", "if (fetchError) { throw fetchError; }"),
        _AUTH0("retries_exhausted", "fail", "src/Auth0Client.ts#L1564-L1584",
               "if (e.message.includes(USER_BLOCKED_ERROR_MESSAGE)) { await this.logout({ openUrl: false }); … } … "
               "throw e;"),
        _AUTH0("storage", "local", "src/global.ts#L182-L188",
               "Valid values are `memory` or `localstorage`. The default setting is `memory`."),
        _AUTH0("", "", "src/global.ts#L195-L204",
               "If true, refresh tokens are used … The default setting is `false`. (the preset turns it on)"),
    ),
    "An error answer whose body is not JSON (a proxy's HTML 503) throws while it is parsed inside the loop and is "
    "retried like a network error; the model's 503 and 429 are JSON answers (an auth server's), never retried. "
    "The lock's 5 s covers only the wait for the lock; a browser without navigator.locks uses a localStorage lock "
    "of 10 tries of 5 s each (src/lock.ts#L77-L86), about 50 s, which the preset does not model. The default "
    "cacheLocation 'memory' keeps each tab's tokens, and its refresh token in a "
    "per-tab Web Worker, to itself while the lock stays shared (a proposed storage = tab); the preset models "
    "'localstorage'. On invalid_grant the SDK throws (or falls back to the iframe with useRefreshTokensFallback) "
    "and the app calls loginWithRedirect: the preset keeps the article's logout (refresh_rejected = logout). The "
    "session ceiling (an ID token's session_expiry claim) is left out.",
)  # fmt: skip

OIDC_CLIENT_TS = NamedClient(
    Client(name="oidc-client-ts",
           proactive=Timer(margin_s=60.0, timer_tick_s=5.0, expiry_from="expires_in", timer_after_failure="stop",
                           timer_follows_store=False),
           max_retries=0, storage=SessionStorage(), retries_exhausted="fail", refresh_rejected="fail"),
    "library",
    "oidc-client-ts 3.5.0, UserManager defaults (automaticSilentRenew: true), refresh_token grant",
    (
        _OIDC("proactive", "timer", "src/UserManagerSettings.ts#L166", "automaticSilentRenew = true,"),
        _OIDC("proactive", "timer", "src/SilentRenewService.ts#L24-L25",
              "this._userManager.events.addAccessTokenExpiring(this._tokenExpiring);"),
        _OIDC("proactive", "timer", "src/SilentRenewService.ts#L48-L51", "await this._userManager.signinSilent();"),
        _OIDC("margin_s", "60", "src/UserManagerSettings.ts#L17",
              "DefaultAccessTokenExpiringNotificationTimeInSeconds = 60;"),
        _OIDC("margin_s", "60", "src/AccessTokenEvents.ts#L33-L41",
              "let expiring = duration - this._expiringNotificationTimeInSeconds; if (expiring <= 0) { expiring = 1; } "
              "… this._expiringTimer.init(expiring);"),
        _OIDC("timer_tick_s", "5", "src/utils/Timer.ts#L38-L39",
              "const timerDurationInSeconds = Math.min(durationInSeconds, 5); this._timerHandle = "
              "setInterval(this._callback, timerDurationInSeconds * 1000);"),
        _OIDC("timer_tick_s", "5", "src/utils/Timer.ts#L54-L61",
              "if (this._expiration <= Timer.getEpochTime()) { this.cancel(); void super.raise(); }"),
        _OIDC("timer_after_failure", "stop", "src/utils/Timer.ts#L54-L62",
              "if (this._expiration <= Timer.getEpochTime()) { this.cancel(); void super.raise(); } (the expiring "
              "timer fires once)"),
        _OIDC("timer_after_failure", "stop", "src/SilentRenewService.ts#L86-L89",
              "this._timeoutRetryCount = 0; await this._userManager.events._raiseSilentRenewError(err as Error); "
              "(nothing is armed again)"),
        _OIDC("timer_after_failure", "stop", "src/UserManager.ts#L378-L379",
              "await this.storeUser(user); … this._events.load(user); (only a stored user arms the timer again)"),
        _OIDC("timer_follows_store", "false", "src/UserManager.ts#L145-L150",
              "getUser(raiseEvent = false) { … await this._events.load(user, raiseEvent); (the timers are armed from "
              "the tab's own loads of the user; src/ has no storage-event listener)"),
        _OIDC("expiry_from", "expires_in", "src/User.ts#L98-L109",
              "this.expires_at = Math.floor(value) + Timer.getEpochTime();"),
        _OIDC("max_retries", "0", "src/SilentRenewService.ts#L24-L25",
              "addAccessTokenExpiring(this._tokenExpiring); (the only renewal trigger: the library has no HTTP "
              "interceptor, the app attaches user.access_token and an API 401 reaches it)"),
        _OIDC("refresh_timeout_s", "0", "src/UserManager.ts#L325-L331",
              "timeoutInSeconds: silentRequestTimeoutInSeconds, (undefined: the timer calls signinSilent() with no "
              "arguments)"),
        _OIDC("refresh_timeout_s", "0", "src/UserManager.ts#L371-L375",
              "{ timeoutInSeconds: this.settings.silentRequestTimeoutInSeconds, ...args, } (the undefined in args "
              "overwrites the 10 s setting)"),
        _OIDC("refresh_timeout_s", "0", "src/JsonService.ts#L53-L56",
              "if (!timeoutInSeconds) { return await fetch(input, initFetch); }"),
        _OIDC("retry", "none", "src/SilentRenewService.ts#L56-L83",
              "if (err instanceof ErrorTimeout) { … this._retryTimer.init(5); return; } (only a timeout is retried, "
              "and on this path none is armed)"),
        _OIDC("retries_exhausted", "fail", "src/SilentRenewService.ts#L86-L89",
              "// Non-timeout error: reset counter and raise event immediately … await "
              "this._userManager.events._raiseSilentRenewError(err as Error);"),
        _OIDC("refresh_rejected", "fail", "src/SilentRenewService.ts#L86-L89",
              "await this._userManager.events._raiseSilentRenewError(err as Error); (the stored user is kept)"),
        _OIDC("storage", "tab", "src/UserManagerSettings.ts#L226-L227",
              'const store = typeof window !== "undefined" ? window.sessionStorage : new InMemoryWebStorage();'),
    ),
    "The documented 10 s silentRequestTimeoutInSeconds, with its unlimited 5 s retry on timeout, never reaches the "
    "timer's refresh_token call: signinSilent() passes an undefined timeout that overwrites the setting, so the POST "
    "has no timeout and nothing retries it (a bug; the preset has the code's values, refresh_timeout_s = 0 and retry "
    "= none; fixed it would be refresh_timeout_s = 10, retry = fixed, retry_base_s = 5, max_tries = 100, retrying "
    "timeouts only). An app that calls getUser() while a token that failed to renew is still live arms the expiring "
    "timer again (src/UserManager.ts#L145-L150 loads the user, src/AccessTokenEvents.ts#L35-L41 arms it for 1 s when "
    "inside the margin), so such an app retries once per getUser(); the preset is an app that reads the user once, at"
    " load. A page loaded with an already expired token cancels its expiring timer "
    "(src/AccessTokenEvents.ts#L43-L46), so it never renews by itself (a proposed timer_when_expired = skip). The app"
    " reads the token itself, so an API 401 fails the request (max_retries = 0). With a shared userStore "
    "(localStorage, storage = local) each tab's timer still fires from its own load and renews (timer_follows_store ="
    " false): one refresh per tab per expiry, each with the refresh token stored then; a duplicated tab copies the "
    "same refresh token (under reuse detection the slower tab revokes the family). signinSilent has no in-flight "
    "guard (#1618). The timer's whole-second arithmetic adds up to 1 s on top of the 5 s tick.",
)  # fmt: skip

MSAL_BROWSER = NamedClient(
    Client(name="msal-browser", proactive=OnUse(margin_s=300.0, expiry_from="expires_in-from-send"),
           single_flight=PerTab(), hold_while_refreshing=True, max_retries=0, storage=SessionStorage(),
           retries_exhausted="fail"),
    "library",
    "MSAL.js: @azure/msal-browser 3.26.1 (msal-common 14.15.0), acquireTokenSilent before each call",
    (
        _MSAL("proactive", "on-use", f"{_MSAL_COMMON}client/SilentFlowClient.ts#L147-L161",
              "TimeUtils.isTokenExpired(cachedAccessToken.expiresOn, "
              "this.config.systemOptions.tokenRenewalOffsetSeconds)) { … throw "
              "createClientAuthError(ClientAuthErrorCodes.tokenRefreshRequired);"),
        _MSAL("proactive", "on-use", f"{_MSAL_BROWSER}controllers/StandardController.ts#L2295-L2319",
              "acquireTokenFromCache … .catch((cacheError) => { … return invokeAsync(this.acquireTokenByRefreshToken…"),
        _MSAL("margin_s", "300", f"{_MSAL_COMMON}utils/Constants.ts#L386-L387",
              "export const DEFAULT_TOKEN_RENEWAL_OFFSET_SEC = 300;"),
        _MSAL("margin_s", "300", f"{_MSAL_COMMON}utils/TimeUtils.ts#L22-L28",
              "const offsetCurrentTimeSec = nowSeconds() + offset; return offsetCurrentTimeSec > expirationSec;"),
        _MSAL("expiry_from", "expires_in-from-send", f"{_MSAL_COMMON}client/RefreshTokenClient.ts#L75",
              "const reqTimestamp = TimeUtils.nowSeconds(); (taken before executeTokenRequest)"),
        _MSAL("expiry_from", "expires_in-from-send", f"{_MSAL_COMMON}response/ResponseHandler.ts#L488-L503",
              "const tokenExpirationSeconds = reqTimestamp + expiresIn; (counted from when the request was sent)"),
        _MSAL("single_flight", "tab", f"{_MSAL_BROWSER}controllers/StandardController.ts#L1995-L2070",
              "const silentRequestKey = JSON.stringify(thumbprint); const cachedResponse = "
              "this.activeSilentTokenRequests.get(silentRequestKey); if (typeof cachedResponse === \"undefined\") { … "
              "this.activeSilentTokenRequests.set(silentRequestKey, response); … } else { … return { ...(await "
              "cachedResponse), …"),
        _MSAL("hold_while_refreshing", "true", f"{_MSAL_BROWSER}controllers/StandardController.ts#L1995-L2070",
              "return { ...(await cachedResponse), … (a call made during the refresh awaits the same promise)"),
        _MSAL("max_retries", "0", f"{_MSAL_BROWSER}network/FetchClient.ts#L69-L81",
              "response = await fetch(url, { method: HTTP_REQUEST_TYPE.POST, headers: …, body: reqBody, }); (MSAL's "
              "only fetch is its own token POST: it never sees the API's answers)"),
        _MSAL("refresh_timeout_s", "0", f"{_MSAL_BROWSER}network/FetchClient.ts#L69-L81",
              "response = await fetch(url, { method: HTTP_REQUEST_TYPE.POST, headers: …, body: reqBody, }); (no "
              "AbortController, no timer)"),
        _MSAL("retry", "none", f"{_MSAL_COMMON}network/NetworkManager.ts#L51-L75",
              "ThrottlingUtils.preProcess(…); … response = await this.networkClient.sendPostRequestAsync(…); } catch "
              "(e) { … throw createClientAuthError(ClientAuthErrorCodes.networkError); } "
              "ThrottlingUtils.postProcess(…);"),
        _MSAL("retries_exhausted", "fail", f"{_MSAL_BROWSER}controllers/StandardController.ts#L2234-L2241",
              "EventType.ACQUIRE_TOKEN_FAILURE … throw tokenRenewalError;"),
        _MSAL("storage", "tab", f"{_MSAL_BROWSER}config/Configuration.ts#L301-L303",
              "cacheLocation: BrowserCacheLocation.SessionStorage,"),
        _MSAL("", "", f"{_MSAL_BROWSER}interaction_client/SilentCacheClient.ts#L50-L72",
              "const authResponse = response[0] as AuthenticationResult; … return authResponse; (the cache outcome, "
              "and with it refresh_in's background refresh, is dropped in the browser: on-use, not background)"),
    ),
    "After a 429 or 5xx (or any answer with Retry-After) MSAL keeps a throttle entry for 60 s (or Retry-After, at "
    "most 3600 s) and fails every identical refresh locally meanwhile (lib/msal-common/src/network/"
    "ThrottlingUtils.ts#L62-L98): a negative cache, the opposite of a retry (a proposed throttle_s = 60). A "
    "rejected refresh token (invalid_grant, bad_token, refresh_token_expired) falls back once to a hidden iframe "
    "with prompt=none, which succeeds while the identity provider's session cookie lives and third-party cookies "
    "are allowed (a proposed verdict_fallback = iframe); the preset keeps the article's logout, what an app that "
    "calls acquireTokenRedirect on InteractionRequiredAuthError ends in. A refresh token within 300 s of its own "
    "expiry is not used (a proposed rt_margin_s = 300). With cacheLocation 'localStorage' the tabs share one "
    "cache, which is storage = local. Requests are deduplicated per scope set, not per account: two APIs with "
    "different scopes send two refreshes with the same refresh token (a proposed single_flight = scope).",
)  # fmt: skip

KEYCLOAK_JS = NamedClient(
    Client(name="keycloak-js", proactive=OnUse(margin_s=5.0, skew_estimation=True), single_flight=PerTab(),
           max_retries=0, storage=SessionStorage(), retries_exhausted="fail"),
    "library",
    "keycloak-js main d86787d (after 26.2.4, with 26.3.0's release notes; package.json 999.0.0-SNAPSHOT), the app "
    "calls updateToken() before each request",
    (
        _KEYCLOAK("proactive", "on-use", "docs/guides/securing-apps/javascript-adapter.adoc#L122-L133",
                  "you may need to refresh the access token prior to sending the request … await "
                  "keycloak.updateToken(30); … const users = await fetchUsers();"),
        _KEYCLOAK("margin_s", "5", "lib/keycloak.js#L1500", "minValidity = minValidity || 5"),
        _KEYCLOAK("margin_s", "5", "lib/keycloak.js#L1481-L1488",
                  "let expiresIn = this.tokenParsed.exp - Math.ceil(new Date().getTime() / 1000) + this.timeSkew … "
                  "expiresIn -= minValidity … return expiresIn < 0"),
        _KEYCLOAK("single_flight", "tab", "lib/keycloak.js#L1523-L1540",
                  "this.#refreshQueue.push({ resolve, reject }) / if (this.#refreshQueue.length === 1) { … await "
                  "fetchRefreshToken(…) … for (let p = this.#refreshQueue.pop(); …) p.resolve(true)"),
        _KEYCLOAK("hold_while_refreshing", "false", "lib/keycloak.js#L1508-L1518",
                  "} else if (!this.tokenParsed || this.isTokenExpired(minValidity)) { refreshToken = true } … if "
                  "(!refreshToken) { return false }"),
        _KEYCLOAK("max_retries", "0", "lib/keycloak.js#L2175-L2182",
                  "const response = await fetch(url, init) / if (!response.ok) { throw new NetworkError(…) } (the "
                  "library's only fetch, for its own endpoints)"),
        _KEYCLOAK("expiry_from", "exp", "lib/keycloak.js#L1481",
                  "this.tokenParsed.exp - Math.ceil(new Date().getTime() / 1000) + this.timeSkew"),
        _KEYCLOAK("skew_estimation", "true", "lib/keycloak.js#L1605-L1607",
                  "this.timeSkew = Math.floor(timeLocal / 1000) - this.tokenParsed.iat"),
        _KEYCLOAK("skew_estimation", "true", "lib/keycloak.js#L1533",
                  "timeLocal = (timeLocal + new Date().getTime()) / 2"),
        _KEYCLOAK("storage", "tab", "docs/guides/securing-apps/javascript-adapter.adoc#L137",
                  "Both access and refresh token are stored in memory and are not persisted in any kind of storage."),
        _KEYCLOAK("cross_tab_lock", "false", "lib/keycloak.js#L48", "#refreshQueue = []"),
        _KEYCLOAK("retry", "none", "lib/keycloak.js#L1541-L1551",
                  "} catch (error) { … this.onAuthRefreshError?.() … p.reject(error)"),
        _KEYCLOAK("retries_exhausted", "fail", "lib/keycloak.js#L1544-L1546",
                  "if (error instanceof NetworkError && error.response.status === 400) { this.clearToken() } (only "
                  "invalid_grant clears the tokens; a 5xx or network error keeps them)"),
        _KEYCLOAK("refresh_rejected", "logout", "lib/keycloak.js#L1558-L1565",
                  "clearToken () { if (this.token) { this.#setToken(); this.onAuthLogout?.(); if "
                  "(this.loginRequired) { this.login() } } }"),
        _KEYCLOAK("refresh_timeout_s", "0", "lib/keycloak.js#L2138-L2149",
                  "return await fetchJSON(url, { method: 'POST', credentials: 'include', body })"),
    ),
    "Each tab keeps both tokens in its own memory and logs in on its own (through the SSO cookie), so each tab has "
    "its own refresh token (storage = tab); keycloak#16081 is what a server revoking its sessions' old tokens "
    "does to apps that share one. updateToken(0) still "
    "refreshes 5 s early (minValidity || 5). The guide's idiom sends the request even when updateToken failed, so "
    "a token inside the margin but not yet expired still gets through, where the model's held request fails (a "
    "proposed send_after_failed_refresh). With the login iframe on (the default), every updateToken first waits "
    "for a postMessage round trip (a proposed pre_check_latency_s). onTokenExpired only calls an app hook; an app "
    "refreshing from it would be timer and on-use at once, which proactive cannot combine. The expiry check is "
    "quantised to whole seconds (Math.ceil), and an instance with no skew estimate yet takes every token for "
    "expired (L1472-L1475). Keycloak's invalid_grant is a 400, the model's rejection a 401.",
)  # fmt: skip

KEYCLOAK_JS_30 = NamedClient(
    Client(
        name="keycloak-js-30",
        proactive=OnUse(margin_s=30.0, skew_estimation=True),
        single_flight=PerTab(),
        max_retries=0,
        storage=SessionStorage(),
        retries_exhausted="fail",
    ),
    "library",
    "keycloak-js main d86787d, the app calls updateToken(30) before each request, as the guide's example does",
    (
        *(source for source in KEYCLOAK_JS.sources if source.field != "margin_s"),
        _KEYCLOAK(
            "margin_s",
            "30",
            "docs/guides/securing-apps/javascript-adapter.adoc#L126-L130",
            "await keycloak.updateToken(30); (the guide's idiom; the API's default is 5, #L534-L545)",
        ),
    ),
    KEYCLOAK_JS.left_out.replace("updateToken(0) still refreshes 5 s early (minValidity || 5). ", ""),
)

# -- an Angular SDK with a renewal timer ---------------------------------------------------------------

ANGULAR_OAUTH2_OIDC = NamedClient(
    Client(name="angular-oauth2-oidc",
           proactive=Timer(margin_s=0.0, margin_frac=0.25, timer_tick_s=1.0, expiry_from="expires_in",
                           timer_after_failure="stop"),
           max_retries=0, storage=SessionStorage(), retries_exhausted="fail", refresh_rejected="fail"),
    "library",
    "angular-oauth2-oidc 22.0.2, code flow (responseType: 'code', useSilentRefresh unset), "
    "setupAutomaticSilentRefresh(), sendAccessToken: true, the default OAuthStorage (sessionStorage)",
    (
        _ANGULAR("proactive", "timer", f"{_AO}oauth-service.ts#L430-L446",
                 "const timeout = this.calcTimeout(storedAt, expiration); … of( new OAuthInfoEvent('token_expires', "
                 "'access_token') ) .pipe(delay(timeout))"),
        _ANGULAR("proactive", "timer", f"{_AO}oauth-service.ts#L279-L280",
                 "if (!this.useSilentRefresh && this.responseType === 'code') { return this.refreshToken();"),
        _ANGULAR("margin_s", "0", f"{_AO}oauth-service.ts#L494-L500",
                 "const delta = (expiration - storedAt) * this.timeoutFactor - (now - storedAt); (a share of the "
                 "lifetime, no seconds)"),
        _ANGULAR("margin_frac", "0.25", f"{_AO}auth.config.ts#L162-L167",
                 "If you set this to the default value 0.75, the event is triggered after 75% of the token's life "
                 "time. */ public timeoutFactor? = 0.75;"),
        _ANGULAR("timer_tick_s", "1", f"{_AO}oauth-service.ts#L261",
                 "debounceTime(1000) (one exact timer, then the refresh 1 s after it fires)"),
        _ANGULAR("timer_after_failure", "stop", f"{_AO}oauth-service.ts#L411-L417",
                 ".pipe(filter((e) => e.type === 'token_received')) .subscribe(() => { this.clearAccessTokenTimer(); "
                 "… this.setupExpirationTimers(); }); (only a new token arms the timer again)"),
        _ANGULAR("expiry_from", "expires_in", f"{_AO}oauth-service.ts#L1690-L1699",
                 "this._storage.setItem( 'access_token_stored_at', '' + this.dateTimeService.now() ); … const "
                 "expiresAt = now.getTime() + expiresInMilliSeconds;"),
        _ANGULAR("single_flight", "none", f"{_AO}oauth-service.ts#L930-L939",
                 "public refreshToken(): Promise<TokenResponse> { … .set('grant_type', 'refresh_token') (no in-flight "
                 "check: each call POSTs)"),
        _ANGULAR("max_retries", "0", f"{_AO}interceptors/default-oauth.interceptor.ts#L83-L85",
                 "return next .handle(req) .pipe(catchError((err) => this.errorHandler.handleError(err)));"),
        _ANGULAR("max_retries", "0", f"{_AO}interceptors/resource-server-error-handler.ts#L8-L11",
                 "handleError(err: HttpResponse<any>): Observable<any> { return throwError(err);"),
        _ANGULAR("retry", "none", f"{_AO}oauth-service.ts#L1001-L1007",
                 "(err) => { this.logger.error('Error refreshing token', err); this.eventsSubject.next( new "
                 "OAuthErrorEvent('token_refresh_error', err) ); reject(err);"),
        _ANGULAR("retries_exhausted", "fail", f"{_AO}oauth-service.ts#L266-L268",
                 "this.refreshInternal(params, noPrompt).catch(() => { this.debug('Automatic silent refresh did not "
                 "work'); }); (no logOut, the tokens are kept)"),
        _ANGULAR("refresh_rejected", "fail", f"{_AO}oauth-service.ts#L1001-L1007",
                 "new OAuthErrorEvent('token_refresh_error', err) ); reject(err); (an invalid_grant takes the same "
                 "path: the stored tokens stay)"),
        _ANGULAR("storage", "tab", f"{_AO}factories.ts#L7-L10",
                 "export function createDefaultStorage() { return typeof sessionStorage !== 'undefined' ? "
                 "sessionStorage : new MemoryStorage();"),
        _ANGULAR("storage", "tab", f"{_AO}provider.ts#L31",
                 "{ provide: OAuthStorage, useFactory: createDefaultStorage },"),
    ),
    "The timer is one exact setTimeout at 0.75 of the token's lifetime with the refresh sent 1 s later (a debounce); "
    "the model's timer checks on a 1 s grid, so it fires 0-1 s after that point instead of exactly 1 s. With oidc "
    "on, the id_token arms a second timer from its exp (projects/lib/src/oauth-service.ts#L448-L463), so a "
    "short-lived ID token refreshes early and often; left out. A page loaded with an access token dead for more "
    "than the 600 s default clock skew arms no timer (oauth-service.ts#L2423-L2428, #L2154-L2156; a proposed "
    "timer_when_expired). The token POST has no timeout (the 20 s silentRefreshTimeout is the iframe's), so a hung "
    "refresh leaves the tab without one for good. refreshToken() has no in-flight guard: an app that also calls "
    "it, or the session_changed check (#L1365-L1374), can send a second refresh beside the timer's. A duplicated "
    "tab copies sessionStorage and shares one refresh token without coordination; apps that switch to "
    "localStorage for a login shared across tabs get every tab refreshing the same token with no lock (issues "
    "#850, #1148): storage = local here. Issue #1218 (open) reports the stop after a failed refresh: 'No second "
    "refresh-request. Logout after token expiration.'",
)  # fmt: skip

# -- server-side clients: one object shared by a process's threads or tasks -------------------------

AUTHLIB_ASYNC = NamedClient(
    Client(name="authlib-async", proactive=OnUse(margin_s=60.0, expiry_from="expires_in"), single_flight=TabLock(),
           max_retries=0, refresh_timeout_s=5.0, api_timeout_s=5.0, retries_exhausted="fail",
           refresh_rejected="fail"),
    "library",
    "Authlib 1.6.0 AsyncOAuth2Client (httpx 0.28.1), one instance shared by the event loop's tasks",
    (
        _AUTHLIB("proactive", "on-use", f"{_HTTPX_CLIENT}#L108-L119",
                 "async def request(…): if not withhold_token and auth is USE_CLIENT_DEFAULT: … await "
                 "self.ensure_active_token(self.token) … auth = self.token_auth"),
        _AUTHLIB("margin_s", "60", f"{_HTTPX_CLIENT}#L81", "leeway=60,"),
        _AUTHLIB("margin_s", "60", "authlib/oauth2/rfc6749/wrappers.py#L12-L18",
                 "def is_expired(self, leeway=60): … expiration_threshold = expires_at - leeway; return "
                 "expiration_threshold < time.time()"),
        _AUTHLIB("expiry_from", "expires_in", "authlib/oauth2/rfc6749/wrappers.py#L6-L9",
                 'elif params.get("expires_in"): params["expires_at"] = int(time.time()) + int(params["expires_in"])'),
        _AUTHLIB("single_flight", "lock", f"{_HTTPX_CLIENT}#L88-L90",
                 "# We use a Lock to synchronize coroutines to prevent multiple concurrent attempts to refresh the "
                 "same token … self._token_refresh_lock = Lock()"),
        _AUTHLIB("single_flight", "lock", f"{_HTTPX_CLIENT}#L136-L142",
                 "async with self._token_refresh_lock: if self.token.is_expired(leeway=self.leeway): … await "
                 "self.refresh_token(url, refresh_token=refresh_token) (each caller in turn looks again; no result is "
                 "shared, so after a failed refresh the next one refreshes too)"),
        _AUTHLIB("max_retries", "0", f"{_HTTPX_CLIENT}#L119",
                 "return await super().request(method, url, auth=auth, **kwargs) (the response is returned as is)"),
        _AUTHLIB("retry", "none", f"{_HTTPX_CLIENT}#L187-L194",
                 "resp = await self.post(url, …) … token = self.parse_response_token(resp)"),
        _AUTHLIB("retries_exhausted", "fail", "authlib/oauth2/client.py#L413-L423",
                 'if resp.status_code >= 500: resp.raise_for_status() … if "error" in token: raise '
                 "self.oauth_error_class(…) … self.token = token"),
        _AUTHLIB("refresh_rejected", "fail", "authlib/oauth2/client.py#L413-L423",
                 'if "error" in token: raise self.oauth_error_class(…) (raised before self.token = token: the old '
                 "tokens stay)"),
        _HTTPX("refresh_timeout_s", "5", "httpx/_config.py#L246", "DEFAULT_TIMEOUT_CONFIG = Timeout(timeout=5.0)"),
        _HTTPX("api_timeout_s", "5", "httpx/_client.py#L1366", "timeout: TimeoutTypes = DEFAULT_TIMEOUT_CONFIG,"),
        _AUTHLIB("storage", "local", f"{_HTTPX_CLIENT}#L195-L199",
                 'if "refresh_token" not in token: self.token["refresh_token"] = refresh_token / if self.update_token: '
                 "await self.update_token(self.token, refresh_token=refresh_token)"),
        _AUTHLIB("cross_tab_lock", "false", "authlib/integrations/base_client/async_app.py#L88-L91",
                 "async with self._get_oauth_client(**metadata) as session: (a new instance per call: the lock is "
                 "never shared)"),
    ),
    "The lock is anyio's (authlib/integrations/httpx_client/oauth2_client.py#L5). The framework integrations "
    "(oauth.<name>.get) build a new client per call "
    "(authlib#673), where the lock protects nothing: that is authlib-sync's behaviour. A waiter reads the refresh "
    "token captured before the lock, so with access tokens living at most the 60 s leeway it refreshes with the "
    "old one (a reuse under rotation). A non-5xx answer without an 'error' key (a 429 with a JSON body) is stored "
    f"as the token. httpx's 5 s is per phase (connect, read, write, pool). {_RAISES}",
)  # fmt: skip

AUTHLIB_SYNC = NamedClient(
    Client(name="authlib-sync", proactive=OnUse(margin_s=60.0, expiry_from="expires_in"), max_retries=0,
           retries_exhausted="fail", refresh_rejected="fail"),
    "library",
    "Authlib 1.6.0 OAuth2Session (requests), one instance shared by a process's threads",
    (
        _AUTHLIB("proactive", "on-use", f"{_REQUESTS_CLIENT}#L17-L25",
                 "class OAuth2Auth(AuthBase, TokenAuth): def ensure_active_token(self): if self.client and not "
                 "self.client.ensure_active_token(self.token): raise InvalidTokenError() … def __call__(self, req): "
                 "self.ensure_active_token()"),
        _AUTHLIB("margin_s", "60", f"{_REQUESTS_CLIENT}#L103", "leeway=60,"),
        _AUTHLIB("margin_s", "60", "authlib/oauth2/rfc6749/wrappers.py#L12-L18",
                 "expiration_threshold = expires_at - leeway; return expiration_threshold < time.time()"),
        _AUTHLIB("expiry_from", "expires_in", "authlib/oauth2/rfc6749/wrappers.py#L6-L9",
                 'params["expires_at"] = int(time.time()) + int(params["expires_in"])'),
        _AUTHLIB("single_flight", "none", "authlib/oauth2/client.py#L300-L309",
                 "def ensure_active_token(self, token=None): … if not token.is_expired(leeway=self.leeway): return "
                 "True … if refresh_token and url: self.refresh_token(url, refresh_token=refresh_token); return "
                 "True (no lock: every thread that finds the token due refreshes)"),
        _AUTHLIB("max_retries", "0", f"{_REQUESTS_CLIENT}#L132-L140",
                 "def request(self, method, url, withhold_token=False, auth=None, **kwargs): … return "
                 "super().request(method, url, auth=auth, **kwargs)"),
        _AUTHLIB("retry", "none", "authlib/oauth2/client.py#L446-L454",
                 "resp = self._http_post(url, body=body, auth=auth, headers=headers, **kwargs) … token = "
                 "self.parse_response_token(resp)"),
        _AUTHLIB("retries_exhausted", "fail", "authlib/oauth2/client.py#L413-L423",
                 'if resp.status_code >= 500: resp.raise_for_status() … raise self.oauth_error_class(…) … self.token '
                 "= token"),
        _AUTHLIB("refresh_rejected", "fail", "authlib/oauth2/client.py#L413-L423",
                 "raise self.oauth_error_class(…) (before self.token = token: a lost race fails the request, the "
                 "winner's token stays)"),
        _AUTHLIB("refresh_timeout_s", "0", f"{_REQUESTS_CLIENT}#L104", "default_timeout=None,"),
        _REQUESTS("api_timeout_s", "0", "src/requests/sessions.py#L567", "timeout: _t.TimeoutType = None,"),
        _AUTHLIB("storage", "local", "authlib/oauth2/client.py#L455-L459",
                 'if "refresh_token" not in token: self.token["refresh_token"] = refresh_token / if '
                 "callable(self.update_token): self.update_token(self.token, refresh_token=refresh_token)"),
    ),
    "Without rotation all concurrent refreshes succeed and the last one to answer wins the instance's token, as "
    "the model's store does. Sharing across processes goes through the app's update_token callback, which no field "
    f"models. requests' connection pool and the GIL add microseconds and are left out. {_RAISES} Under rotation a "
    "lost race therefore fails only the losing requests, and the winner's token keeps the session going.",
)  # fmt: skip

REQUESTS_OAUTHLIB = NamedClient(
    Client(name="requests-oauthlib", proactive=OnUse(margin_s=0.0, expiry_from="expires_in"), max_retries=0,
           retries_exhausted="fail", refresh_rejected="fail"),
    "library",
    "requests-oauthlib 2.0.0 (oauthlib main 40b0ab5: 3.4.0, unreleased), OAuth2Session with auto_refresh_url and "
    "token_updater",
    (
        _REQUESTS_OAUTHLIB("proactive", "on-use", "requests_oauthlib/oauth2_session.py#L527-L549",
                           "url, headers, data = self._client.add_token(…) / except TokenExpiredError: if "
                           "self.auto_refresh_url: … token = self.refresh_token(self.auto_refresh_url, auth=auth, "
                           "**kwargs)"),
        _OAUTHLIB("margin_s", "0", "oauthlib/oauth2/rfc6749/clients/base.py#L215-L216",
                  "if self._expires_at and self._expires_at < time.time(): raise TokenExpiredError()"),
        _OAUTHLIB("expiry_from", "expires_in", "oauthlib/oauth2/rfc6749/parameters.py#L524-L526",
                  "if _expires_at is None and expires_in: expires_at = round(time.time()) + expires_in; _expires_at = "
                  "expires_at"),
        _REQUESTS_OAUTHLIB("single_flight", "none", "requests_oauthlib/oauth2_session.py#L532-L549",
                           "except TokenExpiredError: if self.auto_refresh_url: … token = self.refresh_token(…) (no "
                           "lock: each thread that catches it refreshes)"),
        _REQUESTS_OAUTHLIB("max_retries", "0", "requests_oauthlib/oauth2_session.py#L566-L568",
                           "return super(OAuth2Session, self).request(method, url, headers=headers, data=data, "
                           "files=files, **kwargs)"),
        _REQUESTS_OAUTHLIB("retry", "none", "requests_oauthlib/oauth2_session.py#L476-L496",
                           "r = self.post(token_url, …, withhold_token=True, …) … self.token = "
                           "self._client.parse_request_body_response(r.text, scope=self.scope)"),
        _OAUTHLIB("retries_exhausted", "fail", "oauthlib/oauth2/rfc6749/parameters.py#L447-L453",
                  "if 'error' in params: raise_from_error(params.get('error'), params) / if 'access_token' not in "
                  "params: raise MissingTokenError(…)"),
        _OAUTHLIB("refresh_rejected", "fail", "oauthlib/oauth2/rfc6749/parameters.py#L447-L453",
                  "if 'error' in params: raise_from_error(params.get('error'), params) (InvalidGrantError leaves "
                  "request() before self.token is set)"),
        _REQUESTS_OAUTHLIB("refresh_timeout_s", "0", "requests_oauthlib/oauth2_session.py#L429",
                           "timeout=None,"),
        _REQUESTS("api_timeout_s", "0", "src/requests/sessions.py#L567", "timeout: _t.TimeoutType = None,"),
        _REQUESTS_OAUTHLIB("storage", "local", "requests_oauthlib/oauth2_session.py#L550-L557",
                           "if self.token_updater: … self.token_updater(token); url, headers, data = "
                           "self._client.add_token(…)"),
    ),
    "With the constructor's defaults it behaves otherwise: without auto_refresh_url an expired token raises "
    "TokenExpiredError and the request is never sent (a proposed expired_request = fail; proactive = off with "
    "max_retries = 0 comes close, failing as a 401 instead), and with auto_refresh_url but no token_updater the "
    "refresh succeeds and then raises TokenUpdated, failing the request that caused it (a proposed "
    "on_proactive_refresh = fail). With no margin the client's expiry is the server's plus the answer's trip and "
    "up to 0.5 s of rounding (round(time.time())), so requests sent in that window get 401 and fail; the rounding "
    f"is left out (a proposed expiry_rounding_s). {_RAISES}",
)  # fmt: skip

GOOGLE_AUTH = NamedClient(
    Client(name="google-auth", proactive=OnUse(margin_s=225.0, expiry_from="expires_in"), max_retries=2,
           retry=Exponential(retry_base_s=1.0, max_tries=3, retry_on="answers"), refresh_timeout_s=120.0,
           api_timeout_s=120.0,
           retries_exhausted="fail", refresh_rejected="fail"),
    "library",
    "google-auth 2.48.0, Credentials behind an AuthorizedSession, blocking refresh (the default)",
    (
        _GOOGLE("proactive", "on-use", "google/auth/credentials.py#L191-L193",
                "def _blocking_refresh(self, request): if not self.valid: self.refresh(request)"),
        _GOOGLE("proactive", "on-use", "google/auth/credentials.py#L227-L230",
                "if self._use_non_blocking_refresh: … else: self._blocking_refresh(request)"),
        _GOOGLE("margin_s", "225", "google/auth/_helpers.py#L40-L42",
                "# The smallest MDS cache used by this library stores tokens until 4 minutes from expiry. "
                "REFRESH_THRESHOLD = datetime.timedelta(minutes=3, seconds=45)"),
        _GOOGLE("margin_s", "225", "google/auth/credentials.py#L88-L91",
                "skewed_expiry = self.expiry - _helpers.REFRESH_THRESHOLD; return _helpers.utcnow() >= skewed_expiry"),
        _GOOGLE("expiry_from", "expires_in", "google/oauth2/_client.py#L123-L131",
                'expires_in = response_data.get("expires_in", None) … return _helpers.utcnow() + '
                "datetime.timedelta(seconds=expires_in)"),
        _GOOGLE("single_flight", "none", "google/auth/credentials.py#L191-L193",
                "if not self.valid: self.refresh(request) (check, then act, with no lock)"),
        _GOOGLE("max_retries", "2", "google/auth/transport/__init__.py#L46", "DEFAULT_MAX_REFRESH_ATTEMPTS = 2"),
        _GOOGLE("max_retries", "2", "google/auth/transport/requests.py#L556-L561",
                "# A stored token may expire between the time it is retrieved and the time the request is made, so we "
                "may need to try twice. if (response.status_code in self._refresh_status_codes and "
                "_credential_refresh_attempt < self._max_refresh_attempts):"),
        _GOOGLE("late_401_check", "false", "google/auth/transport/requests.py#L607-L622",
                "with TimeoutGuard(remaining_time) as guard: self.credentials.refresh(auth_request) … return "
                "self.request(…, _credential_refresh_attempt=_credential_refresh_attempt + 1, …)"),
        _GOOGLE("retry", "exponential", "google/oauth2/_client.py#L190-L217",
                "retries = _exponential_backoff.ExponentialBackoff() / for _ in retries: response = "
                "request(method=\"POST\", …) … if not can_retry or not retryable_error: return False, …"),
        _GOOGLE("retry_base_s", "1", "google/auth/_exponential_backoff.py#L24-L25",
                "_DEFAULT_INITIAL_INTERVAL_SECONDS = 1.0"),
        _GOOGLE("max_tries", "3", "google/auth/_exponential_backoff.py#L21-L22", "_DEFAULT_RETRY_TOTAL_ATTEMPTS = 3"),
        _GOOGLE("retry_on", "answers", "google/oauth2/_client.py#L190-L215",
                "for _ in retries: response = request(method=\"POST\", …) … if not can_retry or not "
                "retryable_error: return False, … (the request is not wrapped in a try: a TransportError leaves the "
                "loop on the first try)"),
        _GOOGLE("retry_on", "answers", "google/oauth2/_client.py#L85-L105",
                "def _can_retry(status_code, response_data): if status_code in "
                "transport.DEFAULT_RETRYABLE_STATUS_CODES: return True …"),
        _GOOGLE("", "", "google/auth/transport/__init__.py#L30-L36",
                "DEFAULT_RETRYABLE_STATUS_CODES = (INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE, GATEWAY_TIMEOUT, "
                "REQUEST_TIMEOUT, TOO_MANY_REQUESTS)"),
        _GOOGLE("retries_exhausted", "fail", "google/oauth2/_client.py#L69-L71",
                "raise exceptions.RefreshError(error_details, response_data, retryable=retryable_error)"),
        _GOOGLE("refresh_rejected", "fail", "google/oauth2/credentials.py#L406-L425",
                "(access_token, refresh_token, expiry, …) = reauth.refresh_grant(…) … self.token = access_token … "
                "self._refresh_token = refresh_token (not reached when refresh_grant raises)"),
        _GOOGLE("refresh_timeout_s", "120", "google/auth/transport/requests.py#L601-L605",
                "auth_request = (self._auth_request if timeout is None else functools.partial(self._auth_request, "
                "timeout=timeout))"),
        _GOOGLE("api_timeout_s", "120", "google/auth/transport/requests.py#L47",
                "_DEFAULT_TIMEOUT = 120  # in seconds"),
        _GOOGLE("storage", "local", "google/oauth2/credentials.py#L423-L425",
                "self.token = access_token / self.expiry = expiry / self._refresh_token = refresh_token"),
    ),
    "An AuthorizedSession mounts HTTPAdapter(max_retries=3) on https (google/auth/transport/requests.py#L408-L409): "
    "a refused connection, a DNS failure or a connect timeout is retried three more times at once by urllib3, "
    "below the model's tries; a read timeout or a reset on the POST is not. Each wait is jittered by ±10 % "
    "(google/auth/_exponential_backoff.py#L27-L29), which none of the model's jitter modes is (a proposed "
    "retry_jitter_frac = 0.1); Retry-After is ignored. The 120 s timeout applies to each try, and the "
    "constructor's refresh_timeout is stored and never read. The opt-in with_non_blocking_refresh() refreshes a "
    "stale token in one background thread but an expired one still without a lock, which background with one "
    f"single_flight cannot express. {_RAISES} So with a dead refresh token every request fails rather than "
    "the user being logged out.",
)  # fmt: skip

# The guide's jwt callback, read once for both its readings: this library, and the BFF's next-auth-guide-bff.
NEXT_AUTH_GUIDE_CALLBACK = (
    _NEXTAUTH("proactive", "on-use", f"{_AUTHJS_GUIDE}#L77-L79",
              "} else if (Date.now() < token.expires_at * 1000) { // Subsequent logins, but the `access_token` "
              "is still valid return token"),
    _NEXTAUTH("proactive", "on-use", "packages/core/src/lib/actions/session.ts#L50-L54",
              "const token = await callbacks.jwt({ token: payload, …, session: newSession, }) (on every session "
              "read, before the request goes on)"),
    _NEXTAUTH("margin_s", "0", f"{_AUTHJS_GUIDE}#L77", "} else if (Date.now() < token.expires_at * 1000) {"),
    _NEXTAUTH("expiry_from", "expires_in", f"{_AUTHJS_GUIDE}#L111",
              "expires_at: Math.floor(Date.now() / 1000 + newTokens.expires_in),"),
    _NEXTAUTH("single_flight", "none", f"{_AUTHJS_GUIDE}#L82-L96",
              "const response = await fetch(\"https://oauth2.googleapis.com/token\", { method: \"POST\", … "
              "refresh_token: token.refresh_token!, }) (no shared promise: each request that finds the token "
              "expired POSTs its own)"),
    _NEXTAUTH("single_flight", "none", f"{_AUTHJS_GUIDE}#L24-L27",
              "a race-condition might occur if multiple requests will try to refresh the token at the same time. "
              "The Auth.js team is aware of this and would like to provide a solution in the future."),
    _NEXTAUTH("max_retries", "0", f"{_AUTHJS_GUIDE}#L249-L250",
              "export default async function Page() { const session = await auth() (the app calls the API "
              "itself: Auth.js never sees its answers)"),
    _NEXTAUTH("retries_exhausted", "logout", f"{_AUTHJS_GUIDE}#L117-L121",
              "} catch (error) { console.error(\"Error refreshing access_token\", error) … token.error = "
              "\"RefreshTokenError\" return token"),
    _NEXTAUTH("retries_exhausted", "logout", f"{_AUTHJS_GUIDE}#L251-L252",
              "if (session?.error === \"RefreshTokenError\") { await signIn(\"google\") // Force sign in to "
              "obtain a new set of access and refresh tokens"),
    _NEXTAUTH("", "", f"{_AUTHJS_GUIDE}#L100",
              "if (!response.ok) throw tokensOrError (a rejected refresh token takes the same catch: logout)"),
    _NEXTAUTH("refresh_timeout_s", "300", f"{_AUTHJS_GUIDE}#L88-L96",
              "const response = await fetch(…, { method: \"POST\", body: … }) (no signal: Node's fetch defaults "
              "apply)"),
    _UNDICI("refresh_timeout_s", "300", "lib/dispatcher/client.js#L316-L317",
            "this[kBodyTimeout] = bodyTimeout != null ? bodyTimeout : 300e3 this[kHeadersTimeout] = "
            "headersTimeout != null ? headersTimeout : 300e3"),
    _UNDICI("api_timeout_s", "300", "lib/dispatcher/client.js#L316-L317",
            "this[kHeadersTimeout] = headersTimeout != null ? headersTimeout : 300e3 (the app's own server-side "
            "fetch to the API)"),
)  # fmt: skip

NEXT_AUTH_GUIDE = NamedClient(
    Client(name="next-auth-guide", proactive=OnUse(margin_s=0.0, expiry_from="expires_in"), max_retries=0,
           refresh_timeout_s=300.0, api_timeout_s=300.0),
    "library",
    "Auth.js's refresh-token rotation guide (next-auth 5.0.0-beta.32, @auth/core 0.41.3), JWT sessions: the "
    "refresh in the jwt callback of each request that reaches auth() through a handler that sets cookies",
    (
        *NEXT_AUTH_GUIDE_CALLBACK,
        _NEXTAUTH("storage", "local", f"{_AUTHJS_GUIDE}#L40-L42",
                  "Auth.js libraries store the `refresh_token` in an _encrypted_ JWT, in an `HttpOnly` cookie. (one "
                  "cookie for every tab, both tokens in it)"),
    ),
    "The guide has no lock and says so: each concurrent request that finds the token expired refreshes with the "
    "refresh token its cookie carried, and under rotation all but one present a used token. The new tokens reach "
    "other requests only when the response that sets the session cookie reaches the browser, not when the refresh "
    "answers, and the last response to arrive wins, so a losing request can write back the used refresh token "
    "over the winner's (next-auth#8897; the guide's BFF reading, next-auth-guide-bff, has both: session_in = "
    "cookie, cookie_set_by = every-response). A refresh made from auth() in a "
    "Server Component is never stored, its Set-Cookie dropped (packages/next-auth/src/lib/index.ts#L145-L151; "
    "#7522, #7558), so every later request refreshes again with the same refresh token (a proposed cookie_set_by = "
    "never). With middleware, the middleware and the page both run the callback on one navigation (#11240). Each "
    "getSession() broadcasts, and every other tab's SessionProvider then fetches /api/auth/session at once, as "
    "does a tab that becomes visible (packages/next-auth/src/react.tsx#L188-L194, #L461-L472, #L477-L483; #2071): "
    "tabs refreshing together, which the model's independent tabs do not produce. The success path spreads "
    "...token (#L108-L110) and so keeps an earlier error: one failed refresh signs the user in again even after "
    "a later one succeeds. The 300 s timeouts are undici's (master, 7eb7c8e) and depend on the Node version; a "
    "hosting platform's function limit usually ends the request first. The database strategy (the same race "
    "against a row) is left out.",
)  # fmt: skip

LIBRARIES = (
    AXIOS_AUTH_REFRESH_3,
    AXIOS_AUTH_REFRESH_3_PAUSED,
    AXIOS_AUTH_REFRESH_5,
    AXIOS_AUTH_REFRESH_5_NO_DEDUPE,
    AUTH0_SPA_JS,
    OIDC_CLIENT_TS,
    MSAL_BROWSER,
    KEYCLOAK_JS,
    KEYCLOAK_JS_30,
    ANGULAR_OAUTH2_OIDC,
    AUTHLIB_ASYNC,
    AUTHLIB_SYNC,
    REQUESTS_OAUTHLIB,
    GOOGLE_AUTH,
    NEXT_AUTH_GUIDE,
)

"""Server-side token managers as named BFF clients: what refreshes a session's tokens behind a load balancer.

A backend-for-frontend keeps each session's tokens on the server (``tier = "bff"``, ``sim/client/tier.py``).
Which of its instances refreshes, when, and whether two of them can refresh the same session at once is
the token manager's code. Each entry here is read from its source at a named commit, as the browser
libraries are (``libraries.py``), with what the parts cannot express in ``left_out``. The deployment
(instances, balancer, the trips to the BFF and to the store) is the scenario's (its [bff] part), left at its
defaults: two instances, round-robin.
"""

from __future__ import annotations

from ..client import Bff, Client, DistributedLock, OnUse, PerTab, SealedCookie
from .citations import cited
from .libraries import NEXT_AUTH_GUIDE_CALLBACK
from .named import NamedClient

_AUTHKIT_BEFORE = cited("workos/authkit-session@7675c4b")
_AUTHKIT_AFTER = cited("workos/authkit-session@00550ad")
_DUENDE = cited("DuendeSoftware/Duende.AccessTokenManagement@7d7986f")
_OAUTH2_PROXY = cited("oauth2-proxy/oauth2-proxy@14af295")
_NEXTAUTH = cited("nextauthjs/next-auth@a1a16a5")

_CORE = "src/core/AuthKitCore.ts"
_ATM = "src/Duende.AccessTokenManagement.OpenIdConnect/"
_STORED = "pkg/middleware/stored_session.go"

_AUTHKIT_LEFT_OUT = (
    "A failed refresh is swallowed: withAuth answers { user: null } (src/service/AuthService.ts"
    "#L136-L137) and the framework adapter decides what the user sees; the preset fails the request and keeps "
    "the session. The token is judged by jwtVerify with no clock tolerance; isTokenExpiring (a 10 s buffer) "
    "exists but nothing calls it. Whether WorkOS allows any grace for a presented refresh token is not in this "
    "repository."
)


def _authkit_sources(cite, core_lines: dict[str, str]) -> tuple:
    return (
        cite("tier", "bff", "src/service/AuthService.ts#L130-L132",
             "if (refreshed) { const refreshedSessionData = await this.core.encryptSession(session); return { auth, "
             "refreshedSessionData }; } (the server refreshes the session's tokens)"),
        cite("session_in", "cookie", "src/core/session/CookieSessionStorage.ts#L96-L106",
             "saveSession(response, sessionData) { return this.setCookie(response, this.cookieName, sessionData, "
             "this.cookieOptions); } (the sealed session is the cookie: no server-side copy)"),
        cite("cookie_set_by", "refresh", "src/service/AuthService.ts#L130-L132",
             "if (refreshed) { … return { auth, refreshedSessionData }; } (only a request that refreshed has a new "
             "seal to set)"),
        cite("proactive", "on-use", f"{_CORE}#{core_lines['verify']}",
             "const isValid = await this.verifyToken(accessToken); … if (isValid && !force) { return { valid: true, "
             "refreshed: false, session, claims }; } (refreshed when the token fails verification, before use)"),
        cite("margin_s", "0", f"{_CORE}#{core_lines['verify']}",
             "const isValid = await this.verifyToken(accessToken);"),
        cite("max_retries", "0", "src/service/AuthService.ts#L130-L137",
             "withAuth returns the session's token to the app, which calls the API itself (no 401 comes back to it)"),
        cite("retries_exhausted", "fail", "src/service/AuthService.ts#L136-L137",
             "} catch { return { auth: { user: null } }; }"),
        cite("refresh_rejected", "fail", "src/service/AuthService.ts#L136-L137",
             "} catch { return { auth: { user: null } }; } (the cookie is not cleared)"),
    )  # fmt: skip


AUTHKIT_SESSION_BEFORE = NamedClient(
    Client(name="authkit-session-before-33", tier=Bff(), session_in=SealedCookie(), proactive=OnUse(margin_s=0.0),
           max_retries=0, retries_exhausted="fail", refresh_rejected="fail"),
    "bff",
    "authkit-session before PR #33 (7675c4b): every request's middleware refreshes an expired session by itself",
    (
        *_authkit_sources(_AUTHKIT_BEFORE, {"verify": "L263-L290"}),
        _AUTHKIT_BEFORE("single_flight", "none", f"{_CORE}#L220-L226",
                        "try { const result = await this.client.userManagement.authenticateWithRefreshToken({ "
                        "refreshToken, clientId: this.clientId, organizationId, }); (no shared promise)"),
    ),
    _AUTHKIT_LEFT_OUT + " PR #33 reports the race this preset has: 'a single page navigation fires multiple "
    "concurrent server-function loaders … Since refresh tokens are single-use, only the first call succeeds'.",
)  # fmt: skip

AUTHKIT_SESSION = NamedClient(
    Client(name="authkit-session", tier=Bff(), session_in=SealedCookie(), proactive=OnUse(margin_s=0.0),
           single_flight=PerTab(), max_retries=0, retries_exhausted="fail", refresh_rejected="fail"),
    "bff",
    "authkit-session after PR #33 (00550ad): one refresh in flight per process and refresh token",
    (
        *_authkit_sources(_AUTHKIT_AFTER, {"verify": "L279-L306"}),
        _AUTHKIT_AFTER("single_flight", "tab", f"{_CORE}#L44",
                       "private inflightRefreshes = new Map<string, Promise<RefreshResult>>();"),
        _AUTHKIT_AFTER("single_flight", "tab", f"{_CORE}#L223-L225",
                       "const key = `${refreshToken}\\0${organizationId ?? ''}`; const existing = "
                       "this.inflightRefreshes.get(key); if (existing) return existing;"),
        _AUTHKIT_AFTER("", "", f"{_CORE}#L250-L252",
                       "this.inflightRefreshes.set(key, promise); promise.then(cleanup, cleanup); return promise; "
                       "(the entry lives while the call is in flight, success or failure)"),
    ),
    _AUTHKIT_LEFT_OUT + " The in-flight map is per process (one AuthKitCore per process: src/service/factory.ts"
    "#L54-L59): two instances behind a load balancer still refresh twice, which this preset shows with the "
    "tier's two round-robin instances. A request that arrives after the entry is cleared but carries the old "
    "cookie presents the spent refresh token again: the preset does (session_in = cookie).",
)  # fmt: skip

DUENDE_TOKEN_MANAGEMENT = NamedClient(
    Client(name="duende-token-management", tier=Bff(), session_in=SealedCookie(), proactive=OnUse(margin_s=60.0),
           single_flight=PerTab(), max_retries=0, retries_exhausted="fail", refresh_rejected="fail"),
    "bff",
    "Duende.AccessTokenManagement 3.x (7d7986f), the user token management Duende.BFF uses for its API proxy",
    (
        _DUENDE("tier", "bff", f"{_ATM}AuthenticationSessionUserTokenStore.cs#L16-L18",
                "/// Token store using the ASP.NET Core authentication session … public class "
                "AuthenticationSessionUserAccessTokenStore : IUserTokenStore"),
        _DUENDE("session_in", "cookie", f"{_ATM}AuthenticationSessionUserTokenStore.cs#L104-L108",
                "_tokensInProps.SetUserToken(token, result.Properties, parameters); … await _contextAccessor."
                "HttpContext!.SignInAsync(scheme, transformedPrincipal, result.Properties) (the tokens live in the "
                "authentication cookie's properties, re-issued with the response)"),
        _DUENDE("cookie_set_by", "refresh", f"{_ATM}UserAccessTokenManagementService.cs#L147-L154",
                "} else { await _userAccessTokenStore.StoreTokenAsync(…); } (the cookie is re-issued when a refresh "
                "stored new tokens)"),
        _DUENDE("proactive", "on-use", f"{_ATM}UserAccessTokenManagementService.cs#L94-L96",
                "var dtRefresh = userToken.Expiration.Subtract(_options.RefreshBeforeExpiration); … if (dtRefresh < "
                "utcNow || parameters.ForceRenewal || needsRenewal)"),
        _DUENDE("margin_s", "60", f"{_ATM}UserTokenManagementOptions.cs#L29",
                "public TimeSpan RefreshBeforeExpiration { get; set; } = TimeSpan.FromMinutes(1);"),
        _DUENDE("single_flight", "tab", f"{_ATM}UserTokenRequestSynchronization.cs#L15-L30",
                "// this is what provides the synchronization; assumes this service is a singleton in DI. "
                "ConcurrentDictionary<string, Lazy<Task<UserToken>>> _dictionary … finally { "
                "_dictionary.TryRemove(name, out _); }"),
        _DUENDE("single_flight", "tab", f"{_ATM}UserAccessTokenManagementService.cs#L100",
                "return await _sync.SynchronizeAsync(userToken.RefreshToken!, async () => (keyed by the refresh "
                "token, per process)"),
        _DUENDE("max_retries", "0", f"{_ATM}UserAccessTokenManagementService.cs#L94-L96",
                "(the token is checked when it is asked for; an API's 401 never reaches the token manager)"),
        _DUENDE("retries_exhausted", "fail", f"{_ATM}UserAccessTokenManagementService.cs#L147-L154",
                "if (refreshedToken.IsError) { _logger.LogError(\"Error refreshing access token. Error = {error}\", "
                "refreshedToken.Error); } else { await _userAccessTokenStore.StoreTokenAsync(…); }"),
        _DUENDE("refresh_rejected", "fail", f"{_ATM}UserAccessTokenManagementService.cs#L147-L154",
                "(an invalid_grant takes the same branch: logged, the session kept; the BFF proxy answers that "
                "call 401)"),
    ),
    "The cookie's sliding expiration (ASP.NET Core re-issues it past half its lifetime) is left out: only a "
    "refresh sets it here. Duende.BFF's server-side sessions keep the ticket in IUserSessionStore, in memory per "
    "instance by default (Duende.BFF BffBuilder.cs#L45), which only works with sticky sessions (session_in = "
    "store, balancer = sticky). The single flight is per process: another instance refreshes "
    "again, and Duende's advice for that is reusable refresh tokens at the identity provider (a grace_s or "
    "reuse_count at the server here). A failed refresh is a 401 for that API call only; the user stays signed "
    "in (DuendeArchive/Support#154).",
)  # fmt: skip

OAUTH2_PROXY_REDIS = NamedClient(
    Client(name="oauth2-proxy-redis", tier=Bff(),
           session_lock=DistributedLock(lock_acquire_s=0.001, lease_ttl_s=2.0, lock_poll_s=0.01, lock_wait_s=5.0),
           proactive=OnUse(margin_s=60.0), max_retries=0, retries_exhausted="fail"),
    "bff",
    "oauth2-proxy (14af295) with the Redis session store and --cookie-refresh at the access token's lifetime "
    "minus 1 min (its docs' advice)",
    (
        _OAUTH2_PROXY("tier", "bff", "pkg/sessions/persistence/ticket.go#L194-L195",
                      "lock := initLock(t.id) / sessionState.Lock = lock (the session, and its lock, in Redis)"),
        _OAUTH2_PROXY("proactive", "on-use", f"{_STORED}#L244-L245",
                      "return refreshPeriod > time.Duration(0) && session.Age() > refreshPeriod"),
        _OAUTH2_PROXY("margin_s", "60", "docs/docs/configuration/sessions.md#L80",
                      "cookie_refresh := Access-Token lifespan - 1m"),
        _OAUTH2_PROXY("session_lock", "distributed", "pkg/sessions/redis/lock.go#L34-L35",
                      "func (l *Lock) Obtain(ctx context.Context, expiration time.Duration) error { lock, err := "
                      "l.locker.Obtain(ctx, l.lockKey(), expiration, nil)"),
        _OAUTH2_PROXY("lease_ttl_s", "2", f"{_STORED}#L28", "sessionRefreshLockDuration = 2 * time.Second"),
        _OAUTH2_PROXY("lock_poll_s", "0.01", f"{_STORED}#L32", "sessionRefreshRetryPeriod = 10 * time.Millisecond"),
        _OAUTH2_PROXY("lock_poll_s", "0.01", f"{_STORED}#L173-L175",
                      "} else if errors.Is(err, sessionsapi.ErrLockNotObtained) { "
                      "time.Sleep(sessionRefreshRetryPeriod); continue }"),
        _OAUTH2_PROXY("lock_wait_s", "5", f"{_STORED}#L22", "sessionRefreshObtainTimeout = 5 * time.Second"),
        _OAUTH2_PROXY("lock_wait_s", "5", f"{_STORED}#L119-L123",
                      "if err != nil && !errors.Is(err, http.ErrNoCookie) { // In the case when there was an error "
                      "loading the session, // we should clear the session … err = s.store.Clear(rw, req)"),
        _OAUTH2_PROXY("", "", f"{_STORED}#L193-L214",
                      "// Reload the session in case it was changed underneath us. … if !needsRefresh(s.refreshPeriod, "
                      "session) { // The session must have already been refreshed while we were waiting"),
        _OAUTH2_PROXY("max_retries", "0", f"{_STORED}#L137-L150",
                      "getValidatedSession → refreshSessionIfNeeded (before the request is proxied; an upstream 401 is "
                      "passed to the browser)"),
        _OAUTH2_PROXY("retries_exhausted", "fail", f"{_STORED}#L235-L240",
                      "// For non-fatal errors (network issues, timeouts), keep the session … return "
                      "s.validateSession(req.Context(), session)"),
        _OAUTH2_PROXY("", "", f"{_STORED}#L223-L232",
                      "if isFatalRefreshError(err) { … // Clear the session from storage (Redis) and remove the cookie "
                      "(invalid_grant: the preset's refresh_rejected = logout)"),
    ),
    "The trigger is the session's age since it was created or last refreshed (--cookie-refresh), not the token's "
    "exp; with the docs' value it is the model's 60 s margin. lock_acquire_s = 1 ms is our guess at one Redis "
    "round trip. A request waits at most 5 s for the lock and then clears the session (lock_wait_s = 5; that "
    "Clear also deletes the Redis entry is our reading of the code, not run). The 2 s lease is never renewed: a "
    "refresh slower than 2 s lets a waiter refresh again with the old refresh token, which the model's lease "
    "expresses. The cookie store (no Redis) has no lock "
    "at all (pkg/apis/sessions/lock.go#L10-L12): session_lock = none. After a refresh the session is also "
    "validated with the provider (#L288-L297), left out.",
)  # fmt: skip

_GUIDE = "docs/pages/guides/refresh-token-rotation.mdx"

NEXT_AUTH_GUIDE_BFF = NamedClient(
    Client(name="next-auth-guide-bff", tier=Bff(), session_in=SealedCookie(cookie_set_by="every-response"),
           proactive=OnUse(margin_s=0.0, expiry_from="expires_in"), max_retries=0, refresh_timeout_s=300.0,
           api_timeout_s=300.0),
    "bff",
    "Auth.js's refresh-token rotation guide (next-auth a1a16a5) as what it is, server code: the jwt callback "
    "refreshes in each request's session read, and every response re-seals the session cookie it read",
    (
        _NEXTAUTH("tier", "bff", "packages/core/src/lib/actions/session.ts#L50-L54",
                  "const token = await callbacks.jwt({ token: payload, …, session: newSession, }) (the callback runs "
                  "on the server, in each request's session read)"),
        _NEXTAUTH("refresh_rejected", "logout", f"{_GUIDE}#L251-L252",
                  "if (session?.error === \"RefreshTokenError\") { await signIn(\"google\") // Force sign in to "
                  "obtain a new set of access and refresh tokens (a rejected refresh takes the catch, then this)"),
        _NEXTAUTH("session_in", "cookie", f"{_GUIDE}#L40-L42",
                  "Auth.js libraries store the `refresh_token` in an _encrypted_ JWT, in an `HttpOnly` cookie."),
        _NEXTAUTH("cookie_set_by", "every-response", "packages/core/src/lib/actions/session.ts#L71-L79",
                  "// Refresh JWT expiry by re-signing it, with an updated expiry date const newToken = await "
                  "jwt.encode({ ...jwt, token, salt }) // Set cookie, to also update expiry date on cookie … "
                  "response.cookies?.push(...sessionCookies)"),
        _NEXTAUTH("cookie_set_by", "every-response", "packages/next-auth/src/lib/index.ts#L300-L302",
                  "// Preserve cookies from the session response for (const cookie of sessionResponse.headers."
                  "getSetCookie()) finalResponse.headers.append(\"set-cookie\", cookie) (middleware and route "
                  "handlers pass it to the browser)"),
        *NEXT_AUTH_GUIDE_CALLBACK,
    ),
    "The same guide as the library next-auth-guide, read as the server code it is. A losing request's catch keeps "
    "the old token with error = RefreshTokenError, and the page then signs the user in again: the preset's "
    "logout, at the rejection rather than when the page looks. Its response re-seals the old session too, which "
    "the logout makes moot. A refresh made from auth() in a Server Component is never stored, its Set-Cookie "
    "dropped (packages/next-auth/src/lib/index.ts#L145-L151; #7522, #7558): the preset assumes route handlers "
    "or middleware, which pass it on (a proposed cookie_set_by = never). With middleware, the middleware and the "
    "page both run the callback on one navigation (#11240). The success path spreads ...token (#L108-L110) and "
    "so keeps an earlier error. The database strategy (a row every instance reads: session_in = store) is left "
    "out.",
)  # fmt: skip

BFF_CLIENTS = (
    AUTHKIT_SESSION_BEFORE, AUTHKIT_SESSION, DUENDE_TOKEN_MANAGEMENT, OAUTH2_PROXY_REDIS, NEXT_AUTH_GUIDE_BFF,
)  # fmt: skip

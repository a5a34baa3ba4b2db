"""Real auth servers as presets: their token lifetimes and refresh-token rules, each cited.

Two tabs present the same refresh token a second apart. The article's
server answers both: it remembers nothing. Auth0 with rotation, Okta and
ORY Hydra take the second one for a thief and revoke the whole login
(Okta after a 30 s grace, the others at once); Cognito refuses it and
leaves the login alone; Keycloak and Entra hand out a new refresh token
each time but never invalidate the old one, which is the article's rule
again. A ``NamedServer`` is such a server's defaults as fields of
``TokenPolicy`` (``tokens.py``) and ``RefreshTokenPolicy``
(``rotation.py``), every value with the line it comes from (``Source``):
the server's source where it is open (Keycloak, Hydra, jsonwebtoken), an
API schema or documentation where it is not (Auth0, Okta, Cognito, Entra),
which its ``says`` then states.

"Rotation without revocation" (Keycloak's default, Entra) is
``rotation = False`` here: the model's ``rotation = True`` refuses an old
token, which these servers never do, while ``rotation = False`` accepts
every refresh token of the login until it expires, as they do; only the
string the client holds differs. ``leeway_s``, the clock tolerance past
``exp``, belongs to whatever checks the access token (the API), not to the
auth server: a preset leaves it at 0 unless the server is the API's checker
too (the article's ``jwt.verify``).
"""

from __future__ import annotations

from ..config import RefreshTokenPolicy, TokenPolicy
from .citations import Source, cited
from .named import NamedServer

_JWT = cited("auth0/node-jsonwebtoken@bc28861")
_GO_AUTH0 = cited("auth0/go-auth0@d5be753")
_OKTA_SDK = cited("okta/okta-sdk-dotnet@484a67c")
_KEYCLOAK_REALM = cited("keycloak/keycloak@00c5301")
_KEYCLOAK_TOKENS = cited("keycloak/keycloak@90a8409")
_KEYCLOAK_SESSIONS = cited("keycloak/keycloak@efa6201")
_ENTRA_DOCS = cited("MicrosoftDocs/entra-docs@0bbfa8a")
_MSAL_DOCS = cited("AzureAD/microsoft-authentication-library-for-js@980f0b0")
_HYDRA = cited("ory/hydra@83127c5")
_FOSITE = cited("ory/fosite@a5f0b09")

_REALM = "model/storage-private/src/main/java/org/keycloak/storage/datastore/DefaultExportImportManager.java"
_SESSION_HELPER = "server-spi-private/src/main/java/org/keycloak/models/utils/SessionTimeoutHelper.java"
_TOKEN_MANAGER = "services/src/main/java/org/keycloak/protocol/oidc/TokenManager.java"
_AUTH0_ROTATION = "https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-rotation"
_OKTA_ROTATION = "https://developer.okta.com/docs/guides/refresh-tokens/refresh-token-rotation/"
_OKTA_LIFETIMES = "https://support.okta.com/help/s/article/What-is-the-lifetime-of-the-JWT-tokens"
_COGNITO_ROTATION = (
    "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html"
)
_REFRESH_MAX_TTL = (
    "a family's absolute lifetime (a proposed refresh_max_ttl_s: every token of a login refused once that long "
    "has passed since the login) is not a field: the model gives each rotated refresh token a fresh refresh_ttl_s "
    "(sim/tokens.py), so an active login under rotation never ends"
)

ARTICLE = NamedServer(
    "article",
    "the article's Express server (jsonwebtoken 9.0.2)",
    TokenPolicy(access_ttl_s=900, refresh_ttl_s=604800, leeway_s=0.0),
    RefreshTokenPolicy(rotation=False, reuse_detection=False, grace_s=0.0),
    (
        Source("access_ttl_s", "900", "the article, section 3.1",
               "jwt.sign({ username }, SECRET_KEY, { expiresIn: '15m' })"),
        _JWT("access_ttl_s", "900", "lib/timespan.js#L6-L11",
             "var milliseconds = ms(time); … return Math.floor(timestamp + milliseconds / 1000);"),
        Source("refresh_ttl_s", "604800", "the article, section 3.1",
               "jwt.sign({ username }, REFRESH_SECRET_KEY, { expiresIn: '7d' })"),
        Source("rotation", "false", "the article, section 3.2", "res.json({ accessToken });"),
        Source("reuse_detection", "false", "the article, section 3.2",
               "const decoded = jwt.verify(refreshToken, REFRESH_SECRET_KEY); (nothing remembered: no used token to "
               "detect)"),
        Source("grace_s", "0", "the article, section 3.2",
               "res.json({ accessToken }); (no rotation, so nothing to allow again)"),
        _JWT("leeway_s", "0", "verify.js#L189-L190",
             "if (clockTimestamp >= payload.exp + (options.clockTolerance || 0)) { return done(new TokenExpiredError("
             "'jwt expired', … (the article passes no options)"),
    ),
    "Two refreshes in the same second return byte-identical access tokens (the payload is { username } with iat "
    "and exp, no jti, and HS256 is deterministic: jsonwebtoken sign.js#L185, #L205-L208); the model stamps a jti "
    "on every token, so a client that compares token strings would see them differ. The API's own middleware is "
    "not shown in the article: leeway_s = 0 assumes it also calls jwt.verify without options.",
)  # fmt: skip

AUTH0 = NamedServer(
    "auth0",
    "Auth0 (hosted), an SPA with refresh-token rotation enabled, reuse interval 0 s",
    TokenPolicy(access_ttl_s=86400, refresh_ttl_s=2592000),
    RefreshTokenPolicy(refresh_idle_ttl_s=1296000, rotation=True, reuse_detection=True, revoke_access_on_reuse=False,
                       grace_s=0.0),
    (
        Source("access_ttl_s", "86400", "https://auth0.com/docs/secure/tokens/access-tokens/update-access-token-lifetime",
               "(documentation) Default value is 86,400 seconds (24 hours). Maximum value is 2,592,000 seconds "
               "(30 days)."),
        _GO_AUTH0("access_ttl_s", "86400", "management/resource_servers.go#L59-L60",
                  "// Expiration value (in seconds) for access tokens issued for this API from the token endpoint. "
                  "TokenLifetime *int (the schema names the field, states no default)"),
        Source("rotation", "true", _AUTH0_ROTATION,
               "(documentation) Under Refresh Token Rotation, enable Rotation. (opt-in per application: the SPA "
               "case turns it on)"),
        _GO_AUTH0("rotation", "true", "management/clients.go#L14673-L14674",
                  'RefreshTokenRotationTypeEnumRotating … = "rotating", …NonRotating … = "non-rotating"'),
        Source("reuse_detection", "true", _AUTH0_ROTATION,
               "(documentation) Enter Reuse Interval (in seconds) … before triggering automatic reuse detection."),
        _GO_AUTH0("grace_s", "0", "management/clients.go#L8448-L8449",
                  "// Period in seconds where the previous refresh token can be exchanged without triggering breach "
                  "detection  Leeway *int (0 in exported tenants; the schema states no default)"),
        Source("grace_s", "0", _AUTH0_ROTATION, "(documentation) Only the previous token can be reused"),
        Source("revoke_access_on_reuse", "false",
               "https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation",
               "(documentation; an inference) reuse revokes the refresh-token family; access tokens are "
               "self-contained JWTs the API checks offline, so those already issued live on"),
        _GO_AUTH0("refresh_ttl_s", "2592000", "management/clients.go#L8450-L8451",
                  "// Period (in seconds) for which refresh tokens will remain valid  TokenLifetime *int (2592000 in "
                  "exported default apps: observed, not documented)"),
        _GO_AUTH0("refresh_idle_ttl_s", "1296000", "management/clients.go#L8454-L8455",
                  "// Period (in seconds) for which refresh tokens will remain valid without use (1296000 in exported "
                  "default apps: observed, not documented)"),
    ),
    "Auth0's token server is closed source: every default is documentation or a value seen in exported tenants, "
    "the Management API schema (go-auth0) names the fields only. Inside a reuse interval Auth0 issues a new "
    "rotating token, so the family forks (a proposed grace_answer = new); the model answers with the family's "
    "current token. Refresh-token lifetime caps the family ('refresh token or refresh token family lifetime'), "
    f"and {_REFRESH_MAX_TTL}. Switching an application between rotating and non-rotating revokes the other kind's "
    "tokens: out of scope.",
)  # fmt: skip

OKTA = NamedServer(
    "okta",
    "Okta (hosted), an SPA on the org authorization server: rotating refresh tokens, 30 s leeway",
    TokenPolicy(access_ttl_s=3600, refresh_ttl_s=7776000),
    RefreshTokenPolicy(refresh_idle_ttl_s=None, rotation=True, reuse_detection=True, revoke_access_on_reuse=True,
                       grace_s=30.0),
    (
        Source("rotation", "true", _OKTA_ROTATION,
               "(documentation) Rotating refresh token behavior is the default for SPAs."),
        Source("reuse_detection", "true", _OKTA_ROTATION,
               "(documentation) If a previously used refresh token is used again with the token request, the "
               "Authorization Server automatically detects the attempted reuse of the refresh token."),
        Source("revoke_access_on_reuse", "true", _OKTA_ROTATION,
               "(documentation) Okta immediately invalidates the most recently issued refresh token and all access "
               "tokens issued since the user authenticated."),
        _OKTA_SDK("grace_s", "30", "docs/OpenIdConnectApplicationSettingsRefreshToken.md#L8",
                  "Leeway | int | The leeway, in seconds, allowed for the OAuth 2.0 client. After the refresh token is "
                  "rotated, the previous token remains valid for the specified period of time so clients can get the "
                  "new token. … | [optional] [default to 30]"),
        Source("access_ttl_s", "3600", _OKTA_LIFETIMES,
               "(documentation) Org Authorization Server … the token lifetimes are hard-coded … Access Token: "
               "60 minutes."),
        Source("refresh_ttl_s", "7776000", _OKTA_LIFETIMES, "(documentation) Refresh Token: 90 days."),
        Source("refresh_idle_ttl_s", "none", "https://support.okta.com/help/s/article/refresh-token-expiration-behavior",
               "(documentation) On an org authorization server, the refresh token's lifetime is always 90 days, and "
               "there is no idle refresh token time."),
    ),
    "Okta's server is closed source: the values are documentation, the 30 s leeway the Management API model's "
    "stated default. Rotated tokens keep the first token's expiry ('the expiration time will remain the same as "
    f"the previous token'), and {_REFRESH_MAX_TTL}. 'A leeway of 0 doesn't necessarily mean that the previous "
    "token is immediately invalidated': it is invalidated once the new one has been returned, so two truly "
    "concurrent presentations may both succeed (a proposed invalidate_after_response); the model decides each "
    "presentation at once. What Okta answers inside the leeway (the current token or a new one) is not "
    "documented. revoke_access_on_reuse holds only for an API that asks Okta (introspection); one that checks "
    "JWTs offline keeps accepting them. A custom authorization server has other lifetimes and an idle expiry.",
)  # fmt: skip

KEYCLOAK = NamedServer(
    "keycloak",
    "Keycloak 25+, a new realm's defaults (Revoke Refresh Token off)",
    TokenPolicy(access_ttl_s=300, refresh_ttl_s=36000),
    RefreshTokenPolicy(refresh_idle_ttl_s=1800, rotation=False, reuse_detection=False, reuse_count=0),
    (
        _KEYCLOAK_REALM("access_ttl_s", "300", f"{_REALM}#L218-L219",
                        "if (rep.getAccessTokenLifespan() != null) …; else newRealm.setAccessTokenLifespan(300);"),
        _KEYCLOAK_REALM("rotation", "false", f"{_REALM}#L212-L213", "else newRealm.setRevokeRefreshToken(false);"),
        _KEYCLOAK_TOKENS("rotation", "false", f"{_TOKEN_MANAGER}#L397-L399",
                         "if (OIDCAdvancedConfigWrapper.fromClientModel(authorizedClient).isUseRefreshToken()) { "
                         "responseBuilder.generateRefreshToken(); } (a new refresh token each time, the old one "
                         "never invalidated: rotation without revocation, which is rotation = false here)"),
        _KEYCLOAK_TOKENS("reuse_detection", "false", f"{_TOKEN_MANAGER}#L427-L429",
                         "private void validateTokenReuseForRefresh(…) { if (realm.isRevokeRefreshToken()) {"),
        _KEYCLOAK_REALM("reuse_count", "0", f"{_REALM}#L215-L216", "else newRealm.setRefreshTokenMaxReuse(0);"),
        _KEYCLOAK_REALM("refresh_idle_ttl_s", "1800", f"{_REALM}#L226-L227",
                        "else newRealm.setSsoSessionIdleTimeout(1800);"),
        _KEYCLOAK_TOKENS("refresh_idle_ttl_s", "1800", f"{_TOKEN_MANAGER}#L387-L389",
                         "validation.userSession.setLastSessionRefresh(currentTime); (each refresh resets the "
                         "session's idle clock)"),
        _KEYCLOAK_REALM("refresh_ttl_s", "36000", f"{_REALM}#L228-L229",
                        "else newRealm.setSsoSessionMaxLifespan(36000); (SSO Session Max caps the session, from "
                        "login)"),
        _KEYCLOAK_SESSIONS("", "", f"{_SESSION_HELPER}#L43",
                           "public static final int IDLE_TIMEOUT_WINDOW_SECONDS = 120; (idle sessions get 120 s more; "
                           "not applied here)"),
    ),
    "Keycloak answers every refresh with a new refresh token and, with Revoke Refresh Token off, never "
    "invalidates the old one: rotation without revocation. The model's rotation = true would refuse the old "
    "token, so the preset uses rotation = false, which accepts every refresh token of the login until the session "
    "ends, as Keycloak does; only the string the client holds differs (a proposed keep_old_refresh field would "
    "show it). The session idle timeout gets a 120 s window on top (IDLE_TIMEOUT_WINDOW_SECONDS), not modelled. "
    "Each Keycloak refresh token has its own exp from the idle setting, so an old one can expire while the "
    "session lives on through a newer one; the model's idle clock is the login's. With Revoke Refresh Token on, "
    "a stale token is refused at once whatever the max reuse, and any failure detaches the whole client session "
    "(TokenManager.java#L440, #L451-L455). The realm defaults were read at 00c5301 (Keycloak 25+), the refresh "
    "logic at 90a8409 (about Keycloak 20/21): the repository is too large to mirror at one commit.",
)  # fmt: skip

COGNITO = NamedServer(
    "cognito",
    "Amazon Cognito user pool, an app client with refresh-token rotation enabled (RetryGracePeriodSeconds 0)",
    TokenPolicy(access_ttl_s=3600, refresh_ttl_s=2592000),
    RefreshTokenPolicy(rotation=True, reuse_detection=False, grace_s=0.0),
    (
        Source("rotation", "true", _COGNITO_ROTATION,
               "(documentation) When enabled, your app client issues new ID, access, and refresh tokens when users "
               "renew their sessions with refresh tokens. When disabled, token refresh issues only ID and access "
               "tokens. (per app client; the preset enables it)"),
        Source("grace_s", "0", _COGNITO_ROTATION,
               "(documentation) When RetryGracePeriodSeconds is 0, the grace period is disabled and a successful "
               "request immediately invalidates the submitted refresh token. … Valid Range: Minimum value of 0. "
               "Maximum value of 60."),
        Source("reuse_detection", "false",
               "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html",
               "(documentation) This operation issues a new refresh token and invalidates the original refresh token "
               "after an optional grace period when refresh token rotation is enabled. (invalidation only: no "
               "family revocation is documented)"),
        Source("access_ttl_s", "3600",
               "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_TokenValidityUnitsType.html",
               "(documentation) The default AccessTokenValidity time unit is hours. AccessTokenValidity duration can "
               "range from five minutes to one day. (default value 1)"),
        Source("refresh_ttl_s", "2592000",
               "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cognitoidentityprovider/"
               "aws.sdk.kotlin.services.cognitoidentityprovider.model/-user-pool-client-type/refresh-token-validity.html",
               "(documentation) If you don't specify otherwise in the configuration of your app client, your refresh "
               "tokens are valid for 30 days."),
    ),
    "Cognito is closed source and its SDK models too large to cite by line: every value is documentation. "
    "Rotation is a per-app-client switch whose default the docs do not state; without it (the classic "
    "REFRESH_TOKEN_AUTH) the preset would be rotation = false. The docs describe invalidation only, so an old "
    "token is refused (401) and the login is left alone; whether a rotated token gets a fresh 30 days (the "
    "model's rule) or keeps the first one's expiry is not documented. The grace covers 'the original refresh "
    "token that you're rotating out', which matches the model's predecessor-only grace for one chain; what "
    "happens when the grace token is rotated again is undocumented.",
)  # fmt: skip

ENTRA = NamedServer(
    "entra",
    "Microsoft Entra ID, a single-page app: 60-90 min access tokens, 24 h refresh tokens, rotation without "
    "revocation",
    TokenPolicy(access_ttl_s=3600, access_ttl_spread_s=1800, refresh_ttl_s=86400),
    RefreshTokenPolicy(rotation=False, reuse_detection=False),
    (
        _ENTRA_DOCS("access_ttl_s", "3600", "docs/identity-platform/access-tokens.md#L62",
                    "(documentation) When issued, the Microsoft identity platform assigns a random value ranging "
                    "between 60-90 minutes (75 minutes on average) as the default lifetime of an access token."),
        _ENTRA_DOCS("access_ttl_spread_s", "1800", "docs/identity-platform/access-tokens.md#L62",
                    "(documentation) The variation improves service resilience by spreading access token demand over "
                    "a time, which prevents hourly spikes in traffic"),
        _MSAL_DOCS("refresh_ttl_s", "86400", "lib/msal-browser/docs/token-lifetimes.md#L21",
                   "(documentation) Refresh tokens given to Single-Page Applications are limited-time refresh tokens "
                   "(usually 24 hours from the time of retrieval). This is a non-adjustable, non-sliding window, "
                   "lifetime."),
        _MSAL_DOCS("rotation", "false", "lib/msal-browser/docs/token-lifetimes.md#L21-L23",
                   "(documentation) This new refresh token will have a lifetime equal to the remaining lifetime of the "
                   "original refresh token. … the old refresh token is not invalidated by the server and may still be "
                   "used to obtain access tokens until its expiration."),
        Source("reuse_detection", "false", "https://learn.microsoft.com/en-nz/entra/identity-platform/refresh-tokens",
               "(documentation) The Microsoft identity platform doesn't revoke old refresh tokens when used to fetch "
               "new access tokens."),
    ),
    "Entra is closed source: the values are Microsoft's documentation. It sends a new refresh token with every "
    "refresh but never revokes the old one, which keeps the original expiry: rotation without revocation, which "
    "is rotation = false here (every refresh token of the login accepted until 24 h after the login, exactly the "
    "model's one token); only the string the client holds differs. That lifetimes are uniform over 60-90 min is "
    "an assumption (the docs say 'random … 75 minutes on average'). The server may answer refresh_in, which "
    "MSAL in a browser ignores (a proposed refresh_in_fraction); continuous access evaluation's 20-28 h tokens "
    "and Conditional Access sign-in frequency are out of scope. Other (non-SPA) apps get 90-day refresh tokens.",
)  # fmt: skip

ORY_HYDRA = NamedServer(
    "ory-hydra",
    "ORY Hydra v26.2 (83127c5, fosite in-tree), defaults: opaque access tokens, rotation grace 0 s",
    TokenPolicy(access_ttl_s=3600, refresh_ttl_s=2592000),
    RefreshTokenPolicy(rotation=True, reuse_detection=True, revoke_access_on_reuse=True,
                       revoke_access_on_rotation=True, grace_s=0.0, reuse_count=0),
    (
        _HYDRA("access_ttl_s", "3600", "driver/config/provider_fosite.go#L62-L63",
               "return p.getProvider(ctx).DurationF(KeyAccessTokenLifespan, time.Hour)"),
        _HYDRA("refresh_ttl_s", "2592000", "driver/config/provider_fosite.go#L68-L69",
               "return p.getProvider(ctx).DurationF(KeyRefreshTokenLifespan, time.Hour*720)"),
        _HYDRA("", "", "fosite/handler/oauth2/flow_refresh.go#L115-L118",
               "SetExpiresAt(fosite.RefreshToken, time.Now().UTC().Add(rtLifespan)…) (each rotated token lives "
               "720 h from its issue, as the model's do)"),
        _HYDRA("rotation", "true", "fosite/handler/oauth2/flow_refresh.go#L144-L152",
               "RotateRefreshToken(ctx, requester.GetID(), signature) … CreateRefreshTokenSession(…)"),
        _HYDRA("reuse_detection", "true", "fosite/handler/oauth2/flow_refresh.go#L54-L62",
               "if errors.Is(err, fosite.ErrInactiveToken) { // Detected refresh token reuse  if rErr := "
               "c.handleRefreshTokenReuse(…"),
        _FOSITE("reuse_detection", "true", "handler/oauth2/flow_refresh.go#L48-L56",
                "WithDebugf(\"Refresh token re-use was detected. All related tokens have been revoked.\")"),
        _HYDRA("revoke_access_on_reuse", "true", "fosite/handler/oauth2/flow_refresh.go#L179-L193",
               "DeleteRefreshTokenSession(ctx, signature) … RevokeRefreshToken(ctx, req.GetID()) … "
               "RevokeAccessToken(ctx, req.GetID())"),
        _HYDRA("revoke_access_on_reuse", "true", ".schema/config.schema.json#L631-L635",
               '"enum": ["opaque", "jwt"], "default": "opaque" (opaque access tokens are checked by introspection, '
               "so revoking them takes effect)"),
        _HYDRA("revoke_access_on_rotation", "true", "persistence/sql/persister_oauth2.go#L700-L704",
               "if cfg.Period > 0 { return p.gracefulRefreshRotation(…) } return p.strictRefreshRotation(…) (grace 0, "
               "the default: strict)"),
        _HYDRA("revoke_access_on_rotation", "true", "persistence/sql/persister_oauth2.go#L135-L137",
               "// In strict rotation we only have one token chain for every request. Therefore, we remove all "
               "access tokens associated with the request ID. … p.deleteSessionByRequestID(ctx, requestID, "
               "sqlTableAccess)"),
        _HYDRA("revoke_access_on_rotation", "true", "fosite/handler/oauth2/flow_refresh.go#L144-L155",
               "RotateRefreshToken(…) … CreateAccessTokenSession(…) (the rotation runs first: the new access token "
               "survives it)"),
        _HYDRA("grace_s", "0", "driver/config/provider.go#L792-L805",
               "cfg.Period = x.Clamp(p.getProvider(ctx).DurationF(KeyRefreshTokenRotationGracePeriod, 0), 0, "
               "maxPeriod)"),
        _HYDRA("reuse_count", "0", "driver/config/provider.go#L794",
               "cfg.Count = int32(x.Clamp(…IntF(KeyRefreshTokenRotationGraceReuseCount, 0), 0, math.MaxInt32)) (a "
               "limit inside the grace period only)"),
    ),
    "With a grace period set, the graceful rotation deletes only the access token of the refresh token just used "
    "(persistence/sql/persister_oauth2.go#L227-L238), which the model's revoke_access_on_rotation does not "
    "distinguish (it revokes every earlier one). Hydra's grace is per token, not predecessor-only, and a token used "
    "inside it gets a brand-new pair, forking the family (proposed grace_scope = any, grace_answer = new); its reuse "
    "count limits uses inside the grace (AND), where the model's is an allowance of its own (OR). Truly concurrent "
    "presentations can fail with a retryable 'multiple concurrent requests' error instead of reuse detection "
    "(flow_refresh.go#L200-L205); the model decides each presentation at once. With strategies.access_token = jwt an "
    "API checking tokens offline would not see a revocation (revoke_access_on_reuse and revoke_access_on_rotation = "
    "false).",
)  # fmt: skip

AUTH_SERVERS = (ARTICLE, AUTH0, OKTA, KEYCLOAK, COGNITO, ENTRA, ORY_HYDRA)

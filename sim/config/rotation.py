"""How the auth server treats refresh tokens after it has issued them.

The article never rotates its refresh token: one token, valid for 7 days,
however often it is used. Modern servers do more (RFC 9700 §4.14.2):

- **rotation**: each refresh answers a new refresh token too, and the old
  one is invalidated but remembered (RFC 6749 §10.4);
- **reuse detection**: an invalidated token presented again means two
  parties hold it, one of them a thief, and the server cannot tell which:
  it revokes the whole *family* (every token of that login), optionally
  with its access tokens (Okta);
- **access revoked at rotation**: each rotation also revokes the access
  tokens issued before it in that family (ORY Hydra deletes the previous
  request's access token when it rotates), so a token a client refreshed
  early to replace stops working at once;
- **allowances**, because honest clients race: a *grace window* in which
  only the immediate predecessor may be presented again (Auth0's reuse
  interval; django-oauth-toolkit #1617 shows why older ones must not be),
  or a *reuse count* per token (Keycloak's "refresh token max reuse");
- **idle expiry**: a token not used for a while is refused ("SHOULD expire
  if the client has been inactive", RFC 9700).

All are off by default, so the article's results stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import ConfigError, check_bool, check_seconds, setting, whole, whole_seconds

MAX_REUSE_COUNT = 1000


@dataclass(frozen=True)
class RefreshTokenPolicy:
    """Rotation, reuse detection, grace windows and idle expiry of refresh tokens."""

    rotation: bool = setting(False, "each refresh answers a new refresh token; the old one is invalidated")
    reuse_detection: bool = setting(
        False, "an invalidated refresh token presented again revokes its whole family (needs --rotation)"
    )
    revoke_access_on_reuse: bool = setting(
        False, "the API refuses a revoked family's access tokens too, as Okta does (needs --reuse-detection)"
    )
    revoke_access_on_rotation: bool = setting(
        False, "each rotation revokes the family's earlier access tokens: the API refuses them, as ORY Hydra does "
        "(needs --rotation)",
    )  # fmt: skip
    grace_s: float = setting(
        0.0, "the immediate predecessor of a family's refresh token may be presented again this long after it "
        "was rotated, s (needs --rotation)",
    )  # fmt: skip
    reuse_count: int = setting(
        0, f"times a refresh token may be presented again after its first use, 0 to {MAX_REUSE_COUNT} "
        "(needs --rotation)",
    )  # fmt: skip
    refresh_idle_ttl_s: int | None = setting(
        None, "a refresh token whose login was idle this long is refused, whole s", default_text="no idle expiry"
    )

    def __post_init__(self) -> None:
        check_bool("rotation", self.rotation)
        check_bool("reuse_detection", self.reuse_detection)
        check_bool("revoke_access_on_reuse", self.revoke_access_on_reuse)
        check_bool("revoke_access_on_rotation", self.revoke_access_on_rotation)
        check_seconds("grace_s", self.grace_s)
        whole(self, "reuse_count", 0, maximum=MAX_REUSE_COUNT)
        if self.refresh_idle_ttl_s is not None:
            whole_seconds(self, "refresh_idle_ttl_s")
        never_invalidated = "without it no refresh token is ever invalidated"
        needs = (
            ("reuse_detection", self.reuse_detection, "rotation", self.rotation, never_invalidated),
            ("revoke_access_on_reuse", self.revoke_access_on_reuse, "reuse_detection", self.reuse_detection,
             "without it no family is ever revoked"),
            ("revoke_access_on_rotation", self.revoke_access_on_rotation, "rotation", self.rotation,
             "without it nothing is ever rotated"),
            ("grace_s", self.grace_s > 0, "rotation", self.rotation, never_invalidated),
            ("reuse_count", self.reuse_count > 0, "rotation", self.rotation, never_invalidated),
        )  # fmt: skip
        for name, used, needed, present, why in needs:
            if used and not present:
                raise ConfigError(name, getattr(self, name), f"needs {needed} = true ({why})")

    @property
    def revokes_access(self) -> bool:
        """Whether the API must ask the auth server if an access token was revoked."""
        return self.revoke_access_on_reuse or self.revoke_access_on_rotation

    @property
    def tracks_families(self) -> bool:
        """Whether the server must remember each login's tokens (anything beyond the article's rules)."""
        return self.rotation or self.refresh_idle_ttl_s is not None

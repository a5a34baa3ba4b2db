"""Refresh-token families: what an auth server remembers about each login.

A login starts a *family*. Without rotation it has one refresh token for
its whole life, as in the article. With rotation every refresh replaces the
family's current token with a new one; the old one is invalidated but
remembered (RFC 6749 §10.4), so that if it is ever presented again the
server knows two parties held it. It cannot tell the honest client from a
thief, so with reuse detection it revokes the whole family: every refresh
token of that login stops working, and, if the server also revokes access
tokens (Okta), so do the access tokens it issued (RFC 9700 §4.14.2).

Honest clients race (two tabs, two requests, a lost answer), so servers
allow some reuse: a *grace window* lets only the immediate predecessor be
presented again within ``grace_s`` of its rotation (Auth0's rule); a
*reuse count* lets any token be presented that many extra times
(Keycloak's "refresh token max reuse"). A token used within an allowance
gets a new access token and the family's current refresh token, so the
client converges on one token and the family does not fork.

``present`` decides what a presented (and otherwise valid) refresh token
gets; the auth server does the signing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..config import RefreshTokenPolicy
from ..observers import Observer


class Verdict(StrEnum):
    """What presenting a refresh token comes to; the first four are answered 200, the rest 401."""

    ROTATE = "rotate"
    UNCHANGED = "valid"
    GRACE = "grace"
    REUSE_ALLOWED = "reuse_allowed"
    REUSED = "reused"
    INVALIDATED = "invalidated"
    REVOKED = "revoked"
    IDLE_EXPIRED = "idle_expired"
    UNKNOWN = "unknown"

    @property
    def accepted(self) -> bool:
        return self in (Verdict.ROTATE, Verdict.UNCHANGED, Verdict.GRACE, Verdict.REUSE_ALLOWED)


@dataclass
class Family:
    """One login's refresh tokens (by ``jti``) and what has happened to them."""

    id: int
    current: str  # the jti of the token that is valid now
    current_token: str  # ... and the token itself, handed out again within an allowance
    last_used_s: float  # the login or the last accepted refresh, for idle expiry
    predecessor: str | None = None  # the jti the current one replaced ...
    rotated_s: float = 0.0  # ... and when
    revoked: bool = False
    uses: dict[str, int] = field(default_factory=dict)  # jti -> times presented and accepted
    rotations: int = 0  # how many times its refresh token was rotated


class Families:
    """Every login's family, and the rules of ``RefreshTokenPolicy``."""

    def __init__(self, policy: RefreshTokenPolicy, observer: Observer | None = None):
        self.policy = policy
        self.observer = observer or Observer()  # hears each verdict, and each family revoked
        self._of_refresh: dict[str, Family] = {}  # any refresh jti ever issued -> its family
        self._of_access: dict[str, tuple[Family, int]] = {}  # access jti -> its family, and its rotations then

    def start(self, refresh_jti: str, refresh_token: str, access_jti: str, now_s: float) -> None:
        """A login: a new family with its first refresh and access tokens."""
        family = Family(len(self._of_refresh), refresh_jti, refresh_token, now_s)
        self._of_refresh[refresh_jti] = family
        self.issued_access(family, access_jti)

    def family(self, refresh_jti: str) -> Family | None:
        return self._of_refresh.get(refresh_jti)

    def present(self, refresh_jti: str, now_s: float) -> Verdict:
        """What a presented refresh token (signature and ``exp`` already checked) comes to.

        Every presentation of an invalidated token outside the allowances is
        ``REUSED``; the first revokes the family (and is heard as
        ``family_revoked``), later ones find it revoked.
        """
        family = self._of_refresh.get(refresh_jti)
        verdict = self._judge(family, refresh_jti, now_s)
        if family is not None:
            self.observer.family_verdict(family, verdict)
        return verdict

    def _judge(self, family: Family | None, refresh_jti: str, now_s: float) -> Verdict:
        if family is None:
            return Verdict.UNKNOWN
        invalidated = refresh_jti != family.current  # rotated out: presented once already
        if family.revoked:
            if invalidated and self.policy.reuse_detection:
                return Verdict.REUSED
            return Verdict.REVOKED
        idle_s = self.policy.refresh_idle_ttl_s
        if idle_s is not None and now_s - family.last_used_s >= idle_s:
            return Verdict.IDLE_EXPIRED
        if not invalidated:  # never used yet, under rotation; any time, without
            return Verdict.ROTATE if self.policy.rotation else Verdict.UNCHANGED
        grace_s = self.policy.grace_s
        if grace_s > 0 and refresh_jti == family.predecessor and now_s - family.rotated_s <= grace_s:
            return Verdict.GRACE  # only the immediate predecessor, only just after its rotation
        if family.uses.get(refresh_jti, 0) <= self.policy.reuse_count:
            return Verdict.REUSE_ALLOWED
        if not self.policy.reuse_detection:
            return Verdict.INVALIDATED  # refused, and nothing more
        family.revoked = True  # two parties hold it: theft, as far as the server can tell
        self.observer.family_revoked(family)
        return Verdict.REUSED

    def accepted(self, refresh_jti: str, now_s: float) -> Family:
        """A presented token was accepted: count its use and the family's activity."""
        family = self._of_refresh[refresh_jti]
        family.uses[refresh_jti] = family.uses.get(refresh_jti, 0) + 1
        family.last_used_s = now_s
        return family

    def rotate(self, family: Family, new_jti: str, new_token: str, now_s: float) -> None:
        """The family's current token is replaced by a new one."""
        family.predecessor, family.rotated_s = family.current, now_s
        family.current, family.current_token = new_jti, new_token
        family.rotations += 1
        self._of_refresh[new_jti] = family

    def issued_access(self, family: Family, access_jti: str) -> None:
        self._of_access[access_jti] = (family, family.rotations)

    def access_revoked(self, access_jti: str) -> bool:
        """Whether an access token was revoked with its family (Okta), or by a later rotation (ORY
        Hydra), for an API that asks."""
        family, rotations = self._of_access.get(access_jti, (None, 0))
        if family is None:
            return False
        policy = self.policy
        return (policy.revoke_access_on_reuse and family.revoked) or (
            policy.revoke_access_on_rotation and rotations < family.rotations
        )

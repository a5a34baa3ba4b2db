"""How the client behaves: a preset, any of its fields changed, and what a user does after a logout."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .fields import ConfigError, check_choice, check_seconds, setting
from .presets import PRESETS, STRATEGY_NAMES
from .refresh import (
    EXPIRY_SOURCES,
    MAX_RETRIES_LIMIT,
    MAX_XFETCH_BETA,
    PROACTIVE_FIELDS,
    PROACTIVE_MODES,
    SINGLE_FLIGHT_SCOPES,
    STORAGE_MODES,
    RefreshPolicy,
)

# The fields of RefreshPolicy, each of which a ClientPolicy may set over its preset.
POLICY_FIELDS = tuple(f.name for f in dataclasses.fields(RefreshPolicy))
PRESETS_VALUE = "the preset's"


def policy_value_text(value: object) -> str:
    """A policy value as a scenario file writes it: ``true``, ``tab``, ``3``."""
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class ClientPolicy:
    """The client's refresh behaviour: a preset, and any of its fields set otherwise.

    ``strategy`` names a preset (``naive``, ``locked``, ``queued``); each
    policy field left at ``None`` takes the preset's value, any other value
    replaces it, so ``ClientPolicy("locked", hold_while_refreshing=True)``
    behaves exactly as ``queued``. ``policy()`` gives the resolved fields.

    ``relogin_after_s``: think time before the user logs in again after a
    failed refresh logged them out; ``None`` (the default) means they don't.
    """

    strategy: str = setting("naive", "client preset; the flags below change its fields", choices=STRATEGY_NAMES)
    single_flight: str | None = setting(
        None,
        "none: every 401 sends its own refresh (the article); tab: one refresh in flight per tab, "
        "the other 401s wait for it",
        choices=SINGLE_FLIGHT_SCOPES,
        default_text=PRESETS_VALUE,
    )
    hold_while_refreshing: bool | None = setting(
        None,
        "hold new requests while a refresh is in flight and send them with the new token",
        default_text=PRESETS_VALUE,
    )
    late_401_check: bool | None = setting(
        None,
        "after a 401, if the token that got it was already replaced, retry with the stored one and send no refresh",
        default_text=PRESETS_VALUE,
    )
    max_retries: int | None = setting(
        None,
        f"refresh-and-retry rounds per request, 0 to {MAX_RETRIES_LIMIT}: 1 is the article's _retry flag, "
        "0 never refreshes",
        default_text=PRESETS_VALUE,
    )
    storage: str | None = setting(
        None,
        "local: both tokens in localStorage, shared by every tab (the article's code); cookie: the refresh token "
        "in an HttpOnly cookie, the access token in each tab's memory",
        choices=STORAGE_MODES,
        default_text=PRESETS_VALUE,
    )
    cross_tab_lock: bool | None = setting(
        None,
        "one refresh at a time per user across tabs; the tab that gets the lock re-reads the store first",
        default_text=PRESETS_VALUE,
    )
    proactive: str | None = setting(
        None,
        "refresh before expiry: off (only after a 401, the article); on-use: before sending, if the token expires "
        "within the margin; timer: at expiry minus the margin, on a tick; background: past the margin, send with "
        "the current token and refresh meanwhile",
        choices=PROACTIVE_MODES,
        default_text=PRESETS_VALUE,
    )
    margin_s: float | None = setting(
        None, "proactive: refresh this long before expiry, s (60 s if proactive is on)", default_text=PRESETS_VALUE
    )
    margin_jitter_s: float | None = setting(
        None, "proactive: a uniform random extra margin of up to this, per token, s", default_text=PRESETS_VALUE
    )
    xfetch_beta: float | None = setting(
        None,
        f"proactive: XFetch early refresh, refresh when now - delta*beta*ln(U) passes the refresh time "
        f"(delta: the last refresh's round trip), 0 to {MAX_XFETCH_BETA:g}; 0 is off",
        default_text=PRESETS_VALUE,
    )
    expiry_from: str | None = setting(
        None,
        "proactive: exp: the JWT's exp against the client's own clock; expires_in: the lifetime counted from the "
        "answer's arrival",
        choices=EXPIRY_SOURCES,
        default_text=PRESETS_VALUE,
    )
    skew_estimation: bool | None = setting(
        None,
        "proactive, expiry_from exp: estimate the clock's offset from iat and the round trip's midpoint (keycloak-js)",
        default_text=PRESETS_VALUE,
    )
    timer_tick_s: float | None = setting(
        None, "proactive timer: how often the timer checks the clock, s (5 s if proactive is timer)",
        default_text=PRESETS_VALUE,
    )  # fmt: skip
    relogin_after_s: float | None = setting(
        None, "think time before logging in again after a logout, s", default_text="never logs in again"
    )

    def __post_init__(self) -> None:
        check_choice("strategy", self.strategy, STRATEGY_NAMES)
        if self.single_flight is not None:
            check_choice("single_flight", self.single_flight, SINGLE_FLIGHT_SCOPES)
        if self.storage is not None:
            check_choice("storage", self.storage, STORAGE_MODES)
        if self.proactive is not None:
            check_choice("proactive", self.proactive, PROACTIVE_MODES)
        if self.expiry_from is not None:
            check_choice("expiry_from", self.expiry_from, EXPIRY_SOURCES)
        policy = self.policy()  # checks every field that is set
        self._refuse_unread(policy)
        if self.relogin_after_s is not None:
            check_seconds("relogin_after_s", self.relogin_after_s)

    def _refuse_unread(self, policy: RefreshPolicy) -> None:
        """A proactive setting given to a client that never refreshes early would be ignored: refuse it."""
        for name in PROACTIVE_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if not policy.reads_expiry:
                raise ConfigError(name, value, "only a proactive client reads it; this client's proactive is off")
            if name == "timer_tick_s" and policy.proactive != "timer":
                raise ConfigError(name, value, f"only proactive = timer reads it; this client's is {policy.proactive}")

    def overrides(self) -> dict[str, object]:
        """The policy fields set here, whatever the preset says."""
        return {name: getattr(self, name) for name in POLICY_FIELDS if getattr(self, name) is not None}

    def policy(self) -> RefreshPolicy:
        """The preset's fields with this policy's own on top."""
        return dataclasses.replace(PRESETS[self.strategy].policy, **self.overrides())

    @property
    def label(self) -> str:
        """The preset's name, followed by every field that differs from it: ``locked+max_retries=3``."""
        preset = PRESETS[self.strategy].policy
        changed = [
            f"{name}={policy_value_text(value)}"
            for name, value in self.overrides().items()
            if getattr(preset, name) != value
        ]
        return "+".join([self.strategy, *changed])

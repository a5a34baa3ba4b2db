"""How the client behaves: a preset, any of its fields changed, and what a user does after a logout."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .faults import parse_bucket
from .fields import ConfigError, check_choice, check_seconds, setting
from .libraries import LIBRARIES, LIBRARY_NAMES
from .presets import PRESETS, STRATEGY_NAMES
from .refresh import (
    EXPIRY_SOURCES,
    IN_FLIGHT_401,
    MAX_RETRIES_LIMIT,
    MAX_XFETCH_BETA,
    PROACTIVE_FIELDS,
    PROACTIVE_MODES,
    RETRY_FIELDS,
    RETRY_POLICIES,
    SINGLE_FLIGHT_SCOPES,
    STORAGE_MODES,
    WHEN_REFRESH_REJECTED,
    WHEN_RETRIES_RUN_OUT,
    RefreshPolicy,
)

# The fields of RefreshPolicy, each of which a ClientPolicy may set over its preset.
POLICY_FIELDS = tuple(f.name for f in dataclasses.fields(RefreshPolicy))
PRESETS_VALUE = "the preset's"


def policy_value_text(value: object) -> str:
    """A policy value as a scenario file writes it: ``true``, ``tab``, ``3``, ``0.1:3`` (a token bucket)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return ":".join(f"{part:g}" for part in value)
    return str(value)


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
    library: str | None = setting(
        None,
        "a real client library as it behaves (sim.config.LIBRARIES: its fields, each cited), used instead of "
        "--strategy; the flags below still change its fields",
        choices=LIBRARY_NAMES,
        default_text="none",
    )
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
    in_flight_401: str | None = setting(
        None,
        "with single_flight = tab, a 401 that comes back while the refresh is in flight: join (wait for it, "
        "retry) or fail (reach the app as a 401: axios-auth-refresh's deduplicateRefresh)",
        choices=IN_FLIGHT_401,
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
    refresh_timeout_s: float | None = setting(
        None, "give up on a refresh call after this long, s; 0: wait for ever", default_text=PRESETS_VALUE
    )
    api_timeout_s: float | None = setting(
        None, "give up on an API call after this long, s (the request fails); 0: wait for ever",
        default_text=PRESETS_VALUE,
    )  # fmt: skip
    retry: str | None = setting(
        None,
        "how a refresh that got no verdict (503, 429, timeout, network error) is tried again: none (the article), "
        "at once, fixed interval, exponential, or full, equal or decorrelated jitter (Brooker)",
        choices=RETRY_POLICIES,
        default_text=PRESETS_VALUE,
    )
    retry_base_s: float | None = setting(
        None, "retry: the first wait (or the fixed one), s (1 s)", default_text=PRESETS_VALUE
    )
    retry_cap_s: float | None = setting(None, "retry: the longest wait, s (30 s)", default_text=PRESETS_VALUE)
    max_tries: int | None = setting(
        None, "retry: tries of one refresh in all, 1 to 100 (3)", default_text=PRESETS_VALUE
    )
    retry_budget: object = setting(
        None, "retry: a token bucket of retries per browser, PER_S[:BURST]; a retry that finds it empty is not made",
        metavar="PER_S[:BURST]", default_text="no budget",
    )  # fmt: skip
    retry_after: bool | None = setting(
        None, "retry: wait at least as long as a 429's Retry-After says", default_text=PRESETS_VALUE
    )
    retries_exhausted: str | None = setting(
        None,
        "when a refresh's tries run out: logout (the article's catch), or fail the requests and keep the session",
        choices=WHEN_RETRIES_RUN_OUT,
        default_text=PRESETS_VALUE,
    )
    refresh_rejected: str | None = setting(
        None,
        "when the auth server rejects the refresh token (401): logout (the article's catch), or fail the requests "
        "that waited and keep the tokens (a library that raises)",
        choices=WHEN_REFRESH_REJECTED,
        default_text=PRESETS_VALUE,
    )
    relogin_after_s: float | None = setting(
        None, "think time before logging in again after a logout, s", default_text="never logs in again"
    )

    def __post_init__(self) -> None:
        check_choice("strategy", self.strategy, STRATEGY_NAMES)
        if self.library is not None:
            check_choice("library", self.library, LIBRARY_NAMES)
        if self.single_flight is not None:
            check_choice("single_flight", self.single_flight, SINGLE_FLIGHT_SCOPES)
        if self.in_flight_401 is not None:
            check_choice("in_flight_401", self.in_flight_401, IN_FLIGHT_401)
        if self.storage is not None:
            check_choice("storage", self.storage, STORAGE_MODES)
        if self.proactive is not None:
            check_choice("proactive", self.proactive, PROACTIVE_MODES)
        if self.expiry_from is not None:
            check_choice("expiry_from", self.expiry_from, EXPIRY_SOURCES)
        if self.retry is not None:
            check_choice("retry", self.retry, RETRY_POLICIES)
        if self.retries_exhausted is not None:
            check_choice("retries_exhausted", self.retries_exhausted, WHEN_RETRIES_RUN_OUT)
        if self.refresh_rejected is not None:
            check_choice("refresh_rejected", self.refresh_rejected, WHEN_REFRESH_REJECTED)
        object.__setattr__(self, "retry_budget", parse_bucket("retry_budget", self.retry_budget))
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
        for name in RETRY_FIELDS:
            value = getattr(self, name)
            if value is not None and policy.retry == "none":
                shown = policy_value_text(value) if isinstance(value, tuple) else value  # a bucket as it was written
                raise ConfigError(
                    name, shown, "only a client that retries a failed refresh reads it; this client's retry is none"
                )

    def overrides(self) -> dict[str, object]:
        """The policy fields set here, whatever the preset says."""
        return {name: getattr(self, name) for name in POLICY_FIELDS if getattr(self, name) is not None}

    @property
    def preset_name(self) -> str:
        """The library's name if one is chosen, else the strategy's."""
        return self.library if self.library is not None else self.strategy

    def base(self) -> RefreshPolicy:
        """The fields of the library, or of the strategy's preset, before this policy's own."""
        return LIBRARIES[self.library].policy if self.library is not None else PRESETS[self.strategy].policy

    def policy(self) -> RefreshPolicy:
        """The preset's fields with this policy's own on top."""
        return dataclasses.replace(self.base(), **self.overrides())

    @property
    def label(self) -> str:
        """The preset's name, followed by every field that differs from it: ``locked+max_retries=3``."""
        preset = self.base()
        changed = [
            f"{name}={policy_value_text(value)}"
            for name, value in self.overrides().items()
            if getattr(preset, name) != value
        ]
        return "+".join([self.preset_name, *changed])

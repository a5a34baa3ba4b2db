"""A whole run's configuration, and copies of it with fields changed (for sweeps).

A ``Scenario`` is the world (``sim.config``: lifetimes, rotation rules,
latencies, capacities, workload, clocks, browser limits, faults, and
where a backend-for-frontend runs), the
client (``sim.client.Client``, usually a named one from
``sim.presets.CLIENTS``), a seed, and, if you like, a named auth server
whose lifetimes and rotation rules it takes (``server="okta"``).

``with_`` changes any field wherever it lives, by its flat name, as scenario
files and flags name them: ``scenario.with_(client="locked",
access_ttl_s=60, max_retries=3, seed=3)``. Client fields given with it (or
earlier) are laid on the named client; naming another client keeps them
(``compare`` runs one set of changes on each strategy).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .client import Client
from .config import (
    BrowserLimits,
    Capacities,
    Clocks,
    Deployment,
    Faults,
    Latencies,
    RefreshTokenPolicy,
    TokenPolicy,
    Workload,
)
from .fields import MAX_SEED, ConfigError, check_bool, setting, whole
from .parts import flat_fields
from .presets import SERVER_NAMES, client_named, server_named

# The ways a client is named: --client, and the names it had before there was one registry.
CLIENT_NAME_KEYS = ("client", "strategy", "library")


@dataclass(frozen=True)
class Scenario:
    """Everything one run needs. ``record_calls`` keeps every API call too
    (for sequence diagrams); auth calls are always kept.

    ``tokens`` and ``refresh_tokens`` left out come from ``server`` (the
    article's numbers if there is none); ``client`` may be given by name.
    """

    tokens: TokenPolicy = None  # type: ignore[assignment]  (filled in: the server's, or the article's)
    refresh_tokens: RefreshTokenPolicy = None  # type: ignore[assignment]
    latencies: Latencies = field(default_factory=Latencies)
    capacities: Capacities = field(default_factory=Capacities)
    workload: Workload = field(default_factory=Workload)
    client: Client = field(default_factory=lambda: client_named("naive"))
    clocks: Clocks = field(default_factory=Clocks)
    browser: BrowserLimits = field(default_factory=BrowserLimits)
    faults: Faults = field(default_factory=Faults)
    bff: Deployment = field(default_factory=Deployment)  # read by a BFF client only
    seed: int = setting(1, "random seed")
    record_calls: bool = setting(False, "keep every API call in the records, not only auth calls")
    name: str = setting("custom", "what the scenario is called in outputs", cli=False)
    server: str | None = setting(
        None,
        "a real auth server's defaults (sim.presets.SERVERS: lifetimes and refresh-token rules, each cited); "
        "the flags above still change its fields",
        choices=SERVER_NAMES,
        default_text="none",
    )

    def __post_init__(self) -> None:
        whole(self, "seed", 0, maximum=MAX_SEED)
        check_bool("record_calls", self.record_calls)
        named = server_named(self.server) if self.server is not None else None
        if self.tokens is None:
            object.__setattr__(self, "tokens", named.tokens if named else TokenPolicy())
        if self.refresh_tokens is None:
            object.__setattr__(self, "refresh_tokens", named.refresh_tokens if named else RefreshTokenPolicy())
        if isinstance(self.client, str):
            object.__setattr__(self, "client", client_named(self.client))
        elif not isinstance(self.client, Client):
            raise ConfigError("client", self.client, "must be a Client or the name of one")
        retry = self.client.retry  # a cap below the first wait would cut every wait to the cap: a typo
        if getattr(retry, "retry_cap_s", math.inf) < getattr(retry, "retry_base_s", 0.0):
            raise ConfigError(
                "retry_cap_s", retry.retry_cap_s, f"must be at least retry_base_s = {retry.retry_base_s:g}"
            )
        if self.client.tier.bff and self.browser.limited:  # the browser's connections carry the BFF's calls no more
            raise ConfigError(
                "max_connections" if self.browser.max_connections else "client_cost_s",
                self.browser.max_connections or self.browser.client_cost_s,
                "limits the browser's own calls to the servers; with tier = bff the BFF makes them: use 0",
            )

    @property
    def strategy(self) -> str:
        """The client's label: its name, plus any field set otherwise."""
        return self.client.label

    def with_(self, changes: Mapping[str, Any] | None = None, /, **more: Any) -> Scenario:
        """A copy with fields changed, wherever they live.

        ``scenario.with_(client="locked", access_ttl_s=60, seed=3)``. A field
        may also be named with its part, ``{"tokens.access_ttl_s": 60}``,
        which a name that two parts share would need. ``server`` applies the
        server's lifetimes and rules first, then everything else.
        """
        changes = {**(changes or {}), **more}
        scenario = self
        server = changes.pop("server", None)
        if server is not None:  # the server's defaults first, then whatever else is given
            named = server_named(server)
            scenario = dataclasses.replace(
                self, server=server, tokens=named.tokens, refresh_tokens=named.refresh_tokens
            )
        return scenario._with(changes)

    def _with(self, changes: Mapping[str, Any]) -> Scenario:
        parts = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        own: dict[str, Any] = {}
        per_part: dict[str, dict[str, Any]] = {}
        names: dict[str, Any] = {}
        given: Client | None = None
        for key, value in changes.items():
            bare = key.removeprefix("client.")
            if key == "client" and isinstance(value, Client):
                given = value
            elif bare in CLIENT_NAME_KEYS or key == "client.name":
                names[key] = value
            elif key in parts:
                whole = parts[key]
                if dataclasses.is_dataclass(whole) and not isinstance(value, type(whole)):
                    kind = type(whole).__name__
                    raise ConfigError(
                        key, value, f"is a part of the scenario: give a {kind}(...), or its fields by name"
                    )
                own[key] = value
            else:
                part_name, field_name = _locate(key, value)
                per_part.setdefault(part_name, {})[field_name] = value
        client = self._client(given, names, per_part.pop("client", {}))
        if client is not None:
            own["client"] = client
        for part_name, fields in per_part.items():  # on top of a part given in the same call, if there is one
            own[part_name] = dataclasses.replace(own.get(part_name, parts[part_name]), **fields)
        return dataclasses.replace(self, **own)

    def _client(self, given: Client | None, names: dict[str, Any], changes: dict[str, Any]) -> Client | None:
        """The client after a change of name (its changes kept) and of fields; ``None``: unchanged."""
        if len(names) > 1 or (names and given is not None):
            (first, one), (second, other) = [*(("client", given.name) for _ in [given] if given), *names.items()][:2]
            raise ConfigError(second, other, f"names the client, as {first} = {one!r} does: give one of them")
        client = given if given is not None else self.client
        if names:
            (name,) = names.values()
            return client_named(name).with_({**dict(client.changes), **changes})
        return client.with_(changes) if changes else given

    def as_dict(self) -> dict[str, Any]:
        """Every field, as plain values (the client as its name and flat values)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {
            name: value.as_dict() if isinstance(value, Client) else dataclasses.asdict(value)
            if dataclasses.is_dataclass(value) else value
            for name, value in values.items()
        }  # fmt: skip


def refuse_unread_deployment(scenarios: Iterable[Scenario]) -> None:
    """A run whose ``[bff]`` fields are set, but none of whose clients reads them: no client is a BFF, or (the
    session store's fields) every BFF keeps its sessions in a cookie."""
    scenarios = list(scenarios)
    bffs = [scenario.client for scenario in scenarios if scenario.client.tier.bff]
    store_fields = ("store_rtt_s", "store_capacity")
    default = Deployment()
    for scenario in scenarios:
        for name in (f.name for f in dataclasses.fields(Deployment)):
            value = getattr(scenario.bff, name)
            if value == getattr(default, name):
                continue
            if not bffs:
                raise ConfigError(name, value, "only a client with tier = bff reads it; no client of this run has one")
            if name in store_fields and not any(client.session_in.shared for client in bffs):
                raise ConfigError(
                    name, value, "only a BFF with session_in = store reads it; every BFF of this run keeps its "
                    "sessions in a cookie",
                )  # fmt: skip


def scenario_parts() -> dict[str, type]:
    """The parts of a ``Scenario`` (``tokens``, ``latencies``, ``client``, ...) and their classes."""
    return dict(_PART_TYPES)


_PART_TYPES: dict[str, type] = {  # in the order of the Scenario's fields
    "tokens": TokenPolicy,
    "refresh_tokens": RefreshTokenPolicy,
    "latencies": Latencies,
    "capacities": Capacities,
    "workload": Workload,
    "client": Client,
    "clocks": Clocks,
    "browser": BrowserLimits,
    "faults": Faults,
    "bff": Deployment,
}


def part_fields(cls: type) -> list[dataclasses.Field]:
    """A part's fields as files and flags name them (a client's flat: its parts' modes and parameters)."""
    return flat_fields(cls)


def _locate(name: str, value: Any) -> tuple[str, str]:
    """(part, field) for ``part.field`` or for a field name only one part has."""
    parts = scenario_parts()
    if "." in name:
        part_name, field_name = name.split(".", 1)
        if part_name in parts and field_name in {f.name for f in part_fields(parts[part_name])}:
            return part_name, field_name
        raise ConfigError(name, value, "is not a scenario field")
    owners = [part for part, cls in parts.items() if name in {f.name for f in part_fields(cls)}]
    if len(owners) == 1:
        return owners[0], name
    if not owners:
        raise ConfigError(name, value, "is not a scenario field")
    raise ConfigError(name, value, f"is a field of {' and '.join(owners)}: name it as part.field")

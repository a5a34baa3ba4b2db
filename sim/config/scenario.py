"""A whole run's configuration, and copies of it with fields changed (for sweeps)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .browser import BrowserLimits
from .client import ClientPolicy
from .clocks import Clocks
from .faults import Faults
from .fields import ConfigError, check_bool, check_choice, setting, whole
from .libraries import SERVER_NAMES, SERVERS
from .rotation import RefreshTokenPolicy
from .servers import Capacities, Latencies
from .tokens import TokenPolicy
from .workload import Workload


@dataclass(frozen=True)
class Scenario:
    """Everything one run needs. ``record_calls`` keeps every API call too
    (for sequence diagrams); auth calls are always kept."""

    tokens: TokenPolicy = field(default_factory=TokenPolicy)
    refresh_tokens: RefreshTokenPolicy = field(default_factory=RefreshTokenPolicy)
    latencies: Latencies = field(default_factory=Latencies)
    capacities: Capacities = field(default_factory=Capacities)
    workload: Workload = field(default_factory=Workload)
    client: ClientPolicy = field(default_factory=ClientPolicy)
    clocks: Clocks = field(default_factory=Clocks)
    browser: BrowserLimits = field(default_factory=BrowserLimits)
    faults: Faults = field(default_factory=Faults)
    seed: int = setting(1, "random seed")
    record_calls: bool = setting(False, "keep every API call in the records, not only auth calls")
    name: str = setting("custom", "what the scenario is called in outputs", cli=False)
    server: str | None = setting(
        None,
        "a real auth server's defaults (sim.config.SERVERS: lifetimes and refresh-token rules, each cited); "
        "the flags above still change its fields",
        choices=SERVER_NAMES,
        default_text="none",
    )

    def __post_init__(self) -> None:
        whole(self, "seed", 0)
        check_bool("record_calls", self.record_calls)
        if self.server is not None:
            check_choice("server", self.server, SERVER_NAMES)

    @property
    def strategy(self) -> str:
        """The client's label: its preset's name, plus any field set otherwise."""
        return self.client.label

    def with_(self, changes: Mapping[str, Any] | None = None, /, **more: Any) -> Scenario:
        """A copy with fields changed, wherever they live.

        ``scenario.with_(strategy="locked", access_ttl_s=60, seed=3)``. A
        field may also be named with its part, ``{"tokens.access_ttl_s": 60}``,
        which a name that two parts share would need.
        """
        changes = {**(changes or {}), **more}
        server = changes.pop("server", None)
        if server is not None:  # the server's defaults first, then whatever else is given
            check_choice("server", server, SERVER_NAMES)
            return self._with({**SERVERS[server].fields, "server": server})._with(changes)
        return self._with(changes)

    def _with(self, changes: Mapping[str, Any]) -> Scenario:
        parts = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        own: dict[str, Any] = {}
        per_part: dict[str, dict[str, Any]] = {}
        for name, value in changes.items():
            if name in parts:
                own[name] = value
            else:
                part_name, field_name = _locate(name, value)
                per_part.setdefault(part_name, {})[field_name] = value
        for part_name, fields in per_part.items():  # on top of a part given in the same call, if there is one
            own[part_name] = dataclasses.replace(own.get(part_name, parts[part_name]), **fields)
        return dataclasses.replace(self, **own)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def scenario_parts() -> dict[str, type]:
    """The parts of a ``Scenario`` (``tokens``, ``latencies``, ...) and their classes."""
    fields = dataclasses.fields(Scenario)
    return {f.name: f.default_factory for f in fields if dataclasses.is_dataclass(f.default_factory)}


def _locate(name: str, value: Any) -> tuple[str, str]:
    """(part, field) for ``part.field`` or for a field name only one part has."""
    parts = scenario_parts()
    if "." in name:
        part_name, field_name = name.split(".", 1)
        if part_name in parts and field_name in {f.name for f in dataclasses.fields(parts[part_name])}:
            return part_name, field_name
        raise ConfigError(name, value, "is not a scenario field")
    owners = [part for part, cls in parts.items() if name in {f.name for f in dataclasses.fields(cls)}]
    if len(owners) == 1:
        return owners[0], name
    if not owners:
        raise ConfigError(name, value, "is not a scenario field")
    raise ConfigError(name, value, f"is a field of {' and '.join(owners)}: name it as part.field")

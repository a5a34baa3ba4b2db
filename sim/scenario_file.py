"""Scenario files: a TOML file per situation, with the same names as the config.

::

    name = "article"
    description = "The article's numbers: access 15 min, refresh 7 days."
    seed = 1
    strategies = ["naive", "locked", "queued"]   # what `compare` runs

    [tokens]
    access_ttl_s = 900
    refresh_ttl_s = 604800

    [workload]
    kind = "steady"
    users = 200

Sections are the parts of ``Scenario`` (``tokens``, ``refresh_tokens``,
``latencies``, ``capacities``, ``workload``, ``client``, ``clocks``,
``faults``) and their keys are the fields.
Anything left out keeps its default. An unknown section or key is an error
that names it, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from .config import STRATEGY_NAMES, ConfigError, Scenario, scenario_parts
from .config.workload import refuse_unread
from .files import SCENARIO_MAX_BYTES, read_text

SECTIONS = tuple(scenario_parts())  # tokens, refresh_tokens, latencies, capacities, workload, client, ...
TOP_LEVEL = ("name", "description", "seed", "strategies", "record_calls")


def _field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def load_scenario(path: str | Path) -> tuple[Scenario, tuple[str, ...]]:
    """Read a scenario file; return the scenario and the strategies it names.

    Raises ``ConfigError`` for an unreadable file, bad TOML, an unknown key
    or a bad value, each naming where it is.
    """
    path = Path(path)
    try:
        data = tomllib.loads(read_text(path, "scenario", SCENARIO_MAX_BYTES))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("scenario", str(path), f"is not valid TOML ({error})") from None

    defaults = Scenario()
    parts: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS:
            part_cls = type(getattr(defaults, key))
            if not isinstance(value, dict):
                raise ConfigError(f"{path.name}: {key}", value, "must be a [section] of keys")
            allowed = _field_names(part_cls)
            for inner in value:
                if inner not in allowed:
                    raise ConfigError(
                        f"{path.name}: [{key}] {inner}", value[inner], f"unknown key; allowed: {', '.join(allowed)}"
                    )
            parts[key] = _build(path, key, part_cls, value)
        elif key not in TOP_LEVEL:
            allowed = ", ".join(TOP_LEVEL + tuple(f"[{s}]" for s in SECTIONS))
            raise ConfigError(f"{path.name}: {key}", value, f"unknown key; allowed: {allowed}")

    strategies = data.get("strategies", list(STRATEGY_NAMES))
    if (
        not isinstance(strategies, list)
        or not strategies
        or any(s not in STRATEGY_NAMES for s in strategies)
        or len(set(strategies)) < len(strategies)
    ):
        raise ConfigError(
            f"{path.name}: strategies", strategies, f"must be a list drawn from {', '.join(STRATEGY_NAMES)}, each once"
        )
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{path.name}: {key}", data[key], "must be a string")
    own = {key: data[key] for key in ("name", "seed", "record_calls") if key in data}
    own.setdefault("name", path.stem)
    try:
        scenario = Scenario(**parts, **own)
    except ConfigError as error:
        raise ConfigError(f"{path.name}: {error.field}", error.value, error.allowed) from None
    return scenario, tuple(strategies)


def _build(path: Path, section: str, part_cls: type, values: dict[str, Any]) -> Any:
    if section == "workload" and isinstance(values.get("arrivals"), str):
        # A trace file named in a scenario file is found beside that file.
        values = {**values, "arrivals": str(path.parent / values["arrivals"])}
    try:
        part = part_cls(**values)
    except ConfigError as error:
        raise ConfigError(f"{path.name}: [{section}] {error.field}", error.value, error.allowed) from None
    if section == "workload":
        refuse_unread(part.kind, values, "this file's", prefix=f"{path.name}: [workload] ")
    return part

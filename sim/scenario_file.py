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
``browser``, ``faults``) and their keys are the fields. ``[client]`` names
a client (``name = "locked"``; ``strategy`` and ``library`` say the same)
and sets any of its flat keys: a part's mode by the part's name
(``retry = "full-jitter"``) and that mode's parameters beside it.
Anything left out keeps its default. An unknown section or key is an error
that names it, so a typo never silently falls back to a default.

A file may also name **variants**: the same scenario with a few fields set
otherwise, which ``compare`` runs side by side (each with every strategy
the file names)::

    [variants.fixed]                    # the scenario as it is

    [variants.randomised.tokens]        # Entra's 60-90 min lifetimes
    access_ttl_spread_s = 1800

    [variants.jittered.client]
    margin_jitter_s = 300

A ``[capacity]`` section holds the capacity model's own settings
(``sim.capacity.CapacitySettings``: the login shape, the target p95 refresh
wait, its time step); ``python -m sim capacity`` reads it, runs ignore it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from .capacity.settings import settings_from
from .client import Client
from .config.workload import refuse_inherited, refuse_unread
from .fields import ConfigError
from .files import SCENARIO_MAX_BYTES, read_toml
from .presets import STRATEGY_NAMES, client_names
from .scenario import CLIENT_NAME_KEYS, Scenario, part_fields, scenario_parts

SECTIONS = tuple(scenario_parts())  # tokens, refresh_tokens, latencies, capacities, workload, client, ...
MOVED = {("client", "relogin_after_s"): "workload"}  # (section, key) -> the section it lives in now
TOP_LEVEL = ("name", "description", "seed", "strategies", "record_calls", "variants", "capacity")
SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"  # the scenario files installed with sim


class ScenarioFile(NamedTuple):
    """What a scenario file describes: a scenario, the strategies to run, and any variants of it."""

    scenario: Scenario
    strategies: tuple[str, ...]
    variants: dict[str, Scenario]  # name -> the scenario with the variant's fields; empty if none


def _field_names(cls: type) -> list[str]:
    names = [f.name for f in part_fields(cls)]
    return [*CLIENT_NAME_KEYS[1:], *names] if cls is Client else names


def load_scenario(path: str | Path) -> tuple[Scenario, tuple[str, ...]]:
    """Read a scenario file; return the scenario and the strategies it names.

    Raises ``ConfigError`` for an unreadable file, bad TOML, an unknown key
    or a bad value, each naming where it is.
    """
    scenario, strategies, _ = load_scenario_file(path)
    return scenario, strategies


def packaged_path(path: str | Path, folder: str = "", field: str = "scenario") -> Path:
    """``path``, or for a bare name (no ``.toml``, no folder, no such file here) the file of that name
    installed with sim: ``article`` is ``sim/scenarios/article.toml``, ``folder`` below it if given
    (``sweeps``). An unknown bare name is a ``ConfigError`` listing the installed ones."""
    text = str(path)
    if not text.strip():
        raise ConfigError(field, text, "must name a file")
    if Path(text).name != text or text.endswith(".toml") or text in ("", ".", "..") or Path(text).exists():
        return Path(path)
    packaged = SCENARIOS_DIR / folder / f"{text}.toml"
    if not packaged.is_file():
        names = ", ".join(sorted(p.stem for p in (SCENARIOS_DIR / folder).glob("*.toml")))
        raise ConfigError(field, text, f"no such file, and sim comes with none of that name ({names})")
    return packaged


def load_scenario_file(path: str | Path) -> ScenarioFile:
    """Read a scenario file: its scenario, its strategies and its variants (see the module docstring).
    A bare name (``article``) reads the scenario of that name installed with sim (``packaged_path``)."""
    path = packaged_path(path)
    data = read_toml(path, "scenario", SCENARIO_MAX_BYTES)

    parts: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS:
            part_cls = scenario_parts()[key]
            _check_section(path, key, value, part_cls, f"[{key}]")
            parts[key] = _build(path, key, part_cls, value)
        elif key == "capacity":  # the capacity model's own settings: checked here, read by `python -m sim capacity`
            settings_from(value, f"{path.name}: [capacity]")
        elif key not in TOP_LEVEL:
            allowed = ", ".join(TOP_LEVEL + tuple(f"[{s}]" for s in SECTIONS))
            raise ConfigError(f"{path.name}: {key}", value, f"unknown key; allowed: {allowed}")

    strategies = data.get("strategies", list(STRATEGY_NAMES))
    names = client_names()
    if (
        not isinstance(strategies, list)
        or not strategies
        or any(s not in names for s in strategies)
        or len(set(strategies)) < len(strategies)
    ):
        raise ConfigError(
            f"{path.name}: strategies", strategies, f"must be a list of named clients ({', '.join(names)}), each once"
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
    variants = _variants(path, scenario, data.get("variants", {}))
    return ScenarioFile(scenario, tuple(strategies), variants)


def _check_section(path: Path, key: str, value: Any, part_cls: type, where: str) -> None:
    """A section must be a table of the part's field names."""
    if not isinstance(value, dict):
        raise ConfigError(f"{path.name}: {key}", value, "must be a [section] of keys")
    allowed = _field_names(part_cls)
    for inner in value:
        moved = MOVED.get((key, inner))
        if moved:
            raise ConfigError(f"{path.name}: {where} {inner}", value[inner], f"is a key of [{moved}] now")
        if inner not in allowed:
            raise ConfigError(
                f"{path.name}: {where} {inner}", value[inner], f"unknown key; allowed: {', '.join(allowed)}"
            )


def _variants(path: Path, scenario: Scenario, tables: Any) -> dict[str, Scenario]:
    """``[variants.NAME.section]`` tables: the scenario with each one's fields set otherwise."""
    if not isinstance(tables, dict):
        raise ConfigError(f"{path.name}: variants", tables, "must be [variants.NAME] tables")
    variants = {}
    for name, sections in tables.items():
        where = f"[variants.{name}]"
        if not isinstance(sections, dict):
            raise ConfigError(f"{path.name}: {where}", sections, "must be a table of [sections]")
        changes = {}
        for key, values in sections.items():
            if key not in SECTIONS:
                raise ConfigError(
                    f"{path.name}: {where} {key}", values, f"unknown section; allowed: {', '.join(SECTIONS)}"
                )
            _check_section(path, key, values, scenario_parts()[key], f"[variants.{name}.{key}]")
            changes.update({f"{key}.{field}": value for field, value in values.items()})
            if key == "workload":
                kind = values.get("kind", scenario.workload.kind)
                refuse_unread(kind, values, "this variant's", prefix=f"{path.name}: [variants.{name}.workload] ")
        try:
            variants[name] = scenario.with_(changes, name=f"{scenario.name}/{name}")
        except ConfigError as error:
            raise ConfigError(f"{path.name}: {where} {error.field}", error.value, error.allowed) from None
        if variants[name].workload.kind != scenario.workload.kind:  # what the file set for the old kind
            refuse_inherited(variants[name].workload, "this variant's", prefix=f"{path.name}: {where} ")
    return variants


def _build(path: Path, section: str, part_cls: type, values: dict[str, Any]) -> Any:
    if section == "workload" and isinstance(values.get("arrivals"), str):
        # A trace file named in a scenario file is found beside that file.
        values = {**values, "arrivals": str(path.parent / values["arrivals"])}
    try:
        part = _client(values) if part_cls is Client else part_cls(**values)
    except ConfigError as error:
        raise ConfigError(f"{path.name}: [{section}] {error.field}", error.value, error.allowed) from None
    if section == "workload":
        refuse_unread(part.kind, values, "this file's", prefix=f"{path.name}: [workload] ")
    return part


def _client(values: dict[str, Any]) -> Client:
    """A ``[client]`` section: the named client, with the section's other keys laid on it."""
    return Scenario().with_(values).client

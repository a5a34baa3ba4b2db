"""Behaviours as parts: a class that holds its parameters and does its work.

Five requests get a 401 at once. Does each send its own refresh, or do they
share one? The answer is a *part* of the client: an object of the
``single_flight`` family, either ``NoSingleFlight`` (mode ``"none"``, the
article) or ``PerTab`` (mode ``"tab"``), and whatever that choice needs to
know lives in that object alone (``PerTab.in_flight_401``). A new way of
doing it is one new class, nothing else, as a new auth scheme is one
``httpx.Auth`` subclass or a new routing rule one Ciw ``NodeRouting``::

    class Retry(Part, family="retry"): ...            # the family: a slot of the client
    @dataclass(frozen=True)
    class FullJitter(Backoff, mode="full-jitter"):    # one mode of it, with its parameters
        def wait_s(self, failed, previous_s, rng): ...

A class made from parts (``Client``) declares each slot with ``slot()``.
Scenario files, flags and ``with_()`` see it *flat*, as the article's
readers would write it: the slot as its mode's name (``retry =
"full-jitter"``), the chosen mode's parameters as keys beside it
(``retry_base_s = 1``). ``flat_fields`` lists those keys, ``replace_flat``
applies them, and a key that the chosen mode does not read is refused with
one line saying which modes do, never silently ignored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from .fields import ConfigError


class Part:
    """One behaviour of a family: a frozen dataclass with a ``mode`` name.

    A family's root class names the family (``family="retry"``); each
    subclass that names a ``mode`` is one of its modes, registered in the
    root's ``modes`` in the order they are defined. Intermediate classes
    (shared parameters, say) name no mode.
    """

    family: ClassVar[str]
    mode: ClassVar[Any]
    modes: ClassVar[dict[Any, type[Part]]]
    root: ClassVar[type[Part]]

    def __init_subclass__(cls, family: str | None = None, mode: Any = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if family is not None:
            cls.family, cls.modes, cls.root = family, {}, cls
        if mode is not None:
            if mode in cls.modes:
                raise TypeError(f"{cls.family} = {mode!r} is already {cls.modes[mode].__name__}")
            cls.mode = mode
            cls.modes[mode] = cls

    def flat(self) -> dict[str, Any]:
        """This part as flat keys: the mode under the family's name, then each parameter."""
        return {self.family: self.mode, **{f.name: getattr(self, f.name) for f in dataclasses.fields(self)}}


def slot(default: Part, help: str, **metadata: Any) -> Any:
    """A dataclass field holding a part of ``default``'s family (its flag picks the mode by name)."""
    root = type(default).root
    return dataclasses.field(default=default, metadata={"help": help, "slot": root, **metadata})


def slot_of(field: dataclasses.Field) -> type[Part] | None:
    """The family a field holds a part of, or ``None`` for a plain field."""
    return field.metadata.get("slot")


def mode_text(mode: Any) -> str:
    return str(mode).lower() if isinstance(mode, bool) else str(mode)


def choices_of(root: type[Part]) -> tuple[str, ...]:
    return tuple(mode_text(mode) for mode in root.modes)


def readers(root: type[Part], name: str) -> list[Any]:
    """The modes of ``root``'s family that read parameter ``name``."""
    return [mode for mode, cls in root.modes.items() if name in {f.name for f in dataclasses.fields(cls)}]


def selector_field(root: type[Part], help: str, quiet: bool = False) -> dataclasses.Field:
    """The flat key that picks a family's mode, as a field the command line can make a flag of
    (``quiet``: left out of printed tables while every client has its default)."""
    modes = list(root.modes)
    is_bool = all(isinstance(mode, bool) for mode in modes)
    field = dataclasses.field(
        default=None,
        metadata={
            "help": help, "choices": () if is_bool else choices_of(root), "kind": bool if is_bool else str,
            "quiet": quiet,
        },
    )  # fmt: skip
    field.name = root.family
    return field


def flat_fields(cls: type) -> list[dataclasses.Field]:
    """The flat keys of a class made of parts, in order: each plain field, each slot's selector
    followed by every parameter any of its modes has (each once). Parameters' help says which
    modes read them."""
    out: list[dataclasses.Field] = []
    seen: set[str] = set()
    for field in dataclasses.fields(cls):
        if field.metadata.get("flat") is False:
            continue
        root = slot_of(field)
        if root is None:
            out.append(field)
            seen.add(field.name)
            continue
        out.append(selector_field(root, field.metadata["help"], field.metadata.get("quiet", False)))
        seen.add(field.name)
        for mode_cls in root.modes.values():
            for parameter in dataclasses.fields(mode_cls):
                if parameter.name in seen:
                    continue
                seen.add(parameter.name)
                out.append(_read_by(root, parameter))
    return out


def _read_by(root: type[Part], parameter: dataclasses.Field) -> dataclasses.Field:
    """A copy of a parameter's field whose help starts with the modes that read it."""
    modes = readers(root, parameter.name)
    who = f"{root.family} {', '.join(mode_text(m) for m in modes)}" if len(modes) < len(root.modes) else ""
    help_text = parameter.metadata.get("help", "")
    copy = dataclasses.field(
        default=parameter.default, metadata={**parameter.metadata, "help": f"{who}: {help_text}" if who else help_text}
    )
    copy.name, copy.type = parameter.name, parameter.type
    return copy


def flat_values(obj: Any) -> dict[str, Any]:
    """``obj``'s flat keys and values: plain fields, and each part's mode and parameters."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(obj):
        if field.metadata.get("flat") is False:
            continue
        value = getattr(obj, field.name)
        values.update(value.flat() if slot_of(field) is not None else {field.name: value})
    return values


def replace_flat(obj: Any, changes: Mapping[str, Any], whose: str = "this client's") -> Any:
    """A copy of ``obj`` (made of parts) with flat keys changed.

    Naming a slot picks a mode (by its name, or as a part object); a mode
    kept or newly picked takes the parameters it shares with the part it
    replaces, then those given. A parameter no chosen mode reads, or a key
    no field has, is a ``ConfigError``.
    """
    left = dict(changes)
    replaced: dict[str, Any] = {}
    chosen_modes: dict[str, Any] = {}  # family -> the mode it ends up with
    for field in dataclasses.fields(obj):
        if field.metadata.get("flat") is False:
            continue
        root = slot_of(field)
        if root is None:
            if field.name in left:
                replaced[field.name] = left.pop(field.name)
            continue
        current = getattr(obj, field.name)
        chosen = left.pop(field.name, current)
        if isinstance(chosen, Part):
            if chosen.root is not root:
                raise ConfigError(
                    field.name, chosen, f"must be a {root.__name__}: one of {', '.join(choices_of(root))}"
                )
            given = {name: left.pop(name) for name in [f.name for f in dataclasses.fields(chosen)] if name in left}
            replaced[field.name] = dataclasses.replace(chosen, **given) if given else chosen
            chosen_modes[field.name] = chosen.mode
            continue
        mode_cls = _mode(root, field.name, chosen)
        chosen_modes[field.name] = mode_cls.mode
        parameters = {}
        for parameter in dataclasses.fields(mode_cls):
            if parameter.name in left:
                parameters[parameter.name] = left.pop(parameter.name)
            elif any(parameter.name == f.name for f in dataclasses.fields(current)):
                parameters[parameter.name] = getattr(current, parameter.name)  # carried over
        if mode_cls is not type(current) or parameters != {k: getattr(current, k) for k in parameters}:
            replaced[field.name] = mode_cls(**parameters)
    if left:
        _refuse(obj, left, whose, chosen_modes)
    return dataclasses.replace(obj, **replaced) if replaced else obj


def _mode(root: type[Part], name: str, value: Any) -> type[Part]:
    """The mode class ``value`` names (``"tab"``; ``true`` for a family of two boolean modes)."""
    for mode, cls in root.modes.items():
        if value == mode and type(value) is type(mode):
            return cls
    raise ConfigError(name, value, f"must be one of {', '.join(choices_of(root))}")


def _refuse(obj: Any, left: Mapping[str, Any], whose: str, modes: Mapping[str, Any]) -> None:
    """One line for the first key nothing read: which modes would read it, or that no field has it."""
    name, value = next(iter(left.items()))
    for field in dataclasses.fields(obj):
        root = slot_of(field)
        if root is None:
            continue
        reading = readers(root, name)
        if reading:
            wanted = " or ".join(mode_text(m) for m in reading)
            now = mode_text(modes.get(field.name, getattr(obj, field.name).mode))
            shown = ":".join(f"{part:g}" for part in value) if isinstance(value, tuple) else value  # a bucket
            raise ConfigError(name, shown, f"only {root.family} = {wanted} reads it; {whose} {root.family} is {now}")
    raise ConfigError(name, value, "is not a client field")

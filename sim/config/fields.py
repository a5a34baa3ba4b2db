"""How a configuration field is declared and checked.

Every field of a config class is made with ``setting(default, help)``: the
help text travels with the field, so the command line builds one flag per
field from it (``--access-ttl`` for ``access_ttl_s``) and ``--help`` says
what each one means, without a hand-kept list beside the classes.

Checks run in each class's ``__post_init__`` and raise ``ConfigError``,
whose text is the one line a user sees: field, value, what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

# A field's unit suffix is left out of its flag: access_ttl_s -> --access-ttl.
UNIT_SUFFIXES = ("_per_s", "_s")


class ConfigError(ValueError):
    """A configuration value that is not allowed.

    ``str(error)`` is the one line a user sees: field, value, what is allowed.
    """

    def __init__(self, field_name: str, value: Any, allowed: str):
        self.field = field_name
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field_name} = {value!r}: {allowed}")


def setting(
    default: Any, help: str, *, flag: str | None = None, choices: tuple[str, ...] = (), cli: bool = True
) -> Any:
    """A dataclass field with its help text (and its flag, if not the usual one).

    ``choices`` are shown in ``--help`` (the class still checks the value);
    ``cli=False`` keeps a field off the command line (a scenario's ``name``).
    """
    return dataclasses.field(default=default, metadata={"help": help, "flag": flag, "choices": choices, "cli": cli})


def flag_of(field: dataclasses.Field) -> str:
    """The command-line flag of a field: its own, or its name without the unit."""
    if field.metadata.get("flag"):
        return field.metadata["flag"]
    name = field.name
    for suffix in UNIT_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return "--" + name.replace("_", "-")


def help_of(field: dataclasses.Field) -> str:
    return field.metadata.get("help", "")


def metavar_of(field: dataclasses.Field) -> str:
    """What ``--help`` shows as a flag's value: ``{none,tab}``, ``ACCESS_TTL_S``."""
    choices = field.metadata.get("choices")
    return "{" + ",".join(choices) + "}" if choices else field.name.upper()


def on_command_line(field: dataclasses.Field) -> bool:
    return field.metadata.get("cli", True)


# -- checks ------------------------------------------------------------------


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_seconds(name: str, value: Any, *, positive: bool = False) -> None:
    if not is_number(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ConfigError(name, value, f"must be a number of seconds {bound}")


def check_whole(name: str, value: Any, minimum: int, what: str = "a whole number", maximum: int | None = None) -> None:
    if not is_number(value) or value != int(value) or value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise ConfigError(name, value, f"must be {what} {bounds}")


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(name, value, f"must be one of {', '.join(choices)}")


def check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ConfigError(name, value, "must be true or false")

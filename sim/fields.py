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
# No time in a scenario may pass this: about 32 years, far beyond any token's life,
# and small enough that sums of times never overflow to infinity.
MAX_SECONDS = 1e9
# No count (users, requests per page, workers, ...) may pass this, unless its field says otherwise.
MAX_WHOLE = 1_000_000_000
# A seed is at most 64 bits (numpy's SeedSequence takes more, but a seed beyond this was a typo).
MAX_SEED = 2**64 - 1


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
    default: Any,
    help: str,
    *,
    flag: str | None = None,
    choices: tuple[str, ...] = (),
    default_text: str | None = None,
    used_by: tuple[str, ...] = (),
    cli: bool = True,
    metavar: str | None = None,
    repeat: bool = False,
    aliases: tuple[str, ...] = (),
    quiet: bool = False,
) -> Any:
    """A dataclass field with its help text (and its flag, if not the usual one).

    ``choices`` are shown in ``--help`` (the class still checks the value);
    ``default_text`` says what the default means where the value does not
    (``None``: "the preset's"); ``used_by`` names the workload kinds that
    read the field, so a value given for another kind is refused rather
    than ignored; ``cli=False`` keeps a field off the command line;
    ``metavar`` is what ``--help`` shows as its value; ``repeat`` lets the
    flag be given several times (a list of values); ``aliases`` are other
    flags for it; ``quiet`` keeps it out of printed tables while every run
    has its default.
    """
    metadata = {
        "help": help,
        "flag": flag,
        "choices": choices,
        "default_text": default_text,
        "used_by": used_by,
        "cli": cli,
        "metavar": metavar,
        "repeat": repeat,
        "aliases": aliases,
        "quiet": quiet,
    }
    return dataclasses.field(default=default, metadata=metadata)


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
    """The field's help text, ending with its default."""
    return f"{field.metadata.get('help', '')} (default: {default_text_of(field)})"


def default_text_of(field: dataclasses.Field) -> str:
    if field.metadata.get("default_text"):
        return field.metadata["default_text"]
    default = field.default
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, float) and default.is_integer():
        return f"{default:g}"
    return str(default)


def used_by(field: dataclasses.Field) -> tuple[str, ...]:
    """The workload kinds that read this field; empty for a field every run reads."""
    return field.metadata.get("used_by", ())


def only_used_by(kinds: tuple[str, ...]) -> str:
    """``only the burst workload uses it``, ``only the burst and steady workloads use it``."""
    return f"only the {' and '.join(kinds)} {'workload uses' if len(kinds) == 1 else 'workloads use'} it"


def metavar_of(field: dataclasses.Field) -> str | None:
    """What ``--help`` shows as a flag's value: ``{none,tab}``, ``ACCESS_TTL_S``."""
    choices = field.metadata.get("choices")
    if choices:
        return "{" + ",".join(choices) + "}"
    return field.metadata.get("metavar") or field.name.upper()


def on_command_line(field: dataclasses.Field) -> bool:
    return field.metadata.get("cli", True)


# -- checks ------------------------------------------------------------------


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_seconds(name: str, value: Any, *, positive: bool = False) -> None:
    if not is_number(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ConfigError(name, value, f"must be a number of seconds {bound}")
    if value > MAX_SECONDS:
        raise ConfigError(name, value, f"must be at most {MAX_SECONDS:g} s (about 32 years)")


def check_number(name: str, value: Any, minimum: float, maximum: float) -> None:
    if not is_number(value) or not minimum <= value <= maximum:
        raise ConfigError(name, value, f"must be a number from {minimum:g} to {maximum:g}")


def check_rate(name: str, value: Any) -> None:
    if not is_number(value) or value <= 0:
        raise ConfigError(name, value, "must be a number per second > 0")
    if value > 1 / 1e-6:
        raise ConfigError(name, value, "must be at most 1e+06 per second")


def check_whole(name: str, value: Any, minimum: int, what: str = "a whole number", maximum: int | None = None) -> int:
    """Check a whole number (``2.0`` counts, as TOML and JSON may write it); return it as an ``int``.

    With no ``maximum`` it is still at most ``MAX_WHOLE``, so no count (``users = 1e308``) reaches arithmetic
    that would overflow."""
    if not is_number(value) or value != int(value) or value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise ConfigError(name, value, f"must be {what} {bounds}")
    if maximum is None and value > MAX_WHOLE:
        raise ConfigError(name, value, f"must be {what} from {minimum} to {MAX_WHOLE:.0e}")
    return int(value)


def whole(instance: Any, name: str, minimum: int, what: str = "a whole number", maximum: int | None = None) -> None:
    """``check_whole`` on a frozen dataclass's field, storing it back as an ``int``."""
    object.__setattr__(instance, name, check_whole(name, getattr(instance, name), minimum, what, maximum))


def whole_seconds(instance: Any, name: str) -> None:
    """A lifetime: a whole number of seconds >= 1 (JWT ``exp`` is whole seconds), at most ``MAX_SECONDS``."""
    value = getattr(instance, name)
    if is_number(value) and value > MAX_SECONDS:
        raise ConfigError(name, value, f"must be at most {MAX_SECONDS:g} s (about 32 years)")
    whole(instance, name, 1, "a whole number of seconds")


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(name, value, f"must be one of {', '.join(choices)}")


def check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ConfigError(name, value, "must be true or false")

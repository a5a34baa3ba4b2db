"""What the capacity model is asked, beyond the scenario: a scenario file's ``[capacity]`` section.

The population (users, tabs, pages, the client, token lifetimes, the auth
server's workers and service time) is the scenario's own, so a run and the
model read the same numbers. These settings are the model's alone.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fields import ConfigError, check_choice, check_seconds, setting
from ..files import SCENARIO_MAX_BYTES, read_text

LOGIN_SHAPES = ("uniform", "synchronized", "ramp")
MAX_STEPS = 20_000_000  # grid points: a day in steps of 5 ms


@dataclass(frozen=True)
class CapacitySettings:
    """The model's own settings (``[capacity]`` in a scenario file, ``python -m sim capacity`` flags)."""

    logins: str | None = setting(
        None,
        "when users log in: uniform over the login window, synchronized at 0 (a deploy that drops every "
        "session), or ramp (a recovery: most at once, fewer and fewer until the window ends)",
        choices=LOGIN_SHAPES,
        default_text="the workload's: synchronized if it says so, else uniform",
    )
    target_p95_wait_s: float = setting(0.1, "the p95 refresh wait the workers are sized for, s")
    step_s: float = setting(1.0, "the model's time step, s")
    peak_bin_s: float = setting(10.0, "the peak rate is the most refresh calls in a bin this long, s")

    def __post_init__(self) -> None:
        if self.logins is not None:
            check_choice("logins", self.logins, LOGIN_SHAPES)
        check_seconds("target_p95_wait_s", self.target_p95_wait_s)
        check_seconds("step_s", self.step_s, positive=True)
        check_seconds("peak_bin_s", self.peak_bin_s, positive=True)
        if self.step_s > 1 or self.peak_bin_s < self.step_s:
            raise ConfigError(
                "step_s", self.step_s, f"must be at most 1 s and at most peak_bin_s = {self.peak_bin_s:g}"
            )
        ratio = self.peak_bin_s / self.step_s
        if abs(ratio - round(ratio)) > 1e-9:
            raise ConfigError("peak_bin_s", self.peak_bin_s, f"must be a whole number of steps of {self.step_s:g} s")


def settings_from(values: Any, where: str = "[capacity]") -> CapacitySettings:
    """A ``[capacity]`` table as settings; a bad key or value is a ``ConfigError`` naming ``where``."""
    if not isinstance(values, dict):
        raise ConfigError(where, values, "must be a [section] of keys")
    allowed = [f.name for f in dataclasses.fields(CapacitySettings)]
    for key, value in values.items():
        if key not in allowed:
            raise ConfigError(f"{where} {key}", value, f"unknown key; allowed: {', '.join(allowed)}")
    try:
        return CapacitySettings(**values)
    except ConfigError as error:
        raise ConfigError(f"{where} {error.field}", error.value, error.allowed) from None


def load_capacity_settings(path: str | Path) -> CapacitySettings:
    """The ``[capacity]`` section of a scenario file (the defaults if it has none)."""
    from ..scenario_file import packaged_path  # noqa: PLC0415  (scenario_file checks [capacity] with this module)

    path = packaged_path(path)
    data = tomllib.loads(read_text(path, "scenario", SCENARIO_MAX_BYTES))
    return settings_from(data.get("capacity", {}), f"{path.name}: [capacity]")

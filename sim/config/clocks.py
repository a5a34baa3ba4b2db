"""How far each client's clock is from the servers'.

The servers share the simulation's clock. A client's device clock is off
by an offset: ``clock_offset_s`` for every client, plus a normal draw of
standard deviation ``clock_offset_sd_s`` for each user (their tabs share a
device). A positive offset is a clock ahead (fast). Only a client that
reads its token's expiry (a proactive one) ever looks at its clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import MAX_SECONDS, ConfigError, check_seconds, is_number, setting


@dataclass(frozen=True)
class Clocks:
    """Each client's clock offset from the servers': ``clock_offset_s`` + Normal(0, ``clock_offset_sd_s``)."""

    clock_offset_s: float = setting(0.0, "every client's clock is ahead of the servers' by this, s (behind if < 0)")
    clock_offset_sd_s: float = setting(
        0.0, "and each user's is off by a further normal draw, mean 0, with this standard deviation, s"
    )

    def __post_init__(self) -> None:
        if not is_number(self.clock_offset_s) or abs(self.clock_offset_s) > MAX_SECONDS:
            raise ConfigError(
                "clock_offset_s",
                self.clock_offset_s,
                f"must be a number of seconds from -{MAX_SECONDS:g} to {MAX_SECONDS:g}",
            )
        check_seconds("clock_offset_sd_s", self.clock_offset_sd_s)

    @property
    def skewed(self) -> bool:
        return self.clock_offset_s != 0 or self.clock_offset_sd_s != 0

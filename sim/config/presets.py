"""Named client presets: the one place a preset's name, fields, words and looks are kept.

A preset is a ``RefreshPolicy`` with a name. ``naive`` is the article's
interceptor as written; ``locked`` and ``queued`` are the two fixes it
points at. Figures, tables, the CLI and the README all read this registry,
so a new preset is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..palette import OKABE_ITO
from .refresh import RefreshPolicy


@dataclass(frozen=True)
class Preset:
    """A named ``RefreshPolicy``, what it stands for, and how figures draw it."""

    name: str
    policy: RefreshPolicy
    does: str  # what the client does on a 401, in a few words (legends)
    source: str  # where it comes from
    color: str
    linestyle: str | tuple
    marker: str

    @property
    def label(self) -> str:
        return f"{self.name}: {self.does}"


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "naive",
            RefreshPolicy(
                single_flight="none",
                hold_while_refreshing=False,
                late_401_check=False,
                max_retries=1,
                storage="local",
                cross_tab_lock=False,
            ),  # fmt: skip
            "every 401 refreshes",
            "the article's interceptor exactly as written",
            OKABE_ITO["vermillion"],
            "-",
            "o",
        ),
        Preset(
            "locked",
            RefreshPolicy(
                single_flight="tab",
                hold_while_refreshing=False,
                late_401_check=True,
                max_retries=1,
                storage="local",
                cross_tab_lock=False,
            ),  # fmt: skip
            "one refresh at a time",
            "the fix the article hints at: one refresh in flight, the late 401 noticed",
            OKABE_ITO["blue"],
            "-",
            "s",
        ),
        Preset(
            "queued",
            RefreshPolicy(
                single_flight="tab",
                hold_while_refreshing=True,
                late_401_check=True,
                max_retries=1,
                storage="local",
                cross_tab_lock=False,
            ),  # fmt: skip
            "locked + hold new requests",
            "locked, and new requests held while a refresh is in flight, as axios-auth-refresh's request queue does",
            OKABE_ITO["bluish_green"],
            (0, (4, 2)),  # dashed: locked and queued often coincide, and both must stay visible
            "^",
        ),
    )
}
STRATEGY_NAMES = tuple(PRESETS)

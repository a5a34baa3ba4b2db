"""Every figure with a file in ``figures/``, in the order ``figures/README.md`` lists them.

Each family declares its own entries beside its functions; this only
collects them.
"""

from __future__ import annotations

from . import (
    animation,
    backend,
    capacity,
    early_refresh,
    library_choice,
    outages,
    real_stack,
    sequence,
    storm,
    sweeps,
    token_reuse,
)
from .spec import FigureSpec

FAMILIES = (
    sequence,
    animation,
    storm,
    token_reuse,
    early_refresh,
    outages,
    library_choice,
    backend,
    sweeps,
    capacity,
    real_stack,
)
FIGURES: tuple[FigureSpec, ...] = tuple(spec for family in FAMILIES for spec in family.FIGURES)

"""What the full install (requirements.txt) has and the light one (requirements-sim.txt, `make compare`) leaves out.

One run of the simulation needs neither scipy nor pyarrow; a confidence interval over replications and the
capacity model's queues need scipy's distributions, and a sweep's Parquet file needs pyarrow. Asked for
without them, they say so in one line (``ConfigError``: exit status 2 from the command line).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .fields import ConfigError


def scipy_stats(field: str, value: Any, what: str) -> ModuleType:
    """``scipy.stats``, or one line naming ``what`` needs it and how to install it."""
    try:
        from scipy import stats  # noqa: PLC0415  (heavy: only when asked for, not when the package loads)
    except ImportError:
        raise ConfigError(
            field, value, f"{what} needs scipy, which `make compare` does not install: run `make test` once, or "
            ".venv/bin/python -m pip install scipy",
        ) from None  # fmt: skip
    return stats

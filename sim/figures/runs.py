"""The runs behind a figure's table: a sweep built in code, run here or on every core, nothing written.

Many figures measure a few clients over the values of one or two scenario
fields: that is a ``sim.sweep.Sweep`` (its ``strategies`` a mapping from a
label to client fields where the clients are more than presets). A figure's
table lists each client's runs together, so ``swept`` gives them client by
client, each client's in the sweep's own order (point by point, then seed).
"""

from __future__ import annotations

import pandas as pd

from ..sweep import Sweep, sweep


def swept(the_sweep: Sweep, executor: str = "inline") -> pd.DataFrame:
    """The sweep's runs, one row each, client by client; no cache and no progress bar."""
    runs = sweep(the_sweep, executor=executor, cache=False, progress=False).runs
    rank = {label: place for place, label in enumerate(the_sweep.clients())}
    return runs.sort_values(the_sweep.label, key=lambda labels: labels.map(rank), kind="stable", ignore_index=True)

"""Silent Refresh Lab: a discrete-event simulation of dual-token silent refresh.

Build a ``Scenario``, ``run`` it, read the ``Result``::

    from sim import Scenario, Workload, run
    result = run(Scenario(workload=Workload(kind="burst", concurrency=5)))
    result.summary["refresh_calls"]    # 5: the article's interceptor, five refreshes

The package follows a run from its configuration to its figures:
``config`` -> ``workload`` -> ``client`` -> ``servers`` -> ``records`` ->
``metrics`` -> ``figures``, with ``experiment`` wiring them.
"""

from .assumptions import assumptions_table
from .config import (
    POLICY_FIELDS,
    PRESETS,
    STRATEGY_NAMES,
    Capacities,
    ClientPolicy,
    Clocks,
    ConfigError,
    Faults,
    Latencies,
    Preset,
    RefreshPolicy,
    RefreshTokenPolicy,
    Scenario,
    TokenPolicy,
    Workload,
)
from .experiment import Result, compare, confidence_table, replicate, run, run_all, summary_table
from .metrics import SUMMARY_KEYS, in_flight, mean_ci
from .tokens import SIM_EPOCH, TokenIssuer, TokenVerifier

__version__ = "0.2.0"

__all__ = [
    "POLICY_FIELDS",
    "PRESETS",
    "SIM_EPOCH",
    "STRATEGY_NAMES",
    "SUMMARY_KEYS",
    "Capacities",
    "ClientPolicy",
    "Clocks",
    "ConfigError",
    "Faults",
    "Latencies",
    "Preset",
    "RefreshPolicy",
    "RefreshTokenPolicy",
    "Result",
    "Scenario",
    "TokenIssuer",
    "TokenPolicy",
    "TokenVerifier",
    "Workload",
    "assumptions_table",
    "compare",
    "confidence_table",
    "in_flight",
    "mean_ci",
    "replicate",
    "run",
    "run_all",
    "summary_table",
]

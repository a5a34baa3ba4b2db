"""Silent Refresh Lab: a discrete-event simulation of dual-token silent refresh.

Build a ``Scenario``, ``run`` it, read the ``Result``::

    from sim import Scenario, Workload, run
    result = run(Scenario(workload=Workload(kind="burst", concurrency=5)))
    result.summary["refresh_calls"]    # 5: the article's interceptor, five refreshes
"""

from .config import (
    STRATEGY_NAMES,
    Capacities,
    ClientPolicy,
    ConfigError,
    Latencies,
    Scenario,
    TokenPolicy,
    Workload,
)
from .experiment import Result, compare, confidence_table, replicate, run, summary_table
from .metrics import SUMMARY_KEYS, in_flight, mean_ci
from .strategies import STRATEGIES, locked, naive, queued
from .tokens import SIM_EPOCH, TokenIssuer, TokenVerifier

__version__ = "0.1.0"

__all__ = [
    "STRATEGIES",
    "STRATEGY_NAMES",
    "SIM_EPOCH",
    "SUMMARY_KEYS",
    "Capacities",
    "ClientPolicy",
    "ConfigError",
    "Latencies",
    "Result",
    "Scenario",
    "TokenIssuer",
    "TokenPolicy",
    "TokenVerifier",
    "Workload",
    "compare",
    "confidence_table",
    "in_flight",
    "locked",
    "mean_ci",
    "naive",
    "queued",
    "replicate",
    "run",
    "summary_table",
]

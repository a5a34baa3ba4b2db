"""Silent Refresh Lab: a discrete-event simulation of dual-token silent refresh.

Build a ``Scenario``, ``run`` it, read the ``Result``::

    from sim import Scenario, Workload, run
    result = run(Scenario(workload=Workload(kind="burst", concurrency=5)))
    result.summary["refresh_calls"]    # 5: the article's interceptor, five refreshes

The package follows a run from its configuration to its figures:
``config`` (the world's numbers) and ``client`` (a ``Client`` made of parts)
-> ``presets`` (named clients and servers) -> ``scenario`` -> ``arrivals``
-> ``servers`` -> ``observers`` / ``records`` -> ``metrics`` -> ``figures``,
with ``experiment`` wiring them (``docs/architecture.md`` draws it).
"""

from .assumptions import assumptions_table
from .client import Client
from .config import (
    BrowserLimits,
    Capacities,
    Clocks,
    ConfigError,
    Faults,
    Latencies,
    RefreshTokenPolicy,
    TokenPolicy,
    Workload,
)
from .experiment import Result, compare, confidence_table, replicate, run, run_all, summary_table
from .metrics import CLIENT_KEYS, SUMMARY_KEYS, in_flight, mean_ci
from .observers import Call, Observer, Refresh
from .outcomes import Ending, Status
from .presets import CLIENTS, LIBRARY_NAMES, SERVERS, STRATEGY_NAMES, NamedClient, NamedServer, client_named
from .scenario import Scenario
from .tokens import SIM_EPOCH, TokenIssuer, TokenVerifier

__version__ = "0.3.0"

__all__ = [
    "CLIENTS",
    "CLIENT_KEYS",
    "LIBRARY_NAMES",
    "SERVERS",
    "SIM_EPOCH",
    "STRATEGY_NAMES",
    "SUMMARY_KEYS",
    "BrowserLimits",
    "Call",
    "Capacities",
    "Client",
    "Clocks",
    "ConfigError",
    "Ending",
    "Faults",
    "Latencies",
    "NamedClient",
    "NamedServer",
    "Observer",
    "Refresh",
    "RefreshTokenPolicy",
    "Result",
    "Scenario",
    "Status",
    "TokenIssuer",
    "TokenPolicy",
    "TokenVerifier",
    "Workload",
    "assumptions_table",
    "client_named",
    "compare",
    "confidence_table",
    "in_flight",
    "mean_ci",
    "replicate",
    "run",
    "run_all",
    "summary_table",
]

"""What a run is made of: validated, frozen value objects, one per concern.

A scenario is the article's system with numbers filled in: how long tokens
live (``TokenPolicy``), how far away and how fast the servers are
(``Latencies``), how many requests each server works on at once
(``Capacities``), how the auth server treats refresh tokens
(``RefreshTokenPolicy``: rotation, reuse detection, grace windows), who
sends requests and when (``Workload``), and how the
client reacts to a 401 (``ClientPolicy``: a named preset from ``PRESETS``,
any of whose ``RefreshPolicy`` fields can be set otherwise), how far
each client's clock is off (``Clocks``), and answers no refresh can fix
(``Faults``).

Every field carries its unit in its name (``access_ttl_s`` is seconds) and is
checked when the object is made, so a bad value fails at once with a message
that names the field, the value and what is allowed::

    >>> TokenPolicy(access_ttl_s=-5)
    Traceback (most recent call last):
    ...
    sim.config.fields.ConfigError: access_ttl_s = -5: must be a whole number of seconds >= 1

Sweeps copy a scenario with one thing changed: ``scenario.with_(access_ttl_s=60)``
(a thin wrapper over ``dataclasses.replace`` that finds the right part).
"""

from .browser import BrowserLimits
from .client import POLICY_FIELDS, ClientPolicy, policy_value_text
from .clocks import Clocks
from .faults import Brownout, Faults, Outage, TokenBucket
from .fields import ConfigError
from .presets import PRESETS, STRATEGY_NAMES, Preset
from .refresh import (
    EXPIRY_SOURCES,
    MAX_RETRIES_LIMIT,
    PROACTIVE_FIELDS,
    PROACTIVE_MODES,
    RETRY_FIELDS,
    RETRY_POLICIES,
    SINGLE_FLIGHT_SCOPES,
    STORAGE_MODES,
    RefreshPolicy,
)
from .rotation import RefreshTokenPolicy
from .scenario import Scenario, scenario_parts
from .servers import SERVICE_DISTRIBUTIONS, Capacities, Latencies
from .tokens import TokenPolicy
from .workload import MAX_TABS, WORKLOAD_KINDS, Workload

__all__ = [
    "EXPIRY_SOURCES",
    "PROACTIVE_FIELDS",
    "PROACTIVE_MODES",
    "RETRY_FIELDS",
    "RETRY_POLICIES",
    "BrowserLimits",
    "Brownout",
    "Clocks",
    "Faults",
    "Outage",
    "TokenBucket",
    "MAX_RETRIES_LIMIT",
    "MAX_TABS",
    "POLICY_FIELDS",
    "PRESETS",
    "SERVICE_DISTRIBUTIONS",
    "SINGLE_FLIGHT_SCOPES",
    "STORAGE_MODES",
    "STRATEGY_NAMES",
    "WORKLOAD_KINDS",
    "Capacities",
    "ClientPolicy",
    "ConfigError",
    "Latencies",
    "Preset",
    "RefreshPolicy",
    "RefreshTokenPolicy",
    "Scenario",
    "TokenPolicy",
    "Workload",
    "policy_value_text",
    "scenario_parts",
]

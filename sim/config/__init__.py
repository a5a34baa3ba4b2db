"""The world a client lives in: validated, frozen value objects, one per concern.

A scenario fills in the article's system with numbers: how long tokens live
(``TokenPolicy``), how the auth server treats refresh tokens
(``RefreshTokenPolicy``: rotation, reuse detection, grace windows), how far
away and how fast the servers are (``Latencies``) and how many calls each
works on at once (``Capacities``), who sends requests and when
(``Workload``), how far each device's clock is off (``Clocks``), what the
browser itself limits (``BrowserLimits``), and what goes wrong on purpose
(``Faults``), and where a backend-for-frontend runs (``Deployment``).
The client's own behaviour is made of parts and lives with
the client (``sim.client.Client``); a whole run is a ``sim.Scenario``.

Every field carries its unit in its name (``access_ttl_s`` is seconds) and is
checked when the object is made, so a bad value fails at once with a message
that names the field, the value and what is allowed::

    >>> TokenPolicy(access_ttl_s=-5)
    Traceback (most recent call last):
    ...
    sim.fields.ConfigError: access_ttl_s = -5: must be a whole number of seconds >= 1
"""

from ..buckets import TokenBucket
from ..fields import ConfigError
from .clocks import Clocks
from .deployment import Deployment
from .faults import Brownout, Faults, Outage
from .lifetimes import TokenPolicy
from .limits import BrowserLimits
from .network import SERVICE_DISTRIBUTIONS, Capacities, Latencies
from .rotation import RefreshTokenPolicy
from .workload import MAX_TABS, WORKLOAD_KINDS, Workload

__all__ = [
    "MAX_TABS",
    "SERVICE_DISTRIBUTIONS",
    "WORKLOAD_KINDS",
    "BrowserLimits",
    "Brownout",
    "Capacities",
    "Clocks",
    "Deployment",
    "ConfigError",
    "Faults",
    "Latencies",
    "Outage",
    "RefreshTokenPolicy",
    "TokenBucket",
    "TokenPolicy",
    "Workload",
]

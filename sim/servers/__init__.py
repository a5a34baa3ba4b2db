"""The servers the client talks to, and the one way of reaching them.

- ``exchange``: one HTTP call: half a round trip, a queue, the work, half back;
- ``auth``: ``/login`` and ``/refresh-token`` (``AuthServer``);
- ``resource``: the protected API (``ResourceServer``).
"""

from .auth import AuthAnswer, AuthServer
from .exchange import Exchange, drive, exchange, service_time_sampler, workers_for
from .resource import ResourceServer

__all__ = [
    "AuthAnswer",
    "AuthServer",
    "Exchange",
    "ResourceServer",
    "drive",
    "exchange",
    "service_time_sampler",
    "workers_for",
]

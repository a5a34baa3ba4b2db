"""The servers the client talks to, and the one way of reaching them.

- ``exchange``: one HTTP call: half a round trip, a queue, the work, half back;
- ``event_loop``: one Node.js process: every call's CPU one at a time (``EventLoop``);
- ``auth``: ``POST /login`` and ``POST /refresh-token`` (``AuthServer``);
- ``families``: what the auth server remembers of each login's refresh tokens (rotation, reuse);
- ``fault_schedule``: the auth server's outages, brownouts, rate limit and lost answers;
- ``resource``: the protected API (``ResourceServer``);
- ``load_balancer`` and ``session_store``: a backend-for-frontend's (``LoadBalancer``, ``SessionStore``).
"""

from .auth import AuthAnswer, AuthServer
from .event_loop import EventLoop, LoopTurn
from .exchange import Exchange, drive, exchange, service_time_sampler, workers_for
from .families import Families, Family, Verdict
from .fault_schedule import FaultSchedule
from .load_balancer import LoadBalancer
from .resource import ResourceServer
from .session_store import SessionStore

__all__ = [
    "AuthAnswer",
    "AuthServer",
    "EventLoop",
    "Exchange",
    "Families",
    "Family",
    "FaultSchedule",
    "LoadBalancer",
    "LoopTurn",
    "ResourceServer",
    "SessionStore",
    "Verdict",
    "drive",
    "exchange",
    "service_time_sampler",
    "workers_for",
]

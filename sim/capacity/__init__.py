"""Internet scale on paper: the refresh load of millions of users, computed rather than simulated.

A simulation of ten million users for a day is billions of requests; the
fluid (mean-field) model here answers the same question in a fraction of
a second, from the lab's own mechanisms, one module each:

- ``cycle``: one token holder's refresh cycle, from a token's issue to the
  refresh that replaces it (lifetime, spread, margin, jitter, page waits);
- ``amplification``: the refresh calls one expiry costs a client, measured
  on the simulation's own client in a small run;
- ``waves``: logins to refresh waves, the renewal equation on a time grid;
- ``queue``: the auth server's workers (Erlang C, batches, a fluid backlog);
- ``model``: all of it together, ``capacity(scenario) -> Capacity``;
- ``check``: the model against the simulation on the same inputs.

Where it stops: retries, faults and overload that feeds on itself
(metastable failure) are the simulation's (``python -m sim run``); the
model refuses a scenario with them.
"""

from .amplification import Amplification, amplification
from .check import cross_check, format_check
from .cycle import Cycle, refresh_cycle
from .model import Capacity, capacity
from .queue import Server, erlang_c, fluid_backlog, workers_needed
from .report import ANSWER_ROWS, answers_table, format_answers
from .settings import CapacitySettings, load_capacity_settings

__all__ = [
    "ANSWER_ROWS",
    "Amplification",
    "Capacity",
    "CapacitySettings",
    "Cycle",
    "Server",
    "amplification",
    "answers_table",
    "capacity",
    "cross_check",
    "erlang_c",
    "fluid_backlog",
    "format_answers",
    "format_check",
    "load_capacity_settings",
    "refresh_cycle",
    "workers_needed",
]

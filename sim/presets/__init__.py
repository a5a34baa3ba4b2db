"""Named clients and named servers: one registry of each.

``CLIENTS`` holds every named client: the article's interceptor and the two
fixes it points at (``kind = "strategy"``: ``naive``, ``locked``,
``queued``) and the real libraries as their sources behave (``kind =
"library"``) and the token managers of a backend-for-frontend (``kind =
"bff"``), each a ``Client`` composition with its words, looks and cited
sources. ``SERVERS`` holds the auth servers, each its token lifetimes and
refresh-token rules with their sources.

``client_named("locked")`` gives a named client's composition (an alias such
as ``article`` gives the same composition under the name asked for).
``register(...)`` adds one of your own, for the run of this process::

    from sim import Client, PerTab, Scenario
    from sim.presets import NamedClient, register
    register(NamedClient(Client(name="mine", single_flight=PerTab()), "library", "my app's interceptor"))
    Scenario().with_(client="mine")
"""

from __future__ import annotations

import dataclasses

from ..client import Client
from ..fields import ConfigError
from .auth_servers import AUTH_SERVERS
from .bff import BFF_CLIENTS
from .citations import Source, cited
from .libraries import LIBRARIES
from .named import Look, NamedClient, NamedServer
from .strategies import STRATEGIES

CLIENTS: dict[str, NamedClient] = {named.name: named for named in (*STRATEGIES, *LIBRARIES, *BFF_CLIENTS)}
_ALIASES: dict[str, str] = {alias: named.name for named in CLIENTS.values() for alias in named.aliases}
SERVERS: dict[str, NamedServer] = {server.name: server for server in AUTH_SERVERS}

STRATEGY_NAMES = tuple(name for name, named in CLIENTS.items() if named.kind == "strategy")
# What the library matrix runs: the article's interceptor under its own name, then every library.
LIBRARY_NAMES = ("article", *(name for name, named in CLIENTS.items() if named.kind == "library"))
# The server-side token managers of a backend-for-frontend (tier = bff).
BFF_NAMES = tuple(name for name, named in CLIENTS.items() if named.kind == "bff")
SERVER_NAMES = tuple(SERVERS)


def client_names() -> tuple[str, ...]:
    """Every name a client answers to: the registry's, then the aliases."""
    return (*CLIENTS, *_ALIASES)


def named_client(name: str) -> NamedClient:
    """The named client ``name`` (or an alias of it), or a ``ConfigError`` listing the names."""
    key = _ALIASES.get(name, name) if isinstance(name, str) else None  # a list or a table names none
    if key not in CLIENTS:
        raise ConfigError("client", name, f"must be one of {', '.join(client_names())}")
    return CLIENTS[key]


def client_named(name: str, /, **changes: object) -> Client:
    """The composition of the named client ``name`` (an alias keeps its own name), with any flat
    ``changes`` laid on it: ``client_named("locked", max_retries=3)`` is ``locked+max_retries=3``."""
    client = named_client(name).client
    client = client if client.name == name else dataclasses.replace(client, name=name)
    return client.with_(changes) if changes else client


def server_named(name: str) -> NamedServer:
    if not isinstance(name, str) or name not in SERVERS:
        raise ConfigError("server", name, f"must be one of {', '.join(SERVERS)}")
    return SERVERS[name]


def register(named: NamedClient) -> None:
    """Add a named client of your own (or replace one), under its client's name."""
    if named.kind not in ("strategy", "library", "bff"):
        raise ConfigError("kind", named.kind, "must be strategy, library or bff")
    CLIENTS[named.name] = named


__all__ = [
    "BFF_NAMES",
    "CLIENTS",
    "LIBRARY_NAMES",
    "SERVERS",
    "SERVER_NAMES",
    "STRATEGY_NAMES",
    "Look",
    "NamedClient",
    "NamedServer",
    "Source",
    "cited",
    "client_named",
    "client_names",
    "named_client",
    "register",
    "server_named",
]

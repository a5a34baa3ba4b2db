"""Real client libraries and auth servers as presets: "what will *my* stack do?"

An architect does not pick ``locked`` or ``queued``; they pick axios-auth-refresh
or MSAL.js, with its defaults and its bugs, and an auth server with its rotation
rules. Each preset here is the set of policy fields (``RefreshPolicy``) or
server fields (``TokenPolicy``, ``RefreshTokenPolicy``) that reproduces what the
library or server *does*, read from its source at a named commit, not from its
README. Every value carries the line it comes from (``Source``), and what the
fields cannot express is said in ``left_out``.

A library preset is chosen with ``library=`` (``--library``), a server preset
with ``server=`` (``--server``); fields given beside either still override it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .refresh import RefreshPolicy


@dataclass(frozen=True)
class Source:
    """One cited line: the field it sets (or "" for behaviour), the value, where, and what it says."""

    field: str
    value: str
    where: str  # owner/repo@commit:path#Lstart-Lend
    says: str  # the line(s), trimmed


@dataclass(frozen=True)
class LibraryPreset:
    """A client library as it behaves: its policy fields, their sources, and what no field models."""

    name: str
    label: str  # library, version and option, for tables
    policy: RefreshPolicy
    sources: tuple[Source, ...]
    left_out: str = ""


@dataclass(frozen=True)
class ServerPreset:
    """An auth server's defaults: token lifetimes and refresh-token rules, their sources, what is left out."""

    name: str
    label: str
    fields: dict[str, Any] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    left_out: str = ""


LIBRARIES: dict[str, LibraryPreset] = {}
SERVERS: dict[str, ServerPreset] = {}


def _register(registry: dict, *presets: Any) -> None:
    for preset in presets:
        registry[preset.name] = preset


_register(
    LIBRARIES,
    LibraryPreset(
        "article",
        "the article's axios interceptor",
        RefreshPolicy(),
        (
            Source(
                "max_retries",
                "1",
                "the article, section 2.1",
                "if (error.response.status === 401 && !originalRequest._retry) { originalRequest._retry = true;",
            ),
            Source("storage", "local", "the article, section 2.1", "const refreshToken = localStorage.getItem(...)"),
        ),
    ),
)

_register(
    SERVERS,
    ServerPreset(
        "article",
        "the article's Express server (jsonwebtoken)",
        {
            "access_ttl_s": 900,
            "refresh_ttl_s": 604800,
            "rotation": False,
            "reuse_detection": False,
            "grace_s": 0.0,
            "leeway_s": 0.0,
        },
        (
            Source(
                "access_ttl_s",
                "900",
                "the article, section 3.1",
                "jwt.sign({ username }, SECRET_KEY, { expiresIn: '15m' })",
            ),
            Source(
                "refresh_ttl_s",
                "604800",
                "the article, section 3.1",
                "jwt.sign({ username }, REFRESH_SECRET_KEY, { expiresIn: '7d' })",
            ),
            Source("rotation", "false", "the article, section 3.2", "res.json({ accessToken });"),
        ),
    ),
)

LIBRARY_NAMES = tuple(LIBRARIES)
SERVER_NAMES = tuple(SERVERS)

"""What a named client and a named server are: a composition with its words, looks and sources.

The article's three strategies and the real libraries are the same kind of
thing: a ``Client`` composed of parts, with a name, a line on what it does,
the lines of source each choice comes from, and what no part expresses yet.
A named server is the same for an auth server: its token lifetimes
(``TokenPolicy``) and refresh-token rules (``RefreshTokenPolicy``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..client import Client
from ..config import RefreshTokenPolicy, TokenPolicy
from .citations import Source


@dataclass(frozen=True)
class Look:
    """How figures draw a client: its colour, line and marker."""

    color: str
    linestyle: str | tuple
    marker: str


@dataclass(frozen=True)
class NamedClient:
    """A client with a name (``client.name``), what it is, and where each of its choices comes from.

    ``kind`` is ``"strategy"`` (the article's interceptor and the fixes it
    points at: what ``compare`` runs), ``"library"`` (a real library as
    its source behaves: what the decision matrix runs) or ``"bff"`` (a
    backend-for-frontend's token manager, ``tier = "bff"``). ``aliases`` are
    other names it answers to (the article's interceptor is ``naive``, and
    ``article`` in the library matrix).
    """

    client: Client
    kind: str
    title: str  # what it is: the library, its version and options, or where the strategy comes from
    sources: tuple[Source, ...] = ()
    left_out: str = ""
    does: str = ""  # what it does on a 401, in a few words (legends)
    look: Look | None = None
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def legend(self) -> str:
        """``naive: every 401 refreshes``, as figure legends write it."""
        return f"{self.name}: {self.does}" if self.does else self.name


@dataclass(frozen=True)
class NamedServer:
    """An auth server's defaults: token lifetimes and refresh-token rules, their sources, what is left out."""

    name: str
    title: str
    tokens: TokenPolicy
    refresh_tokens: RefreshTokenPolicy
    sources: tuple[Source, ...] = ()
    left_out: str = ""
